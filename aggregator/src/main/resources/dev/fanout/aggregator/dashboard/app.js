/* Fanout's live dashboard: reads the aggregator's results API and listens to /ui/events (Server-Sent Events). */
'use strict';

const $ = (selector, root = document) => root.querySelector(selector);
const state = { config: { actions: false }, events: null, seen: new Map(), batches: [], workers: [], batch: null,
  timeline: null, timelineAt: 0, timelineFinished: -1, itemsAfter: [], token: sessionStorage.getItem('fanout-token') };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v; else if (k.startsWith('data-')) node.setAttribute(k, v); else node[k] = v;
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(child ?? ''));
  return node;
}

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

function number(n) { return n === null || n === undefined ? '–' : Number(n).toLocaleString('en'); }
function statusOf(b) { return b.decided ? b.status : 'RUNNING'; }
function when(t) { return t ? new Date(t).toLocaleTimeString() : '–'; }
function duration(s) {
  if (!isFinite(s) || s < 0) return '–';
  return s < 60 ? `${Math.ceil(s)} s` : s < 3600 ? `${Math.floor(s / 60)} m ${Math.ceil(s % 60)} s` : `${(s / 3600).toFixed(1)} h`;
}

/* Rate and ETA from successive snapshots of one batch: finished items per second over the last ~10 s. */
function track(b) {
  const now = Date.now();
  const history = state.seen.get(b.batchId) || [];
  history.push([now, b.finished]);
  while (history.length > 2 && now - history[0][0] > 10000) history.shift();
  state.seen.set(b.batchId, history);
  const [t0, f0] = history[0];
  const rate = now > t0 ? ((b.finished - f0) * 1000) / (now - t0) : 0;
  const left = b.total != null ? b.total - b.finished : null;
  return { rate: b.decided && left <= 0 ? 0 : rate, eta: left != null && rate > 0 ? left / rate : NaN };
}

function progress(b, big) {
  const bar = el('div', { class: 'progress' + (big ? ' big' : '') });
  const total = b.total || Math.max(b.finished, 1);
  const ok = (100 * b.succeeded) / total, bad = (100 * b.failed) / total;
  bar.append(el('div', { class: 'ok' }), el('div', { class: 'bad' }));
  bar.children[0].style.width = ok + '%';
  bar.children[1].style.left = ok + '%';
  bar.children[1].style.width = bad + '%';
  if (b.minSuccessRate != null) {
    const mark = el('div', { class: 'threshold', title: `minSuccessRate ${b.minSuccessRate}` });
    mark.style.left = `calc(${100 * b.minSuccessRate}% - 1px)`;
    bar.append(mark);
  }
  bar.title = `${number(b.succeeded)} succeeded, ${number(b.failed)} failed of ${number(b.total)}`
    + (b.minSuccessRate != null ? `; needs ${Math.round(b.minSuccessRate * 100)}% to succeed` : '');
  bar.dataset.finished = String(b.finished);
  return bar;
}

/* ---------- live events ---------- */

function listen(batchId) {
  if (state.events) state.events.close();
  const source = new EventSource('/ui/events' + (batchId ? '?batch=' + encodeURIComponent(batchId) : ''));
  state.events = source;
  const live = $('#live');
  source.onopen = () => { live.textContent = 'live'; live.className = 'live on'; };
  source.onerror = () => { live.textContent = 'reconnecting'; live.className = 'live off'; };
  source.addEventListener('batches', (e) => { state.batches = JSON.parse(e.data).batches; renderBatches(); });
  source.addEventListener('workers', (e) => { state.workers = JSON.parse(e.data).workers; renderWorkers(); });
  source.addEventListener('batch', (e) => { state.batch = JSON.parse(e.data); renderBatch(); });
}

/* ---------- batches ---------- */

function showBatches() {
  $('#view').replaceChildren($('#batches-view').content.cloneNode(true));
  $('#status-filter').onchange = renderBatches;
  $('#search').oninput = renderBatches;
  $('#search').onkeydown = (e) => { if (e.key === 'Enter' && e.target.value.trim()) location.hash = '#/batch/' + encodeURIComponent(e.target.value.trim()); };
  listen(null);
  renderBatches();
  renderWorkers();
}

function renderBatches() {
  const body = $('#batches tbody');
  if (!body) return;
  const wanted = $('#status-filter').value, text = $('#search').value.trim();
  const shown = state.batches.filter((b) => (!wanted || statusOf(b) === wanted) && (!text || b.batchId.includes(text)))
    .sort((a, b) => (b.createdAt || '').localeCompare(a.createdAt || ''));
  body.replaceChildren(...shown.map((b) => {
    const { rate, eta } = track(b);
    const row = el('tr', { 'data-batch': b.batchId },
      el('td', {}, el('a', { href: '#/batch/' + encodeURIComponent(b.batchId) }, b.batchId)),
      el('td', {}, el('span', { class: 'badge ' + statusOf(b) }, statusOf(b).toLowerCase().replaceAll('_', ' '))),
      el('td', { class: 'wide' }, progress(b)),
      el('td', {}, `${number(b.finished)} / ${number(b.total)}`),
      el('td', {}, number(b.failed)),
      el('td', {}, rate > 0 ? `${number(Math.round(rate))}/s` : '–'),
      el('td', {}, b.decided ? 'done' : duration(eta)),
      el('td', {}, when(b.createdAt)));
    row.onclick = (e) => { if (e.target.tagName !== 'A') location.hash = '#/batch/' + encodeURIComponent(b.batchId); };
    return row;
  }));
  $('#batches-empty').hidden = state.batches.length > 0;
}

/* ---------- workers ---------- */

function showWorkers() {
  $('#view').replaceChildren($('#workers-view').content.cloneNode(true));
  listen(null);
  renderWorkers();
}

function renderWorkers() {
  const here = $('#workers-here');
  if (!here) return;
  if (!state.workers.length) { here.replaceChildren(el('p', { class: 'muted' }, 'No worker heard from in the last 10 minutes.')); return; }
  const table = el('table', { id: 'workers' }, el('thead', {}, el('tr', {}, ...['worker', 'state', 'group', 'lanes',
    'handlers', 'partitions', 'concurrency', 'in flight', 'utilisation', 'last seen'].map((h) => el('th', {}, h)))));
  const body = el('tbody');
  for (const { state: s, worker: w } of state.workers) {
    const util = el('span', { class: 'util' }, el('i'));
    util.firstChild.style.width = Math.round(w.utilisation * 100) + '%';
    body.append(el('tr', { 'data-worker': w.workerId },
      el('td', {}, w.workerId), el('td', { class: 'state-' + s }, s + (w.problem ? ': ' + w.problem : '')),
      el('td', {}, w.groupId), el('td', {}, (w.lanes || []).join(', ')),
      el('td', {}, w.handlers.map((h) => h.name === h.type ? h.name : `${h.name} (${h.type})`).join(', ')),
      el('td', { title: w.partitions.join(', ') }, String(w.partitions.length)),
      el('td', {}, number(w.concurrency)), el('td', {}, number(w.inFlight)),
      el('td', {}, util, ` ${Math.round(w.utilisation * 100)}%`), el('td', {}, when(w.lastSeen))));
  }
  table.append(body);
  here.replaceChildren(table);
}

/* ---------- one batch ---------- */

function showBatch(batchId) {
  $('#view').replaceChildren($('#batch-view').content.cloneNode(true));
  state.batch = null; state.timeline = null; state.timelineFinished = -1; state.itemsAfter = [];
  $('#batch-id').textContent = batchId;
  state.batchId = batchId;
  const timeline = new FanoutTimeline($('#timeline'), (index) => drill(batchId, String(index)));
  state.timelineView = timeline;
  $('#zoom-in').onclick = () => timeline.zoom(0.5);
  $('#zoom-out').onclick = () => timeline.zoom(2);
  $('#zoom-reset').onclick = () => timeline.reset();
  $('#item-filter').onchange = () => { state.itemsAfter = []; loadItems(); };
  $('#items-first').onclick = () => { state.itemsAfter = []; loadItems(); };
  $('#items-next').onclick = () => { if (state.nextItems != null) { state.itemsAfter.push(state.nextItems); loadItems(); } };
  if (state.config.actions) {
    $('#actions').hidden = false;
    for (const button of document.querySelectorAll('#actions button')) button.onclick = () => act(batchId, button.dataset.action);
  } else {
    $('#actions').remove(); // read-only: no action controls at all
  }
  listen(batchId);
  api('/batches/' + encodeURIComponent(batchId)).then((b) => { state.batch = b; renderBatch(); })
    .catch((e) => { $('#action-result').textContent = e.message; });
  loadItems();
}

function renderBatch() {
  const b = state.batch;
  if (!b || !$('#cards') || b.batchId !== state.batchId) return;
  const status = $('#batch-status');
  status.textContent = statusOf(b).toLowerCase().replaceAll('_', ' ');
  status.className = 'badge ' + statusOf(b);
  $('#batch-progress').replaceWith(Object.assign(progress(b, true), { id: 'batch-progress' }));
  const { rate, eta } = track(b);
  const d = b.decision;
  const cards = [['total', number(b.total)], ['finished', number(b.finished), 'batch-finished'], ['succeeded', number(b.succeeded)],
    ['failed', number(b.failed)], ['timed out', number(b.timedOut)], ['cancelled', number(b.cancelled)],
    ['dead-lettered', number(b.deadLettered)], ['rate', rate > 0 ? number(Math.round(rate)) + '/s' : '–'],
    ['ETA', b.decided ? 'decided' : duration(eta)], ['strategy', (b.strategy || '–').toLowerCase()],
    ['min success rate', b.minSuccessRate != null ? Math.round(b.minSuccessRate * 100) + '%' : '–']];
  if (d) cards.push(['success rate', Math.round(d.successRate * 1000) / 10 + '%'], ['wall time', d.wallMs + ' ms'], ['revision', String(d.revision)]);
  $('#cards').replaceChildren(...cards.map(([label, value, id]) => el('div', { class: 'card' }, el('b', id ? { id } : {}, value), el('span', {}, label))));
  // while the batch runs, fetch the timeline every 3 s: the aggregator keeps it up to date as results are counted,
  // and with the cursor of the previous answer it sends only the bars added since
  const now = Date.now();
  if (b.finished !== state.timelineFinished && (now - state.timelineAt > 3000 || b.decided)) {
    state.timelineAt = now;
    state.timelineFinished = b.finished;
    // one fetch at a time, so each carries the cursor of the answer before it
    state.timelineFetch = (state.timelineFetch || Promise.resolve()).then(() => loadTimeline(b.batchId));
  }
}

async function loadTimeline(batchId) {
  try {
    const held = state.timeline && state.timeline.batchId === batchId ? state.timeline : null;
    const t = await api(`/batches/${encodeURIComponent(batchId)}/timeline` + (held ? `?since=${encodeURIComponent(held.cursor)}` : ''));
    if (batchId !== state.batchId) return;
    if (t.incremental && held) {
      for (const bar of t.bars) held.bars.push(bar);
      t.bars = held.bars;
    }
    state.timeline = t;
    state.timelineView.load(t);
    $('#timeline-note').textContent = `${number(t.items)} items` + (t.stride > 1 ? `, every ${t.stride}th drawn` : '')
      + `, ${t.workers.length} worker(s), ${state.timelineView.rows.length} slots; speed-up ${t.summary.speedup}x`;
    const s = t.summary;
    $('#latency').replaceChildren(...[['p50', s.latencyP50Ms], ['p95', s.latencyP95Ms], ['p99', s.latencyP99Ms], ['max', s.latencyMaxMs]]
      .map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, number(v) + ' ms'))),
      el('tr', {}, el('th', {}, 'speed-up'), el('td', { id: 'speedup' }, s.speedup + 'x (item time / wall time)')));
    $('#errors').replaceChildren(...(s.errors.length ? s.errors.map((e) => el('tr', {}, el('td', { title: e.example || '' }, e.type), el('td', {}, number(e.count))))
      : [el('tr', {}, el('td', { class: 'muted' }, 'none'))]));
    const reasons = Object.entries(s.deadLetters);
    $('#dead-letters').replaceChildren(...(reasons.length ? reasons.map(([r, n]) => el('tr', {}, el('td', {}, r), el('td', {}, number(n))))
      : [el('tr', {}, el('td', { class: 'muted' }, 'none'))]));
  } catch (e) {
    $('#timeline-note').textContent = e.message;
  }
}

async function loadItems() {
  const batchId = state.batchId;
  const filter = $('#item-filter').value;
  const after = state.itemsAfter.length ? state.itemsAfter[state.itemsAfter.length - 1] : null;
  const query = new URLSearchParams({ limit: '50' });
  if (filter) query.set('status', filter);
  if (after != null) query.set('after', after);
  try {
    const page = await api(`/batches/${encodeURIComponent(batchId)}/items?${query}`);
    state.nextItems = page.next ?? null;
    $('#items tbody').replaceChildren(...page.items.map((i) => {
      const row = el('tr', { 'data-index': String(i.index) }, el('td', {}, String(i.index)), el('td', {}, i.itemId),
        el('td', {}, el('span', { class: 'badge ' + i.status }, i.status.toLowerCase().replaceAll('_', ' '))),
        el('td', {}, String(i.attempts ?? '–')), el('td', {}, number(i.durationMs) + ' ms'), el('td', {}, i.workerId || '–'),
        el('td', { class: 'muted' }, i.error ? `${i.error.type}: ${i.error.message}`.slice(0, 80) : ''));
      row.onclick = () => drill(batchId, String(i.index));
      return row;
    }));
    $('#items-note').textContent = page.items.length ? `items ${page.items[0].index} .. ${page.items[page.items.length - 1].index}` : 'no items';
  } catch (e) {
    $('#items-note').textContent = e.message;
  }
}

async function drill(batchId, ref) {
  const dialog = $('#drill');
  const base = `/batches/${encodeURIComponent(batchId)}/items/${encodeURIComponent(ref)}`;
  $('#drill-title').textContent = `Item ${ref} of ${batchId}`;
  for (const id of ['#drill-payload', '#drill-output', '#drill-error']) $(id).textContent = '…';
  $('#drill-facts').replaceChildren();
  if (!dialog.open) dialog.showModal();
  try {
    const item = await api(base);
    $('#drill-title').textContent = `Item ${item.itemId} (#${item.index}) of ${batchId}`;
    $('#drill-facts').replaceChildren(...[['status', item.status + (item.reason ? ` (${item.reason})` : '')],
      ['attempts', item.attempts], ['worker', item.workerId], ['queued', item.queuedAt], ['started', item.startedAt],
      ['finished', item.finishedAt], ['handler time', item.durationMs + ' ms'], ['dead-lettered', String(item.deadLettered)],
      ['job record', item.job], ['replay of', item.replayOf]].filter(([, v]) => v != null)
      .map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, String(v)))));
    $('#drill-output').textContent = item.output !== undefined ? JSON.stringify(item.output, null, 2) : '(none)';
    $('#drill-error').textContent = item.error ? `${item.error.type}: ${item.error.message}` + (item.error.stack ? '\n' + item.error.stack : '') : '(none)';
  } catch (e) {
    $('#drill-error').textContent = e.message;
  }
  try {
    const job = await api(base + '/job');
    $('#drill-payload').textContent = JSON.stringify(job.payload, null, 2);
  } catch (e) {
    $('#drill-payload').textContent = e.message;
  }
}

async function act(batchId, action) {
  if (action === 'cancel' && !confirm(`Cancel batch ${batchId}? Items not yet run are cancelled.`)) return;
  if (!state.token) {
    state.token = prompt('The aggregator\'s dashboard token (FANOUT_UI_TOKEN, or the file it named at start):');
    if (!state.token) return;
    sessionStorage.setItem('fanout-token', state.token);
  }
  try {
    const done = await api(`/ui/api/actions/${encodeURIComponent(batchId)}/${action}`,
      { method: 'POST', headers: { Authorization: 'Bearer ' + state.token } });
    $('#action-result').textContent = done.result;
  } catch (e) {
    if (/token/.test(e.message)) { state.token = null; sessionStorage.removeItem('fanout-token'); }
    $('#action-result').textContent = e.message;
  }
}

/* ---------- routing ---------- */

function route() {
  const hash = location.hash || '#/';
  if (hash.startsWith('#/batch/')) showBatch(decodeURIComponent(hash.slice('#/batch/'.length)));
  else if (hash === '#/workers') showWorkers();
  else showBatches();
}

window.addEventListener('hashchange', route);
api('/ui/api/config').then((c) => { state.config = c; }).catch(() => {}).finally(route);
