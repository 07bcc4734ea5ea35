// Grey-scale images on a canvas: reconstructions beside inputs, filters, the drawing.

// Draws `pixels` (width x height numbers, row by row) into the cell at (x, y) of size
// `size`, mapping lo..hi to black..white (pixels outside are clamped).
export function drawImage(ctx, pixels, width, height, x, y, size, lo = 0, hi = 1) {
    const image = ctx.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
        const v = Math.round(255 * Math.min(1, Math.max(0, (pixels[i] - lo) / (hi - lo || 1))));
        image.data.set([v, v, v, 255], 4 * i);
    }
    // Scale up without smoothing: draw at 1:1 on a scratch canvas, then copy scaled.
    const scratch = new OffscreenCanvas(width, height);
    scratch.getContext('2d').putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(scratch, x, y, size, size);
}

// The "recon" view: inputs on the top row, outputs below.
export function drawRecon(canvas, view) {
    const ctx = canvas.getContext('2d');
    const n = view.inputs.length;
    const size = Math.floor(canvas.width / Math.max(n, 1));
    canvas.height = 2 * size;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    view.inputs.forEach((img, i) => drawImage(ctx, img, view.width, view.height, i * size, 0, size - 2));
    view.outputs.forEach((img, i) => drawImage(ctx, img, view.width, view.height, i * size, size, size - 2));
}

// The "filters" view: a square grid, each filter scaled to its own largest |weight| so
// that 0 is mid-grey.
export function drawFilters(canvas, view) {
    const ctx = canvas.getContext('2d');
    const n = view.filters.length;
    const per = Math.max(1, Math.ceil(Math.sqrt(n)));
    const size = Math.floor(canvas.width / per);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    view.filters.forEach((f, i) => {
        const m = Math.max(1e-8, ...f.map(Math.abs));
        drawImage(ctx, f, view.width, view.height, (i % per) * size, Math.floor(i / per) * size, size - 2, -m, m);
    });
}
