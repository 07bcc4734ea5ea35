// The playground page: the knobs, the buttons and the views. It never trains: worker.js
// owns the engine (hourglass compiled to WebAssembly) and this file sends it commands and
// draws what comes back. The views' drawing is in views/.
import { LossChart } from './views/chart.js';
import { drawRecon, drawFilters, drawImage } from './views/images.js';
import { drawCodes, fillLegend } from './views/codes.js';
import { drawGraph, describeNode } from './views/graph.js';
import { drawMatrix } from './views/matrix.js';
import { DrawingPad } from './views/pad.js';

const $ = (id) => document.getElementById(id);

// ---- the worker, one promise per command --------------------------------------------
const worker = new Worker('worker.js');
const pending = new Map();
let nextId = 1;
function call(cmd, ...args) {
    const id = nextId++;
    return new Promise((resolve) => {
        pending.set(id, resolve);
        worker.postMessage({ id, cmd, args });
    });
}
worker.onmessage = (event) => {
    const m = event.data;
    if (m.id !== undefined) {
        pending.get(m.id)(m.reply);
        pending.delete(m.id);
    } else if (m.type === 'progress') {
        onProgress(m.train, m.views);
    } else if (m.type === 'stopped') {
        setPlaying(false);
        if (m.train && !m.train.ok) showError(m.train.error);  // e.g. the loss became NaN
        if (m.views) drawViews(m.views);
    }
};
worker.onerror = (e) => showError(`the worker failed: ${e.message}`);

// ---- state --------------------------------------------------------------------------
// Each task's starting knobs: the engine's defaults (playground/API.md), which are the
// tutorials' (tutorial 02 for the course net, 03 for the recommender).
const DEFAULTS = {
    course: { hidden: 3, activation: 'sigmoid', lr: 0.1, optimizer: 'sgd', batch: 1 },
    fashion: { hidden: 64, activation: 'sigmoid', lr: 0.001, optimizer: 'adam', batch: 64,
        noise_kind: 'masking', noise: 0.3, l1: 0.001, kl_weight: 0.1, kl_target: 0.05, contractive: 0.1, k: 20 },
    recommender: { hidden: 64, activation: 'sigmoid', lr: 0.001, optimizer: 'adam', batch: 32, noise: 0.3 },
};
// The learning rate that goes with each optimiser when the optimiser changes.
const DEFAULT_LR = {
    course: { sgd: 0.1, adam: 0.01, rmsprop: 0.01 },
    fashion: { sgd: 0.5, adam: 0.001, rmsprop: 0.001 },
    recommender: { sgd: 0.1, adam: 0.001, rmsprop: 0.001 },
};
// What the orange line is, per task.
const HELD_OUT = {
    course: 'the loss over all 11 users (the course has no held-out users)',
    fashion: 'the loss on the 500 held-out images',
    recommender: 'the RMSE of the predicted ratings on the held-out 20%',
};
// The views each task shows (the engine's view kinds; "loss" is the chart).
const VIEWS = { course: ['graph', 'recon'], fashion: ['recon', 'filters', 'codes'], recommender: [] };
const KNOBS = ['hidden', 'activation', 'lr', 'optimizer', 'batch', 'noise_kind', 'noise', 'l1', 'kl_weight',
    'kl_target', 'contractive', 'k'];
const NUMERIC = new Set(['hidden', 'lr', 'batch', 'noise', 'l1', 'kl_weight', 'kl_target', 'contractive', 'k']);

const chart = new LossChart($('loss-chart'));
let playing = false;
let drawnCode = null;    // the drawing's 2-D code (VAE only), shown on the code plane
let lastCodes = null;    // the last "codes" view

const task = () => $('task').value;
const model = () => $('model').value;

function showError(text) {
    $('error').textContent = text;
    $('error').hidden = !text;
}
function setStatus(text) { $('status').textContent = text; }

// Shows what belongs to the current task and model, hides the rest. data-show lists where
// an element belongs: "course" (a task, any model), "fashion:vae" (a task and a model) or
// "fashion:-vae" (a task, any model but that one).
function shownFor(tokens) {
    return tokens.split(' ').some((token) => {
        const [t, m] = token.split(':');
        if (t !== task()) return false;
        if (m === undefined) return true;
        return m.startsWith('-') ? model() !== m.slice(1) : model() === m;
    });
}
function updateVisibility() {
    for (const e of document.querySelectorAll('[data-show]')) e.hidden = !shownFor(e.dataset.show);
    $('held-what').textContent = HELD_OUT[task()];
    $('noise-name').textContent = task() === 'recommender' ? 'Input dropout' : 'Noise level';
}

// The task's defaults; a knob the task does not use keeps the fashion task's default, so
// that no knob is ever empty.
function applyDefaults() {
    for (const [knob, value] of Object.entries({ ...DEFAULTS.fashion, ...DEFAULTS[task()] })) $(knob).value = value;
    $('noise-out').textContent = $('noise').value;
}

// The reset config: the task, its model, and every knob the page shows for them.
function config() {
    const c = { task: task() };
    if (task() === 'fashion') c.model = model();
    for (const knob of KNOBS) {
        if ($(knob).closest('label').hidden) continue;
        c[knob] = NUMERIC.has(knob) ? Number($(knob).value) : $(knob).value;
    }
    return c;
}

// ---- reset, play, pause, step -------------------------------------------------------
async function reset() {
    await pause();
    showError('');
    chart.clear();
    updateVisibility();
    setStatus('resetting…');
    const r = await call('reset', config());
    if (!r.ok) {
        showError(r.error);
        setStatus('reset failed: see the message under Run');
        return false;
    }
    setStatus(`task ${r.task}: ${r.n_train} training and ${r.n_held} held-out examples, ${r.params} parameters`);
    $('p-step').textContent = '0';
    $('p-epoch').textContent = '0';
    $('p-loss').textContent = '–';
    $('p-held').textContent = '–';
    await call('setViews', VIEWS[task()]);
    drawViews((await call('views')).views);
    if (task() === 'recommender') {
        const set = await call('view', 'ratings');
        if (set.ok) $('csv-summary').textContent = `Training on ${set.ratings} ratings of ${set.users} users on `
            + `${set.movies} movies. The set, as the engine names it: ${set.source}.`;
    }
    if (task() === 'course') {
        $('g-rule').textContent = 'The values of a forward pass. Press "step backward" to run the backward rules one at a time.';
        showGraph(await call('forward'));
    }
    return true;
}

function setPlaying(on) {
    playing = on;
    $('play').disabled = on;
    $('pause').disabled = !on;
}

async function play() {
    setPlaying(true);
    await call('play');
}

async function pause() {
    if (!playing) return;
    await call('pause');
    setPlaying(false);
}

async function oneStep() {
    await pause();
    const r = await call('train', 1);
    onProgress(r, (await call('views')).views);
}

// ---- what comes back ---------------------------------------------------------------
function onProgress(train, views) {
    if (!train.ok) {
        showError(train.error);
        return;
    }
    $('p-step').textContent = train.step;
    $('p-epoch').textContent = train.epoch.toFixed(2);
    $('p-loss').textContent = train.loss.toPrecision(4);
    $('p-held').textContent = Number.isFinite(train.held_loss) ? train.held_loss.toPrecision(4) : '–';
    chart.add(train.step, train.loss, train.held_loss);
    if (views) drawViews(views);
}

function drawViews(views) {
    for (const [kind, v] of Object.entries(views || {})) {
        if (!v.ok) { showError(v.error); continue; }
        if (kind === 'recon' && task() === 'course') drawMatrix($('matrix'), v);
        else if (kind === 'recon') drawRecon($('recon'), v);
        else if (kind === 'filters') drawFilters($('filters'), v);
        else if (kind === 'codes') {
            lastCodes = v;
            $('codes-axes').textContent = v.axes;
            drawCodes($('codes'), v.points, drawnCode);
        } else if (kind === 'graph') showGraph(v);
    }
}

// ---- the course net's graph, one backward rule at a time --------------------------------
let lastGraph = null;     // the last "graph" view, for the node details
let pickedNode = null;    // the id of the node whose details are shown

function showNode() {
    const node = lastGraph && lastGraph.nodes.find((n) => n.id === pickedNode);
    $('g-node').hidden = !node;
    if (node) $('g-node').textContent = describeNode(node);
}

function showGraph(view) {
    if (!view.ok) { showError(view.error); return; }
    lastGraph = view;
    const current = drawGraph($('graph'), view);
    if (current && !view.done) pickedNode = current.id;
    showNode();
    if (view.done) {
        $('g-rule').textContent = 'The backward pass is done: every parameter has its gradient. '
            + '"Apply the step" updates the weights with them.';
    } else if (current) {
        $('g-rule').textContent = `${current.name || current.op}: ${current.rule}`;
    }
    $('g-apply').disabled = !view.done;
}

// A click on a node shows its value and gradient in full.
$('graph').onclick = (event) => {
    const node = event.target.closest('.node');
    if (!node) return;
    pickedNode = Number(node.dataset.id);
    showNode();
};

$('g-forward').onclick = async () => {
    await pause();
    $('g-rule').textContent = 'A fresh forward pass: values, no gradients yet. Press "step backward".';
    showGraph(await call('forward'));
};
$('g-back').onclick = async () => { await pause(); showGraph(await call('backward_step')); };
$('g-apply').onclick = async () => {
    const r = await call('apply_step');
    if (!r.ok) { showError(r.error); return; }
    $('p-loss').textContent = r.loss.toPrecision(4);
    $('g-rule').textContent = `Weights updated (the loss of that pass was ${r.loss.toPrecision(4)}). A new forward pass:`;
    showGraph(await call('forward'));
    drawViews({ recon: await call('view', 'recon') });
};

// ---- draw your own ---------------------------------------------------------------------
const pad = new DrawingPad($('pad'), () => encodeDrawing());
$('pad-clear').onclick = () => {
    pad.clear();
    for (const id of ['drawn', 'drawn-recon']) $(id).getContext('2d').clearRect(0, 0, $(id).width, $(id).height);
    $('drawn-code').textContent = 'code: –';
    drawnCode = null;
    if (lastCodes) drawCodes($('codes'), lastCodes.points);
};

async function encodeDrawing() {
    const pixels = pad.pixels();
    const r = await call('encode', pixels);
    if (!r.ok) { showError(r.error); return; }
    drawImage($('drawn').getContext('2d'), pixels, 28, 28, 0, 0, 112);
    drawImage($('drawn-recon').getContext('2d'), r.recon, 28, 28, 0, 0, 112);
    const shown = r.code.slice(0, 8).map((v) => v.toFixed(2)).join(', ');
    $('drawn-code').textContent = r.code.length > 8 ? `code: [${shown}, …] (${r.code.length} numbers)` : `code: [${shown}]`;
    drawnCode = r.code.length === 2 ? r.code : null;
    if (lastCodes) drawCodes($('codes'), lastCodes.points, drawnCode);
}

// ---- own ratings -----------------------------------------------------------------------
$('csv-file').onchange = async () => {
    const file = $('csv-file').files[0];
    if (file) $('csv').value = await file.text();
};
$('csv-load').onclick = async () => {
    await pause();
    const r = await call('load_ratings', $('csv').value);
    $('csv-error').hidden = r.ok;
    if (!r.ok) {
        $('csv-error').textContent = r.error;  // the C++ reader's message, as it is
        return;
    }
    await reset();
    $('csv-summary').textContent = `Loaded ${r.ratings} ratings of ${r.users} users on ${r.movies} movies; `
        + 'the recommender now trains on them (press play).';
};
$('rec-go').onclick = async () => {
    const r = await call('recommend', Number($('rec-user').value), 10);
    const body = $('rec-table').querySelector('tbody');
    if (!r.ok) { showError(r.error); body.replaceChildren(); return; }
    showError('');
    body.replaceChildren(...r.items.map((item) => {
        const row = document.createElement('tr');
        for (const text of [item.movie, item.title, item.predicted.toFixed(2)]) {
            const cell = document.createElement('td');
            cell.textContent = text;
            row.append(cell);
        }
        return row;
    }));
};

// ---- wiring --------------------------------------------------------------------------------
$('task').onchange = () => { applyDefaults(); reset(); };
$('model').onchange = () => reset();
$('noise').oninput = () => { $('noise-out').textContent = $('noise').value; };
$('optimizer').onchange = () => { $('lr').value = DEFAULT_LR[task()][$('optimizer').value]; };
$('play').onclick = play;
$('pause').onclick = pause;
$('step').onclick = oneStep;
$('reset').onclick = reset;
fillLegend($('legend'));

// ---- ?demo=NAME&steps=N and ?bench=TASK: train without clicks, one result line ---------------
const DEMOS = {
    course: { task: 'course' },
    sparse: { task: 'fashion', model: 'sparse_l1' },
    vae: { task: 'fashion', model: 'vae' },
    recommender: { task: 'recommender' },
};

function writeResult(fields) {
    $('result').textContent = `result: ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' ')}`;
}

async function demo(name, steps) {
    const d = DEMOS[name];
    if (!d) return writeResult({ demo: name, error: `"no demo '${name}' (there are: ${Object.keys(DEMOS).join(', ')})"` });
    if (!(steps >= 1)) return writeResult({ demo: name, error: '"steps must be a whole number of at least 1"' });
    $('task').value = d.task;
    applyDefaults();
    if (d.model) $('model').value = d.model;
    if (!(await reset())) return writeResult({ demo: name, error: JSON.stringify($('error').textContent) });
    const started = performance.now();
    const first = await call('train', 1);
    if (!first.ok) return writeResult({ demo: name, error: JSON.stringify(first.error) });
    onProgress(first, null);
    setPlaying(true);
    const run = steps > 1 ? await call('run', steps - 1) : { ok: true, last: first };
    setPlaying(false);
    const seconds = (performance.now() - started) / 1000;
    const last = run.last;
    if (!run.ok) return writeResult({ demo: name, error: JSON.stringify(last.error) });
    drawViews((await call('views')).views);
    writeResult({ demo: name, steps: last.step, loss_start: first.loss.toPrecision(4), loss_end: last.loss.toPrecision(4),
        held_loss_start: first.held_loss.toPrecision(4), held_loss_end: last.held_loss.toPrecision(4),
        seconds: seconds.toFixed(2) });
}

async function bench(name, steps) {
    if (!['course', 'fashion'].includes(name))
        return writeResult({ bench: name, error: `"no bench '${name}' (there are: course, fashion)"` });
    setStatus(`timing ${steps} training steps of the ${name} task…`);
    // A first run lets the browser finish compiling the engine's hot functions with its
    // optimising compiler (it starts them on a quick baseline one); the second is timed.
    const warm = await call('bench', name, steps);
    if (!warm.ok) return writeResult({ bench: name, error: JSON.stringify(warm.error) });
    const r = await call('bench', name, steps);
    if (!r.ok) return writeResult({ bench: name, error: JSON.stringify(r.error) });
    setStatus(`bench ${name}: ${r.step_us.toFixed(1)} µs a step`);
    writeResult({ bench: name, steps, step_us: r.step_us.toFixed(1) });
}

const query = new URLSearchParams(location.search);
applyDefaults();
if (query.has('demo')) {
    demo(query.get('demo'), Number(query.get('steps') || 200));
} else if (query.has('bench')) {
    bench(query.get('bench'), Number(query.get('steps') || (query.get('bench') === 'course' ? 20000 : 200)));
} else {
    reset();
}
