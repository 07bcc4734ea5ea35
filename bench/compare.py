#!/usr/bin/python3
"""Side-by-side timings of hourglass and PyTorch on the same model and data.

Each case runs an hourglass program and its PyTorch peer (bench/pytorch/) alternately,
`--repeats` times each, reads the `result:` line both print, and reports the medians and
their ratio. Both sides report the median time of an epoch, so start-up and data loading
do not count.

    ./lab bench compare                       # every case, 3 repeats
    /usr/bin/python3 bench/compare.py --case course_sae --repeats 5

PyTorch must use OpenBLAS, not Debian's reference BLAS (17x slower, and the comparison
would prove nothing): `./lab bench` installs python3-torch and libopenblas0-openmp, the
OpenMP build, which honours torch.set_num_threads.
"""
import argparse
import os
import shlex
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"


def movielens_dir():
    data = os.environ.get("HG_DATA", os.path.join(ROOT, "data"))
    d = os.path.join(data, "ml-100k")
    if not os.path.exists(os.path.join(d, "u1.base")):
        sys.exit(f"compare: ml-100k not found in {d} (set HG_DATA, or ./lab fetch movielens 100k)")
    return d


def cases(epochs):
    ml = movielens_dir()
    e = str(epochs)
    return {
        "course_sae": dict(
            title="course SAE epoch, ml-100k u1.base (batch 1, 1 thread)",
            ours=["build/tutorials/03_recommender", "--mode", "course", "--epochs", e, "--threads", "1", "--quiet",
                  "--data", ml],
            theirs=[PY, "bench/pytorch/course_sae.py", "--data", ml, "--epochs", e, "--threads", "1", "--quiet"],
            key="epoch_seconds",
        ),
    }


def run(cmd, key):
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"compare: {shlex.join(cmd)} failed ({out.returncode}):\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    for line in out.stdout.splitlines():
        if line.startswith("result:"):
            fields = dict(kv.split("=", 1) for kv in line.split()[1:])
            return float(fields[key]), fields
    sys.exit(f"compare: {shlex.join(cmd)} printed no result line")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--case", action="append", help="run only this case (repeatable)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--epochs", type=int, default=5, help="epochs per run (each run reports its median epoch)")
    a = p.parse_args()
    all_cases = cases(a.epochs)
    names = a.case or list(all_cases)
    rows = []
    for name in names:
        c = all_cases[name]
        ours, theirs = [], []
        for r in range(a.repeats):  # alternate, so both sides see the same machine load
            ours.append(run(c["ours"], c["key"])[0])
            theirs.append(run(c["theirs"], c["key"])[0])
            print(f"  {name} run {r + 1}/{a.repeats}: hourglass {ours[-1]:.4f} s, pytorch {theirs[-1]:.4f} s",
                  file=sys.stderr, flush=True)
        mo, mt = statistics.median(ours), statistics.median(theirs)
        rows.append((c["title"], mo, mt, mt / mo, shlex.join(c["ours"])))
    print(f"| case | hourglass (median) | PyTorch+OpenBLAS (median) | speed-up |")
    print(f"|---|---|---|---|")
    for title, mo, mt, ratio, _ in rows:
        print(f"| {title} | {mo:.4f} s | {mt:.4f} s | {ratio:.1f}x |")


if __name__ == "__main__":
    main()
