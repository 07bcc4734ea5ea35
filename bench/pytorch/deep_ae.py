#!/usr/bin/python3
"""The deep autoencoder of tutorial 11 on Fashion-MNIST, in PyTorch — the peer of
`bench/model_epochs deep_ae` for side-by-side timing and memory (bench/compare.py, cases deep_ae_t*).

784-1000-500-250-30 with a linear 30-unit code, the mirror-image decoder 30-250-500-1000-784
giving logits, SELU hidden units, cross-entropy on the sigmoid of the logits
(BCEWithLogitsLoss, the mean over pixels), Adam (lr 1e-3 falling linearly to 0 over the run,
changed once per epoch), shuffled mini-batches of 128; after every epoch the test error (the
squared error per image of sigmoid(logits), Σ over the 784 pixels, averaged over the test
images), as the tutorial prints it. Only the training loop of an epoch is timed.

    /usr/bin/python3 bench/pytorch/deep_ae.py --epochs 1 --threads 1

Prints one line per epoch and a final `result:` line (key=value pairs).
"""
import time

import torch
import torch.nn as nn

from fashion import arguments, read_images
from peer import median, start_torch


class DeepAutoencoder(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        enc, dec = [], []
        layers = len(sizes) - 1
        for i in range(layers):
            enc.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i + 1 < layers:
                enc.append(nn.SELU())
        for i in range(layers, 0, -1):
            dec.append(nn.Linear(sizes[i], sizes[i - 1]))
            if i > 1:
                dec.append(nn.SELU())
        self.encoder = nn.Sequential(*enc)
        self.decoder = nn.Sequential(*dec)

    def forward(self, x):  # logits
        return self.decoder(self.encoder(x))

    @torch.no_grad()
    def test_error(self, x):
        se = 0.0
        for start in range(0, x.shape[0], 1000):
            xb = x[start:start + 1000]
            se += torch.sum((torch.sigmoid(self(xb)) - xb) ** 2).item()
        return se / x.shape[0]


def main():
    p = arguments(epochs=20, train_images=60000)
    p.add_argument("--code", type=int, default=30)
    a = p.parse_args()
    start_torch(a.threads, a.seed)

    x = read_images(f"{a.data}/train-images-idx3-ubyte.gz", a.train_images)
    x_test = read_images(f"{a.data}/t10k-images-idx3-ubyte.gz", 10000)
    model = DeepAutoencoder([784, 1000, 500, 250, a.code])
    criterion = nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    start_error = model.test_error(x_test)

    epoch_times, test_error, bce = [], start_error, float("nan")
    for epoch in range(1, a.epochs + 1):
        for group in opt.param_groups:
            group["lr"] = a.lr * (a.epochs - epoch + 1) / a.epochs
        t0 = time.perf_counter()
        total = 0.0
        for rows in torch.randperm(x.shape[0]).split(a.batch):
            xb = x[rows]
            loss = criterion(model(xb), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * rows.shape[0]
        epoch_times.append(time.perf_counter() - t0)
        bce = total / x.shape[0]
        test_error = model.test_error(x_test)
        if not a.quiet:
            print(f"epoch {epoch} train cross-entropy {bce:.4f} test error {test_error:.2f} "
                  f"seconds {epoch_times[-1]:.3f}", flush=True)
    med = median(epoch_times)
    print(f"result: impl=pytorch epochs={a.epochs} threads={a.threads} batch={a.batch} train_images={x.shape[0]} "
          f"start_error={start_error:.3f} train_bce={bce:.4f} ae_error={test_error:.3f} epoch_seconds={med:.3f}")


if __name__ == "__main__":
    main()
