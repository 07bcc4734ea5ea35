// The drawing pad: white strokes on black, like Fashion-MNIST's images, drawn with the
// mouse, a pen or a finger (pointer events cover all three; the CSS's touch-action: none
// keeps a finger from scrolling the page instead).

export class DrawingPad {
    // onStroke() is called at the end of each stroke.
    constructor(canvas, onStroke) {
        this.canvas = canvas;
        this.ctx = canvas.getContext('2d');
        this.clear();
        let drawing = false;
        canvas.addEventListener('pointerdown', (e) => {
            drawing = true;
            canvas.setPointerCapture(e.pointerId);
            this.ctx.beginPath();
            this.ctx.moveTo(...this.point(e));
        });
        canvas.addEventListener('pointermove', (e) => {
            if (!drawing) return;
            this.ctx.strokeStyle = '#fff';
            this.ctx.lineWidth = 18;
            this.ctx.lineCap = this.ctx.lineJoin = 'round';
            this.ctx.lineTo(...this.point(e));
            this.ctx.stroke();
        });
        canvas.addEventListener('pointerup', () => { drawing = false; onStroke(); });
    }

    clear() {
        this.ctx.fillStyle = '#000';
        this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    }

    // An event's place in the canvas's own pixels (the canvas may be shown scaled).
    point(e) {
        const box = this.canvas.getBoundingClientRect();
        return [(e.clientX - box.left) * this.canvas.width / box.width, (e.clientY - box.top) * this.canvas.height / box.height];
    }

    // The pad shrunk to 28 x 28 (smoothing averages each 8 x 8 block), as 784 numbers in 0..1.
    pixels() {
        const small = new OffscreenCanvas(28, 28);
        const ctx = small.getContext('2d');
        ctx.imageSmoothingQuality = 'high';
        ctx.drawImage(this.canvas, 0, 0, 28, 28);
        const rgba = ctx.getImageData(0, 0, 28, 28).data;
        return Float32Array.from({ length: 784 }, (_, i) => rgba[4 * i] / 255);
    }
}
