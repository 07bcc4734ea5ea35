#!/usr/bin/env python3
"""Seed corpora for the fuzz targets: small, valid (and a few nearly valid) files of each
format, made up here from a fixed random seed. No MovieLens content: the ids, ratings and
timestamps are invented, so the corpora can be generated anywhere.

    fuzz/make_seeds.py OUT_DIR     ->  OUT_DIR/<target>/seed-*
"""
import gzip
import json
import os
import random
import struct
import sys


def ratings(rng, n, stars):
    rows, seen = [], set()
    while len(rows) < n:
        u, i = rng.randint(1, 9), rng.randint(1, 40)
        if (u, i) in seen:
            continue
        seen.add((u, i))
        rows.append((u, i, rng.choice(stars), rng.randint(874724710, 1700000000)))
    return rows


def movielens(rng):
    whole, half = [1, 2, 3, 4, 5], [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
    fmt = lambda r: ("%g" % r)
    tab = "".join("%d\t%d\t%d\t%d\n" % r for r in ratings(rng, 12, whole))
    colon = "".join("%d::%d::%s::%d\n" % (u, i, fmt(r), t) for u, i, r, t in ratings(rng, 12, half))
    csv_rows = "".join("%d,%d,%s,%d\n" % (u, i, fmt(r), t) for u, i, r, t in ratings(rng, 12, half))
    csv = "userId,movieId,rating,timestamp\n" + csv_rows
    return {
        "movielens_tab": [tab, tab.replace("\n", "\r\n"), tab + "\n\n", "1\t2\t3\t4"],
        "movielens_colon": [colon, colon + "\n", "1::2::5::978300760"],
        "movielens_csv": [csv, "\ufeff" + csv, csv.replace("\n", "\r\n"), "userId,movieId,rating,timestamp\n1,2,3.5,4\n"],
    }


def idx(rng):
    def images(count, rows, cols):
        head = struct.pack(">IIII", 0x00000803, count, rows, cols)
        return head + bytes(rng.randrange(256) for _ in range(count * rows * cols))

    def labels(count):
        return struct.pack(">II", 0x00000801, count) + bytes(rng.randrange(10) for _ in range(count))

    files = [images(2, 4, 4), images(1, 3, 5), images(0, 28, 28), labels(5), labels(0)]
    return {"idx": [f for f in files] + [gzip.compress(f, mtime=0) for f in files[:2] + files[3:4]]}


def safetensors(rng):
    def file(tensors, metadata=None):
        header, data, offset = {}, b"", 0
        if metadata is not None:
            header["__metadata__"] = metadata
        for name, shape in tensors:
            n = 1
            for d in shape:
                n *= d
            blob = struct.pack("<%df" % n, *(rng.uniform(-1, 1) for _ in range(n)))
            header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
            data += blob
            offset += len(blob)
        text = json.dumps(header, separators=(",", ":")).encode()
        text += b" " * ((8 - len(text) % 8) % 8)
        return struct.pack("<Q", len(text)) + text + data

    linear = [("weight", [3, 2]), ("bias", [3])]  # hg::Linear(2, 3), as the target loads it
    # Checkpoints of that Linear with SGD (momentum 0.9), as tutorial 03 writes them.
    model = [("model/" + n, shape) for n, shape in linear]
    meta = {"format": "hourglass-checkpoint-1", "epoch": "3", "optimizer/optimizer": "SGD", "optimizer/steps": "9",
            "optimizer/lr": "0.1", "extra/losses": "1.25 0.75 0.5", "extra/mode": "course", "extra/seed": "42",
            "extra/phase": "course"}
    corrected = dict(meta, **{"extra/phase": "a", "extra/best": "0.91234567890123456", "extra/best_epoch": "2",
                              "extra/mode": "corrected"})
    checkpoints = [
        file(model, meta),
        file(model + [("grad/weight", [3, 2]), ("optimizer/0.momentum_buffer", [3, 2]), ("optimizer/1.momentum_buffer", [3])],
             corrected),
        file(model, dict(meta, **{"extra/losses": "1e400 nan", "extra/seed": "-1", "epoch": "2147483647"})),
    ]
    return {"checkpoint": checkpoints, "safetensors": [
        file(linear, {"format": "pt"}),
        file(list(reversed(linear))),
        file([("encoder.0.weight", [2, 2]), ("empty", [0]), ("scalar", [])], {"format": "pt", "epoch": "3"}),
        file([]),
    ]}


def movies(rng):
    flags = lambda: "|".join(rng.choice("01") for _ in range(19))
    item = "".join("%d|Movie %d (19%02d)|01-Jan-19%02d||http://example.org/%d|%s\n" % (i, i, i, i, i, flags())
                   for i in range(1, 6))
    dat = "".join("%d::Film %d (20%02d)::Comedy|Drama\n" % (i, i, i) for i in range(1, 6))
    csv = 'movieId,title,genres\n1,"Quoted, The (1995)",Comedy|Drama\n2,Plain (1996),(no genres listed)\n' \
          '3,"Has ""quotes"" (1997)",Action\n'
    genres = "".join("%s|%d\n" % (g, k) for k, g in enumerate(
        ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
         "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]))
    latin1 = "7|Mis\xe9rables, Les (1995)|01-Jan-1995||x|" + "|".join("0" * 19) + "\n"
    return {"movies": [item, dat, csv, item.replace("\n", "\r\n"), latin1.encode("latin-1")],
            "genres": [genres, "a|0\nb|100\n", genres + "\n\n"]}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rng = random.Random(20240901)
    corpora = {}
    for make in (movielens, movies, idx, safetensors):
        corpora.update(make(rng))
    for target, files in corpora.items():
        folder = os.path.join(sys.argv[1], target)
        os.makedirs(folder, exist_ok=True)
        for k, content in enumerate(files):
            with open(os.path.join(folder, "seed-%02d" % k), "wb") as f:
                f.write(content.encode() if isinstance(content, str) else content)
    print("seeds: " + ", ".join("%s %d" % (t, len(f)) for t, f in sorted(corpora.items())))


if __name__ == "__main__":
    main()
