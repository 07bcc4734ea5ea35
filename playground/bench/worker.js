// The WebAssembly side of playground/bench.py, in a Web Worker as the page trains: the
// engine's pg.bench(task, steps) for the course net and the Fashion-MNIST autoencoder,
// repeated, reporting the fastest repetition (the least disturbed by other work).
importScripts('../hourglass.js');
const params = new URLSearchParams(self.location.search);
const reps = Number(params.get('reps') || 5);
// The loader looks for hourglass.wasm beside this script unless told where it is.
createHourglass({locateFile: file => '../' + file}).then(async hg => {
    const pg = new hg.Playground();
    const files = ['../data/fashion-images-idx3-ubyte', '../data/fashion-labels-idx1-ubyte'];
    const [images, labels] = await Promise.all(files.map(f => fetch(f).then(r => r.arrayBuffer())));
    pg.load_images(new Uint8Array(images), new Uint8Array(labels));
    const best = {course: Infinity, fashion: Infinity};
    for (let rep = 0; rep < reps; rep++) {
        for (const [task, steps] of [['course', 20000], ['fashion', 200]]) {
            const r = JSON.parse(pg.bench(task, steps));
            if (!r.ok) { postMessage('error: ' + r.error); return; }
            best[task] = Math.min(best[task], r.step_us);
        }
    }
    postMessage(`result: course_us=${best.course.toFixed(3)} fashion_us=${best.fashion.toFixed(1)}`);
});
