"""What the PyTorch peers of bench/compare.py do alike: start torch the way hourglass runs,
read MovieLens ratings, and report the median epoch time."""
import numpy as np
import torch


def start_torch(threads, seed=None):
    """`threads` threads, denormal floats flushed to zero (as hourglass does, see
    tensor/float_mode.hpp), and torch's random stream seeded when a seed is given."""
    torch.set_num_threads(threads)
    torch.set_flush_denormal(True)
    if seed is not None:
        torch.manual_seed(seed)


def read_ratings(path):
    """A MovieLens-100k file (u1.base, ...): one row of user, item, rating per rating."""
    return np.loadtxt(path, dtype=np.int64, delimiter="\t")[:, :3]


def median(times):
    """The middle epoch time (the upper one of the two middle ones for an even count)."""
    return sorted(times)[len(times) // 2]
