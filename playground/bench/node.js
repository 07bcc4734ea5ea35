// The same timing under node (playground/bench.py): the loader is built for the web, so it
// is evaluated with the few worker globals it looks for, and handed the .wasm bytes itself.
const fs = require('fs');
const site = process.argv[2], reps = Number(process.argv[3] || 5);
globalThis.self = globalThis;
globalThis.importScripts = () => {};
globalThis.location = {href: 'file://' + site + '/'};
(0, eval)(fs.readFileSync(site + '/hourglass.js', 'utf8') + '\nglobalThis.createHourglass = createHourglass;');
createHourglass({wasmBinary: fs.readFileSync(site + '/hourglass.wasm')}).then(hg => {
    const pg = new hg.Playground();
    const read = f => new Uint8Array(fs.readFileSync(site + '/data/' + f));
    pg.load_images(read('fashion-images-idx3-ubyte'), read('fashion-labels-idx1-ubyte'));
    const best = {course: Infinity, fashion: Infinity};
    for (let rep = 0; rep < reps; rep++)
        for (const [task, steps] of [['course', 20000], ['fashion', 200]])
            best[task] = Math.min(best[task], JSON.parse(pg.bench(task, steps)).step_us);
    console.log(`result: course_us=${best.course.toFixed(3)} fashion_us=${best.fashion.toFixed(1)}`);
});
