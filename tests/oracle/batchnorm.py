#!/usr/bin/python3
"""torch.nn.BatchNorm1d on the batches of a job that tests/test_batchnorm.cpp writes, for
hourglass's BatchNorm1d to be compared with.

  tests/oracle/batchnorm.py JOB.json ANSWER.json

JOB: {"features", "eps", "momentum", "weight", "bias", "steps": [{"shape", "x", "dy"}, ...],
"eval": {"shape", "x"}}. Each step is one training-mode forward pass on x, then backward from
the output with the seed dy (gradients zeroed before each step). ANSWER holds, for float64
(the reference) and float32 (PyTorch's own rounding), each step's output y, the gradients
dx, dweight, dbias and the running statistics after the step, and the evaluation-mode
output on eval.x after the last step.
"""
import json
import sys

try:
    import torch
except ImportError as e:  # the doctest case checks for PyTorch before it runs this
    print(f"SKIPPED: this script needs PyTorch for /usr/bin/python3 ({e})")
    sys.exit(77)


def flat(t):
    return t.detach().double().reshape(-1).tolist()


def run(job, dtype):
    bn = torch.nn.BatchNorm1d(job["features"], eps=job["eps"], momentum=job["momentum"]).to(dtype)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(job["weight"], dtype=dtype))
        bn.bias.copy_(torch.tensor(job["bias"], dtype=dtype))
    bn.train()
    steps = []
    for s in job["steps"]:
        x = torch.tensor(s["x"], dtype=dtype).reshape(s["shape"]).requires_grad_(True)
        bn.zero_grad()
        y = bn(x)
        y.backward(torch.tensor(s["dy"], dtype=dtype).reshape(y.shape))
        steps.append({"y": flat(y), "dx": flat(x.grad), "dweight": flat(bn.weight.grad), "dbias": flat(bn.bias.grad),
                      "running_mean": flat(bn.running_mean), "running_var": flat(bn.running_var)})
    bn.eval()
    with torch.no_grad():
        y = bn(torch.tensor(job["eval"]["x"], dtype=dtype).reshape(job["eval"]["shape"]))
    return {"steps": steps, "eval_y": flat(y)}


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    answer = {"float64": run(job, torch.float64), "float32": run(job, torch.float32)}
    with open(sys.argv[2], "w") as f:
        json.dump(answer, f)


if __name__ == "__main__":
    main()
