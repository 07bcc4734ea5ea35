#!/usr/bin/python3
"""The convolutional autoencoder of tutorial 12 on Fashion-MNIST, in PyTorch — the peer of
`12_conv_autoencoder` for side-by-side timing and accuracy (bench/compare.py, case conv_ae).

The Keras-blog shape: conv3x3 16 relu, pool, conv 8 relu, pool, conv 8 relu, pool (7 -> 4,
ceil mode) -> a 4x4x8 code; conv 8 relu, up x2, conv 8 relu, up x2, conv 16 relu (no
padding, 16 -> 14), up x2, conv 1 -> logits. He-uniform weights for the ReLU layers, Glorot
for the output layer, zero biases (as the tutorial). BCEWithLogitsLoss (mean over pixels),
Adam (lr 1e-3), shuffled mini-batches of 128 from the first 30,000 training images. After
the last epoch: test BCE per pixel and squared error per image (Σ over 784 pixels) on the
10,000 test images. Only the training loop of an epoch is timed.

    /usr/bin/python3 bench/pytorch/conv_ae.py --epochs 1 --threads 1

Prints one line per epoch and a final `result:` line (key=value pairs).
"""
import os
import time

import torch
import torch.nn as nn

from fashion import arguments, read_images
from peer import median, start_torch


def conv(cin, cout, padding, output=False):
    c = nn.Conv2d(cin, cout, 3, padding=padding)
    if output:
        nn.init.xavier_uniform_(c.weight)
    else:
        nn.init.kaiming_uniform_(c.weight, nonlinearity="relu")
    nn.init.zeros_(c.bias)
    return c


class ConvAutoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        pool = lambda: nn.MaxPool2d(2, ceil_mode=True)  # 7 -> 4, like the tutorial's max_pool2d
        up = lambda: nn.Upsample(scale_factor=2, mode="nearest")
        self.encoder = nn.Sequential(conv(1, 16, 1), nn.ReLU(), pool(), conv(16, 8, 1), nn.ReLU(), pool(),
                                     conv(8, 8, 1), nn.ReLU(), pool())
        self.decoder = nn.Sequential(conv(8, 8, 1), nn.ReLU(), up(), conv(8, 8, 1), nn.ReLU(), up(),
                                     conv(8, 16, 0), nn.ReLU(), up(), conv(16, 1, 1, output=True))

    def forward(self, x):  # (N x 784) -> logits (N x 784)
        return self.decoder(self.encoder(x.view(-1, 1, 28, 28))).view(-1, 784)


@torch.no_grad()
def score(model, x):
    bce, se = 0.0, 0.0
    for start in range(0, x.shape[0], 500):
        xb = x[start:start + 500]
        p = torch.sigmoid(model(xb)).clamp(1e-7, 1 - 1e-7)
        bce += -(xb * torch.log(p) + (1 - xb) * torch.log(1 - p)).sum().item()
        se += torch.sum((p - xb) ** 2).item()
    return bce / x.numel(), se / x.shape[0]


def main():
    a = arguments(epochs=6, train_images=30000).parse_args()
    start_torch(a.threads, a.seed)

    x = read_images(os.path.join(a.data, "train-images-idx3-ubyte.gz"), a.train_images)
    x_test = read_images(os.path.join(a.data, "t10k-images-idx3-ubyte.gz"), 10000)
    model = ConvAutoencoder()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    loss_fn = nn.BCEWithLogitsLoss()
    times = []
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        total = 0.0
        for rows in torch.randperm(x.shape[0]).split(a.batch):
            xb = x[rows]
            loss = loss_fn(model(xb), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(rows)
        times.append(time.perf_counter() - t0)
        if not a.quiet:
            print(f"epoch {epoch} train_bce {total / x.shape[0]:.4f} seconds {times[-1]:.2f}", flush=True)
    bce, se = score(model, x_test)
    print(f"result: model=conv_ae dataset=fashion-mnist conv_bce={bce:.4f} conv_sq_error={se:.2f} epochs={a.epochs} "
          f"train_images={x.shape[0]} epoch_seconds={median(times):.2f} threads={a.threads}")


if __name__ == "__main__":
    main()
