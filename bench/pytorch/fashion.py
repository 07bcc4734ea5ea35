"""Fashion-MNIST for the PyTorch peers: Debian's dataset-fashion-mnist, read like hourglass's
data/idx.cpp reads it (IDX, gzipped), as float32 rows in [0, 1]."""
import gzip

import numpy as np
import torch

FASHION = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist


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
