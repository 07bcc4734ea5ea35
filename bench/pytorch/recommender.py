#!/usr/bin/python3
"""Tutorial 03's corrected recommender on MovieLens ml-100k, in PyTorch — the peer of
`03_recommender` (its default mode) for side-by-side time and peak memory
(bench/compare.py, case recommender), and the model that bench/pytorch/load_hourglass.py
loads hourglass's saved weights into.

rating(u, i) = mu + b_u + b_i + residual(u, i): the baseline biases fitted by alternating
regularised means (lambda 5, 10 sweeps; data/baselines.hpp), and an autoencoder over each
user's residuals, input dropout 0.7 -> Linear(n, 200) -> sigmoid -> Linear(200, n), trained
with Adam (lr 1e-3) on shuffled batches of 32 users, masked MSE averaged over the rated
movies. (a) The number of epochs by early stopping (patience 5, at most 60) on a random 10%
of the training ratings, (b) retraining on all of them for that many epochs, then the test
RMSE (predictions clipped to 1..5). Like the tutorial, it first trains the course's model
for one epoch twice (accumulated and zeroed gradients: the tutorial's step 2), so that the
run does the same work. The random streams differ from hourglass's (own RNG), so the
numbers agree only statistically.

    /usr/bin/python3 bench/pytorch/recommender.py --data $HG_DATA/ml-100k --threads 1

Prints progress lines and a final `result:` line (key=value pairs); epoch_seconds is the
time of phase (a) per epoch, validation included, as the tutorial reports it.
"""
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn

from peer import read_ratings, start_torch


def dense(users, items, ratings, nb_users, nb_movies):
    m = np.zeros((nb_users, nb_movies), dtype=np.float32)
    m[users, items] = ratings
    return torch.from_numpy(m)


def fit_biases(users, items, ratings, nb_users, nb_movies, lam=5.0, sweeps=10):
    """mu, b_u, b_i by alternating regularised means (as data/baselines.cpp)."""
    mu = float(np.mean(ratings))
    n_u = np.bincount(users, minlength=nb_users)
    n_i = np.bincount(items, minlength=nb_movies)
    bu = np.zeros(nb_users)
    bi = np.zeros(nb_movies)
    for _ in range(sweeps):
        bi = np.bincount(items, ratings - mu - bu[users], minlength=nb_movies) / (lam + n_i)
        bu = np.bincount(users, ratings - mu - bi[items], minlength=nb_users) / (lam + n_u)
    return mu, bu.astype(np.float32), bi.astype(np.float32)


class ResidualAutoencoder(nn.Module):
    """The parameter and buffer names are hourglass's, so its safetensors file loads as it is."""

    def __init__(self, nb_users, nb_movies, hidden=200, dropout=0.7):
        super().__init__()
        self.register_buffer("mu", torch.zeros(1))
        self.register_buffer("user_bias", torch.zeros(nb_users))
        self.register_buffer("item_bias", torch.zeros(nb_movies))
        self.net = nn.Sequential(nn.Dropout(dropout), nn.Linear(nb_movies, hidden), nn.Sigmoid(),
                                 nn.Linear(hidden, nb_movies))

    def baseline(self, users):
        return self.mu + self.user_bias[users].unsqueeze(1) + self.item_bias.unsqueeze(0)

    def residual(self, users, rows):
        return (rows - self.baseline(users)) * (rows > 0)

    def forward(self, residual):
        return self.net(residual)

    @torch.no_grad()
    def predict(self, users, rows):
        """Predicted ratings of every movie for these users (rows: their training ratings)."""
        return self.baseline(users) + self(self.residual(users, rows))


def course_model(nb_movies):
    return nn.Sequential(nn.Linear(nb_movies, 20), nn.Sigmoid(), nn.Linear(20, 10), nn.Sigmoid(),
                         nn.Linear(10, 20), nn.Sigmoid(), nn.Linear(20, nb_movies))


def course_epoch(rows, zero_grad):
    """The tutorial's step 2: one epoch of the course's recipe, one user per step."""
    model = course_model(rows.shape[1])
    opt = torch.optim.RMSprop(model.parameters(), lr=0.01, weight_decay=0.5)
    for u in range(rows.shape[0]):
        x = rows[u:u + 1]
        if not bool((x > 0).any()):
            continue
        if zero_grad:
            opt.zero_grad()
        loss = nn.functional.mse_loss(model(x) * (x > 0), x)
        loss.backward()
        opt.step()
    return model


def train(model, rows, epochs, gen, after_epoch=lambda e: True):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    nb_users = rows.shape[0]
    for e in range(1, epochs + 1):
        model.train()
        for users in torch.randperm(nb_users, generator=gen).split(32):
            x = rows[users]
            rated = (x > 0).float()
            if rated.sum() == 0:
                continue
            residual = model.residual(users, x)
            opt.zero_grad()
            loss = torch.sum(((model(residual) - residual) * rated) ** 2) / rated.sum()
            loss.backward()
            opt.step()
        model.eval()
        if not after_epoch(e):
            break
    model.eval()


def rmse(pred, users, items, ratings):
    p = pred[users, items].clamp(1, 5).numpy().astype(np.float64)
    return math.sqrt(np.mean((p - ratings) ** 2))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="folder with u1.base and u1.test")
    p.add_argument("--epochs", type=int, default=60, help="at most this many epochs in phase (a)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args()
    start_torch(a.threads, a.seed)
    say = (lambda *s: None) if a.quiet else (lambda *s: print(*s, flush=True))

    train_r, test_r = read_ratings(f"{a.data}/u1.base"), read_ratings(f"{a.data}/u1.test")
    nb_users = int(max(train_r[:, 0].max(), test_r[:, 0].max()))
    nb_movies = int(max(train_r[:, 1].max(), test_r[:, 1].max()))
    tu, ti, tr = train_r[:, 0] - 1, train_r[:, 1] - 1, train_r[:, 2].astype(np.float64)
    rows = dense(tu, ti, tr, nb_users, nb_movies)
    all_users = torch.arange(nb_users)

    for zero_grad in (False, True):  # the tutorial's step 2
        course_epoch(rows, zero_grad)

    # (a) early stopping on a random 10% of the training ratings
    rng = np.random.default_rng(a.seed)
    val = np.zeros(len(tr), dtype=bool)
    val[rng.permutation(len(tr))[:round(0.1 * len(tr))]] = True
    fit_rows = dense(tu[~val], ti[~val], tr[~val], nb_users, nb_movies)
    gen = torch.Generator().manual_seed(a.seed)

    def make(users, items, ratings):
        m = ResidualAutoencoder(nb_users, nb_movies)
        mu, bu, bi = fit_biases(users, items, ratings, nb_users, nb_movies)
        m.mu.fill_(mu)
        m.user_bias.copy_(torch.from_numpy(bu))
        m.item_bias.copy_(torch.from_numpy(bi))
        return m

    model = make(tu[~val], ti[~val], tr[~val])
    best, best_epoch, ran = float("inf"), 0, 0

    def after(e):
        nonlocal best, best_epoch, ran
        ran = e
        v = rmse(model.predict(all_users, fit_rows), tu[val], ti[val], tr[val])
        if v < best:
            best, best_epoch = v, e
        say(f"epoch {e} validation RMSE {v:.4f} (best {best:.4f} at {best_epoch})")
        return e - best_epoch < 5

    t0 = time.perf_counter()
    train(model, fit_rows, a.epochs, gen, after)
    epoch_seconds = (time.perf_counter() - t0) / max(ran, 1)

    # (b) retrain on all the training ratings
    model = make(tu, ti, tr)
    train(model, rows, best_epoch, gen)
    pred = model.predict(all_users, rows)
    test_rmse = rmse(pred, test_r[:, 0] - 1, test_r[:, 1] - 1, test_r[:, 2].astype(np.float64))
    print(f"result: impl=pytorch mode=corrected threads={a.threads} val_rmse={best:.4f} epochs={best_epoch} "
          f"test_rmse={test_rmse:.4f} epoch_seconds={epoch_seconds:.4f}")


if __name__ == "__main__":
    main()
