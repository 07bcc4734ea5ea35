#!/usr/bin/env python3
"""playground/bench.py SITE_DIR [REPS] — the playground's training step, WebAssembly against native.

Times the same engine call, Playground::bench(task, steps), three ways, on one thread:
  native    build/playground/playground_bench (the default build: -O3 -march=native)
  chromium  the built site's bench/ page in headless Chromium, in a Web Worker as the page trains
  node      the same .wasm under node (if node is installed)
for the course net (20,000 steps) and the Fashion-MNIST autoencoder (200 steps), each
repeated REPS times (default 5), keeping the fastest repetition of each: the one least
disturbed by whatever else the machine runs. Prints one line in the tutorials' form:

  result: course_native_us=... course_wasm_us=... course_ratio=... fashion_native_us=... ...

where ratio = native time / WebAssembly time (in Chromium): the share of native speed.
`./lab playground --bench` builds everything first and runs this.
"""
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "playground"))
import serve  # noqa: E402  (the site server's handler: .wasm as application/wasm)

RESULT = re.compile(r"result: course_us=([\d.]+) fashion_us=([\d.]+)")


def native(reps):
    exe = os.path.join(ROOT, "build", "playground", "playground_bench")
    best = {}
    for _ in range(reps):
        for task, steps in (("course", 20000), ("fashion", 200)):
            out = subprocess.run([exe, task, str(steps)], check=True, capture_output=True, text=True).stdout
            us = float(re.search(r"step_us=([\d.e+-]+)", out).group(1))
            best[task] = min(best.get(task, us), us)
    return best


def chromium(site, reps):
    """The bench page in headless Chromium; its console line carries the result."""
    class Quiet(serve.Handler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/bench/index.html?reps={reps}"
    profile = tempfile.mkdtemp(prefix="hg-chromium-")
    browser = subprocess.Popen(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", url],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    timer = threading.Timer(600, browser.kill)  # a page that never answers must not hang the run
    timer.start()
    try:
        for line in browser.stderr:
            if "HG_BENCH" in line:
                if m := RESULT.search(line):
                    return {"course": float(m[1]), "fashion": float(m[2])}
                sys.exit(f"playground/bench.py: the bench page failed: {line.strip()}")
            if "Uncaught" in line:
                sys.exit(f"playground/bench.py: the bench page failed: {line.strip()}")
        sys.exit("playground/bench.py: Chromium ended (or 600 s passed) without the bench page's result")
    finally:
        timer.cancel()
        browser.kill()
        browser.wait()
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)


def node(site, reps):
    out = subprocess.run(["node", os.path.join(ROOT, "playground", "bench", "node.js"), os.path.abspath(site), str(reps)],
                         check=True, capture_output=True, text=True, timeout=600).stdout
    m = RESULT.search(out)
    return {"course": float(m[1]), "fashion": float(m[2])}


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip().splitlines()[0])
    site = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) == 3 else 5
    if not shutil.which("chromium"):
        sys.exit("playground/bench.py: chromium not found (Debian: apt-get install chromium)")
    n = native(reps)
    c = chromium(site, reps)
    fields = []
    for task in ("course", "fashion"):
        fields += [f"{task}_native_us={n[task]:.3g}", f"{task}_wasm_us={c[task]:.3g}",
                   f"{task}_ratio={n[task] / c[task]:.2f}"]
    if shutil.which("node"):
        d = node(site, reps)
        fields += [f"course_node_us={d['course']:.3g}", f"fashion_node_us={d['fashion']:.3g}"]
    print("result: " + " ".join(fields))


if __name__ == "__main__":
    main()
