#!/usr/bin/python3
"""Item-based AutoRec (Sedhain et al. 2015) on MovieLens ml-100k, in PyTorch — the peer of
hourglass's tutorial 14 for side-by-side timing and accuracy.

Each movie is a vector of its users' ratings (0 = not rated): 943 -> 500 (sigmoid) -> 943
(identity), nn.Linear layers with PyTorch's default initialisation. Loss: the squared error
summed over the observed ratings + lambda/2 * (|W|^2 + |V|^2) (weights only, not biases).
Full batch: one epoch is ONE Rprop step (torch.optim.Rprop, its defaults) over the whole
1682 x 943 matrix. Trained on all of u1.base; predictions clipped to [1, 5]; a movie
without training ratings is predicted by the user's mean, a user without any by the
movie's mean (the global mean when both are unknown). --ensemble K averages the clipped
predictions of K seeds (seed, seed + 1, ...), as the tutorial does.

    /usr/bin/python3 bench/pytorch/autorec.py --data $HG_DATA/ml-100k --epochs 100 --threads 1

Prints one line per epoch (unless --quiet) and a final `result:` line (key=value pairs);
epoch_seconds is the median time of one full-batch training step (forward, backward, Rprop).
"""
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn

from peer import median, read_ratings, start_torch


class AutoRec(nn.Module):
    def __init__(self, n_users, hidden):
        super().__init__()
        self.encoder = nn.Linear(n_users, hidden)
        self.decoder = nn.Linear(hidden, n_users)

    def forward(self, r):
        return self.decoder(torch.sigmoid(self.encoder(r)))

    def weight_norm2(self):
        return self.encoder.weight.pow(2).sum() + self.decoder.weight.pow(2).sum()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="folder with u1.base and u1.test")
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--lam", type=float, default=200.0, help="the weight penalty lambda")
    p.add_argument("--hidden", type=int, default=500)
    p.add_argument("--ensemble", type=int, default=1, help="average the predictions of this many seeds")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args()
    start_torch(a.threads)  # each model of the ensemble seeds itself

    train = read_ratings(f"{a.data}/u1.base")
    test = read_ratings(f"{a.data}/u1.test")
    n_users = int(max(train[:, 0].max(), test[:, 0].max()))
    n_items = int(max(train[:, 1].max(), test[:, 1].max()))
    x = np.zeros((n_items, n_users), dtype=np.float32)  # items x users
    x[train[:, 1] - 1, train[:, 0] - 1] = train[:, 2]
    r = torch.from_numpy(x)
    observed = (r > 0).float()

    epoch_times = []
    pred = torch.zeros(n_items, n_users)
    for k in range(a.ensemble):
        torch.manual_seed(a.seed + k)
        model = AutoRec(n_users, a.hidden)
        opt = torch.optim.Rprop(model.parameters(), lr=0.01)
        for epoch in range(1, a.epochs + 1):
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = (observed * (model(r) - r) ** 2).sum() + a.lam / 2 * model.weight_norm2()
            loss.backward()
            opt.step()
            epoch_times.append(time.perf_counter() - t0)
            if not a.quiet:
                print(f"model {k + 1} epoch {epoch} loss {loss.item():.1f} seconds {epoch_times[-1]:.4f}", flush=True)
        with torch.no_grad():
            pred += model(r).clamp(1, 5)
    pred /= a.ensemble

    # Fallbacks for movies / users without training ratings.
    item_n, user_n = observed.sum(1), observed.sum(0)
    glob = float(r.sum() / observed.sum())
    item_mean = torch.where(item_n > 0, r.sum(1) / item_n.clamp(min=1), torch.tensor(glob))
    user_mean = torch.where(user_n > 0, r.sum(0) / user_n.clamp(min=1), torch.tensor(glob))
    ti, tu, tr = test[:, 1] - 1, test[:, 0] - 1, torch.tensor(test[:, 2], dtype=torch.float32)
    p = pred[ti, tu]
    item_known, user_known = item_n[ti] > 0, user_n[tu] > 0
    p = torch.where(item_known & user_known, p, torch.where(item_known, item_mean[ti], user_mean[tu]))
    p = torch.where(item_known | user_known, p, torch.tensor(glob))
    test_rmse = math.sqrt(float(((p - tr) ** 2).mean()))
    med = median(epoch_times)
    print(f"result: impl=pytorch model=i-autorec lambda={a.lam:g} epochs={a.epochs} ensemble={a.ensemble} "
          f"threads={a.threads} test_rmse={test_rmse:.4f} epoch_seconds={med:.4f}")


if __name__ == "__main__":
    main()
