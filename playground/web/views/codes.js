// The code plane: one dot per held-out image at its 2-D code, coloured by its class.

// Fashion-MNIST's ten classes, in label order (Xiao, Rasul and Vollgraf 2017).
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
    'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
// Ten colours that stay apart (the "category10" palette).
export const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
    '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function fillLegend(list) {
    list.replaceChildren(...FASHION_CLASSES.map((name, i) => {
        const item = document.createElement('li');
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = COLOURS[i];
        item.append(swatch, ` ${i} ${name}`);
        return item;
    }));
}

// points: [[x, y, label], ...]; extra: an optional [x, y] drawn as a ring (the drawing).
export function drawCodes(canvas, points, extra = null) {
    const ctx = canvas.getContext('2d');
    const { width: w, height: h } = canvas;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    const all = extra ? points.concat([[extra[0], extra[1], -1]]) : points;
    if (all.length === 0) return;
    const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const pad = 10;
    const sx = (v) => pad + (w - 2 * pad) * (v - x0) / (x1 - x0 || 1);
    const sy = (v) => h - pad - (h - 2 * pad) * (v - y0) / (y1 - y0 || 1);
    for (const [x, y, label] of points) {
        ctx.fillStyle = COLOURS[label % 10];
        ctx.fillRect(sx(x) - 2, sy(y) - 2, 4, 4);
    }
    if (extra) {
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.arc(sx(extra[0]), sy(extra[1]), 7, 0, 2 * Math.PI);
        ctx.stroke();
    }
}
