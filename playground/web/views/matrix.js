// The course's 11 x 6 array beside the net's output for it: one cell per user and movie,
// blue for liked (+1), red for disliked (−1), white for blank (0), the output's number in
// each cell.

function cellColour(v) {
    const a = Math.min(1, Math.abs(v));
    return v >= 0 ? `rgba(31, 119, 180, ${a})` : `rgba(214, 39, 40, ${a})`;
}

const cw = 34, ch = 20, label = 26, top = 34, gap = 40;  // cell size, margins (pixels)

// The top-left corner of cell (i, j) of the input grid (which = 0) or the output grid (1).
export function cellCorner(which, i, j, cols) {
    return [label + which * (cols * cw + gap) + j * cw, top + i * ch];
}

// view: the course's "recon" view {inputs: [11 rows of 6], outputs: [...], movies: [6 titles]}.
export function drawMatrix(canvas, view) {
    const ctx = canvas.getContext('2d');
    const rows = view.inputs.length, cols = view.inputs[0] ? view.inputs[0].length : 0;
    canvas.width = label + 2 * cols * cw + gap;
    canvas.height = top + rows * ch + 4;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.font = '12px sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const grid = (matrix, x0, title, numbers) => {
        ctx.fillStyle = '#222';
        ctx.fillText(title, x0 + cols * cw / 2, 8);
        for (let j = 0; j < cols; j++) ctx.fillText(`m${j + 1}`, x0 + (j + 0.5) * cw, top - 10);
        matrix.forEach((row, i) => row.forEach((v, j) => {
            ctx.fillStyle = cellColour(v);
            ctx.fillRect(x0 + j * cw, top + i * ch, cw - 2, ch - 2);
            if (numbers) {
                ctx.fillStyle = Math.abs(v) > 0.6 ? '#fff' : '#222';
                ctx.fillText(v.toFixed(1), x0 + (j + 0.5) * cw - 1, top + (i + 0.5) * ch - 1);
            }
        }));
    };
    ctx.fillStyle = '#555';
    for (let i = 0; i < rows; i++) ctx.fillText(`u${i + 1}`, label / 2, top + (i + 0.5) * ch - 1);
    grid(view.inputs, cellCorner(0, 0, 0, cols)[0], 'the array (input)', false);
    grid(view.outputs, cellCorner(1, 0, 0, cols)[0], "the net's output", true);
}
