// The loss chart: training loss per step and held-out loss, drawn on a canvas by hand
// (a log scale when the loss spans more than a factor of ten).

export class LossChart {
    constructor(canvas) {
        this.canvas = canvas;
        this.clear();
    }

    clear() {
        this.train = [];  // [step, loss]
        this.held = [];
        this.draw();
    }

    add(step, loss, heldLoss) {
        if (Number.isFinite(loss)) this.train.push([step, loss]);
        if (Number.isFinite(heldLoss)) this.held.push([step, heldLoss]);
        this.draw();
    }

    draw() {
        const c = this.canvas.getContext('2d');
        const { width: w, height: h } = this.canvas;
        const left = 56, right = 12, top = 12, bottom = 28;
        c.clearRect(0, 0, w, h);
        c.fillStyle = '#fff';
        c.fillRect(0, 0, w, h);
        const all = this.train.concat(this.held);
        c.font = '12px sans-serif';
        c.fillStyle = '#555';
        if (all.length === 0) {
            c.fillText('press play or one step', left, h / 2);
            return;
        }
        const maxStep = Math.max(1, ...all.map((p) => p[0]));
        let lo = Math.min(...all.map((p) => p[1]));
        let hi = Math.max(...all.map((p) => p[1]));
        const log = lo > 0 && hi / lo > 10;
        const f = log ? Math.log10 : (v) => v;
        if (hi === lo) { hi += 0.5 * Math.abs(hi) || 1; lo -= 0.5 * Math.abs(lo) || 1; }
        const x = (s) => left + (w - left - right) * s / maxStep;
        const y = (v) => top + (h - top - bottom) * (f(hi) - f(v)) / (f(hi) - f(lo));

        c.strokeStyle = '#ccc';
        c.beginPath();
        c.moveTo(left, top);
        c.lineTo(left, h - bottom);
        c.lineTo(w - right, h - bottom);
        c.stroke();
        c.fillText(hi.toPrecision(3), 4, top + 10);
        c.fillText(lo.toPrecision(3), 4, h - bottom);
        c.fillText(`step ${maxStep}${log ? '   (log scale)' : ''}`, w - right - 150, h - 8);

        const line = (points, colour) => {
            if (points.length === 0) return;
            c.strokeStyle = colour;
            c.lineWidth = 1.5;
            c.beginPath();
            // At most about one point per pixel: keep the last of each pixel column.
            const every = Math.max(1, Math.floor(points.length / (w - left - right)));
            points.forEach(([s, v], i) => {
                if (i % every !== 0 && i !== points.length - 1) return;
                if (i === 0) c.moveTo(x(s), y(v)); else c.lineTo(x(s), y(v));
            });
            c.stroke();
            if (points.length === 1) c.fillRect(x(points[0][0]) - 2, y(points[0][1]) - 2, 4, 4);
        };
        line(this.train, '#1f77b4');
        line(this.held, '#ff7f0e');
    }
}
