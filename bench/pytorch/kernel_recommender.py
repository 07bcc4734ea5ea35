#!/usr/bin/python3
"""GLocal-K (Han et al. 2021) on MovieLens ml-100k, in PyTorch: the peer of hourglass's
tutorial 18 (models/kernel_recommender.hpp) for side-by-side timing.

Each movie is a vector of its users' ratings (0 = not rated). Three kernel layers
943 -> 500 -> 500 -> 943 (sigmoid, sigmoid, identity): each weight W (out x in) is used as
W * K with K_ji = max(0, 1 - |v_j - u_i|^2), u (in x 5) and v (out x 5) learned. Loss: half
the squared error summed over the observed ratings + sum over layers of
lambda_s/2 |K|^2 + lambda_2/2 |W|^2. Pre-training: the kernel layers alone. Fine-tuning:
the movies' mean predictions times G (1682 x 9) give a 3x3 kernel; the rating matrix,
convolved with it (same size, ReLU), goes through the same layers.

Timed, as hourglass's bench/model_epochs kernel_recommender times it: full-batch
evaluations of the loss and its gradient (forward + backward, the unit an L-BFGS iteration
is made of, one or more per iteration), --epochs of pre-training, then --epochs of
fine-tuning, with a plain gradient step in between so the numbers move. epoch_seconds is the
median fine-tuning evaluation, pre_seconds the median pre-training one.

    /usr/bin/python3 bench/pytorch/kernel_recommender.py --data $HG_DATA/ml-100k --epochs 10 --threads 1
"""
import argparse
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from peer import median, read_ratings, start_torch


class KernelLinear(nn.Module):
    def __init__(self, n_in, n_out, dims=5):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_out, n_in))
        nn.init.xavier_uniform_(self.weight)
        self.bias = nn.Parameter(torch.zeros(n_out))
        self.u = nn.Parameter(torch.randn(n_in, dims) * 1e-3)
        self.v = nn.Parameter(torch.randn(n_out, dims) * 1e-3)

    def kernel(self):
        dist2 = (self.v * self.v).sum(1, keepdim=True) + (self.u * self.u).sum(1)[None, :] - 2 * self.v @ self.u.t()
        return torch.relu(1 - dist2)

    def forward(self, x):
        return F.linear(x, self.weight * self.kernel(), self.bias)

    def penalty(self, lambda_s, lambda_2):
        return lambda_s / 2 * self.kernel().pow(2).sum() + lambda_2 / 2 * self.weight.pow(2).sum()


class GLocalK(nn.Module):
    def __init__(self, n_items, n_users, hidden=500, lambda_s=0.006, lambda_2=20.0):
        super().__init__()
        self.layers = nn.ModuleList([KernelLinear(n_users, hidden), KernelLinear(hidden, hidden),
                                     KernelLinear(hidden, n_users)])
        self.g = nn.Parameter(torch.randn(n_items, 9) * 0.1)
        self.lambda_s, self.lambda_2 = lambda_s, lambda_2
        self.fine_tuning = False

    def local(self, r):
        y = r
        for k, layer in enumerate(self.layers):
            y = layer(y)
            if k + 1 < len(self.layers):
                y = torch.sigmoid(y)
        return y

    def forward(self, r):
        if not self.fine_tuning:
            return self.local(r)
        kernel = (self.local(r).mean(1)[None, :] @ self.g).reshape(1, 1, 3, 3)
        smoothed = torch.relu(F.conv2d(r[None, None], kernel, padding=1))[0, 0]
        return self.local(smoothed)

    def penalty(self):
        return sum(layer.penalty(self.lambda_s, self.lambda_2) for layer in self.layers)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="folder with u1.base")
    p.add_argument("--epochs", type=int, default=10, help="gradient evaluations of each stage")
    p.add_argument("--hidden", type=int, default=500)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args()
    start_torch(a.threads, a.seed)

    train = read_ratings(f"{a.data}/u1.base")
    n_users, n_items = int(train[:, 0].max()), 1682
    x = np.zeros((n_items, n_users), dtype=np.float32)  # items x users
    x[train[:, 1] - 1, train[:, 0] - 1] = train[:, 2]
    r = torch.from_numpy(x)
    observed = (r > 0).float()
    model = GLocalK(n_items, n_users, a.hidden)

    times = {False: [], True: []}
    for fine in (False, True):
        model.fine_tuning = fine
        for epoch in range(1, a.epochs + 1):
            t0 = time.perf_counter()
            model.zero_grad()
            loss = 0.5 * (observed * (model(r) - r) ** 2).sum() + model.penalty()
            loss.backward()
            times[fine].append(time.perf_counter() - t0)
            with torch.no_grad():  # a small step, so that every evaluation sees new numbers
                for q in model.parameters():
                    if q.grad is not None:
                        q -= 1e-6 * q.grad
            if not a.quiet:
                print(f"{'fine' if fine else 'pre'} {epoch} loss {loss.item():.1f} seconds {times[fine][-1]:.4f}", flush=True)
    print(f"result: impl=pytorch model=kernel_recommender hidden={a.hidden} epochs={a.epochs} threads={a.threads} "
          f"pre_seconds={median(times[False]):.4f} epoch_seconds={median(times[True]):.4f}")


if __name__ == "__main__":
    main()
