#!/usr/bin/env python3
"""playground/make_fashion_subset.py OUT_DIR [TRAIN TEST] — the playground's Fashion-MNIST.

Writes OUT_DIR/fashion-images-idx3-ubyte and OUT_DIR/fashion-labels-idx1-ubyte: the first
TRAIN images (default 3000) of Fashion-MNIST's training split followed by the first TEST
(default 500) of its test split, as one uncompressed IDX pair (the format data/idx.hpp
describes), read from Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
The page hands both files to the engine's load_images; its reset() trains on the first
train_images (3000) and holds the rest out. Fashion-MNIST (Xiao, Rasul & Vollgraf 2017,
arXiv:1708.07747) is under the MIT licence, which allows shipping it with the site.
"""
import gzip
import os
import struct
import sys

SOURCE = "/usr/share/datasets/fashion-mnist"


def read_idx(path, count):
    """The header dims and the first `count` items' bytes of a gzip IDX file."""
    with gzip.open(path, "rb") as f:
        magic, = struct.unpack(">I", f.read(4))
        dims = struct.unpack(">" + "I" * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
        if magic >> 8 != 0x08 or dims[0] < count:
            sys.exit(f"{path}: not an unsigned-byte IDX file with {count} items (magic {magic:#x}, dims {dims})")
        item = 1
        for d in dims[1:]:
            item *= d
        return dims, f.read(count * item)


def write_idx(path, dims, payload):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack(">I", 0x0800 | len(dims)))
        f.write(struct.pack(">" + "I" * len(dims), *dims))
        f.write(payload)
    os.replace(tmp, path)


def main():
    if len(sys.argv) not in (2, 4):
        sys.exit(__doc__.strip().splitlines()[0])
    out = sys.argv[1]
    n_train, n_test = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) == 4 else (3000, 500)
    os.makedirs(out, exist_ok=True)
    images, labels = [], []
    for split, n in (("train", n_train), ("t10k", n_test)):
        dims, pixels = read_idx(f"{SOURCE}/{split}-images-idx3-ubyte.gz", n)
        _, classes = read_idx(f"{SOURCE}/{split}-labels-idx1-ubyte.gz", n)
        images.append(pixels)
        labels.append(classes)
    total = n_train + n_test
    write_idx(os.path.join(out, "fashion-images-idx3-ubyte"), (total, dims[1], dims[2]), b"".join(images))
    write_idx(os.path.join(out, "fashion-labels-idx1-ubyte"), (total,), b"".join(labels))
    print(f"[lab] Fashion-MNIST subset: {n_train} training + {n_test} test images in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
