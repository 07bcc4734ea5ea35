#!/usr/bin/env python3
"""One source for every published number: the tutorials' own `result:` lines.

Each run that a table quotes is listed in results/runs.txt (an id and the command that
makes it). `./lab results run ID...` runs those commands and keeps each one's `result:` line
in results/ID.txt. `./lab results` then writes every number the docs quote from those
files, and `./lab results --check` (run by the test suite) fails when a doc no longer
says what its run measured.

In a Markdown file, a number is quoted in one of two ways.

Inline, where a sentence needs one value:

    test error <!--r 11_deep:ae_test_mse-->5.86<!--/r--> per image

A table, generated from a template kept in an HTML comment just above it (rendered
Markdown shows only the table):

    <!-- results
    | recipe | test RMSE | command |
    |---|---|---|
    | corrected | {03_recommender:test_rmse} | `{03_recommender:command}` |
    -->
    | recipe | test RMSE | command |
    ...
    <!-- /results -->

`{ID:KEY}` is the value of KEY on run ID's result line; `{ID:command}` is the run's
command as runs.txt gives it. Values are copied as the tutorial printed them.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "results")
RUNS = os.path.join(RESULTS, "runs.txt")

INLINE = re.compile(r"<!--r ([\w.-]+):([\w.-]+)-->(.*?)<!--/r-->")
PLACEHOLDER = re.compile(r"\{([\w.-]+):([\w.-]+)\}")
BLOCK_START = "<!-- results"
BLOCK_END = "<!-- /results -->"


class ResultsError(Exception):
    pass


def read_runs():
    """runs.txt: `ID  COMMAND` per line; # starts a comment."""
    runs = {}
    with open(RUNS, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) != 2:
                raise ResultsError(f"{RUNS}:{number}: expected 'ID COMMAND', got {line!r}")
            if parts[0] in runs:
                raise ResultsError(f"{RUNS}:{number}: run id {parts[0]!r} is listed twice")
            runs[parts[0]] = parts[1]
    return runs


def parse_result_line(line):
    values = {}
    for pair in line[len("result: "):].split():
        key, eq, value = pair.partition("=")
        if eq:
            values[key] = value
    return values


def read_result(run_id, runs):
    path = os.path.join(RESULTS, run_id + ".txt")
    if not os.path.exists(path):
        raise ResultsError(f"no stored result for run '{run_id}' ({path}): run `./lab results --run {run_id}`")
    result = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("result: "):
                result = parse_result_line(line.strip())
    if result is None:
        raise ResultsError(f"{path}: holds no 'result:' line")
    result["command"] = runs[run_id]
    return result


class Values:
    """The stored results, read on first use."""

    def __init__(self):
        self.runs = read_runs()
        self.cache = {}

    def get(self, run_id, key, where):
        if run_id not in self.runs:
            raise ResultsError(f"{where}: '{run_id}' is not a run listed in results/runs.txt")
        if run_id not in self.cache:
            self.cache[run_id] = read_result(run_id, self.runs)
        values = self.cache[run_id]
        if key not in values:
            raise ResultsError(f"{where}: run '{run_id}' printed no key '{key}' (it has: {', '.join(sorted(values))})")
        return values[key]


def render(text, path, values):
    """The text with every quoted number rewritten from the stored results."""
    out = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        where = f"{os.path.relpath(path, ROOT)}:{i + 1}"
        if line.strip() == BLOCK_START:
            template, i = [], i + 1
            while i < len(lines) and lines[i].strip() != "-->":
                template.append(lines[i])
                i += 1
            if i == len(lines):
                raise ResultsError(f"{where}: a results template with no closing '-->'")
            end = i + 1
            while end < len(lines) and lines[end].strip() != BLOCK_END:
                end += 1
            if end == len(lines):
                raise ResultsError(f"{where}: a results table with no '{BLOCK_END}' after it")
            out.append(line)
            out.extend(template)
            out.append(lines[i])
            for k, t in enumerate(template):
                w = f"{os.path.relpath(path, ROOT)}:{i - len(template) + k + 1}"
                out.append(PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(2), w), t))
            out.append(lines[end])
            i = end + 1
            continue
        out.append(INLINE.sub(lambda m: f"<!--r {m.group(1)}:{m.group(2)}-->"
                              f"{values.get(m.group(1), m.group(2), where)}<!--/r-->", line))
        i += 1
    return "\n".join(out)


def documents():
    docs = [os.path.join(ROOT, "README.md")]
    for folder in ("tutorials", "nn", "tensor", "tensor/kernels", "models", "bench"):
        d = os.path.join(ROOT, folder)
        if os.path.isdir(d):
            docs += [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".md")]
    return docs


def write_all(check):
    values = Values()
    stale = []
    for path in documents():
        with open(path, encoding="utf-8") as f:
            text = f.read()
        new = render(text, path, values)
        if new != text:
            stale.append(os.path.relpath(path, ROOT))
            if not check:
                tmp = path + ".tmp"
                with open(tmp, "w", encoding="utf-8") as f:
                    f.write(new)
                os.replace(tmp, path)
    if check:
        if stale:
            print("results: these docs do not quote what their runs measured: " + ", ".join(stale) +
                  " (run ./lab results to rewrite them)")
            return 1
        print(f"results: {len(documents())} docs checked, every quoted number matches results/")
        return 0
    print("results: rewrote " + (", ".join(stale) if stale else "nothing (all up to date)"))
    return 0


def run(ids, build):
    runs = read_runs()
    unknown = [i for i in ids if i not in runs]
    if unknown:
        raise ResultsError(f"unknown run id(s) {', '.join(unknown)}; results/runs.txt lists: {', '.join(runs)}")
    for run_id in ids or list(runs):
        argv = shlex.split(runs[run_id])
        if argv[:2] == ["./lab", "tutorial"]:  # the tutorial program itself, already built
            argv = [os.path.join(build, "tutorials", argv[2])] + argv[3:]
        print(f"results: {run_id}: {runs[run_id]}", flush=True)
        start = time.time()
        proc = subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("result: ")]
        if proc.returncode != 0 or not lines:
            sys.stdout.write(proc.stdout[-3000:])
            raise ResultsError(f"{run_id}: exit code {proc.returncode}" + ("" if lines else ", no result line"))
        path = os.path.join(RESULTS, run_id + ".txt")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(f"# command: {runs[run_id]}\n")
            f.write(f"# measured: {time.strftime('%Y-%m-%d')}, {time.time() - start:.0f} s, {os.cpu_count()} cores\n")
            f.write(lines[-1] + "\n")
        os.replace(path + ".tmp", path)
        print(f"  {lines[-1]}")


def main():
    p = argparse.ArgumentParser(description="Write the docs' quoted numbers from the tutorials' stored result lines.")
    p.add_argument("--check", action="store_true", help="only check that every doc quotes its run; exit 1 if not")
    p.add_argument("--run", nargs="*", metavar="ID", help="run these runs (none named: all) and store their result lines first")
    p.add_argument("--build", default=os.path.join(ROOT, "build"), help="the build folder holding the tutorials")
    p.add_argument("--list", action="store_true", help="list the runs and their commands")
    args = p.parse_args()
    try:
        if args.list:
            for run_id, command in read_runs().items():
                print(f"{run_id:32} {command}")
            return 0
        if args.run is not None:
            run(args.run, args.build)
        return write_all(args.check)
    except ResultsError as e:
        print(f"results: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
