"""Fashion-MNIST for the PyTorch peers: Debian's dataset-fashion-mnist, read like hourglass's
data/idx.cpp reads it (IDX, gzipped), as float32 rows in [0, 1]."""
import argparse
import gzip
import os

import numpy as np
import torch

FASHION = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist


def arguments(epochs, train_images):
    """The flags every Fashion-MNIST peer takes, with the defaults of its hourglass
    tutorial; a peer adds its own before parse_args()."""
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=os.environ.get("HG_FASHION", FASHION), help="folder with the four .gz IDX files")
    p.add_argument("--epochs", type=int, default=epochs)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--train-images", type=int, default=train_images)
    p.add_argument("--quiet", action="store_true")
    return p


def read_images(path, count=0):
    """The first `count` images (0: all) of a gzipped IDX3 file, one row of pixels each."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (0, 4, 8, 12))
    if magic != 0x803:
        raise SystemExit(f"{path}: not an IDX image file (magic {magic:#x})")
    if count:
        n = min(n, count)
    pixels = np.frombuffer(raw, dtype=np.uint8, count=n * rows * cols, offset=16)
    return torch.from_numpy(pixels.reshape(n, rows * cols).astype(np.float32) / 255.0)
