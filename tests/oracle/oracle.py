#!/usr/bin/python3
"""The differential test: hourglass against PyTorch as the reference.

It builds small random graphs over every differentiable op and loss (shapes of rank 0-4
with size-0 and size-1 dimensions, broadcasting either way, Vars used twice), plus fixed
probe graphs at known hard inputs and twenty-step runs of the five optimisers, and
evaluates each in three ways with PyTorch:

  ref   float64, the reference;
  t32   float32, what a float32 framework's own rounding gives;
  pert  float64 again, three times, with every leaf, every op's output and every gradient
        flowing into it multiplied by (1 ± d), 2^-24 <= d <= 2·2^-24 at random: how much
        an op that rounds a little differently (a few float32 roundings each) moves the
        result (it catches cancellation and amplification where t32 is accurate by luck).

hourglass (oracle_hg, reading the graphs as JSON lines) gives every node's value and
gradient, and each is checked twice, element by element:

  each op on its own: the op recomputed by PyTorch from hourglass's own values of its
  inputs (and, for gradients, from hourglass's gradients of its outputs), so that an op
  is judged on its own arithmetic, not on the errors it inherits:
      |hg - ref| <= C * (max(|t32 - ref|, |pert - ref|, near) + 2^-24 |ref|) + C * 2^-126,
  C = 8, where near is |t32 - ref| again at two nearby inputs (hourglass's inputs moved
  by 1-2 float32 ulps), since float32 is sometimes exact at one point by luck;
  end to end: against the whole graph's ref, t32 and pert, the same with C_E2E = 64,
  since the errors of several ops (each allowed C times float32's) add up.

2^-24 |ref| is the rounding of the answer itself; 2^-126, float32's smallest normal
number, the floor for answers that underflow. C = 8 leaves room for a different but
equally good order of float operations; the errors of a wrong formula are orders of
magnitude beyond it. A discrepancy in the first check is blamed on the op whose value is
wrong, or on the ops whose gradients feed the wrong gradient. Discrepancies that are
known bugs are listed in KNOWN_BUGS; the run fails on any discrepancy not listed there,
and on any listed bug that no longer shows (remove it from the list once fixed).
Dropout and reparameterise draw from hourglass's own random stream: oracle_hg replays the
stream and reports the mask or the noise it drew, and PyTorch uses those.

  tests/oracle/oracle.py --hg build/tests/oracle/oracle_hg               # the test (fixed seed)
  tests/oracle/oracle.py --hg build/tests/oracle/oracle_hg --graphs 5000 # more random graphs
  tests/oracle/oracle.py --hg build/tests/oracle/oracle_hg --graph 17    # replay one job, in full
  tests/oracle/oracle.py --hg build/tests/oracle/oracle_hg --seed 18     # other random graphs
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # the doctest case checks for PyTorch before it runs this
    print(f"SKIPPED: the oracle needs PyTorch and NumPy for /usr/bin/python3 ({e})")
    sys.exit(77)

C = 8.0
U = 2.0 ** -24          # float32's unit roundoff
FMIN = 2.0 ** -126      # float32's smallest normal number
SEED = 17
GRAPHS = 1000           # random graphs in the default run
C_E2E = 64.0           # the same, end to end over a whole graph, where the errors of several ops add up
OPT_STEPS = 20
PERT = 2 * U            # the largest relative change pert makes to each op's output and gradient
PERT_RUNS = 3           # perturbed runs per graph (each element takes the largest deviation)
SHIFTS = 2              # nearby inputs at which float32's error is sampled again, per op


def f32(x):
    """x rounded to float32 (hourglass's scalars are floats; PyTorch gets the same number)."""
    return float(np.float32(x))


# ---------------------------------------------------------------------------------------
# Known bugs: every discrepancy the run finds must match one entry, and every entry must
# match at least one discrepancy. A discrepancy f is a dict: op, dir ("forward",
# "backward", "shape", "error", "crash"), node, tags (of the graph), x (the op's first
# input at the worst element, for element-wise ops), attrs (the node's attributes).
# ---------------------------------------------------------------------------------------
KNOWN_BUGS = [
    # Empty: the five bugs this test first found (issue #17 items 1, 2, 3, 4 and 6: size-0
    # broadcasting, elu/selu backward at very negative x, log_softmax's precision, the
    # gradient of pow(x, 0) at 0, axis sums in float) are fixed, with regression tests in
    # tests/test_autograd.cpp. An entry looks like:
    #   dict(item=4, what="the gradient of pow(x, 0) at x = 0 is NaN",
    #        match=lambda f: f["op"] == "pow" and f["dir"] == "backward" and f.get("x") == 0.0),
]

def known_bug(f):
    """The KNOWN_BUGS entry a discrepancy matches; a gradient that several ops feed matches
    when one of them does."""
    for b in KNOWN_BUGS:
        if any(b["match"](c) for c in f.get("cands", [f])): return b
    return None


UNARY_ELEMENTWISE = {"neg", "op_neg", "scale", "add_scalar", "x+s", "s+x", "x-s", "s-x", "x*s", "s*x", "x/s",
                     "pow", "square", "exp", "log", "sqrt", "abs", "sigmoid", "tanh", "relu", "leaky_relu",
                     "elu", "selu", "softplus", "gelu", "dropout"}


# ---------------------------------------------------------------------------------------
# Evaluating a graph description with PyTorch
# ---------------------------------------------------------------------------------------
def torch_op(node, ins, dtype, extra):
    op = node["op"]
    a = ins[0] if ins else None
    b = ins[1] if len(ins) > 1 else None
    if op in ("add", "op+"): return a + b
    if op in ("sub", "op-"): return a - b
    if op in ("mul", "op*"): return a * b
    if op in ("div", "op/"): return a / b
    if op in ("neg", "op_neg"): return -a
    if op in ("scale", "x*s", "s*x"): return a * node["s"]
    if op in ("add_scalar", "x+s", "s+x"): return a + node["s"]
    if op == "x-s": return a - node["s"]
    if op == "s-x": return node["s"] - a
    if op == "x/s": return a / node["s"]
    if op == "pow": return torch.pow(a, node["p"])
    if op == "square": return torch.square(a)
    if op == "exp": return torch.exp(a)
    if op == "log": return torch.log(a)
    if op == "sqrt": return torch.sqrt(a)
    if op == "abs": return torch.abs(a)
    if op == "mask": return a * b
    if op == "matmul": return a @ b
    if op == "transpose": return a.t()
    if op == "reshape": return a.reshape(node["shape"])
    if op == "concat": return torch.cat(ins, node["axis"])
    if op == "sum": return a.sum()
    if op == "mean": return a.mean()
    if op == "sum_axis": return a.sum(node["axis"], keepdim=node["keepdim"])
    if op == "mean_axis": return a.mean(node["axis"], keepdim=node["keepdim"])
    if op == "sigmoid": return torch.sigmoid(a)
    if op == "tanh": return torch.tanh(a)
    if op == "relu": return torch.relu(a)
    if op == "leaky_relu": return F.leaky_relu(a, node["slope"])
    if op == "elu": return F.elu(a, node["alpha"])
    if op == "selu": return F.selu(a)
    if op == "softplus": return F.softplus(a)
    # F.gelu computes ½x(1 + erf(x/√2)), which cancels to 0 below x ≈ −8 even in float64
    # (at x = −12 it gives −0 for −2.1e-32); the same function written with erfc does not.
    if op == "gelu": return a * 0.5 * torch.special.erfc(-a / math.sqrt(2.0))
    if op == "softmax": return torch.softmax(a, -1)
    if op == "log_softmax": return torch.log_softmax(a, -1)
    if op == "topk_mask":
        keep = torch.zeros_like(a).scatter(-1, a.detach().topk(node["k"], -1).indices, 1.0)
        return a * keep
    if op == "dropout":
        keep = torch.tensor(extra, dtype=dtype).reshape(a.shape)
        return a * (keep * (1.0 / (1.0 - node["p"])))
    if op == "conv2d":
        return F.conv2d(a, b, ins[2] if len(ins) > 2 else None, node["stride"], node["padding"])
    if op == "max_pool2d": return F.max_pool2d(a, node["size"], node["size"], ceil_mode=True)
    if op == "upsample2d":
        k = node["factor"]
        return a.repeat_interleave(k, 2).repeat_interleave(k, 3)
    if op == "linear": return F.linear(a, b, ins[2] if len(ins) > 2 else None)
    if op == "mse": return F.mse_loss(a, b)
    if op == "masked_mse":
        m = ins[2]
        total = (m * (a - b) ** 2).sum()
        if not node["corrector"]: return total / a.numel()
        return total / m.sum() if m.sum() > 0 else total * 0.0
    if op == "bce": return F.binary_cross_entropy(a, b)
    if op == "bce_with_logits": return F.binary_cross_entropy_with_logits(a, b)
    if op == "cross_entropy": return F.cross_entropy(a, torch.tensor(node["labels"]))
    if op == "l1_activity": return a.abs().sum() / a.shape[0]
    if op == "kl_sparsity":
        rho = node["rho"]
        r = a.mean(0).clamp(1e-6, 1 - 1e-6)
        return (rho * torch.log(rho / r) + (1 - rho) * torch.log((1 - rho) / (1 - r))).sum()
    if op == "contractive_penalty":
        return ((a * (1 - a)) ** 2 * (b ** 2).sum(1)).sum() / a.shape[0]
    if op == "vae_kl": return -0.5 * (1 + b - a ** 2 - b.exp()).sum()
    if op == "reparameterise":
        eps = torch.tensor(extra, dtype=dtype).reshape(a.shape)
        return a + torch.exp(0.5 * b) * eps
    raise ValueError(f"unknown op {op}")


def jitter(perturb, shape):
    """Relative changes for pert: a random sign times a size between PERT/2 and PERT (never
    0, and never all alike, so that no sum of perturbed terms cancels exactly)."""
    return PERT * perturb.choice([-1.0, 1.0], shape) * perturb.uniform(0.5, 1.0, shape)


def torch_eval(nodes, seed, dtype, extras, perturb=None):
    """Values, gradients (None where no gradient flows) and shapes of every node.
    perturb: a numpy Generator; each leaf's value, each op's output, and the gradient into
    it, are then multiplied by (1 + jitter) (perturbing the leaves too models the
    rounding of the products inside a sum, where cancellation hides from the output)."""
    vals, leaves = [], {}
    for k, node in enumerate(nodes):
        if node["op"] in ("leaf", "const"):
            t = torch.tensor(node["v"], dtype=dtype).reshape(node["shape"])
            if node["op"] == "leaf":
                leaves[k] = t.requires_grad_(True)
                if perturb is not None:
                    t = t * torch.tensor(1 + jitter(perturb, t.shape), dtype=dtype)
        else:
            t = torch_op(node, [vals[j] for j in node["in"]], dtype, extras.get(str(k)))
            if perturb is not None:
                t = t * torch.tensor(1 + jitter(perturb, t.shape), dtype=dtype)
                if t.requires_grad:
                    d = torch.tensor(1 + jitter(perturb, t.shape), dtype=dtype)
                    t.register_hook(lambda g, d=d: g * d)
            if t.requires_grad: t.retain_grad()
        vals.append(t)
    out = vals[-1]
    if out.requires_grad:
        out.backward(torch.tensor(seed, dtype=dtype).reshape(out.shape))
    grads = []
    for k, t in enumerate(vals):
        t = leaves.get(k, t)
        if nodes[k]["op"] == "const" or not t.requires_grad: grads.append(None)
        elif t.grad is None: grads.append(np.zeros(t.shape).ravel())
        else: grads.append(t.grad.detach().double().numpy().ravel())
    return ([t.detach().double().numpy().ravel() for t in vals], grads, [list(t.shape) for t in vals])


# ---------------------------------------------------------------------------------------
# Random graphs
# ---------------------------------------------------------------------------------------
class Builder:
    """Grows a graph one op at a time, evaluating each new node in float64 at once, so that
    the next op can respect its input's domain (log of positives, ...)."""

    def __init__(self, rng):
        self.rng = rng
        self.nodes, self.vals, self.tags = [], [], set()
        self.random = set()  # nodes whose values depend on hourglass's draws (dropout, reparameterise)

    # -- leaves -------------------------------------------------------------------------
    def values(self, n, lo, hi):
        return [f32(self.rng.uniform(lo, hi)) for _ in range(n)]

    def leaf(self, shape, lo=-2.0, hi=2.0, values=None):
        n = math.prod(shape)
        self.nodes.append({"op": "leaf", "shape": list(shape), "v": values if values is not None else self.values(n, lo, hi)})
        self.vals.append(torch.tensor(self.nodes[-1]["v"], dtype=torch.float64).reshape(shape))
        return len(self.nodes) - 1

    def const(self, shape, values):
        self.nodes.append({"op": "const", "shape": list(shape), "v": values})
        self.vals.append(torch.tensor(values, dtype=torch.float64).reshape(shape))
        return len(self.nodes) - 1

    def op(self, name, ins, **attrs):
        node = {"op": name, "in": list(ins), **attrs}
        if name in ("add", "sub", "mul", "div", "op+", "op-", "op*", "op/"):
            sa, sb = list(self.vals[ins[0]].shape), list(self.vals[ins[1]].shape)
            r = max(len(sa), len(sb))
            sa, sb = [1] * (r - len(sa)) + sa, [1] * (r - len(sb)) + sb
            if any({x, y} == {0, 1} for x, y in zip(sa, sb)): self.tags.add("bcast0")
        if name in ("sum", "sum_axis") and self.vals[ins[0]].numel() == 0:
            self.tags.add("bcast0")  # the backward broadcasts the gradient back over the empty axis
        extra = None
        if name == "dropout":
            extra = [1.0] * self.vals[ins[0]].numel()
        if name == "reparameterise":
            extra = [0.5] * self.vals[ins[0]].numel()
        self.nodes.append(node)
        self.vals.append(torch_op(node, [self.vals[j] for j in ins], torch.float64, extra))
        if name in ("dropout", "reparameterise") or any(j in self.random for j in ins):
            self.random.add(len(self.nodes) - 1)
        return len(self.nodes) - 1

    # -- shapes ---------------------------------------------------------------------------
    def dim(self, zero=True):
        r = self.rng.random()
        if zero and r < 0.06: return 0
        if r < 0.3: return 1
        return self.rng.choice([2, 3, 4])

    def shape(self, rank=None, zero=True):
        rank = self.rng.choice([0, 1, 1, 2, 2, 2, 3, 4]) if rank is None else rank
        s = [self.dim(zero) for _ in range(rank)]
        while math.prod(s) > 48: s[self.rng.randrange(rank)] = 1
        return s

    def partner(self, shape):
        """A shape that broadcasts with `shape`, either way."""
        rank = self.rng.choice([0, 1, 2, 3, 4])
        out = []
        for i in range(rank):
            pos = len(shape) - rank + i
            if pos < 0:
                out.append(self.dim())
                continue
            n = shape[pos]
            r = self.rng.random()
            if n == 1: out.append(self.rng.choice([1, 1, 2, 3, 0]) if r < 0.6 else 1)
            else: out.append(n if r < 0.6 else 1)
        while any(d != 1 for d in out) and (math.prod(out) > 48 or
                                             math.prod(np.broadcast_shapes(tuple(out), tuple(shape))) > 96):
            out[self.rng.randrange(rank)] = 1
        return out

    def shp(self, k): return list(self.vals[k].shape)
    # Bounds of a node's values, for the domain of the next op. Values drawn by hourglass
    # are not known here: a dropout output may also be 0, anything after a draw is unbounded.
    def lo(self, k):
        if k in self.random:
            return min(0.0, float(self.vals[k].min())) if self.nodes[k]["op"] == "dropout" and self.vals[k].numel() else -math.inf
        return float(self.vals[k].min()) if self.vals[k].numel() else 0.0

    def hi(self, k):
        if k in self.random:
            return max(0.0, float(self.vals[k].max())) if self.nodes[k]["op"] == "dropout" and self.vals[k].numel() else math.inf
        return float(self.vals[k].max()) if self.vals[k].numel() else 0.0

    def amax(self, k): return max(abs(self.lo(k)), abs(self.hi(k)))

    def distinct(self, k):
        if k in self.random: return False
        v = np.sort(self.vals[k].numpy().ravel())
        return v.size < 2 or np.min(np.diff(v)) > 1e-3 * (1 + np.abs(v).max())

    def pick(self, cur, ok, fresh):
        """cur if it satisfies ok, else an earlier node that does (a Var used again), else fresh()."""
        if ok(cur): return cur
        others = [k for k in range(len(self.nodes)) if self.nodes[k]["op"] != "const" and ok(k)]
        if others and self.rng.random() < 0.5: return self.rng.choice(others)
        return fresh()


def step_random(b, cur, op):
    """Append op to the graph, taking cur (or something in its place) as the first input."""
    rng = b.rng
    any_ok = lambda k: b.amax(k) < 50
    if op in ("neg", "op_neg", "square", "sigmoid", "tanh", "relu", "abs", "selu", "softplus", "gelu"):
        return b.op(op, [b.pick(cur, any_ok, lambda: b.leaf(b.shape()))])
    if op == "exp":
        return b.op(op, [b.pick(cur, lambda k: b.hi(k) < 8, lambda: b.leaf(b.shape()))])
    if op in ("log", "sqrt"):
        return b.op(op, [b.pick(cur, lambda k: b.lo(k) > 0.05 and b.hi(k) < 1e3, lambda: b.leaf(b.shape(), 0.1, 3.0))])
    if op == "leaky_relu":
        return b.op(op, [b.pick(cur, any_ok, lambda: b.leaf(b.shape()))], slope=f32(rng.choice([0.01, 0.2, 1.5])))
    if op == "elu":
        return b.op(op, [b.pick(cur, any_ok, lambda: b.leaf(b.shape()))], alpha=f32(rng.choice([1.0, 0.5, 1.7])))
    if op in ("scale", "add_scalar", "x+s", "s+x", "x-s", "s-x", "x*s", "s*x"):
        return b.op(op, [b.pick(cur, any_ok, lambda: b.leaf(b.shape()))], s=f32(rng.uniform(-2.5, 2.5)))
    if op == "x/s":
        return b.op(op, [b.pick(cur, any_ok, lambda: b.leaf(b.shape()))], s=f32(rng.choice([-1, 1]) * rng.uniform(0.25, 3)))
    if op == "pow":
        p = rng.choice([2.0, 3.0, 0.5, -1.0, 1.5, 0.0, 1.0, -0.5, 2.5])
        if p >= 0 and p == int(p):
            x = b.pick(cur, lambda k: b.amax(k) < 5, lambda: b.leaf(b.shape()))
        else:
            x = b.pick(cur, lambda k: b.lo(k) > 0.1 and b.hi(k) < 10, lambda: b.leaf(b.shape(), 0.2, 3.0))
        return b.op(op, [x], p=p)
    if op in ("add", "sub", "mul", "div", "op+", "op-", "op*", "op/"):
        a = b.pick(cur, any_ok, lambda: b.leaf(b.shape()))
        divide = op in ("div", "op/")
        if not divide and rng.random() < 0.2:
            return b.op(op, [a, a])                       # a Var used twice
        s = b.partner(b.shp(a))
        other = b.leaf(s, 0.3, 2.5) if divide else b.leaf(s)
        if divide and rng.random() < 0.5: other = b.op("exp", [b.leaf(s, -1, 1)])
        ins = [a, other] if (divide or rng.random() < 0.5) else [other, a]
        return b.op(op, ins)
    if op == "mask":
        a = b.pick(cur, any_ok, lambda: b.leaf(b.shape()))
        m = b.const(b.shp(a), [float(rng.random() < 0.6) for _ in range(b.vals[a].numel())])
        return b.op(op, [a, m])
    if op == "matmul":
        a = b.pick(cur, lambda k: len(b.shp(k)) == 2 and any_ok(k), lambda: b.leaf(b.shape(2)))
        m, k = b.shp(a)
        if rng.random() < 0.2: return b.op(op, [a, b.op("transpose", [a])])  # a·aᵀ
        return b.op(op, [a, b.leaf([k, b.dim()])])
    if op == "transpose":
        a = b.pick(cur, any_ok, lambda: b.leaf(b.shape(2)))
        if len(b.shp(a)) != 2:
            n = b.vals[a].numel()
            a = b.op("reshape", [a], shape=rng.choice([[n, 1], [1, n]]))
        return b.op(op, [a])
    if op == "reshape":
        a = b.pick(cur, any_ok, lambda: b.leaf(b.shape()))
        n = b.vals[a].numel()
        for _ in range(20):
            s = b.shape()
            if math.prod(s) == n: break
            s = [n] if n != 1 else []
            if rng.random() < 0.5 and n > 0: s = [1] + s if len(s) < 4 else s
        return b.op(op, [a], shape=s)
    if op == "concat":
        a = b.pick(cur, lambda k: len(b.shp(k)) >= 1 and any_ok(k), lambda: b.leaf(b.shape(rng.randint(1, 4))))
        s = b.shp(a)
        axis = rng.randrange(len(s))
        parts = [a]
        for _ in range(rng.randint(1, 2)):
            if rng.random() < 0.25: parts.append(a)
            else:
                t = list(s)
                t[axis] = rng.choice([0, 1, 2])
                parts.append(b.leaf(t))
        if rng.random() < 0.3: axis -= len(s)
        return b.op(op, parts, axis=axis)
    if op in ("sum", "mean"):
        ok = (lambda k: any_ok(k) and b.vals[k].numel() > 0) if op == "mean" else any_ok
        return b.op(op, [b.pick(cur, ok, lambda: b.leaf(b.shape(zero=op == "sum")))])
    if op in ("sum_axis", "mean_axis"):
        a = b.pick(cur, lambda k: len(b.shp(k)) >= 1 and any_ok(k), lambda: b.leaf(b.shape(rng.randint(1, 4))))
        s = b.shp(a)
        axes = [i for i in range(len(s)) if op == "sum_axis" or s[i] > 0]
        if not axes:
            a = b.leaf(b.shape(rng.randint(1, 4), zero=False))
            s, axes = b.shp(a), list(range(len(b.shp(a))))
        axis = rng.choice(axes)
        if rng.random() < 0.3: axis -= len(s)
        return b.op(op, [a], axis=axis, keepdim=rng.random() < 0.5)
    if op in ("softmax", "log_softmax"):
        a = b.pick(cur, lambda k: len(b.shp(k)) >= 1 and b.shp(k)[-1] > 0 and any_ok(k),
                   lambda: b.leaf(b.shape(rng.randint(1, 4), zero=False), -5, 5))
        return b.op(op, [a])
    if op == "topk_mask":
        a = b.pick(cur, lambda k: len(b.shp(k)) >= 1 and b.shp(k)[-1] > 0 and b.distinct(k) and any_ok(k),
                   lambda: b.leaf(b.shape(rng.randint(1, 4), zero=False)))
        return b.op(op, [a], k=rng.randint(1, b.shp(a)[-1]))
    if op == "dropout":
        return b.op(op, [b.pick(cur, any_ok, lambda: b.leaf(b.shape()))], p=f32(rng.choice([0.2, 0.5])),
                    seed=rng.randrange(1 << 30))
    if op in ("conv2d", "max_pool2d", "upsample2d"):
        def image():
            return b.leaf([rng.choice([0, 1, 2]) if op != "max_pool2d" else rng.choice([1, 2]),
                           rng.choice([1, 2]), rng.randint(1, 5), rng.randint(1, 5)])
        four = lambda k: len(b.shp(k)) == 4 and min(b.shp(k)[1:]) > 0 and any_ok(k) and b.vals[k].numel() <= 64
        if op == "max_pool2d":
            x = b.pick(cur, lambda k: four(k) and b.distinct(k) and b.shp(k)[0] > 0, image)
            return b.op(op, [x], size=rng.choice([1, 2, 2, 3]))
        if op == "upsample2d":
            return b.op(op, [b.pick(cur, four, image)], factor=rng.choice([1, 2, 3]))
        x = b.pick(cur, four, image)
        n, c, h, w = b.shp(x)
        pad = rng.choice([0, 1])
        kh, kw = rng.randint(1, min(3, h + 2 * pad)), rng.randint(1, min(3, w + 2 * pad))
        co = rng.choice([1, 2, 3])
        ins = [x, b.leaf([co, c, kh, kw], -1, 1)]
        if rng.random() < 0.7: ins.append(b.leaf([co]))
        return b.op(op, ins, stride=rng.choice([1, 2]), padding=pad)
    if op == "linear":
        x = b.pick(cur, lambda k: len(b.shp(k)) == 2 and b.shp(k)[1] > 0 and any_ok(k),
                   lambda: b.leaf([rng.choice([0, 1, 2, 3]), rng.randint(1, 4)]))
        out = rng.randint(1, 4)
        ins = [x, b.leaf([out, b.shp(x)[1]], -1, 1)]
        if rng.random() < 0.7: ins.append(b.leaf([out]))
        return b.op(op, ins)
    nonempty = lambda k: b.vals[k].numel() > 0 and any_ok(k)
    if op in ("mse", "masked_mse", "bce_with_logits"):
        a = b.pick(cur, nonempty, lambda: b.leaf(b.shape(zero=False)))
        t = a if (op == "mse" and rng.random() < 0.15) else (
            b.leaf(b.shp(a), 0, 1) if op == "bce_with_logits" else b.leaf(b.shp(a)))
        if op != "masked_mse": return b.op(op, [a, t])
        n = b.vals[a].numel()
        m = b.const(b.shp(a), [float(rng.random() < rng.choice([0.0, 0.5, 1.0])) for _ in range(n)])
        return b.op(op, [a, t, m], corrector=rng.random() < 0.5)
    unit = lambda k: b.vals[k].numel() > 0 and b.lo(k) > 0.02 and b.hi(k) < 0.98
    batch = lambda k: len(b.shp(k)) == 2 and b.vals[k].numel() > 0
    if op == "bce":
        a = b.pick(cur, unit, lambda: b.op("sigmoid", [b.leaf(b.shape(zero=False))]))
        return b.op(op, [a, b.leaf(b.shp(a), 0, 1)])
    if op == "cross_entropy":
        x = b.pick(cur, lambda k: batch(k) and any_ok(k), lambda: b.leaf([rng.randint(1, 4), rng.randint(1, 5)], -4, 4))
        n, c = b.shp(x)
        return b.op(op, [x], labels=[rng.randrange(c) for _ in range(n)])
    if op == "l1_activity":
        return b.op(op, [b.pick(cur, lambda k: batch(k) and any_ok(k), lambda: b.leaf(b.shape(2, zero=False)))])
    if op in ("kl_sparsity", "contractive_penalty"):
        h = b.pick(cur, lambda k: batch(k) and unit(k), lambda: b.op("sigmoid", [b.leaf(b.shape(2, zero=False))]))
        if op == "kl_sparsity": return b.op(op, [h], rho=f32(rng.choice([0.05, 0.2, 0.5])))
        return b.op(op, [h, b.leaf([b.shp(h)[1], rng.randint(1, 4)], -1, 1)])
    if op in ("vae_kl", "reparameterise"):
        mu = b.pick(cur, nonempty, lambda: b.leaf(b.shape(zero=False)))
        lv = b.leaf(b.shp(mu), -2, 1)
        if op == "vae_kl": return b.op(op, [mu, lv])
        return b.op(op, [mu, lv], seed=rng.randrange(1 << 30))
    raise ValueError(op)


OPS = ["add", "sub", "mul", "div", "op+", "op-", "op*", "op/", "neg", "op_neg", "scale", "add_scalar",
       "x+s", "s+x", "x-s", "s-x", "x*s", "s*x", "x/s", "pow", "square", "exp", "log", "sqrt", "abs", "mask",
       "matmul", "transpose", "reshape", "concat", "sum", "mean", "sum_axis", "mean_axis",
       "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "softplus", "gelu", "softmax", "log_softmax",
       "topk_mask", "dropout", "conv2d", "max_pool2d", "upsample2d", "linear",
       "mse", "masked_mse", "bce", "bce_with_logits", "cross_entropy", "l1_activity", "kl_sparsity",
       "contractive_penalty", "vae_kl", "reparameterise"]


def random_graph(gid):
    rng = random.Random(SEED * 1_000_003 + gid)
    for _ in range(50):
        b = Builder(rng)
        cur = b.leaf(b.shape())
        try:
            for _ in range(rng.randint(1, 4)):
                new = step_random(b, cur, rng.choice(OPS))
                v = b.vals[new]
                if not torch.isfinite(v).all() or (v.numel() and v.abs().max() > 1e4): break
                cur = new
        except RuntimeError:  # a shape PyTorch refuses: try another graph
            continue
        del b.nodes[cur + 1:], b.vals[cur + 1:]
        if len(b.nodes) and b.nodes[-1]["op"] not in ("leaf", "const"):
            return finish(b, rng)
    raise RuntimeError(f"graph {gid}: no valid graph in 50 tries")


def finish(b, rng):
    out = b.vals[-1]
    seed = [f32(rng.uniform(-1, 1)) for _ in range(out.numel())]
    return {"nodes": b.nodes, "seed": seed, "tags": sorted(b.tags)}


# ---------------------------------------------------------------------------------------
# Probes: fixed graphs at inputs where the maths is hard (and where bugs were found)
# ---------------------------------------------------------------------------------------
def probes():
    out = []

    def probe(name, build, tags=()):
        b = Builder(random.Random(len(out)))
        build(b)
        g = finish(b, b.rng)
        g["tags"] = sorted(set(g["tags"]) | set(tags))
        g["name"] = name
        out.append(g)

    neg = [-30.0, -20.0, -12.0, -5.0, -1.0, -1e-3, 0.0, 0.5, 3.0]
    probe("elu at very negative x", lambda b: b.op("elu", [b.leaf([9], values=neg)], alpha=1.0))
    probe("elu(alpha=0.5) at very negative x", lambda b: b.op("elu", [b.leaf([9], values=neg)], alpha=0.5))
    probe("selu at very negative x", lambda b: b.op("selu", [b.leaf([9], values=neg)]))
    probe("log_softmax of a row with a large max", lambda b: b.op("log_softmax", [b.leaf([1, 2], values=[20.0, 13.5])]))
    probe("cross_entropy with one dominant logit",
          lambda b: b.op("cross_entropy", [b.leaf([1, 3], values=[30.0, 14.0, 12.0])], labels=[0]))
    probe("softmax with large logits", lambda b: b.op("softmax", [b.leaf([2, 3], values=[30.0, 14.0, 12.0, -50.0, 0.0, 50.0])]))
    probe("pow(x, 0) at 0", lambda b: b.op("pow", [b.leaf([3], values=[0.0, 1.0, -2.0])], p=0.0))
    probe("pow(x, 2) and pow(x, 3) at 0", lambda b: b.op("pow", [b.op("pow", [b.leaf([3], values=[0.0, 1.0, -2.0])], p=3.0)], p=2.0))
    probe("relu, leaky_relu, abs at exactly 0", lambda b: b.op("add", [
        b.op("relu", [b.leaf([3], values=[0.0, -1.0, 1.0])]),
        b.op("add", [b.op("leaky_relu", [b.leaf([3], values=[0.0, -1.0, 1.0])], slope=f32(0.2)),
                     b.op("abs", [b.leaf([3], values=[0.0, -1.0, 1.0])])])]))
    probe("softplus, sigmoid, tanh far from 0", lambda b: b.op("add", [
        b.op("softplus", [b.leaf([6], values=[-100.0, -30.0, -15.0, 15.0, 30.0, 100.0])]),
        b.op("add", [b.op("sigmoid", [b.leaf([6], values=[-100.0, -30.0, -15.0, 15.0, 30.0, 100.0])]),
                     b.op("tanh", [b.leaf([6], values=[-100.0, -30.0, -9.0, 9.0, 30.0, 100.0])])])]))
    probe("gelu far from 0 and at its minimum", lambda b: b.op("gelu", [
        b.leaf([8], values=[-100.0, -12.0, -5.0, f32(-0.7517915), 0.0, 3.0, 12.0, 100.0])]))
    probe("bce_with_logits far from 0", lambda b: b.op("bce_with_logits", [
        b.leaf([6], values=[-100.0, -30.0, -15.0, 15.0, 30.0, 100.0]), b.leaf([6], values=[0.0, 1.0, 0.25, 0.0, 1.0, 0.5])]))
    probe("bce near 0 and 1", lambda b: b.op("bce", [
        b.leaf([4], values=[f32(1e-4), f32(0.9999), f32(1e-6), 0.5]), b.leaf([4], values=[0.0, 1.0, 0.3, 1.0])]))
    probe("sum over a long axis", lambda b: b.op("sum_axis", [b.leaf([100000, 2], 0.0, 1.0)], axis=0, keepdim=False),
          tags=["long_axis"])
    probe("mean over a long axis", lambda b: b.op("mean_axis", [b.leaf([2, 100000], 0.0, 1.0)], axis=1, keepdim=True),
          tags=["long_axis"])
    probe("size-0 times size-1 broadcast (0x3)*(3)", lambda b: b.op("mul", [b.leaf([0, 3]), b.leaf([3])]))
    probe("size-0 plus size-1 broadcast (1x3)+(0x1)", lambda b: b.op("add", [b.leaf([1, 3]), b.leaf([0, 1])]))
    probe("sum over axis 0 of (0x3)", lambda b: b.op("sum_axis", [b.leaf([0, 3])], axis=0, keepdim=False))
    probe("matmul (2x0)(0x3)", lambda b: b.op("matmul", [b.leaf([2, 0]), b.leaf([0, 3])]))
    probe("a Var used four times", lambda b: (lambda x: b.op("mul", [b.op("add", [x, x]), b.op("exp", [x])]))(
        b.leaf([2, 3])))
    probe("masked_mse with nothing observed (corrector)", lambda b: b.op("masked_mse", [
        b.leaf([2, 2]), b.leaf([2, 2]), b.const([2, 2], [0.0] * 4)], corrector=True))
    return out


# ---------------------------------------------------------------------------------------
# Optimisers: twenty steps on Σ a(p − c)⁴/4 + (p − c)²/2, against torch.optim
# ---------------------------------------------------------------------------------------
OPTIMISERS = [
    ("sgd", {"lr": 0.1}),
    ("sgd", {"lr": 0.1, "momentum": 0.9}),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("sgd", {"lr": 0.1, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.1}),
    ("rmsprop", {"lr": 0.01}),
    ("rmsprop", {"lr": 0.01, "centered": True}),
    ("rmsprop", {"lr": 0.01, "momentum": 0.9}),
    ("rmsprop", {"lr": 0.005, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.1, "momentum": 0.5, "centered": True}),
    ("adam", {"lr": 0.1}),
    ("adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1}),
    ("adamw", {"lr": 0.1, "weight_decay": 0.01}),
    ("adamw", {"lr": 0.05, "weight_decay": 0.1, "beta1": 0.5}),
    ("rprop", {"lr": 0.01}),
    ("rprop", {"lr": 0.05, "eta_minus": 0.3, "eta_plus": 1.5, "step_min": 1e-4, "step_max": 0.5}),
]


def optimiser_job(k):
    name, opts = OPTIMISERS[k]
    rng = random.Random(SEED * 7919 + k)
    shapes = [[3, 4], [5]]
    t = lambda s, lo, hi: {"shape": s, "v": [f32(rng.uniform(lo, hi)) for _ in range(math.prod(s))]}
    return {"id": f"opt{k}", "optim": name, "opts": {key: (f32(v) if isinstance(v, float) else v) for key, v in opts.items()},
            "params": [t(s, -2, 2) for s in shapes], "a": [t(s, 0, 1) for s in shapes], "c": [t(s, -1, 1) for s in shapes],
            "steps": OPT_STEPS}


def torch_optimise(job, dtype):
    ps = [torch.tensor(p["v"], dtype=dtype).reshape(p["shape"]).requires_grad_(True) for p in job["params"]]
    a = [torch.tensor(t["v"], dtype=dtype).reshape(t["shape"]) for t in job["a"]]
    c = [torch.tensor(t["v"], dtype=dtype).reshape(t["shape"]) for t in job["c"]]
    o = dict(job["opts"])
    name = job["optim"]
    if name == "sgd": opt = torch.optim.SGD(ps, **o)
    elif name == "rmsprop": opt = torch.optim.RMSprop(ps, **o)
    elif name in ("adam", "adamw"):
        betas = (o.pop("beta1", 0.9), o.pop("beta2", 0.999))
        o.setdefault("weight_decay", 0.0)
        opt = (torch.optim.Adam if name == "adam" else torch.optim.AdamW)(ps, betas=betas, **o)
    else:
        opt = torch.optim.Rprop(ps, lr=o.get("lr", 0.01), etas=(o.get("eta_minus", 0.5), o.get("eta_plus", 1.2)),
                                step_sizes=(o.get("step_min", 1e-6), o.get("step_max", 50.0)))
    steps = []
    for _ in range(job["steps"]):
        opt.zero_grad()
        loss = sum(((ai * (p - ci) ** 4) / 4 + (p - ci) ** 2 / 2).sum() for p, ai, ci in zip(ps, a, c))
        loss.backward()
        opt.step()
        steps.append(np.concatenate([p.detach().double().numpy().ravel() for p in ps]))
    return steps


# ---------------------------------------------------------------------------------------
# Running hourglass
# ---------------------------------------------------------------------------------------
def run_hg(exe, jobs):
    """Answers of oracle_hg by id; a job that kills the process gets {"crash": ...} and the
    rest of the batch goes on in a new process."""
    answers, todo = {}, list(jobs)
    while todo:
        text = "".join(json.dumps(j, allow_nan=False) + "\n" for j in todo)
        p = subprocess.run([exe], input=text, capture_output=True, text=True)
        started = None
        for line in p.stdout.splitlines():
            msg = json.loads(line)
            if "begin" in msg: started = msg["begin"]
            else:
                answers[msg["id"]] = msg
                started = None
        if p.returncode == 0 and started is None:
            break
        if started is None:
            raise RuntimeError(f"oracle_hg failed outside a job (exit {p.returncode}): {p.stderr[-2000:]}")
        answers[started] = {"id": started, "crash": f"exit status {p.returncode} {p.stderr.strip()[-300:]}"}
        ids = [j["id"] for j in todo]
        todo = todo[ids.index(started) + 1:]
    return answers


# ---------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------
def compare(hg, ref, t32, pert, c, near=None):
    """Per-element check (near: float32's error at nearby inputs, if sampled). Returns ok, the
    worst element's index, |hg - ref| and the tolerance there, and for the table of errors:
    (max |hg - ref| / max |ref|, max |t32 - ref| / max |ref|) over tensors with max |ref|
    >= 1e-6 (else zeros), and hourglass's largest error in units of float32's (tolerance / c)."""
    hg, ref, t32, pert = (np.asarray(x, dtype=np.float64) for x in (hg, ref, t32, pert))
    if ref.size == 0: return True, None, 0.0, 0.0, (0.0, 0.0, 0.0)
    with np.errstate(invalid="ignore", over="ignore"):
        fin = np.isfinite(ref)
        err = np.where(fin, np.abs(hg - ref), 0.0)
        e32 = np.where(fin, np.maximum(np.abs(t32 - ref), np.abs(pert - ref)), 0.0)
        if near is not None: e32 = np.maximum(e32, np.where(fin, near, 0.0))
        tol = c * (e32 + U * np.abs(np.where(fin, ref, 0))) + c * FMIN
        same = (hg == ref) | (np.isnan(hg) & np.isnan(ref))
        # where float32 itself overflows or fails, hourglass may do the same
        same32 = fin & ~np.isfinite(t32) & ((hg == t32) | (np.isnan(hg) & np.isnan(t32)))
        bad = np.where(fin, ~(err <= tol) & ~same32, ~same)
        ratio = np.where(bad, np.where(np.isfinite(err / tol), err / tol, np.inf), err / tol)
        scale = float(np.abs(ref[fin]).max()) if fin.any() else 0.0
        hg_rel = t32_rel = 0.0
        if scale >= 1e-6:
            hg_rel = float(np.nanmax(np.where(fin, np.abs(hg - ref), 0))) / scale
            t32_rel = float(np.nanmax(np.where(fin, np.abs(t32 - ref), 0))) / scale
        if not np.isfinite(hg[fin]).all(): hg_rel = math.inf
        units = float(np.max(np.where(fin, ratio, 0.0))) * c
    worst = int(np.nanargmax(np.where(bad, np.inf, ratio))) if bad.any() else int(np.nanargmax(ratio))
    return (not bad.any(), worst, float(err[worst]), float(tol[worst]), (hg_rel, t32_rel, units))


def local_eval(nodes, ans, extras, dtype, perturb=None, shift=None):
    """Every op on hourglass's own inputs: each node's value recomputed from hourglass's values
    of its inputs, and each node's gradient recomputed as the sum of what its consumers send
    it from hourglass's gradients of their outputs. An op is so judged on its own, not on
    the (allowed) errors it inherits. perturb as in torch_eval, on the inputs and outputs.
    shift: a seed; the inputs are then moved by a jitter first and rounded to float32 again,
    so that float32's error can be sampled at nearby inputs too (float32 can be exact at one
    point by luck: a softmax row whose float32 values happen to sum to exactly 1)."""
    def noisy(t):
        return t if perturb is None else t * torch.tensor(1 + jitter(perturb, t.shape), dtype=dtype)

    ans = dict(ans)
    if shift is not None:
        r = np.random.default_rng(shift)
        move = lambda v: None if v is None else list(
            (np.asarray(v, dtype=np.float64) * (1 + jitter(r, len(v)))).astype(np.float32).astype(np.float64))
        ans["values"], ans["grads"] = [move(v) for v in ans["values"]], [move(v) for v in ans["grads"]]

    vals, grads = [None] * len(nodes), [None] * len(nodes)
    for k, node in enumerate(nodes):
        if node["op"] in ("leaf", "const"): continue
        bases = {}
        for j in node["in"]:
            if j in bases: continue
            if nodes[j]["op"] == "const":
                bases[j] = torch.tensor(nodes[j]["v"], dtype=dtype).reshape(nodes[j]["shape"])
            else:
                bases[j] = torch.tensor(ans["values"][j], dtype=dtype).reshape(ans["shapes"][j])
                bases[j].requires_grad_(ans["grads"][j] is not None)
        ins = {j: (noisy(b) if b.requires_grad else b) for j, b in bases.items()}
        out = torch_op(node, [ins[j] for j in node["in"]], dtype, extras.get(str(k)))
        vals[k] = noisy(out.detach()).double().numpy().ravel()
        if ans["grads"][k] is not None and out.requires_grad:
            out.backward(noisy(torch.tensor(ans["grads"][k], dtype=dtype).reshape(out.shape)))
            for j, b in bases.items():
                if b.grad is not None:
                    g = b.grad.double().numpy().ravel()
                    grads[j] = g if grads[j] is None else grads[j] + g
    for j in range(len(nodes)):
        if ans["grads"][j] is not None and grads[j] is None: grads[j] = np.zeros(len(ans["grads"][j]))
    return vals, grads


def evaluate_graph(g, ans):
    """Check one graph; returns (failures, per-op error statistics)."""
    nodes = g["nodes"]
    extras = ans.get("extra", {})
    fails, stats = [], []
    base = {"graph": g["id"], "tags": g["tags"], "x": None, "attrs": {}}
    if "crash" in ans:
        return [dict(base, op=nodes[-1]["op"], dir="crash", node=None, detail=ans["crash"])], stats
    ref = torch_eval(nodes, g["seed"], torch.float64, extras)
    if "error" in ans:
        return [dict(base, op=nodes[-1]["op"], dir="error", node=None, detail=ans["error"])], stats
    t32 = torch_eval(nodes, g["seed"], torch.float32, extras)
    noise = np.random.default_rng(g["id"])
    # pert: per element, whichever perturbed run strays furthest from ref
    pick = lambda a, b, r: None if a is None else np.where(np.abs(a - r) >= np.abs(b - r), a, b)
    pert = torch_eval(nodes, g["seed"], torch.float64, extras, perturb=noise)[:2]
    for _ in range(PERT_RUNS - 1):
        p = torch_eval(nodes, g["seed"], torch.float64, extras, perturb=noise)
        pert = tuple([pick(a, b, r) for a, b, r in zip(x1, x2, xr)] for x1, x2, xr in zip(pert, p[:2], ref[:2]))
    g["_results"] = (ref, t32, pert, ans)

    def attrs(node): return {key: v for key, v in node.items() if key not in ("op", "in", "v")}

    for k, node in enumerate(nodes):
        if node["op"] != "const" and ans["shapes"][k] != ref[2][k]:
            return [dict(base, op=node["op"], dir="shape", node=k, attrs=attrs(node),
                         detail=f"node {k}: hourglass {ans['shapes'][k]}, PyTorch {ref[2][k]}")], stats

    # each op on hourglass's own inputs (the verdict that blames an op)
    lref = local_eval(nodes, ans, extras, torch.float64)
    l32 = local_eval(nodes, ans, extras, torch.float32)
    lpert = local_eval(nodes, ans, extras, torch.float64, perturb=noise)
    for _ in range(PERT_RUNS - 1):
        lp = local_eval(nodes, ans, extras, torch.float64, perturb=noise)
        lpert = tuple([pick(a, b, r) for a, b, r in zip(x1, x2, xr)] for x1, x2, xr in zip(lpert, lp, lref))
    lref[1][-1] = l32[1][-1] = lpert[1][-1] = np.asarray(g["seed"], dtype=np.float64)
    # float32's error at nearby inputs: |t32 - ref| there, per element, the largest of SHIFTS samples
    near = [[None] * len(nodes), [None] * len(nodes)]
    for s in range(SHIFTS):
        a64 = local_eval(nodes, ans, extras, torch.float64, shift=(g["id"], s))
        a32 = local_eval(nodes, ans, extras, torch.float32, shift=(g["id"], s))
        for w in (0, 1):
            for k in range(len(nodes)):
                if a64[w][k] is None: continue
                with np.errstate(invalid="ignore"):
                    e = np.nan_to_num(np.abs(a32[w][k] - a64[w][k]), nan=0.0, posinf=0.0)
                near[w][k] = e if near[w][k] is None else np.maximum(near[w][k], e)
    near[1][-1] = None
    consumers = [[] for _ in nodes]
    for k, node in enumerate(nodes):
        for j in set(node.get("in", [])): consumers[j].append(k)

    def failure(op_nodes, d, what, values, worst, err, tol, r, t):
        cands = []
        for c in op_nodes:
            x = None
            if c is not None and nodes[c]["op"] in UNARY_ELEMENTWISE and worst is not None:
                src = ans["values"][nodes[c]["in"][0]]
                x = float(src[worst]) if len(src) > worst else None
            cands.append(dict(base, op=nodes[c]["op"] if c is not None else "seed", dir=d, node=c,
                              attrs=attrs(nodes[c]) if c is not None else {}, x=x))
        f = dict(cands[0], what=what, worst=worst, err=err, tol=tol, hg=values[worst], ref=r, t32=t, cands=cands)
        f["op"] = "/".join(c["op"] for c in cands)
        return f

    local_ok = True
    for k, node in enumerate(nodes):
        if node["op"] in ("leaf", "const"): continue
        ok, worst, err, tol, st = compare(ans["values"][k], lref[0][k], l32[0][k], lpert[0][k], C, near[0][k])
        stats.append((node["op"], "forward", *st))
        if not ok:
            local_ok = False
            fails.append(failure([k], "forward", f"value of node {k}", ans["values"][k], worst, err, tol,
                                 float(lref[0][k][worst]), float(l32[0][k][worst])))
    for j in range(len(nodes)):
        if ans["grads"][j] is None or lref[1][j] is None: continue
        ok, worst, err, tol, st = compare(ans["grads"][j], lref[1][j], l32[1][j], lpert[1][j], C, near[1][j])
        for c in consumers[j]: stats.append((nodes[c]["op"], "backward", *st))
        if not ok:
            local_ok = False
            fails.append(failure(consumers[j] or [None], "backward", f"gradient of node {j}", ans["grads"][j],
                                 worst, err, tol, float(lref[1][j][worst]), float(l32[1][j][worst])))
    if not local_ok: return fails, stats

    # end to end: against PyTorch on the whole graph, where errors of several ops add up
    for kind, hv, rv, tv, pv in (("value", ans["values"], ref[0], t32[0], pert[0]), ("gradient", ans["grads"], ref[1], t32[1], pert[1])):
        for k in range(len(nodes)):
            if nodes[k]["op"] == "const" or hv[k] is None or rv[k] is None: continue
            ok, worst, err, tol, _ = compare(hv[k], rv[k], tv[k], pv[k], C_E2E)
            if not ok:
                fails.append(dict(base, op="end-to-end", dir=kind, node=k, what=f"{kind} of node {k}", worst=worst,
                                  err=err, tol=tol, hg=hv[k][worst], ref=float(rv[k][worst]), t32=float(tv[k][worst])))
    return fails, stats


def evaluate_optimiser(job, ans):
    if "crash" in ans or "error" in ans:
        return [dict(graph=job["id"], op=job["optim"], dir="crash" if "crash" in ans else "error", node=None, tags=[],
                     x=None, attrs=job["opts"], detail=ans.get("crash") or ans.get("error"))], []
    ref, t32 = torch_optimise(job, torch.float64), torch_optimise(job, torch.float32)
    fails, worst_h, worst_t, worst_u = [], 0.0, 0.0, 0.0
    for s, hs in enumerate(ans["steps"]):
        hv = np.concatenate([np.asarray(p, dtype=np.float64) for p in hs])
        r, t = ref[s], t32[s]
        scale = np.abs(r).max()
        err, e32 = np.abs(hv - r), np.abs(t - r)
        # each step rounds every parameter again, so the floor grows by U·max|p| per step
        tol = C * (e32 + (s + 1) * U * scale) + C * FMIN
        worst_h, worst_t = max(worst_h, err.max() / scale), max(worst_t, e32.max() / scale)
        worst_u = max(worst_u, float((err / (tol / C)).max()))
        if not (err <= tol).all():
            i = int(np.argmax(err / tol))
            fails.append(dict(graph=job["id"], op=job["optim"], dir="step", node=s + 1, tags=[], x=None,
                              attrs=job["opts"], what=f"parameters after step {s + 1}", worst=i, err=float(err[i]),
                              tol=float(tol[i]), hg=float(hv[i]), ref=float(r[i]), t32=float(t[i])))
            break
    return fails, [(job["optim"], "step", worst_h, worst_t, worst_u)]


def describe_failure(f):
    where = f" {f['what']}" if "what" in f else ""
    s = f"job {f['graph']}: {f['op']} {f['dir']}{where}"
    if "err" in f:
        s += (f" [element {f['worst']}" + (f", x = {f['x']:.9g}" if f.get("x") is not None else "") +
              f"]: hourglass {f['hg']:.9g}, float64 {f['ref']:.9g}, PyTorch float32 {f['t32']:.9g}; "
              f"|error| {f['err']:.3g} > tolerance {f['tol']:.3g}")
    if "detail" in f: s += f": {f['detail']}"
    return s


def show_graph(g, ans):
    print(f"job {g['id']}" + (f" ({g['name']})" if g.get("name") else "") + f", tags {g.get('tags', [])}")
    if "optim" in g:
        print(json.dumps({k: g[k] for k in ("optim", "opts", "steps")}))
        if "steps" in ans:
            ref, t32 = torch_optimise(g, torch.float64), torch_optimise(g, torch.float32)
            for s, hs in enumerate(ans["steps"]):
                hv = np.concatenate([np.asarray(p) for p in hs])
                print(f"  step {s + 1}: max|hg-ref| {np.abs(hv - ref[s]).max():.3g}, max|t32-ref| {np.abs(t32[s] - ref[s]).max():.3g}")
        return
    np.set_printoptions(precision=9, threshold=40, linewidth=160)
    res = g.get("_results")
    for k, node in enumerate(g["nodes"]):
        desc = {key: v for key, v in node.items() if key != "v"}
        print(f"  node {k}: {json.dumps(desc)}")
        if node["op"] in ("leaf", "const"): print(f"      values {np.asarray(node['v'])}")
        if res and node["op"] != "const":
            ref, t32, pert, a = res
            print(f"      shape   hourglass {a['shapes'][k]}  PyTorch {ref[2][k]}")
            print(f"      value   hourglass {np.asarray(a['values'][k])}\n              float64   {ref[0][k]}\n              float32   {t32[0][k]}")
            if ref[1][k] is not None and a["grads"][k] is not None:
                print(f"      grad    hourglass {np.asarray(a['grads'][k])}\n              float64   {ref[1][k]}\n              float32   {t32[1][k]}")
    print(f"  seed {np.asarray(g['seed'])}")
    for key in ("crash", "error"):
        if key in ans: print(f"  hourglass {key}: {ans[key]}")


def main():
    global SEED
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hg", default=os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                               "../../build/tests/oracle/oracle_hg")),
                    help="the oracle_hg program (default: build/tests/oracle/oracle_hg)")
    ap.add_argument("--graphs", type=int, default=GRAPHS, help=f"random graphs (default {GRAPHS})")
    ap.add_argument("--graph", help="replay one job by id (a graph number or optN) and print it in full")
    ap.add_argument("--seed", type=int, default=SEED, help=f"the random graphs' seed (default {SEED})")
    ap.add_argument("--verbose", action="store_true", help="print every discrepancy, expected or not")
    args = ap.parse_args()
    SEED = args.seed
    t0 = time.time()
    torch.set_num_threads(1)

    fixed = probes()
    def graph(gid):
        g = fixed[gid] if gid < len(fixed) else random_graph(gid)
        g["id"] = gid
        return g

    if args.graph is not None:
        job = optimiser_job(int(args.graph[3:])) if args.graph.startswith("opt") else graph(int(args.graph))
        ans = run_hg(args.hg, [{k: v for k, v in job.items() if k not in ("tags", "name")}])[job["id"]]
        fails, _ = evaluate_optimiser(job, ans) if "optim" in job else evaluate_graph(job, ans)
        show_graph(job, ans)
        for f in fails:
            bug = known_bug(f)
            print(("known bug #17 item %d: " % bug["item"] if bug else "DISCREPANCY: ") + describe_failure(f))
        if not fails: print("hourglass agrees with PyTorch on this job")
        return 0

    graphs = [graph(i) for i in range(len(fixed) + args.graphs)]
    jobs = [optimiser_job(k) for k in range(len(OPTIMISERS))]
    t_gen = time.time()
    answers = run_hg(args.hg, [{k: v for k, v in g.items() if k not in ("tags", "name")} for g in graphs] + jobs)
    t_hg = time.time()
    fails, stats, comparisons = [], [], 0
    ops_seen = set()
    for g in graphs:
        f, s = evaluate_graph(g, answers[g["id"]])
        g.pop("_results", None)
        fails += f
        stats += s
        comparisons += len(s)
        ops_seen |= {n["op"] for n in g["nodes"] if n["op"] not in ("leaf", "const")}
    for job in jobs:
        f, s = evaluate_optimiser(job, answers[job["id"]])
        fails += f
        stats += s
        comparisons += job["steps"]

    # largest error per op, as a fraction of the largest |value| of the tensor compared
    table = {}
    for op, d, *errs in stats:
        row = table.setdefault((op, d), [0.0, 0.0, 0.0])
        row[:] = [max(a, b) for a, b in zip(row, errs)]
    print("Largest error per op, each op on hourglass's own inputs: |error| / max |float64 value| of a tensor\n"
          "(tensors with max |value| >= 1e-6), for hourglass and PyTorch float32; and hourglass's largest error\n"
          f"in units of float32's own on that element (the test allows {C:g}):")
    print(f"{'op':<20} {'':<9} {'hourglass':>10} {'PyTorch f32':>12} {'units':>9}")
    for (op, d), (h, t, n) in sorted(table.items()):
        print(f"{op:<20} {d:<9} {h:10.3g} {t:12.3g} {n:9.3g}")

    expected, new = {}, []
    for f in fails:
        bug = known_bug(f)
        if bug: expected.setdefault(bug["item"], []).append(f)
        else: new.append(f)
    print(f"\n{len(graphs)} graphs ({len(fixed)} probes, {args.graphs} random), {len(jobs)} optimiser runs of "
          f"{OPT_STEPS} steps; {len(ops_seen)} of {len(OPS)} ops used; {comparisons} tensors compared; "
          f"seed {SEED}; {time.time() - t0:.1f} s (hourglass {t_hg - t_gen:.1f} s)")
    missing = [op for op in OPS if op not in ops_seen]
    if missing: print(f"ops never drawn: {missing}")
    print(f"\nknown bugs (KNOWN_BUGS):")
    for bug in KNOWN_BUGS:
        fs = expected.get(bug["item"], [])
        print(f"  #17 item {bug['item']}: {bug['what']}: {len(fs)} discrepancies")
        for f in (fs if args.verbose else sorted(fs, key=lambda f: -(f.get("err", 0) / max(f.get("tol", 1), 1e-300)))[:3]):
            print("    " + describe_failure(f))
    status = 0
    stale = [b for b in KNOWN_BUGS if b["item"] not in expected]
    for b in stale:
        print(f"FIXED? #17 item {b['item']} ({b['what']}) no longer shows: remove it from KNOWN_BUGS")
        status = 1
    for f in new:
        print("NEW DISCREPANCY " + describe_failure(f))
    if new:
        print(f"{len(new)} new discrepancies; replay one with: {sys.argv[0]} --hg {args.hg} --seed {SEED} --graph ID")
        status = 1
    print("oracle: " + ("PASSED" if status == 0 else "FAILED"))
    return status


if __name__ == "__main__":
    sys.exit(main())
