#!/usr/bin/python3
"""The 20-D variational autoencoder of tutorial 13, in PyTorch — its peer for side-by-side
test loss and epoch time (bench/compare.py, case "vae").

784-400-(20+20) encoder (ReLU hidden layer, linear heads mu and logvar), z = mu +
exp(logvar/2)*eps, 20-400-784 decoder (ReLU, logits); loss per image = BCE summed over the
784 pixels (binary_cross_entropy_with_logits) + KL(q(z|x) || N(0, I)) =
-1/2 sum(1 + logvar - mu^2 - exp(logvar)), averaged over the batch. Adam(lr=1e-3), batch
128, shuffled each epoch, nn.Linear's default initialisation (hourglass's
Init::pytorch_default draws from the same distributions). The test loss uses one sample
z per test image, as hourglass does.

    /usr/bin/python3 bench/pytorch/vae.py --epochs 10 --threads 1

Prints one line per epoch and a final `result:` line (key=value pairs).
"""
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from fashion import arguments, read_images
from peer import median, start_torch


class VAE(nn.Module):
    def __init__(self, latent=20, hidden=400, pixels=784):
        super().__init__()
        self.fc1 = nn.Linear(pixels, hidden)
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, pixels)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.mu(h), self.logvar(h)

    def decode(self, z):
        return self.fc4(F.relu(self.fc3(z)))  # logits

    def loss(self, x):
        mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        n = x.shape[0]
        bce = F.binary_cross_entropy_with_logits(self.decode(z), x, reduction="sum") / n
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / n
        return bce, kl


def evaluate(model, x):
    bce_sum, kl_sum = 0.0, 0.0
    with torch.no_grad():
        for start in range(0, x.shape[0], 1000):
            xb = x[start:start + 1000]
            bce, kl = model.loss(xb)
            bce_sum += bce.item() * xb.shape[0]
            kl_sum += kl.item() * xb.shape[0]
    return bce_sum / x.shape[0], kl_sum / x.shape[0]


def main():
    a = arguments(epochs=10, train_images=60000).parse_args()
    start_torch(a.threads, a.seed)

    x = read_images(os.path.join(a.data, "train-images-idx3-ubyte.gz"), a.train_images)
    x_test = read_images(os.path.join(a.data, "t10k-images-idx3-ubyte.gz"))

    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    epoch_times = []
    bce, kl = float("nan"), float("nan")
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        order = torch.randperm(x.shape[0])
        total = 0.0
        for start in range(0, x.shape[0], a.batch):
            xb = x[order[start:start + a.batch]]
            b, k = model.loss(xb)
            loss = b + k
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        epoch_times.append(time.perf_counter() - t0)
        bce, kl = evaluate(model, x_test)
        if not a.quiet:
            print(f"epoch {epoch} train loss {total / x.shape[0]:.2f} test loss {bce + kl:.2f} "
                  f"(BCE {bce:.2f} + KL {kl:.2f}) seconds {epoch_times[-1]:.3f}", flush=True)

    med = median(epoch_times)
    print(f"result: impl=pytorch model=vae_20d epochs={a.epochs} threads={a.threads} train_images={x.shape[0]} "
          f"test_loss_20d={bce + kl:.2f} test_bce_20d={bce:.2f} test_kl_20d={kl:.2f} epoch_seconds={med:.4f}")


if __name__ == "__main__":
    main()
