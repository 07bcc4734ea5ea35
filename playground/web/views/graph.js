// The course net's graph as an SVG: one box per node (parameter, constant or op), its
// value and, once the backward pass has reached it, its gradient; arrows from inputs to
// the ops that use them. Inputs on the left, the loss on the right; a long chain wraps into
// bands of six columns, read like lines of text.

const SVG = 'http://www.w3.org/2000/svg';
const BOX_W = 190, BOX_H = 74, GAP_X = 40, GAP_Y = 16, PER_BAND = 6;

function element(name, attributes, text) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
}

// A tensor's first few numbers, e.g. "[0.12 −0.5 0.9 …]".
export function preview(values, count = 3) {
    if (!values) return '–';
    const shown = values.slice(0, count).map((v) => (Math.abs(v) >= 100 ? v.toExponential(1) : v.toFixed(2)));
    return `[${shown.join(' ')}${values.length > count ? ' …' : ''}]`;
}

// Columns by depth: an op sits one column right of its deepest input.
function layout(nodes, edges) {
    const depth = new Map(nodes.map((n) => [n.id, 0]));
    for (let changed = true, rounds = 0; changed && rounds <= nodes.length; rounds++) {
        changed = false;
        for (const [from, to] of edges) {
            if (depth.get(to) < depth.get(from) + 1) { depth.set(to, depth.get(from) + 1); changed = true; }
        }
    }
    // A leaf (parameter or constant) moves right, to the column just before its first user.
    const hasInput = new Set(edges.map(([, to]) => to));
    for (const n of nodes) {
        if (hasInput.has(n.id)) continue;
        const users = edges.filter(([from]) => from === n.id).map(([, to]) => depth.get(to));
        if (users.length) depth.set(n.id, Math.min(...users) - 1);
    }
    const columns = [];
    for (const n of nodes) (columns[depth.get(n.id)] ||= []).push(n);
    // Long chains wrap: PER_BAND columns side by side, then the next band below.
    const bands = [];
    for (let c = 0; c < columns.length; c += PER_BAND) bands.push(columns.slice(c, c + PER_BAND));
    const bandHeight = bands.map((band) => Math.max(...band.map((col) => (col || []).length)) * (BOX_H + GAP_Y) + GAP_Y);
    const place = new Map();
    let y0 = 8;
    bands.forEach((band, b) => {
        band.forEach((col, c) => (col || []).forEach((n, r) => place.set(n.id, {
            x: 8 + c * (BOX_W + GAP_X), y: y0 + r * (BOX_H + GAP_Y) })));
        y0 += bandHeight[b] + GAP_Y;
    });
    const width = 16 + Math.min(PER_BAND, columns.length) * (BOX_W + GAP_X) - GAP_X;
    return { place, width, height: y0 };
}

// Draws the "graph" view into `container`; returns the current node (or null).
export function drawGraph(container, view) {
    const { place, width, height } = layout(view.nodes, view.edges);
    const svg = element('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img',
        'aria-label': 'the computation graph of the course net' });
    const marker = element('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5,
        markerWidth: 6, markerHeight: 6, orient: 'auto' });
    marker.append(element('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#888' }));
    const defs = element('defs', {});
    defs.append(marker);
    svg.append(defs);
    for (const [from, to] of view.edges) {
        const a = place.get(from), b = place.get(to);
        if (!a || !b) continue;
        svg.append(element('line', { x1: a.x + BOX_W, y1: a.y + BOX_H / 2, x2: b.x, y2: b.y + BOX_H / 2,
            stroke: '#888', 'marker-end': 'url(#arrow)' }));
    }
    let current = null;
    for (const n of view.nodes) {
        const p = place.get(n.id);
        const isCurrent = n.id === view.current;
        if (isCurrent) current = n;
        const g = element('g', { class: `node ${n.kind}${isCurrent ? ' current' : ''}${n.grad ? ' has-grad' : ''}`,
            'data-id': n.id, transform: `translate(${p.x},${p.y})` });
        g.append(element('rect', { width: BOX_W, height: BOX_H, rx: 6 }));
        const title = n.kind === 'op' ? `${n.name || n.op}` : `${n.name} (${n.kind})`;
        g.append(element('text', { x: 6, y: 15, class: 'title' }, `${title}  ${n.shape.join('×')}`));
        g.append(element('text', { x: 6, y: 33 }, `value ${preview(n.value)}`));
        g.append(element('text', { x: 6, y: 51, class: 'grad' }, `grad ${preview(n.grad)}`));
        if (n.kind === 'op') g.append(element('text', { x: 6, y: 68, class: 'op' }, n.op));
        g.append(element('title', {}, `${title}\nrule: ${n.rule || '(none: a leaf)'}`));
        svg.append(g);
    }
    container.replaceChildren(svg);
    return current;
}

// One node in full: its value and gradient as matrices (rows x cols), and its rule.
export function describeNode(node) {
    const [rows, cols] = node.shape.length === 2 ? node.shape : [1, node.shape[0] || 1];
    const matrix = (values) => {
        if (!values) return '  (none yet)';
        const lines = [];
        for (let r = 0; r < rows; r++) {
            lines.push('  ' + values.slice(r * cols, (r + 1) * cols).map((v) => v.toFixed(3).padStart(7)).join(' '));
        }
        return lines.join('\n');
    };
    return `${node.name || node.op}  (${node.kind}${node.kind === 'op' ? ' ' + node.op : ''}, ${rows} × ${cols})\n`
        + `rule: ${node.rule}\nvalue:\n${matrix(node.value)}\ngradient dL/d(${node.name || node.op}):\n${matrix(node.grad)}`;
}
