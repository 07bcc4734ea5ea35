// The page's worker: it loads the engine (hourglass.js + hourglass.wasm, built from
// playground/engine/), owns the one hg::playground::Playground, and trains it in chunks of
// a few tens of milliseconds, posting the loss and the views the page shows after each
// chunk. Training never runs on the page's own thread, so the page stays responsive.
//
// Messages from the page: {id, cmd, args}. Each gets one reply {id, reply} (the engine's
// answer, parsed from its JSON). While "play" or "run" trains, the worker also posts
// {type: "progress", train, views} after every chunk and {type: "stopped", views} at the end.
/* global createHourglass */
let loadError = null;
try {
    importScripts('hourglass.js');
} catch (e) {
    loadError = `cannot load the engine (hourglass.js): ${e.message}`;
}

// The Fashion-MNIST subset shipped with the site (uncompressed IDX files made by
// playground/make_fashion_subset.py from Debian's dataset-fashion-mnist).
const FASHION_IMAGES = 'data/fashion-images-idx3-ubyte';
const FASHION_LABELS = 'data/fashion-labels-idx1-ubyte';

let pg = null;           // the Playground
let running = false;     // a "play" or "run" loop is training
let viewKinds = [];      // the views the page shows for the current task ("recon", ...)
let lastViews = 0;       // when the views were last sent (ms)
let imagesLoaded = false;

// Every command waits for the engine; if it cannot load, each one answers with the reason.
const engine = loadError ? Promise.reject(new Error(loadError))
    : createHourglass().then((hg) => { pg = new hg.Playground(); });
engine.catch(() => {});  // reported by each command's reply

const parse = (json) => JSON.parse(json);
const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

async function fetchBytes(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
}

// The views the page asked for, in one object {kind: answer}.
function currentViews() {
    const views = {};
    for (const kind of viewKinds) views[kind] = parse(pg.view(kind));
    lastViews = performance.now();
    return views;
}

// Train `limit` steps (Infinity: until paused) in chunks sized to take about 50 ms each,
// posting the progress after each chunk and the views at most five times a second.
async function trainLoop(limit) {
    running = true;
    let done = 0;
    let chunk = 1;
    let last = null;
    const started = performance.now();
    while (running && done < limit) {
        const steps = Math.min(chunk, limit - done);
        const t0 = performance.now();
        last = parse(pg.train(steps));
        const ms = performance.now() - t0;
        if (!last.ok) break;
        done += steps;
        chunk = Math.max(1, Math.min(2000, Math.round(steps * 50 / Math.max(ms, 0.01))));
        const views = performance.now() - lastViews > 200 ? currentViews() : null;
        postMessage({ type: 'progress', train: last, views });
        await pause();  // lets a "pause" message in
    }
    running = false;
    // The views once more, as training left them (a pause may come between two sends).
    postMessage({ type: 'stopped', train: last, steps: done, seconds: (performance.now() - started) / 1000,
        views: last && last.ok ? currentViews() : null });
    return { ok: last ? last.ok : true, steps: done, last };
}

// The fashion task trains on the images handed over once by load_images.
async function loadImages() {
    if (imagesLoaded) return { ok: true };
    const [images, labels] = await Promise.all([fetchBytes(FASHION_IMAGES), fetchBytes(FASHION_LABELS)]);
    const loaded = parse(pg.load_images(images, labels));
    imagesLoaded = loaded.ok;
    return loaded;
}

const commands = {
    async reset(config) {
        running = false;
        if (config.task === 'fashion') {
            const loaded = await loadImages();
            if (!loaded.ok) return loaded;
        }
        return parse(pg.reset(JSON.stringify(config)));
    },
    setViews(kinds) { viewKinds = kinds; return { ok: true }; },
    views() { return { ok: true, views: currentViews() }; },
    view(kind) { return parse(pg.view(kind)); },
    train(steps) { return parse(pg.train(steps)); },
    play() { if (!running) trainLoop(Infinity); return { ok: true }; },
    run(steps) { return trainLoop(steps); },
    pause() { running = false; return { ok: true }; },
    forward() { return parse(pg.forward()); },
    backward_step() { return parse(pg.backward_step()); },
    apply_step() { return parse(pg.apply_step()); },
    encode(pixels) { return parse(pg.encode(pixels)); },
    load_ratings(text) { return parse(pg.load_ratings(text)); },
    recommend(user, k) { return parse(pg.recommend(user, k)); },
    async bench(task, steps) {
        if (task === 'fashion') {
            const loaded = await loadImages();
            if (!loaded.ok) return loaded;
        }
        return parse(pg.bench(task, steps));
    },
};

onmessage = async (event) => {
    const { id, cmd, args } = event.data;
    let reply;
    try {
        await engine;
        if (!(cmd in commands)) throw new Error(`the worker has no command '${cmd}'`);
        reply = await commands[cmd](...(args || []));
    } catch (e) {
        // Only the worker's own failures land here (a missing file, the engine not
        // loading): the engine itself answers {"ok": false, "error": ...}.
        reply = { ok: false, error: String(e && e.message ? e.message : e) };
    }
    postMessage({ id, reply });
};
