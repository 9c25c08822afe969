/* The batch timeline: one horizontal bar per item, on the row of the worker slot that ran it.
   Rows are worker slots: items of one worker are packed onto as few rows as never overlap (interval partitioning),
   so the rows a worker gets equal the most items it ran at once. Zoom with the wheel or the buttons, pan by dragging. */
'use strict';

const STATUS_COLOURS = ['#2e9e5b', '#d64545', '#e69a28', '#8a8f98']; // SUCCEEDED, FAILED, TIMED_OUT, CANCELLED
const STATUS_NAMES = ['succeeded', 'failed', 'timed out', 'cancelled'];

class FanoutTimeline {
  constructor(container, onPick) {
    this.container = container;
    this.canvas = container.querySelector('canvas');
    this.tip = container.querySelector('#tip');
    this.onPick = onPick;
    this.data = null;
    this.view = { from: 0, to: 1 };
    this.canvas.addEventListener('wheel', (e) => { e.preventDefault(); this.zoomAt(e.offsetX, e.deltaY < 0 ? 0.8 : 1.25); });
    this.canvas.addEventListener('mousedown', (e) => { this.drag = { x: e.offsetX, from: this.view.from, to: this.view.to, moved: false }; });
    window.addEventListener('mouseup', () => { this.drag = null; });
    this.canvas.addEventListener('mousemove', (e) => this.move(e));
    this.canvas.addEventListener('mouseleave', () => { this.tip.hidden = true; });
    this.canvas.addEventListener('click', (e) => { const hit = this.hit(e.offsetX, e.offsetY); if (hit && this.onPick) this.onPick(hit[0]); });
    window.addEventListener('resize', () => this.render());
  }

  /** Takes a Timeline answer of the results API; keeps the user's zoom or pan, else shows the whole batch so far. */
  load(data) {
    const first = this.data === null;
    this.data = data;
    this.layout();
    if (first || !this.moved) this.reset(); else this.render();
  }

  layout() {
    const bars = this.data.bars;
    const byWorker = new Map();
    let min = Infinity, max = -Infinity;
    for (const bar of bars) {
      const start = bar[2] >= 0 ? bar[2] : bar[3];
      const from = bar[1] >= 0 ? Math.min(bar[1], start) : start;
      if (from >= 0) min = Math.min(min, from);
      if (bar[3] >= 0) max = Math.max(max, bar[3]);
      const list = byWorker.get(bar[4]) || [];
      list.push(bar);
      byWorker.set(bar[4], list);
    }
    this.rows = [];           // row -> [bars]
    this.rowWorker = [];      // row -> worker index
    const workers = [...byWorker.keys()].sort((a, b) => a - b);
    for (const worker of workers) {
      const list = byWorker.get(worker).sort((a, b) => this.start(a) - this.start(b));
      const ends = [];        // per slot of this worker: when its last bar ends
      const base = this.rows.length;
      for (const bar of list) {
        let slot = ends.findIndex((end) => end <= this.start(bar));
        if (slot < 0) { slot = ends.length; ends.push(0); this.rows.push([]); this.rowWorker.push(worker); }
        ends[slot] = Math.max(bar[3], this.start(bar) + 1);
        this.rows[base + slot].push(bar);
      }
    }
    this.min = isFinite(min) ? min : 0;
    this.max = isFinite(max) && max > this.min ? max : this.min + 1000;
    this.canvas.dataset.bars = String(bars.length);
    this.canvas.dataset.rows = String(this.rows.length);
  }

  start(bar) { return bar[2] >= 0 ? bar[2] : bar[3]; }

  reset() { if (!this.data) return; this.moved = false; this.view = { from: this.min, to: this.max }; this.render(); }

  zoomAt(x, factor) {
    if (!this.data) return;
    this.moved = true;
    const width = this.canvas.clientWidth;
    const at = this.view.from + (x / width) * (this.view.to - this.view.from);
    const span = Math.max(5, (this.view.to - this.view.from) * factor);
    this.view = { from: at - (at - this.view.from) * (span / (this.view.to - this.view.from)), to: 0 };
    this.view.to = this.view.from + span;
    this.render();
  }

  zoom(factor) { this.zoomAt(this.canvas.clientWidth / 2, factor); }

  move(e) {
    if (this.drag) {
      const dx = e.offsetX - this.drag.x;
      const ms = (dx / this.canvas.clientWidth) * (this.drag.to - this.drag.from);
      this.view = { from: this.drag.from - ms, to: this.drag.to - ms };
      this.moved = true;
      this.render();
      return;
    }
    const hit = this.hit(e.offsetX, e.offsetY);
    if (!hit) { this.tip.hidden = true; return; }
    const worker = hit[4] >= 0 ? this.data.workers[hit[4]] : 'unknown worker';
    this.tip.textContent = `item #${hit[0]}: ${STATUS_NAMES[hit[5]]}, ${hit[6]} attempt(s)\n`
      + `queued ${fmt(hit[1])}, ran ${fmt(hit[2])} .. ${fmt(hit[3])} (${hit[3] - hit[2]} ms)\n${worker}`;
    this.tip.style.left = Math.min(e.offsetX + 12, this.canvas.clientWidth - 260) + 'px';
    this.tip.style.top = (e.offsetY + 12) + 'px';
    this.tip.hidden = false;
  }

  hit(x, y) {
    if (!this.data || !this.rows.length) return null;
    const row = Math.floor((y - this.axis) / this.rowHeight);
    if (row < 0 || row >= this.rows.length) return null;
    const t = this.view.from + (x / this.canvas.clientWidth) * (this.view.to - this.view.from);
    const slack = 3 * (this.view.to - this.view.from) / this.canvas.clientWidth;
    return this.rows[row].find((bar) => this.start(bar) - slack <= t && t <= bar[3] + slack) || null;
  }

  render() {
    if (!this.data) return;
    const canvas = this.canvas, ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 800;
    this.axis = 18;
    this.rowHeight = Math.max(1, Math.min(10, Math.floor(480 / Math.max(1, this.rows.length))));
    const height = this.axis + this.rows.length * this.rowHeight + 4;
    canvas.style.height = height + 'px';
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const from = this.view.from, span = this.view.to - this.view.from;
    const x = (t) => ((t - from) / span) * width;
    this.ticks(g, width, from, span);
    let drawn = 0;
    for (let row = 0; row < this.rows.length; row++) {
      const y = this.axis + row * this.rowHeight;
      const h = Math.max(1, this.rowHeight - (this.rowHeight > 3 ? 1 : 0));
      if (row > 0 && this.rowWorker[row] !== this.rowWorker[row - 1]) {
        g.fillStyle = '#1d2430'; g.fillRect(0, y - 1, width, 1);
      }
      for (const bar of this.rows[row]) {
        const start = this.start(bar);
        if (bar[3] < from || start > from + span) continue;
        if (bar[1] >= 0 && bar[1] < start && this.rowHeight >= 3) {
          g.fillStyle = '#c9d3e0';
          g.fillRect(x(bar[1]), y + h / 2 - 0.5, Math.max(1, x(start) - x(bar[1])), 1);
        }
        g.fillStyle = STATUS_COLOURS[bar[5]] || '#999';
        const left = x(start), w = Math.max(1, x(bar[3]) - left);
        g.fillRect(left, y, w, h);
        if (bar[6] > 1) { g.fillStyle = '#f2c94c'; g.fillRect(left, y, w, Math.max(1, Math.floor(h / 3))); }
        drawn++;
      }
    }
    canvas.dataset.drawn = String(drawn);
  }

  ticks(g, width, from, span) {
    const step = niceStep(span / 8);
    g.fillStyle = '#6b7380'; g.font = '11px system-ui, sans-serif';
    for (let t = Math.ceil(from / step) * step; t <= from + span; t += step) {
      const px = ((t - from) / span) * width;
      g.fillRect(px, this.axis - 4, 1, 4);
      g.fillText(fmt(t), px + 2, 11);
    }
  }
}

function niceStep(raw) {
  const power = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

function fmt(ms) {
  if (ms < 0) return '?';
  if (ms < 1000) return `+${Math.round(ms)} ms`;
  return `+${(ms / 1000).toFixed(ms < 100000 ? (ms % 1000 === 0 ? 0 : 1) : 0)} s`;
}

window.FanoutTimeline = FanoutTimeline;
