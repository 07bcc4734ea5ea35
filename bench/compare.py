#!/usr/bin/python3
"""Side-by-side timings of hourglass and PyTorch on the same model and data.

Each case runs an hourglass program and its PyTorch peer (bench/pytorch/) alternately,
`--repeats` times each, reads the `result:` line both print, and reports the medians and
their ratio. Both sides report the median time of an epoch (or users per second), so
start-up and data loading do not count. The peak memory (resident set) of every run is read
with os.wait4, and its median is shown beside the times. The hourglass side is a program of
bench/ that trains the tutorial's model from models/ (bench/model_epochs.cpp, sae_minibatch.cpp)
or, for the whole recommender run, tutorial 03 itself. Before the cases, PyTorch loads models
that tutorial 03 saved and must predict what hourglass predicted (recommender_predictions
writes hourglass's predictions, bench/pytorch/load_hourglass.py checks them).

    ./lab bench compare                       # every case, 3 repeats: a plain table
    ./lab bench compare --markdown            # the README's table
    /usr/bin/python3 bench/compare.py --case course_sae --repeats 5
    /usr/bin/python3 bench/compare.py --threads 2 --build build-bench   # only the 2-thread cases
    /usr/bin/python3 bench/compare.py --list  # the cases and their commands

Progress goes to stderr, the table to stdout. The case's thread count is passed to both
sides (--threads); OMP_WAIT_POLICY and the rest of the environment go through unchanged.

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
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"


def movielens_dir():
    data = os.environ.get("HG_DATA", os.path.join(ROOT, "data"))
    d = os.path.join(data, "ml-100k")
    if not os.path.exists(os.path.join(d, "u1.base")):
        sys.exit(f"compare: ml-100k not found in {d} (set HG_DATA, or ./lab fetch movielens 100k)")
    return d


def cases(epochs):
    """Each case: title, ours and theirs (commands; "build/" is replaced by --build), key (the
    result field compared: *_seconds lower is better, *_per_second higher), and optionally
    threads (shown in the table; default 1). epochs: --epochs, or None for each case's own."""
    ml = movielens_dir()
    e = str(epochs or 5)
    out = os.path.join(tempfile.gettempdir(), "hg_compare")  # tutorial 03's model and pictures
    return {
        "course_sae": dict(
            title="course SAE epoch, ml-100k u1.base (batch 1, 1 thread)",
            # tutorial 03's course epoch: one user per step, gradients never zeroed
            ours=["build/bench/sae_minibatch", "--data", ml, "--batch", "1", "--zero-grad", "false", "--epochs", e,
                  "--threads", "1", "--quiet"],
            theirs=[PY, "bench/pytorch/course_sae.py", "--data", ml, "--epochs", e, "--threads", "1", "--quiet"],
            key="epoch_seconds",
        ),
        # A training step in mini-batches: the course's model, batch 64, gradients zeroed.
        **{f"sae_b64_t{t}": dict(
            title="mini-batch SAE, ml-100k u1.base (batch 64, zeroed gradients)",
            ours=["build/bench/sae_minibatch", "--data", ml, "--batch", "64", "--epochs", str(epochs or 50),
                  "--threads", str(t), "--quiet"],
            theirs=[PY, "bench/pytorch/course_sae.py", "--data", ml, "--batch", "64", "--mode", "zero-grad",
                    "--epochs", str(epochs or 50), "--threads", str(t), "--quiet"],
            key="users_per_second", threads=t) for t in (1, 2)},
        # Tutorial 11's deep autoencoder (models/deep_autoencoder.hpp): one epoch of 60,000 Fashion-MNIST images, batch 128, Adam.
        **{f"deep_ae_t{t}": dict(
            title="deep AE 784-1000-500-250-30, Fashion-MNIST epoch (batch 128, Adam)",
            ours=["build/bench/model_epochs", "--epochs", str(epochs or 1), "--threads", str(t), "--quiet", "deep_ae"],
            theirs=[PY, "bench/pytorch/deep_ae.py", "--epochs", str(epochs or 1), "--threads", str(t), "--quiet"],
            key="epoch_seconds", threads=t) for t in (1, 2)},
        # Tutorial 12's convolutional autoencoder (Keras-blog shape): an epoch of 30,000 images, batch 128, Adam.
        "conv_ae": dict(
            title="conv AE 16-8-8 (Keras blog), Fashion-MNIST epoch of 30,000 images (batch 128, Adam, 1 thread)",
            ours=["build/bench/model_epochs", "--epochs", str(epochs or 1), "--threads", "1", "--quiet", "conv_ae"],
            theirs=[PY, "bench/pytorch/conv_ae.py", "--epochs", str(epochs or 1), "--threads", "1", "--quiet"],
            key="epoch_seconds",
        ),
        # Tutorial 13's 20-D VAE (784-400-20, PyTorch's example model): epochs of 60,000 images, batch 128, Adam.
        "vae": dict(
            title="VAE 784-400-20, Fashion-MNIST epoch (batch 128, Adam, 1 thread)",
            ours=["build/bench/model_epochs", "--epochs", str(epochs or 3), "--threads", "1", "--quiet", "vae"],
            theirs=[PY, "bench/pytorch/vae.py", "--epochs", str(epochs or 3), "--threads", "1", "--quiet"],
            key="epoch_seconds",
        ),
        # Tutorial 14's item-based AutoRec: full-batch epochs (one Rprop step over the 1682 x 943
        # matrix), one λ, no noise, one model; the time compared is the median training epoch.
        **{("autorec" if t == 1 else f"autorec_t{t}"): dict(
            title="I-AutoRec 943-500-943, ml-100k u1.base full-batch epoch (Rprop)",
            ours=["build/bench/model_epochs", "--data", ml, "--epochs", str(epochs or 30), "--threads", str(t), "--quiet",
                  "autorec", "--lambda", "200"],
            theirs=[PY, "bench/pytorch/autorec.py", "--data", ml, "--lam", "200", "--epochs", str(epochs or 30),
                    "--threads", str(t), "--quiet"],
            key="epoch_seconds", threads=t) for t in (1, 2)},
        # Tutorial 18's GLocal-K: full-batch evaluations of the loss and its gradient (the unit of an
        # L-BFGS iteration); the time compared is fine-tuning's (two passes through the kernel layers).
        **{("kernel_recommender" if t == 1 else f"kernel_recommender_t{t}"): dict(
            title="GLocal-K 943-500-500-943, ml-100k u1.base full-batch fine-tuning gradient",
            ours=["build/bench/model_epochs", "--data", ml, "--epochs", str(epochs or 10), "--threads", str(t), "--quiet",
                  "kernel_recommender"],
            theirs=[PY, "bench/pytorch/kernel_recommender.py", "--data", ml, "--epochs", str(epochs or 10),
                    "--threads", str(t), "--quiet"],
            key="epoch_seconds", threads=t) for t in (1, 2)},
        # The whole recommender run (tutorial 03's default, corrected recipe): mostly for its peak memory.
        "recommender": dict(
            title="recommender run, tutorial 03 corrected, ml-100k (time: an early-stopping epoch)",
            ours=["build/tutorials/03_recommender", "--threads", "1", "--quiet", "--data", ml, "--out", out],
            theirs=[PY, "bench/pytorch/recommender.py", "--data", ml, "--threads", "1", "--quiet"],
            key="epoch_seconds",
        ),
    }


def run(cmd, key):
    """Run cmd; return (value of key in its result line, all result fields, peak RSS in MB)."""
    with tempfile.TemporaryFile(mode="w+") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True)
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage: ru_maxrss in KiB on Linux
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stdout.close()
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f"compare: {shlex.join(cmd)} failed ({proc.returncode}):\n{stdout[-2000:]}{err.read()[-2000:]}")
    for line in stdout.splitlines():
        if line.startswith("result:"):
            fields = dict(kv.split("=", 1) for kv in line.split()[1:])
            if key not in fields:
                sys.exit(f"compare: {shlex.join(cmd)}: no {key}= in its result line:\n{line}")
            return float(fields[key]), fields, usage.ru_maxrss / 1024.0
    sys.exit(f"compare: {shlex.join(cmd)} printed no result line")


def with_build(cmd, build):
    return [build + c[len("build"):] if c.startswith("build/") else c for c in cmd]


def check_openblas():
    """Which BLAS PyTorch runs on: the comparison means nothing on the reference BLAS."""
    probe = ("import torch; a = torch.ones(64, 64); a @ a; "
             "print(' '.join(sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower()})))")
    out = subprocess.run([PY, "-c", probe], capture_output=True, text=True)
    libs = out.stdout.strip()
    if "openblas" not in libs.lower():
        print(f"compare: WARNING: PyTorch does not run on OpenBLAS (BLAS libraries loaded: {libs or out.stderr[-500:]});"
              " install libopenblas0-openmp (./lab bench compare does)", file=sys.stderr, flush=True)
    return libs


def load_check(build, ml, out):
    """PyTorch loads the models tutorial 03 saved (course and corrected) and predicts every
    user's ratings: returns [(model, max |PyTorch - hourglass|, users, movies)]."""
    rows = []
    for mode, epochs in (("corrected", "3"), ("course", "1")):
        model, pred = os.path.join(out, f"{mode}.load_check.safetensors"), os.path.join(out, f"{mode}.predictions.safetensors")
        run(with_build(["build/tutorials/03_recommender", "--mode", mode, "--epochs", epochs, "--threads", "1", "--quiet",
                        "--data", ml, "--out", out, "--save", model], build), "epochs")
        run(with_build(["build/bench/recommender_predictions", "--mode", mode, "--model", model, "--data", ml,
                        "--out", pred], build), "users")
        _, f, _ = run([PY, "bench/pytorch/load_hourglass.py", model, pred, "--data", ml], "max_abs_diff")
        rows.append((mode, f["max_abs_diff"], f["users"], f["movies"]))
        print(f"  load check ({mode}): PyTorch reproduces hourglass's predictions to {f['max_abs_diff']}",
              file=sys.stderr, flush=True)
    return rows


def fmt_value(v, key):
    if key.endswith("per_second"):
        return f"{v:,.0f} {key[:-len('_per_second')]}/s"
    return f"{v:.4f} s" if v < 10 else f"{v:.2f} s"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--case", action="append", help="run only this case (repeatable; see --list); "
                   "'load': only the load check")
    p.add_argument("--threads", type=int, action="append", help="run only the cases with this thread count (repeatable)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--epochs", type=int, default=None, help="epochs per run (default: each case's own; each run "
                   "reports its median epoch)")
    p.add_argument("--build", default="build", help="the meson build folder with hourglass's programs")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown, for the README")
    p.add_argument("--no-load-check", action="store_true",
                   help="skip PyTorch loading hourglass's saved models (skipped anyway with --case, unless --case load)")
    p.add_argument("--list", action="store_true", help="list the cases and their commands, and stop")
    a = p.parse_args()
    all_cases = cases(a.epochs)
    if a.list:
        for name, c in all_cases.items():
            print(f"{name}  (threads: {c.get('threads', 1)})  {c['title']}\n  hourglass: {shlex.join(c['ours'])}\n"
                  f"  pytorch:   {shlex.join(c['theirs'])}")
        return
    names = [n for n in a.case if n != "load"] if a.case else list(all_cases)
    unknown = [n for n in names if n not in all_cases]
    if unknown:
        sys.exit(f"compare: no case {', '.join(unknown)}; there are: {', '.join(all_cases)}")
    if a.threads:
        names = [n for n in names if all_cases[n].get("threads", 1) in a.threads]
    missing = [c for c in (with_build(all_cases[n]["ours"], a.build)[0] for n in names) if not os.path.exists(os.path.join(ROOT, c))]
    if missing:
        sys.exit(f"compare: not built: {' '.join(missing)} (ninja -C {a.build})")
    out = os.path.join(tempfile.gettempdir(), "hg_compare")
    os.makedirs(out, exist_ok=True)
    blas = check_openblas()
    print(f"compare: PyTorch's BLAS: {blas}; OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}; "
          f"{len(names)} cases x {a.repeats} repeats", file=sys.stderr, flush=True)
    want_load = ("load" in a.case) if a.case else not a.no_load_check
    loads = load_check(a.build, movielens_dir(), out) if want_load else []

    rows = []
    started = time.perf_counter()
    for i, name in enumerate(names):
        c = all_cases[name]
        key = c["key"]
        ours_cmd, theirs_cmd = with_build(c["ours"], a.build), c["theirs"]
        ours, theirs, mem_ours, mem_theirs = [], [], [], []
        for r in range(a.repeats):  # alternate, so both sides see the same machine load
            order = [(ours_cmd, ours, mem_ours), (theirs_cmd, theirs, mem_theirs)]
            for cmd, values, mems in (order if r % 2 == 0 else order[::-1]):
                v, _, mb = run(cmd, key)
                values.append(v)
                mems.append(mb)
            print(f"  [{i + 1}/{len(names)}] {name} run {r + 1}/{a.repeats}: hourglass {fmt_value(ours[-1], key)} "
                  f"({mem_ours[-1]:.0f} MB), pytorch {fmt_value(theirs[-1], key)} ({mem_theirs[-1]:.0f} MB)  "
                  f"[{time.perf_counter() - started:.0f} s]", file=sys.stderr, flush=True)
        mo, mt = statistics.median(ours), statistics.median(theirs)
        speedup = mo / mt if key.endswith("per_second") else mt / mo  # > 1: hourglass is faster
        rows.append(dict(name=name, title=c["title"], threads=c.get("threads", 1), ours=fmt_value(mo, key),
                         theirs=fmt_value(mt, key), speedup=speedup, mem_ours=statistics.median(mem_ours),
                         mem_theirs=statistics.median(mem_theirs)))

    if a.markdown:
        print("| case | threads | hourglass | PyTorch 1.13 + OpenBLAS | speed-up | peak RSS hourglass / PyTorch | command |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['title']} | {r['threads']} | {r['ours']} | {r['theirs']} | {r['speedup']:.2f}x | "
                  f"{r['mem_ours']:.0f} MB / {r['mem_theirs']:.0f} MB | `./lab bench compare --case {r['name']}` |")
        print(f"\nMedians of {a.repeats} alternating runs of each side; speed-up > 1: hourglass is faster; peak RSS: "
              f"the largest resident memory of the whole process (PyTorch's includes the Python interpreter and torch).")
        if loads:
            print("PyTorch loads the models tutorial 03 saved (safetensors, read with json + numpy) and reproduces "
                  "hourglass's predictions for every user and movie: " +
                  "; ".join(f"{mode} model, {users} x {movies}, largest difference {diff}" for mode, diff, users, movies in loads) +
                  " (`./lab bench compare --case load`).")
    elif rows or not loads:
        w = max([len(r["name"]) for r in rows] + [4])
        print(f"{'case':<{w}}  thr  {'hourglass':>18}  {'pytorch':>18}  speed-up  {'RSS hg':>8}  {'RSS pt':>8}  RSS pt/hg")
        for r in rows:
            print(f"{r['name']:<{w}}  {r['threads']:>3}  {r['ours']:>18}  {r['theirs']:>18}  {r['speedup']:>7.2f}x  "
                  f"{r['mem_ours']:>6.0f}MB  {r['mem_theirs']:>6.0f}MB  {r['mem_theirs'] / r['mem_ours']:>8.2f}x")
    if loads and not a.markdown:
        for mode, diff, users, movies in loads:
            print(f"load check: PyTorch reproduces hourglass's saved {mode} model on {users} x {movies} predictions, "
                  f"max |difference| {diff}")


if __name__ == "__main__":
    main()
