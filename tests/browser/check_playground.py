#!/usr/bin/env python3
"""The playground in a real browser: headless Chromium, driven through the DevTools protocol.

    tests/browser/check_playground.py SITE_DIR OUT_DIR [--chromium PATH] [--only NAME ...] [--quick]
    tests/browser/check_playground.py SITE_DIR OUT_DIR --readme-screenshot playground/screenshot.png

SITE_DIR is the built site (`./lab playground --build-only SITE_DIR`). The script serves it
on 127.0.0.1 (a free port), opens it in headless Chromium and uses it as a student would.
The checks (--only picks some):
  course   the graph shows every node's value; "step backward" lights one node at a time
           with its rule, until every parameter has its gradient; a click shows a node in
           full; "apply the step" updates the weights; a bad knob (lr -1) and a diverging
           one (lr 10) get the engine's messages; training lowers the loss over the 11
           users, and the output array drawn has the input's colour on every rated cell
  fashion  the sparse autoencoder trains an epoch of the subset and draws reconstructions,
           filters and the code plane; strokes drawn with the mouse and by touch are
           encoded; at a phone's width nothing is wider than the screen
  models   every Fashion-MNIST model and noise kind resets and trains three steps
  ratings  a malformed CSV gets the C++ reader's message; pasted ratings train the
           recommender, which lists a user's top movies
  demos    ?demo=course|sparse|vae|recommender write result lines whose held-out loss fell;
           an unknown demo gets an error naming the demos
  bench    ?bench=course|fashion write their step times
Screenshots of each view go to OUT_DIR. It prints one line per check and the result lines,
and exits 0 only when every check passed.

Chromium is driven over --remote-debugging-pipe (file descriptors 3 and 4, one JSON
message per NUL-terminated chunk): no websocket client and no npm package are needed, only
Python's standard library. Every wait has a deadline and says what it waited for.
"""
import argparse
import base64
import ctypes
import functools
import http.server
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time


PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when its parent dies


class Failed(Exception):
    pass


# ---- the site, served on a free port of 127.0.0.1 ------------------------------------------
def serve(site):
    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                          '.wasm': 'application/wasm', '.js': 'text/javascript', '.idx': 'application/octet-stream'}

        def log_message(self, *args):  # quiet: the checks say what matters
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ---- Chromium and the DevTools protocol over a pipe ------------------------------------------
class Browser:
    def __init__(self, chromium, profile, width=1400, height=1000):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def child_fds():  # Chromium reads commands on fd 3 and writes replies on fd 4
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
            # If this script dies (a timeout's kill), the browser goes with it.
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

        self.log = open(os.path.join(profile, 'chromium.log'), 'w')
        self.process = subprocess.Popen(
            [chromium, '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
             '--remote-debugging-pipe', f'--user-data-dir={profile}', '--no-first-run',
             '--no-default-browser-check', f'--window-size={width},{height}', 'about:blank'],
            preexec_fn=child_fds, close_fds=False, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b''
        self.next_id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, timeout=30, session=True):
        self.next_id += 1
        message = {'id': self.next_id, 'method': method, 'params': params or {}}
        if session and self.session:
            message['sessionId'] = self.session
        try:
            os.write(self.to_chrome, json.dumps(message).encode() + b'\0')
        except BrokenPipeError:
            raise Failed(f'Chromium exited (code {self.process.poll()}); its log: {self.log.name}')
        deadline = time.monotonic() + timeout
        while True:
            for reply in self._messages(deadline, method):
                if reply.get('id') == self.next_id:
                    if 'error' in reply:
                        raise Failed(f'{method}: {reply["error"].get("message")}')
                    return reply['result']
                self.events.append(reply)

    def _messages(self, deadline, waiting_for):
        while b'\0' not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_chrome], [], [], left)[0]:
                raise Failed(f'Chromium did not answer {waiting_for} in time')
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise Failed(f'Chromium closed the pipe (exit code {self.process.poll()}); its log: {self.log.name}')
            self.buffer += chunk
        while b'\0' in self.buffer:
            message, self.buffer = self.buffer.split(b'\0', 1)
            yield json.loads(message)

    def attach(self):
        targets = self.send('Target.getTargets', session=False)['targetInfos']
        page = next(t for t in targets if t['type'] == 'page')
        self.session = self.send('Target.attachToTarget', {'targetId': page['targetId'], 'flatten': True},
                                 session=False)['sessionId']
        self.send('Runtime.enable')
        self.send('Page.enable')

    def close(self):
        try:
            self.send('Browser.close', session=False, timeout=5)
        except Failed:
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    # ---- the page -------------------------------------------------------------------------
    def page_errors(self):
        """Uncaught exceptions and console errors the page reported so far."""
        errors = []
        for e in self.events:
            if e.get('method') == 'Runtime.exceptionThrown':
                d = e['params']['exceptionDetails']
                errors.append(d.get('exception', {}).get('description') or d.get('text'))
            elif e.get('method') == 'Runtime.consoleAPICalled' and e['params']['type'] == 'error':
                errors.append(' '.join(str(a.get('value', a.get('description'))) for a in e['params']['args']))
        return errors

    def open(self, url):
        self.events.clear()
        self.send('Page.navigate', {'url': url})
        self.wait_for("document.readyState === 'complete'", 30, f'{url} to load')

    def eval(self, expression, timeout=30):
        r = self.send('Runtime.evaluate', {'expression': expression, 'returnByValue': True, 'awaitPromise': True},
                      timeout=timeout)
        if 'exceptionDetails' in r:
            raise Failed(f'the page threw evaluating {expression!r}: {r["exceptionDetails"].get("text")} '
                         f'{r["exceptionDetails"].get("exception", {}).get("description", "")}')
        return r['result'].get('value')

    def wait_for(self, condition, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            value = self.eval(f'(() => {{ try {{ return {condition}; }} catch (e) {{ return false; }} }})()')
            if value:
                return value
            if time.monotonic() > deadline:
                status = self.eval("(document.getElementById('status') || {}).textContent || ''")
                error = self.eval("(document.getElementById('error') || {}).textContent || ''")
                raise Failed(f'timed out after {timeout} s waiting for {what} (status line: {status!r}; '
                             f'error box: {error!r}; page errors: {self.page_errors()})')
            time.sleep(0.1)

    def click(self, element_id):
        self.eval(f"document.getElementById('{element_id}').click()")

    def screenshot(self, path, selector=None):
        params = {'format': 'png', 'captureBeyondViewport': True}
        if selector:
            box = self.eval(f"""(() => {{ const e = document.querySelector('{selector}');
                e.scrollIntoView(); const r = e.getBoundingClientRect();
                return {{x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}}; }})()""")
            params['clip'] = {**box, 'scale': 1}
        data = self.send('Page.captureScreenshot', params, timeout=60)['data']
        with open(path, 'wb') as f:
            f.write(base64.b64decode(data))


# ---- the checks ---------------------------------------------------------------------------------
def text(b, element_id):
    return b.eval(f"document.getElementById('{element_id}').textContent")


# How much of a canvas is drawn: the share of its pixels that differ from its top-left one.
def canvas_ink(b, element_id):
    return b.eval(f"""(() => {{ const c = document.getElementById('{element_id}');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 0; i < d.length; i += 4)
            if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) ink++;
        return ink / (c.width * c.height); }})()""")


def result_line(b, url, timeout):
    b.open(url)
    line = b.wait_for("document.getElementById('result').textContent.startsWith('result:') && "
                      "document.getElementById('result').textContent", timeout, f'the result line of {url}')
    fields = dict(f.split('=', 1) for f in line.split()[1:] if '=' in f)
    if 'error' in fields:
        raise Failed(f'{url}: {line}')
    return line, fields


def check_course(b, base, out):
    b.open(base + '/')
    b.wait_for("document.getElementById('status').textContent.startsWith('task course')", 60, 'the course net')
    b.wait_for("document.querySelectorAll('#graph .node').length > 0", 20, 'the graph after the first forward pass')
    b.screenshot(f'{out}/page_course.png')
    values = b.eval("[...document.querySelectorAll('#graph .node text:nth-of-type(2)')].map(t => t.textContent)")
    if not values or any(v.endswith('–') for v in values):
        raise Failed(f'the graph should show every node\'s value after a forward pass; it shows {values}')
    print(f'[browser] ok: the course graph has {len(values)} nodes, each with its value')

    # Backward, one rule at a time: a node lights up with its rule; at the end every
    # parameter has its gradient.
    b.click('g-back')
    b.wait_for("!!document.querySelector('#graph .node.current')", 10, 'a lit node after one backward step')
    rule = text(b, 'g-rule')
    if '=' not in rule:
        raise Failed(f'the lit node should show its rule\'s line of maths; the rule line says {rule!r}')
    b.click('g-back')
    b.wait_for("document.querySelectorAll('#graph .node.has-grad').length >= 2", 10, 'two nodes with gradients')
    b.screenshot(f'{out}/view_graph_backward.png', '#view-graph')
    print(f'[browser] ok: "step backward" lights a node and shows its rule: {rule}')
    for _ in range(2 * len(values) + 2):
        if not b.eval("document.getElementById('g-apply').disabled"):
            break
        b.click('g-back')
        time.sleep(0.05)
    b.wait_for("!document.getElementById('g-apply').disabled", 10, 'the end of the backward pass')
    grads = b.eval("[...document.querySelectorAll('#graph .node.param text.grad')].map(t => t.textContent)")
    if not grads or any(g.endswith('–') for g in grads):
        raise Failed(f'after the backward pass every parameter should show its gradient; they show {grads}')
    # A click on a parameter shows its value and gradient in full.
    b.eval("document.querySelector('#graph .node.param').dispatchEvent(new MouseEvent('click', {bubbles: true}))")
    detail = b.wait_for("!document.getElementById('g-node').hidden && document.getElementById('g-node').textContent",
                        10, "a node's details after a click")
    if 'gradient' not in detail or '(none yet)' in detail:
        raise Failed(f"a parameter's details after the backward pass should show its gradient; they say {detail!r}")
    b.screenshot(f'{out}/view_graph_done.png', '#view-graph')
    print(f'[browser] ok: after the backward pass all {len(grads)} parameters show gradients')
    b.click('g-apply')
    b.wait_for("document.getElementById('g-rule').textContent.startsWith('Weights updated') && "
               "document.querySelectorAll('#graph .node').length > 0 && "
               "document.querySelectorAll('#graph .node.has-grad').length === 0", 10,
               'the optimiser step and a fresh forward pass without gradients')
    print(f'[browser] ok: "apply the step": {text(b, "g-rule")}')

    # A bad knob: the engine's message, naming it, in the error box.
    b.eval("document.getElementById('lr').value = '-1'")
    b.click('reset')
    error = b.wait_for("document.getElementById('error').textContent", 10, 'the error for lr = -1')
    if 'lr' not in error:
        raise Failed(f'a negative learning rate should get an error naming lr; the page says {error!r}')
    print(f'[browser] ok: a negative learning rate gets the engine\'s message: {error}')
    # A learning rate that diverges: play stops with the engine's message.
    b.eval("document.getElementById('lr').value = '10'")
    b.click('reset')
    b.wait_for("document.getElementById('status').textContent.startsWith('task course')", 10, 'the reset with lr 10')
    b.click('play')
    error = b.wait_for("document.getElementById('error').textContent", 30, 'the divergence message at lr 10')
    b.wait_for("!document.getElementById('play').disabled", 10, 'play to stop after the divergence')
    print(f'[browser] ok: at lr 10 play stops with: {error}')
    b.eval("document.getElementById('lr').value = '0.1'")
    b.click('reset')
    b.wait_for("document.getElementById('status').textContent.startsWith('task course') && "
               "!document.getElementById('error').textContent", 10, 'the reset with lr 0.1')

    # Training: one step, then play; the loss over all 11 users (the "held out" line) falls.
    b.click('step')
    b.wait_for("document.getElementById('p-step').textContent === '1'", 10, 'one training step')
    first = float(text(b, 'p-held'))
    b.click('play')
    b.wait_for("Number(document.getElementById('p-step').textContent) >= 1000", 60, '1000 training steps')
    b.click('pause')
    b.wait_for("!document.getElementById('play').disabled", 10, 'the pause')
    after, step = float(text(b, 'p-held')), text(b, 'p-step')
    if not after < 0.7 * first:
        raise Failed(f'the course loss should fall in training: {first} after one step, {after} after {step}')
    if canvas_ink(b, 'loss-chart') < 0.002:
        raise Failed('the loss chart is blank after training')
    b.screenshot(f'{out}/view_loss_course.png', '#view-loss')
    b.screenshot(f'{out}/view_matrix_course.png', '#view-matrix')
    # What the student sees: after training, every rated cell of the net's output has the
    # array's colour (blue liked, red disliked), read from the canvas's pixels.
    wrong = b.eval("""(async () => {
        const { cellCorner } = await import('./views/matrix.js');
        const c = document.getElementById('matrix'), ctx = c.getContext('2d');
        const hue = (which, i, j) => { const [x, y] = cellCorner(which, i, j, 6);
            const [r, , b2] = ctx.getImageData(x + 2, y + 2, 1, 1).data;
            return Math.abs(b2 - r) < 10 ? 'blank' : b2 > r ? 'liked' : 'disliked'; };
        const wrong = [];
        for (let i = 0; i < 11; i++) for (let j = 0; j < 6; j++) {
            const want = hue(0, i, j);
            if (want !== 'blank' && hue(1, i, j) !== want) wrong.push(`user ${i + 1} movie ${j + 1}`);
        }
        return wrong; })()""")
    if wrong:
        raise Failed(f"after training, the net's output shown for rated cells should match the array; it does not at {wrong}")
    print("[browser] ok: after training the net's output has the array's colour on every rated cell")
    print(f'[browser] ok: the course loss falls from {first} (step 1) to {after} (step {step})')


def check_fashion(b, base, out):
    b.open(base + '/')
    b.wait_for("document.getElementById('status').textContent.startsWith('task')", 60, 'the engine')
    b.eval("(() => { const t = document.getElementById('task'); t.value = 'fashion';"
           " document.getElementById('model').value = 'sparse_l1'; t.dispatchEvent(new Event('change')); })()")
    b.wait_for("document.getElementById('status').textContent.startsWith('task fashion')", 60,
               'the Fashion-MNIST subset to load')
    b.click('play')
    b.wait_for("Number(document.getElementById('p-epoch').textContent) >= 1", 240, 'an epoch of the subset')
    b.click('pause')
    b.wait_for("!document.getElementById('play').disabled", 20, 'the pause')
    time.sleep(0.3)  # the last views
    status, step = text(b, 'status'), text(b, 'p-step')
    for canvas, least in (('recon', 0.3), ('filters', 0.3), ('codes', 0.01), ('loss-chart', 0.002)):
        ink = canvas_ink(b, canvas)
        if ink < least:
            raise Failed(f'the {canvas} canvas is (nearly) blank after an epoch: {ink:.3f} of its pixels drawn')
    # Inputs and reconstructions differ from each other but not wildly: the bottom row is drawn.
    bottom = b.eval("""(() => { const c = document.getElementById('recon');
        const d = c.getContext('2d').getImageData(0, c.height / 2, c.width, c.height / 2).data;
        const seen = new Set(); for (let i = 0; i < d.length; i += 4) seen.add(d[i]); return seen.size; })()""")
    if bottom < 16:
        raise Failed(f'the reconstructions (bottom row) have only {bottom} grey levels: not drawn')
    b.screenshot(f'{out}/page_fashion_sparse.png')
    for view in ('loss', 'recon', 'filters', 'codes'):
        b.screenshot(f'{out}/view_{view}_sparse.png', f'#view-{view}')
    print(f'[browser] ok: the sparse autoencoder trained an epoch ({step} steps; {status}) and drew '
          f'reconstructions ({bottom} grey levels), filters and the code plane')

    # A drawing, with real mouse events: its reconstruction and code appear.
    draw_strokes(b, [[(0.5, 0.2 + 0.06 * k) for k in range(11)]])
    code = b.wait_for("document.getElementById('drawn-code').textContent !== 'code: –' && "
                      "document.getElementById('drawn-code').textContent", 20, "the drawing's code")
    if canvas_ink(b, 'drawn-recon') < 0.05:
        raise Failed("the drawing's reconstruction is blank")
    b.screenshot(f'{out}/view_draw_sparse.png', '#view-draw')
    print(f'[browser] ok: a stroke drawn with the mouse gets its reconstruction and {code[:60]}…')

    # The same with a finger: touch events.
    b.click('pad-clear')
    if text(b, 'drawn-code') != 'code: –' or canvas_ink(b, 'pad') > 0:
        raise Failed('"clear" should blank the pad and the code')
    x0, y0, w = b.eval("""(() => { const r = document.getElementById('pad').getBoundingClientRect();
        return [r.left, r.top, r.width]; })()""")
    points = [(x0 + w * (0.2 + 0.06 * k), y0 + w * 0.5) for k in range(11)]
    b.send('Emulation.setTouchEmulationEnabled', {'enabled': True, 'maxTouchPoints': 1})
    b.send('Input.dispatchTouchEvent', {'type': 'touchStart', 'touchPoints': [{'x': points[0][0], 'y': points[0][1]}]})
    for x, y in points[1:]:
        b.send('Input.dispatchTouchEvent', {'type': 'touchMove', 'touchPoints': [{'x': x, 'y': y}]})
    b.send('Input.dispatchTouchEvent', {'type': 'touchEnd', 'touchPoints': []})
    b.send('Emulation.setTouchEmulationEnabled', {'enabled': False})
    b.wait_for("document.getElementById('drawn-code').textContent !== 'code: –'", 20, "the code of a stroke drawn by touch")
    if canvas_ink(b, 'drawn') < 0.02:
        raise Failed('a stroke drawn by touch left the drawing blank')
    b.screenshot(f'{out}/view_draw_touch.png', '#view-draw')
    print('[browser] ok: a stroke drawn by touch is encoded too')

    # A phone's width: the knobs above the views, nothing wider than the screen.
    b.send('Emulation.setDeviceMetricsOverride', {'width': 400, 'height': 800, 'deviceScaleFactor': 1, 'mobile': True})
    time.sleep(0.3)
    overflow = b.eval('document.documentElement.scrollWidth')
    b.screenshot(f'{out}/page_fashion_phone.png')
    b.send('Emulation.clearDeviceMetricsOverride')
    if overflow > 420:
        raise Failed(f'at a phone\'s width (400 px) the page is {overflow} px wide')
    print(f'[browser] ok: at a phone\'s width (400 px) the page is {overflow} px wide')


# Strokes on the drawing pad with real mouse events; each stroke is a list of (x, y) in
# 0..1 of the pad's width.
def draw_strokes(b, strokes):
    x0, y0, w = b.eval("""(() => { const e = document.getElementById('pad'); e.scrollIntoView();
        const r = e.getBoundingClientRect(); return [r.left, r.top, r.width]; })()""")
    for stroke in strokes:
        points = [(x0 + w * x, y0 + w * y) for x, y in stroke]
        b.send('Input.dispatchMouseEvent', {'type': 'mousePressed', 'x': points[0][0], 'y': points[0][1],
                                            'button': 'left', 'buttons': 1, 'clickCount': 1})
        for x, y in points[1:]:
            b.send('Input.dispatchMouseEvent', {'type': 'mouseMoved', 'x': x, 'y': y, 'button': 'left', 'buttons': 1})
        b.send('Input.dispatchMouseEvent', {'type': 'mouseReleased', 'x': points[-1][0], 'y': points[-1][1],
                                            'button': 'left', 'buttons': 0, 'clickCount': 1})


# Every Fashion-MNIST model and noise: a reset and a few steps each, no error, a drawn
# reconstruction.
def check_models(b, base, out):
    b.open(base + '/')
    b.wait_for("document.getElementById('status').textContent.startsWith('task')", 60, 'the engine')
    b.eval("(() => { const t = document.getElementById('task'); t.value = 'fashion';"
           " t.dispatchEvent(new Event('change')); })()")  # the fashion task's knobs
    b.wait_for("document.getElementById('status').textContent.startsWith('task fashion')", 60,
               'the reset that changing the task starts')
    cases = [('plain', None), ('sparse_kl', None), ('denoising', 'masking'), ('denoising', 'gaussian'),
             ('denoising', 'salt_pepper'), ('contractive', None), ('k_sparse', None), ('vae', None)]
    for model, noise in cases:
        b.eval(f"""(() => {{ document.getElementById('model').value = '{model}';
            if ('{noise}' !== 'None') document.getElementById('noise_kind').value = '{noise}';
            document.getElementById('status').textContent = '';
            document.getElementById('reset').click(); }})()""")
        b.wait_for("document.getElementById('status').textContent.startsWith('task fashion')", 60, f'the {model} reset')
        for n in range(1, 4):
            b.click('step')
            b.wait_for(f"document.getElementById('p-step').textContent === '{n}'", 60, f'{model}: step {n}')
        error = text(b, 'error')
        if error:
            raise Failed(f'{model} ({noise}): {error}')
        if canvas_ink(b, 'recon') < 0.3:
            raise Failed(f'{model} ({noise}): no reconstructions drawn')
        shown = b.eval("[...document.querySelectorAll('#knobs label')].filter(l => !l.hidden)"
                       ".map(l => l.textContent.trim().split(/\\s+/)[0]).join(' ')")
        b.screenshot(f'{out}/view_recon_{model}{"_" + noise if noise else ""}.png', '#view-recon')
        print(f'[browser] ok: {model}{" (" + noise + ")" if noise else ""}: 3 steps, loss {text(b, "p-loss")}; '
              f'knobs shown: {shown}')


MALFORMED_CSV = '1,10,5\n1,20,five\n'


def check_ratings(b, base, out):
    b.open(base + '/')
    b.wait_for("document.getElementById('status').textContent.startsWith('task')", 60, 'the engine')
    b.eval("(() => { const t = document.getElementById('task'); t.value = 'recommender';"
           " t.dispatchEvent(new Event('change')); })()")
    b.wait_for("document.getElementById('status').textContent.startsWith('task recommender')", 60, 'the recommender')
    b.eval(f"document.getElementById('csv').value = {json.dumps(MALFORMED_CSV)}")
    b.click('csv-load')
    error = b.wait_for("!document.getElementById('csv-error').hidden && document.getElementById('csv-error').textContent",
                       20, "the reader's error for a malformed CSV")
    if ':2:' not in error or 'five' not in error:
        raise Failed(f"the malformed CSV's error should name line 2 and the bad field 'five'; it says {error!r}")
    b.screenshot(f'{out}/view_ratings_error.png', '#view-ratings')
    print(f'[browser] ok: a malformed CSV gets the reader\'s message: {error}')

    # Good ratings: two groups of users who like opposite halves of 8 movies.
    rows = [f'{u},{m},{5 if (m <= 4) == (u % 2 == 0) else 1}' for u in range(1, 21) for m in range(1, 9)
            if (u + m) % 3 != 0]
    b.eval(f"document.getElementById('csv').value = {json.dumps(chr(10).join(rows) + chr(10))}")
    b.click('csv-load')
    b.wait_for("document.getElementById('csv-summary').textContent.startsWith('Loaded')", 20, 'the ratings to load')
    b.wait_for("document.getElementById('status').textContent.startsWith('task recommender')", 30, 'the reset')
    b.click('play')
    b.wait_for("Number(document.getElementById('p-step').textContent) >= 300", 60, '300 recommender steps')
    b.click('pause')
    b.wait_for("!document.getElementById('play').disabled", 10, 'the pause')
    b.click('rec-go')
    n = b.wait_for("document.querySelectorAll('#rec-table tbody tr').length", 20, 'the top movies of user 1')
    b.screenshot(f'{out}/view_ratings_top.png', '#view-ratings')
    b.screenshot(f'{out}/page_recommender.png')
    print(f'[browser] ok: the recommender trained on {len(rows)} pasted ratings; user 1 gets {n} movies '
          f'({text(b, "csv-summary")[:60]}…)')


def check_demos(b, base, out, steps):
    for name in ('course', 'sparse', 'vae', 'recommender'):
        t0 = time.monotonic()
        line, f = result_line(b, f'{base}/?demo={name}&steps={steps[name]}', 300)
        if not float(f['held_loss_end']) < float(f['held_loss_start']):
            raise Failed(f'demo {name}: the held-out loss should fall: {line}')
        b.screenshot(f'{out}/demo_{name}.png')
        if name == 'vae':
            b.screenshot(f'{out}/view_codes_vae.png', '#view-codes')
        print(f'[browser] ok: {line}   ({time.monotonic() - t0:.1f} s)')


    b.open(f'{base}/?demo=nope')
    line = b.wait_for("document.getElementById('result').textContent.startsWith('result:') && "
                      "document.getElementById('result').textContent", 60, 'the result line of ?demo=nope')
    if 'error=' not in line or 'course, sparse, vae, recommender' not in line:
        raise Failed(f'an unknown demo should get an error listing the demos; it got {line!r}')
    print(f'[browser] ok: {line}')


# The training step's time in WebAssembly (pg.bench), for the README's wasm/native rows.
def check_bench(b, base, out):
    for name in ('course', 'fashion'):
        line, f = result_line(b, f'{base}/?bench={name}', 300)
        if not float(f['step_us']) > 0:
            raise Failed(f'bench {name}: {line}')
        print(f'[browser] ok: {line}')


# The README's picture (playground/screenshot.png): the VAE demo after 400 steps, with a
# pair of trousers drawn on the pad, the whole page at 0.6 scale.
def readme_screenshot(b, base, path):
    line, _ = result_line(b, f'{base}/?demo=vae&steps=400', 300)
    legs = [[(x, 0.15 + 0.07 * k) for k in range(11)] for x in (0.4, 0.6)]
    draw_strokes(b, legs + [[(0.38 + 0.025 * k, 0.15) for k in range(10)]])
    b.wait_for("document.getElementById('drawn-code').textContent !== 'code: –'", 20, "the drawing's code")
    b.eval('window.scrollTo(0, 0)')
    height = b.eval('document.documentElement.scrollHeight')
    width = b.eval('document.documentElement.scrollWidth')
    data = b.send('Page.captureScreenshot', {'format': 'png', 'captureBeyondViewport': True,
                                             'clip': {'x': 0, 'y': 0, 'width': width, 'height': height, 'scale': 0.6}})
    with open(path, 'wb') as f:
        f.write(base64.b64decode(data['data']))
    print(f'[browser] wrote {path} ({line})')


CHECKS = {'course': check_course, 'fashion': check_fashion, 'models': check_models, 'ratings': check_ratings,
          'demos': check_demos, 'bench': check_bench}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('site', help='the built site (./lab playground --build-only DIR)')
    parser.add_argument('out', help='where the screenshots and the browser log go')
    parser.add_argument('--chromium', default=shutil.which('chromium') or '/usr/bin/chromium')
    parser.add_argument('--only', nargs='*', choices=list(CHECKS), help='run only these checks')
    parser.add_argument('--quick', action='store_true', help='fewer demo steps')
    parser.add_argument('--readme-screenshot', metavar='PNG', help="only write the README's picture to PNG")
    args = parser.parse_args()
    for needed in ('index.html', 'hourglass.js', 'hourglass.wasm'):
        if not os.path.isfile(os.path.join(args.site, needed)):
            print(f'[browser] {args.site} has no {needed}: build the site first '
                  f'(./lab playground --build-only {args.site})', file=sys.stderr)
            return 2
    if not os.access(args.chromium, os.X_OK):
        print(f'[browser] no Chromium at {args.chromium} (Debian package chromium)', file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    for old in os.listdir(args.out):  # the last run's screenshots
        if old.endswith('.png'):
            os.remove(os.path.join(args.out, old))
    steps = {'course': 300, 'sparse': 200, 'vae': 150, 'recommender': 300}
    if args.quick:
        steps = {k: max(20, v // 5) for k, v in steps.items()}

    # `timeout` sends SIGTERM: end like an exception, so that the browser is closed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit('[browser] stopped by SIGTERM (a timeout?)'))
    server = serve(args.site)
    base = f'http://127.0.0.1:{server.server_address[1]}'
    profile = tempfile.mkdtemp(prefix='hg-chromium-')
    browser = Browser(args.chromium, profile)
    passed, failed = 0, 0
    try:
        browser.attach()
        if args.readme_screenshot:
            readme_screenshot(browser, base, args.readme_screenshot)
            return 0
        for name in args.only or CHECKS:
            t0 = time.monotonic()
            try:
                if name == 'demos':
                    check_demos(browser, base, args.out, steps)
                else:
                    CHECKS[name](browser, base, args.out)
                if browser.page_errors():
                    raise Failed(f'the page reported errors: {browser.page_errors()}')
                passed += 1
                print(f'[browser] {name}: passed in {time.monotonic() - t0:.1f} s')
            except Failed as e:
                failed += 1
                print(f'[browser] {name}: FAILED after {time.monotonic() - t0:.1f} s: {e}')
                try:
                    browser.screenshot(f'{args.out}/failed_{name}.png')
                except Failed:
                    pass
            sys.stdout.flush()
    finally:
        browser.close()
        server.shutdown()
        shutil.copy(os.path.join(profile, 'chromium.log'), os.path.join(args.out, 'chromium.log'))
        shutil.rmtree(profile, ignore_errors=True)
    print(f'[browser] {passed} checks passed, {failed} failed; screenshots in {args.out}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
