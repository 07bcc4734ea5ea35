#!/usr/bin/python3
"""Load a model that hourglass saved into the equivalent PyTorch model, and check that both
give the same outputs.

    build/tutorials/03_recommender --data $HG_DATA/ml-100k --epochs 3 --save /tmp/model.safetensors
    build/bench/recommender_predictions --mode corrected --model /tmp/model.safetensors \\
        --data $HG_DATA/ml-100k --out /tmp/pred.safetensors
    /usr/bin/python3 bench/pytorch/load_hourglass.py /tmp/model.safetensors /tmp/pred.safetensors

The model file is read with json + numpy only (Debian has no safetensors package): 8 bytes
of little-endian header length, a JSON header, the raw float32 numbers (nn/README.md). Its
names are PyTorch's: tutorial 03's corrected model ("mu", "user_bias", "item_bias",
"net.1.weight", ...) loads into bench/pytorch/recommender.py's ResidualAutoencoder, the
course's model ("0.weight", ..., "6.bias") into an nn.Sequential, both with
load_state_dict(strict=True). The predictions file (bench/recommender_predictions) holds every
user's training row ("input") and hourglass's predictions for them ("predictions"); PyTorch
predicts from the same rows and the largest absolute difference is reported. Exit code 1
when it is above --tolerance (float32 sums in another order differ by ~1e-6 here). With
--data DIR (ml-100k), the rows are also checked against u1.base read here, user id u at row
u - 1 and movie id i at column i - 1.

Prints a `result:` line: max_abs_diff=... users=... movies=...
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from recommender import ResidualAutoencoder, course_model  # noqa: E402


def load_safetensors(path):
    """({name: float32 array}, metadata) from a .safetensors file, with json + numpy only."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    for name, t in header.items():
        if t["dtype"] != "F32":
            sys.exit(f"load_hourglass: {path}: tensor {name} is {t['dtype']}, expected F32")
    return {name: np.frombuffer(data[t["data_offsets"][0]:t["data_offsets"][1]], dtype="<f4").reshape(t["shape"])
            for name, t in header.items()}, meta


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", help="a model saved by tutorial 03 (--save)")
    p.add_argument("predictions", help="bench/recommender_predictions' file for the same model")
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--data", help="the ml-100k folder: check the rows against its u1.base")
    a = p.parse_args()
    torch.set_num_threads(1)

    weights, _ = load_safetensors(a.model)
    tensors, meta = load_safetensors(a.predictions)
    rows, expected = torch.from_numpy(tensors["input"].copy()), tensors["predictions"]
    nb_users, nb_movies = rows.shape
    if a.data:
        r = np.loadtxt(f"{a.data}/u1.base", dtype=np.int64, delimiter="\t")
        own = np.zeros((nb_users, nb_movies), dtype=np.float32)
        own[r[:, 0] - 1, r[:, 1] - 1] = r[:, 2]
        if not np.array_equal(own, tensors["input"]):
            sys.exit(f"load_hourglass: the rows in {a.predictions} are not {a.data}/u1.base")
    state = {k: torch.from_numpy(v.copy()) for k, v in weights.items()}
    if "net.1.weight" in state:  # the corrected recipe
        model = ResidualAutoencoder(nb_users, nb_movies, hidden=state["net.1.weight"].shape[0])
        model.load_state_dict(state, strict=True)
        model.eval()  # dropout off, as hourglass predicts
        got = model.predict(torch.arange(nb_users), rows)
        kind = "corrected"
    else:  # the course's Sequential
        model = course_model(nb_movies)
        model.load_state_dict(state, strict=True)
        with torch.no_grad():
            got = model(rows)
        kind = "course"
    diff = float(np.max(np.abs(got.numpy() - expected)))
    scale = float(np.max(np.abs(expected)))
    print(f"result: model={kind} saved_mode={meta.get('mode', '?')} users={nb_users} movies={nb_movies} "
          f"max_abs_diff={diff:.3g} max_abs_prediction={scale:.3g} tolerance={a.tolerance:g}")
    if not diff <= a.tolerance:
        sys.exit(f"load_hourglass: PyTorch and hourglass disagree by {diff:.3g} (> {a.tolerance:g})")


if __name__ == "__main__":
    main()
