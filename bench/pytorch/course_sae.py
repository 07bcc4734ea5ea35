#!/usr/bin/python3
"""The course's stacked autoencoder on MovieLens ml-100k, in PyTorch — the peer of
hourglass's tutorial 03 (--mode course / zero-grad) for side-by-side timing and accuracy.

nb_movies-20-10-20-nb_movies, sigmoid on the hidden layers, linear output, MSE on the
rated movies only, RMSprop(lr=0.01, weight_decay=0.5), one user per step, users without
ratings skipped, and (mode "course") gradients never zeroed, as in the course's code.

With --batch N (N > 1), N consecutive users per step (users without ratings left out), the
loss divided by every cell of the batch (nn.MSELoss on the masked output): the peer of
bench/sae_minibatch.cpp, and train_loss is then that loss averaged over the epoch.

    /usr/bin/python3 bench/pytorch/course_sae.py --data $HG_DATA/ml-100k --epochs 10 --threads 1
    /usr/bin/python3 bench/pytorch/course_sae.py --data $HG_DATA/ml-100k --epochs 50 --batch 64 --mode zero-grad

Prints one line per epoch and a final `result:` line (key=value pairs).
"""
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn

from peer import median, read_ratings, start_torch


def to_matrix(r, nb_users, nb_movies):
    m = np.zeros((nb_users, nb_movies), dtype=np.float32)
    m[r[:, 0] - 1, r[:, 1] - 1] = r[:, 2]
    return torch.from_numpy(m)


class SAE(nn.Module):
    def __init__(self, nb_movies):
        super().__init__()
        self.fc1 = nn.Linear(nb_movies, 20)
        self.fc2 = nn.Linear(20, 10)
        self.fc3 = nn.Linear(10, 20)
        self.fc4 = nn.Linear(20, nb_movies)
        self.activation = nn.Sigmoid()

    def forward(self, x):
        x = self.activation(self.fc1(x))
        x = self.activation(self.fc2(x))
        x = self.activation(self.fc3(x))
        return self.fc4(x)


def train_batched(a, sae, criterion, optimizer, training_set):
    """--batch N > 1: N consecutive users with ratings per step. Returns (epoch times, mean loss, users)."""
    rated_users = [u for u in range(training_set.shape[0]) if bool((training_set[u] > 0).any())]
    batches = [torch.tensor(rated_users[i:i + a.batch]) for i in range(0, len(rated_users), a.batch)]
    times, loss_sum = [], 0.0
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        loss_sum = 0.0
        for rows in batches:
            x = training_set[rows]
            if a.mode == "zero-grad":
                optimizer.zero_grad()
            loss = criterion(sae(x) * (x > 0), x)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(rows)
        times.append(time.perf_counter() - t0)
        if not a.quiet:
            print(f"epoch {epoch} loss {loss_sum / len(rated_users):.4f} seconds {times[-1]:.4f}", flush=True)
    return times, loss_sum / len(rated_users), len(rated_users)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="folder with u1.base and u1.test")
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--mode", choices=["course", "zero-grad"], default="course")
    p.add_argument("--batch", type=int, default=1, help="users per step")
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args()
    start_torch(a.threads, a.seed)

    train = read_ratings(f"{a.data}/u1.base")
    test = read_ratings(f"{a.data}/u1.test")
    nb_users = int(max(train[:, 0].max(), test[:, 0].max()))
    nb_movies = int(max(train[:, 1].max(), test[:, 1].max()))
    training_set = to_matrix(train, nb_users, nb_movies)
    test_set = to_matrix(test, nb_users, nb_movies)

    sae = SAE(nb_movies)
    criterion = nn.MSELoss()
    optimizer = torch.optim.RMSprop(sae.parameters(), lr=0.01, weight_decay=0.5)

    epoch_times = []
    train_loss = float("nan")
    if a.batch > 1:
        epoch_times, train_loss, users = train_batched(a, sae, criterion, optimizer, training_set)
    for epoch in range(1, a.epochs + 1 if a.batch == 1 else 1):
        t0 = time.perf_counter()
        train_loss, s = 0.0, 0.0
        for id_user in range(nb_users):
            x = training_set[id_user].unsqueeze(0)
            target = x.clone()
            n_rated = torch.sum(target > 0).item()
            if n_rated == 0:
                continue
            if a.mode == "zero-grad":
                optimizer.zero_grad()
            output = sae(x)
            output = output * (target > 0)  # unrated movies do not count
            loss = criterion(output, target)
            mean_corrector = nb_movies / float(n_rated)
            loss.backward()
            train_loss += math.sqrt(loss.item() * mean_corrector)
            s += 1.0
            optimizer.step()
        epoch_times.append(time.perf_counter() - t0)
        train_loss /= s
        users = int(s)
        if not a.quiet:
            print(f"epoch {epoch} loss {train_loss:.4f} seconds {epoch_times[-1]:.3f}", flush=True)

    # The course's metric and the global RMSE over every test rating.
    course, s, se, n = 0.0, 0.0, 0.0, 0
    with torch.no_grad():
        for id_user in range(nb_users):
            x = training_set[id_user].unsqueeze(0)
            target = test_set[id_user].unsqueeze(0)
            n_rated = torch.sum(target > 0).item()
            if n_rated == 0:
                continue
            output = sae(x) * (target > 0)
            err = torch.sum((output - target) ** 2).item()
            course += math.sqrt(err / n_rated)
            s += 1.0
            se += err
            n += n_rated
    med = median(epoch_times)
    print(f"result: impl=pytorch mode={a.mode} batch={a.batch} epochs={a.epochs} threads={a.threads} users={users} "
          f"train_loss={train_loss:.6f} course_metric={course / s:.4f} test_rmse={math.sqrt(se / n):.4f} "
          f"epoch_seconds={med:.5f} users_per_second={users / med:.0f}")


if __name__ == "__main__":
    main()
