// Compare: one op list under every strategy. A chart of a statistic over time
// (fragmentation by default; from compare().runs[i].samples) with the first divergence marked, and
// small multiples: a mini memory map per strategy.
//
//   const view = new CompareView(container, { onRun, onAt });
//   view.render({ result: compare(...), maps: compare(... upTo ...), ... });

import { h, s, button, keepFocus, focusIn, saveFile } from './dom.js';
import { parseOps } from '../arena.js';
import { num, percent, plural, bytesShort, callText } from './format.js';
import { freeBlocksText, METRICS as METER_METRICS } from './meter.js';
import { MemoryMap } from './memory-map.js';
import { strategyLabel } from './controls.js';
import { COMPARE_AT, CHART_METRICS } from './url-state.js';

const DASH = { 'first-fit': '', 'next-fit': '6 3', 'best-fit': '2 3', 'worst-fit': '8 3 2 3', slab: '1 2' };

/**
 * What the chart can draw: a field of every sample (compare().runs[i].samples),
 * its name, how its values read, and whether it is a fraction (0 to 100 %)
 * rather than a count of bytes or blocks.
 */
const METRIC_INFO = {
  externalFragmentation: { label: 'External fragmentation (1 − L/F)', fmt: percent, fraction: true },
  l2Fragmentation: { label: 'L2 fragmentation', fmt: percent, fraction: true },
  freeBlocks: { label: 'Free blocks', fmt: num },
  largestFree: { label: 'Largest free block', fmt: bytesShort, bytes: true },
  usedBytes: { label: 'Bytes in used blocks', fmt: bytesShort, bytes: true },
  requestedBytes: { label: 'Bytes requested (live)', fmt: bytesShort, bytes: true },
  failedAllocs: { label: 'Failed allocations so far', fmt: num },
  // With the heap growing with sbrk, the heap each strategy has needed so far.
  highWater: { label: 'High-water mark (the heap needed)', fmt: bytesShort, bytes: true },
};
/** In the order links name them (`chart=`), the first the default. */
export const METRICS = CHART_METRICS.map((key) => ({ key, ...METRIC_INFO[key] }));

/** Where the maps are: [value (as links carry it), label]. */
const AT_LABELS = { end: 'End', divergence: 'First divergence', cursor: 'Timeline cursor' };
export const AT = COMPARE_AT.map((k) => [k, AT_LABELS[k]]);

/** The slab's refusals among a run's failures: ", all above its largest class (64 B)". */
function tooLargeWords(r) {
  const n = r.report.tooLarge;
  if (!n) return '';
  const largest = Math.max(...r.snapshot.classes);
  return `, ${n === r.snapshot.stats.failedAllocs ? 'all' : num(n)} above its largest class (${num(largest)} B)`;
}

export class CompareView {
  #els;
  #opts;
  #maps = [];
  #last = null;
  #ro = null;
  #parked = null;
  #metric = METRICS[0];

  /**
   * @param {HTMLElement} container
   * @param {object} opts { onRun(), onAt(at), onMetric(key) }
   */
  constructor(container, opts) {
    this.#opts = opts;
    const run = button('Compare all strategies', { class: 'btn btn-primary', 'data-testid': 'compare-run', onclick: () => opts.onRun?.() }, 'compare');
    const at = h('div', { class: 'seg', role: 'group', 'aria-label': 'Maps at' },
      AT.map(([v, label]) => h('button', {
        type: 'button', class: 'seg-btn', 'data-at': v, 'aria-pressed': String(v === 'end'), text: label,
        onclick: () => opts.onAt?.(v),
      })));
    const info = h('p', { class: 'cmp-info', role: 'status' });
    const chartTitle = h('h3', { class: 'cmp-h3' });
    // What the chart draws; the cards keep every number.
    const metric = h('select', {
      class: 'input input-sm', 'aria-label': 'What the chart draws', 'data-testid': 'compare-metric',
      onchange: () => {
        this.metric = metric.value;
        opts.onMetric?.(this.metric);
      },
    }, METRICS.map((m) => h('option', { value: m.key, text: m.label })));
    const chart = h('div', { class: 'cmp-chart' });
    const legend = h('ul', { class: 'cmp-legend' });
    const grid = h('div', { class: 'cmp-grid', 'data-testid': 'compare-grid' });
    const mapsHead = h('div', { class: 'cmp-maps-head' }, h('h3', { class: 'cmp-h3', text: 'Memory at' }), at);
    // The numbers behind the chart and the cards, to take elsewhere.
    const exportRow = h('div', { class: 'cmp-export' },
      button('Download CSV', { class: 'btn btn-sm btn-ghost', 'data-testid': 'compare-csv', title: 'Every sample of every strategy, one row each', onclick: () => this.#download('csv') }, 'download'),
      button('Download JSON', { class: 'btn btn-sm btn-ghost', 'data-testid': 'compare-json', title: 'The settings, and each strategy’s report, statistics after the last op, and samples', onclick: () => this.#download('json') }, 'download'));
    const body = h('div', { class: 'cmp-body', hidden: true }, info, h('div', { class: 'cmp-chart-wrap' }, h('div', { class: 'cmp-chart-head' }, chartTitle, h('label', { class: 'cmp-metric' }, h('span', { text: 'Draw' }), metric)), chart, legend, exportRow), mapsHead, grid);
    const empty = h('p', { class: 'cmp-empty', text: 'Runs the timeline’s ops under first, next, best and worst fit and the slab allocator, side by side. Strategy switches in the op list are skipped.' });
    container.append(h('div', { class: 'cmp' }, h('div', { class: 'cmp-top' }, run, empty), body));
    this.#els = { run, at, info, chartTitle, chart, legend, grid, body, empty, metric };
    let width = 0;
    let queued = 0;
    this.#ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => {
      if (queued) return;
      queued = requestAnimationFrame(() => {
        queued = 0;
        const w = Math.round(chart.clientWidth);
        if (w && w !== width && this.#last) { width = w; this.#chart(this.#last.result, this.#last.cursor); }
      });
    }) : null;
    this.#ro?.observe(chart);
  }

  setBusy(busy) {
    const was = focusIn(this.#els.run.parentElement);
    this.#els.run.disabled = busy;
    // The run button disables itself while it runs: it gets the focus back after.
    this.#parked = keepFocus(was, [], this.#parked);
  }

  /** Hides the results (e.g. after the timeline changed). */
  stale(message) {
    if (this.#els.body.hidden) return;
    this.#els.info.textContent = message;
    this.#els.info.classList.add('cmp-stale');
  }

  /**
   * @param {object} d
   * @param {object} d.result compare() over the whole op list ({ runs, firstDivergence, every, tokens, skipped })
   * @param {object} d.maps compare() up to the chosen step (runs with final snapshots)
   * @param {string} d.at 'end' | 'divergence' | 'cursor'
   * @param {number} d.mapsStep the step the maps show
   * @param {number} [d.cursor] the timeline cursor, marked on the chart
   * @param {number} [d.highlightSeq] outline this ptr on the maps
   */
  render(d) {
    this.#last = d;
    const e = this.#els;
    const { result } = d;
    e.body.hidden = false;
    e.empty.hidden = true;
    e.info.classList.remove('cmp-stale');
    const total = result.tokens.length;
    const fd = result.firstDivergence;
    // How the heap grows decides what the high-water marks mean: said in the line, not only in a hover.
    const sbrk = result.runs[0]?.snapshot.sbrk;
    const parts = [`${plural(total, 'op')} under ${plural(result.runs.length, 'strategy', 'strategies')}, ${sbrk ? 'each heap growing with sbrk (its high-water mark is the heap it needs)' : 'each in the whole arena (set Heap to “Grows (sbrk)” to compare the heaps they need)'}`];
    if (result.skipped) parts.push(`${plural(result.skipped, 'strategy switch', 'strategy switches')} skipped`);
    const who = result.divergenceAmong ?? 'the strategies';
    parts.push(fd == null ? `${who} placed every block at the same offset` : `${who} first place a block differently at op ${num(timelineOp(result, fd))}: ${describeOp(result.tokens[fd])} lands at different offsets`);
    e.info.textContent = `${parts.join(' · ')}.`;
    for (const b of e.at.querySelectorAll('[data-at]')) {
      b.setAttribute('aria-pressed', String(b.dataset.at === d.at));
      if (b.dataset.at === 'divergence') b.disabled = fd == null;
    }
    this.#chart(result, d.cursor);
    this.#grid(d);
  }

  #download(format) {
    const result = this.#last?.result;
    if (!result) return;
    saveFile(`compare.${format}`, compareExport(result, format, this.#last.config ?? null, this.#last.workload ?? null), format === 'json' ? 'application/json' : 'text/csv', this.#els.body);
  }

  #chart(result, cursor) {
    const e = this.#els;
    const metric = this.#metric;
    const val = (p) => p?.[metric.key] ?? 0;
    const every = result.every ?? 1;
    // The axis counts the ops compared; the tooltip and the divergence name
    // each by the timeline's number, which counts the strategy switches too.
    const skipped = result.skipped ?? 0;
    e.chartTitle.textContent = `${metric.label} over the ops${every > 1 ? `, sampled every ${num(every)} ops` : ''}${skipped ? ` (the axis leaves out the timeline’s ${num(skipped)} strategy switch${skipped === 1 ? '' : 'es'})` : ''}`;
    const W = Math.max(280, Math.round(e.chart.clientWidth - 18) || 720);
    const H = W < 500 ? 180 : 230;
    const total = Math.max(1, result.tokens.length);
    // Fractions on 0 to 100 %; counts from 0 to a round number at or above the largest sample.
    let top = 1;
    let ticks = [0, 0.25, 0.5, 0.75, 1];
    if (!metric.fraction) {
      let max = 0;
      for (const r of result.runs) for (const p of r.samples) max = Math.max(max, val(p));
      // Byte axes step in round KiB or MiB once they reach them (not 195.3 KiB).
      const unit = metric.bytes ? (max >= 4 << 20 ? 1 << 20 : max >= 4 << 10 ? 1 << 10 : 1) : 1;
      const step = niceStep(Math.max(1, max / unit) / 4) * unit;
      top = Math.max(1, Math.ceil(max / step)) * step;
      ticks = [];
      for (let t = 0; t <= top; t += step) ticks.push(t);
    }
    const tickText = (t) => (metric.fraction ? `${t * 100}%` : metric.fmt(t));
    const m = { l: Math.max(44, 12 + 7 * Math.max(...ticks.map((t) => tickText(t).length))), r: 12, t: 12, b: 28 };
    const x = (step) => m.l + (step / total) * (W - m.l - m.r);
    const y = (f) => m.t + (1 - f / top) * (H - m.t - m.b);
    // One tab stop: ← → (Home, End) move a cursor over the samples, as the
    // pointer does. An application, not an img: a screen reader's browse
    // mode would take the arrow keys for itself (its tooltip is a live region).
    const svg = s('svg', { class: 'cmp-svg', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'application', 'aria-roledescription': 'chart', tabindex: '0' });
    const summary = result.runs.map((r) => `${strategyLabel(r.strategy)} ends at ${metric.fmt(val(r.samples.at(-1)))}`).join(', ');
    svg.setAttribute('aria-label', `${metric.label} over ${num(total)} ops: ${summary}. Arrow keys read each sample.`);
    const grid = s('g', { class: 'cmp-gridlines', 'aria-hidden': 'true' });
    for (const f of ticks) {
      grid.append(s('line', { x1: m.l, x2: W - m.r, y1: y(f), y2: y(f), class: f === 0 ? 'cmp-axis' : 'cmp-grid-line' }));
      grid.append(s('text', { x: m.l - 8, y: y(f), 'text-anchor': 'end', 'dominant-baseline': 'central', class: 'cmp-tick', text: tickText(f) }));
    }
    // Round steps (0, 250,000, 500,000 …), not quarters of an odd total.
    const xEvery = niceStep(total / 4.5);
    for (let step = 0; step <= total; step += xEvery) {
      const anchor = step === 0 ? 'start' : x(step) > W - m.r - 24 ? 'end' : 'middle';
      grid.append(s('text', { x: x(step), y: H - 8, 'text-anchor': anchor, class: 'cmp-tick', text: num(step) }));
    }
    svg.append(grid);
    const fd = result.firstDivergence;
    // The label goes over the lines (drawn after them, with a halo): near
    // 100 % the curves would hide it.
    let divLabel = null;
    if (fd != null) {
      const xd = x(fd + 1);
      svg.append(s('g', { class: 'cmp-div' },
        s('rect', { x: xd - 3, y: m.t, width: 6, height: H - m.t - m.b, class: 'cmp-div-band' }),
        s('line', { x1: xd, x2: xd, y1: m.t, y2: H - m.b, class: 'cmp-div-line' })));
      divLabel = s('text', { x: Math.min(xd + 6, W - m.r - 4), y: m.t + 10, class: 'cmp-div-text', 'text-anchor': xd > W - 160 ? 'end' : 'start', text: `diverge · op ${num(timelineOp(result, fd))}` });
    }
    if (cursor != null && cursor <= total) {
      svg.append(s('line', { x1: x(cursor), x2: x(cursor), y1: m.t, y2: H - m.b, class: 'cmp-cursor' }));
    }
    const lines = s('g', { class: 'cmp-lines' });
    for (const r of result.runs) {
      const pts = r.samples.map((p) => `${x(p.step).toFixed(1)},${y(val(p)).toFixed(1)}`).join(' ');
      lines.append(s('polyline', { points: pts, class: `cmp-line series-${r.strategy}`, 'stroke-dasharray': DASH[r.strategy] || null }));
    }
    svg.append(lines);
    if (divLabel) svg.append(divLabel);
    const hover = s('g', { class: 'cmp-hover', 'aria-hidden': 'true' });
    svg.append(hover);
    // (Read out as the keys move it; the pointer's moves are for the eye.)
    const tip = h('div', { class: 'cmp-tip', hidden: true, 'aria-live': 'off' });
    const samples = result.runs[0].samples;
    let shown = -1;
    /** Whether the keys (not the pointer) put the cursor where it is. */
    let byKeys = false;
    /** The values of every strategy at sample `k`, beside the curves. */
    const show = (k) => {
      shown = k;
      const at = samples[k].step;
      const rect = svg.getBoundingClientRect();
      hover.replaceChildren(s('line', { x1: x(at), x2: x(at), y1: m.t, y2: H - m.b, class: 'cmp-hover-line' }),
        ...result.runs.map((r) => s('circle', { cx: x(at), cy: y(val(r.samples[k])), r: 3.5, class: `cmp-dot series-${r.strategy}` })));
      tip.replaceChildren(h('div', { class: 'cmp-tip-head', text: at === 0 ? 'before the first op' : `after op ${num(timelineOp(result, at - 1))}` }),
        h('dl', null, result.runs.map((r) => [
          h('dt', null, h('span', { class: `dot series-${r.strategy}` }), strategyLabel(r.strategy)),
          h('dd', { text: metric.fmt(val(r.samples[k])) })])));
      tip.hidden = false;
      const left = (x(at) / W) * rect.width;
      tip.style.transform = `translate(${Math.round(left > rect.width / 2 ? left - tip.offsetWidth - 12 : left + 12)}px, 8px)`;
    };
    const hide = () => { hover.replaceChildren(); tip.hidden = true; };
    svg.addEventListener('pointermove', (ev) => {
      const rect = svg.getBoundingClientRect();
      const px = ((ev.clientX - rect.left) / rect.width) * W;
      const step = Math.max(0, Math.min(total, ((px - m.l) / (W - m.l - m.r)) * total));
      let k = 0;
      for (let i = 0; i < samples.length; i++) if (Math.abs(samples[i].step - step) < Math.abs(samples[k].step - step)) k = i;
      tip.setAttribute('aria-live', 'off');
      byKeys = false;
      show(k);
    });
    svg.addEventListener('keydown', (ev) => {
      const last = samples.length - 1;
      const big = Math.max(1, Math.round(samples.length / 10));
      const k = { ArrowRight: shown + 1, ArrowLeft: shown - 1, PageDown: shown + big, PageUp: shown - big, Home: 0, End: last }[ev.key];
      if (ev.key === 'Escape') { hide(); return; }
      if (k === undefined) return;
      // (The page's ← → step its timeline: not from here.)
      ev.preventDefault();
      ev.stopPropagation();
      tip.setAttribute('aria-live', 'polite');
      byKeys = true;
      show(Math.max(0, Math.min(last, shown < 0 && (ev.key === 'ArrowLeft' || ev.key === 'PageUp') ? last : k)));
    });
    svg.addEventListener('blur', hide);
    // (A click focuses the chart too: the pointer's cursor still goes with the pointer.)
    svg.addEventListener('pointerleave', () => { if (!byKeys) hide(); });
    e.chart.replaceChildren(svg, tip);
    // Runs that agree draw one line over another: the legend says which
    // line hides under which (else a strategy seems missing).
    const firstWith = new Map();
    const same = result.runs.map((r) => {
      const key = r.samples.map(val).join(',');
      const earlier = firstWith.get(key);
      if (!earlier) firstWith.set(key, r.strategy);
      return earlier ?? null;
    });
    e.legend.replaceChildren(...result.runs.map((r, i) => h('li', null,
      s('svg', { class: 'cmp-key', viewBox: '0 0 24 8', width: 24, height: 8, 'aria-hidden': 'true' },
        s('line', { x1: 1, x2: 23, y1: 4, y2: 4, class: `cmp-line series-${r.strategy}`, 'stroke-dasharray': DASH[r.strategy] || null })),
      h('span', { text: same[i] ? `${strategyLabel(r.strategy)} (the same line as ${strategyLabel(same[i])})` : strategyLabel(r.strategy) }))));
  }

  /** What the chart draws: a key of METRICS (`externalFragmentation`, …). */
  get metric() {
    return this.#metric.key;
  }

  set metric(key) {
    this.#metric = METRICS.find((m) => m.key === key) ?? METRICS[0];
    const sel = this.#els?.metric;
    if (sel && sel.value !== this.#metric.key) sel.value = this.#metric.key;
    if (this.#last) this.#chart(this.#last.result, this.#last.cursor);
  }

  #grid(d) {
    const e = this.#els;
    for (const m of this.#maps) m.destroy();
    this.#maps = [];
    const runs = d.maps.runs;
    // A badge marks a standout: at most half the runs share it. "Least
    // fragmented" is the lowest of all the cards, and goes only to runs
    // that also have the fewest failures (a run that refused requests is
    // not better off for it, and a full heap has no free bytes to
    // fragment): when the least fragmented run failed more, no card gets it.
    const minFailed = Math.min(...runs.map((r) => r.snapshot.stats.failedAllocs));
    const fewest = runs.filter((r) => r.snapshot.stats.failedAllocs === minFailed);
    const minFrag = Math.min(...runs.map((r) => r.snapshot.stats.externalFragmentation));
    const standout = (k) => runs.length > 1 && k <= runs.length / 2;
    const failBadge = standout(fewest.length);
    const leastFrag = runs.filter((r) => r.snapshot.stats.externalFragmentation === minFrag);
    // ... and only for a real difference (at least a percentage point: 0.4 %
    // against 0.7 % of a nearly empty heap is no standout).
    const fragBadge = standout(leastFrag.length) && leastFrag.every((r) => fewest.includes(r))
      && runs.some((o) => o.snapshot.stats.externalFragmentation >= minFrag + 0.01);
    // The meter's own definitions, as hover text on the cards.
    const hint = (key) => METER_METRICS.find(([k]) => k === key)?.[3];
    // "at op 356" as the timeline numbers ops (a peak's step counts the ops
    // run), on a line of its own under the figure.
    const atOp = (step) => h('span', { class: 'cmp-at', text: step ? ` at op ${num(timelineOp(d.maps, step - 1))}` : ' at the start' });
    const cards = runs.map((r) => {
      const st = r.snapshot.stats;
      const pk = r.peaks;
      const requests = r.report.allocs + r.report.reallocs;
      const mapBox = h('div', { class: 'cmp-map' });
      const badges = [];
      if (failBadge && fewest.includes(r)) badges.push('fewest failures');
      if (fragBadge && leastFrag.includes(r)) badges.push('least fragmented');
      const card = h('article', { class: 'cmp-card', 'data-strategy': r.strategy, 'data-failed': st.failedAllocs },
        h('header', { class: 'cmp-card-head' },
          h('span', { class: `dot series-${r.strategy}`, 'aria-hidden': 'true' }),
          h('h4', { text: strategyLabel(r.strategy, r.snapshot.classes) }),
          ...badges.map((b) => h('span', { class: 'badge', text: b }))),
        mapBox,
        h('dl', { class: 'cmp-stats' },
          h('div', { title: '1 − L/F: L is the largest free block, F all free bytes. 0 when the free bytes are one block; near 100 % when they are scattered in small pieces' },
            h('dt', { text: 'External fragmentation' }), h('dd', { text: percent(st.externalFragmentation) })),
          h('div', { title: hint('failedAllocs') }, h('dt', { text: 'Failed allocs' }), h('dd', { text: num(st.failedAllocs) })),
          h('div', { title: hint('largestFree') }, h('dt', { text: 'Largest free block' }), h('dd', { text: `${num(st.largestFree)} B` })),
          h('div', { title: hint('freeBlocks') }, h('dt', { text: 'Free blocks' }), h('dd', { text: freeBlocksText(st) })),
          // The run's worst moments, watched after every op (the chart's
          // samples can miss a one-op spike; a trace that frees everything
          // ends at 0 % and one free block whatever happened on the way).
          pk ? h('div', { title: 'The highest external fragmentation after any op up to this step, watched after every op (the chart samples, and can miss a one-op spike)' },
            h('dt', { text: 'Peak fragmentation' }), h('dd', null, percent(pk.externalFragmentation), pk.externalFragmentation > 0 ? atOp(pk.externalFragmentationStep) : null)) : null,
          pk ? h('div', { title: 'The most free blocks (free slab chunks included) after any op up to this step' },
            h('dt', { text: 'Most free blocks' }), h('dd', null, num(pk.freeBlocks), atOp(pk.freeBlocksStep))) : null,
          h('div', { title: r.snapshot.sbrk
            ? 'Peak live requested bytes ÷ high-water mark, as CS:APP’s mdriver scores a heap. The heap grows with sbrk here, so the mark is the heap this strategy needed'
            : 'Peak live requested bytes ÷ high-water mark, as CS:APP’s mdriver scores a heap. In a fixed arena next and worst fit walk into its untouched top, so their high-water mark (and utilization) follows the arena’s size: set Heap to “Grows (sbrk)” to compare the heaps they need' },
            h('dt', { text: 'Peak utilization' }), h('dd', null, percent(st.peakUtilization),
              // (Refused requests flatter it: said under the figure too, not only in the note below.)
              st.failedAllocs ? h('span', { class: 'cmp-at', text: ' failures left out' }) : null)),
          h('div', { title: r.snapshot.sbrk ? 'The highest end any block has had: where the heap, which grows with sbrk, ends' : 'The highest end any block has had: the heap a program would need' },
            h('dt', { text: 'High-water mark' }), h('dd', { text: `${num(st.highWater)} B` })),
          h('div', null, h('dt', { text: 'Blocks searched' }), h('dd', {
            title: `Free blocks searched over all malloc and realloc requests, counted as OSTEP’s malloc.py walks its list, and per request: failed ones and reallocs that stay in place (which search none) count as requests${r.strategy === 'slab' ? '. The slab allocator takes a chunk without a search: its figure counts the free blocks searched when it carved a new slab from the arena' : ''}`,
          }, num(r.report.searched),
          // (The mean on a line of its own: "(1.9 each)" broke across lines in a narrow card.)
          requests ? h('span', { class: 'cmp-at', text: ` ${perRequestText(r.report.searched / requests)} per request` }) : null))),
        // Peak utilization counts only the requests that got memory: next to
        // failures it flatters the run (the arena is too small for it).
        st.failedAllocs ? h('p', { class: 'cmp-warn', text: `${plural(st.failedAllocs, 'request')} failed${tooLargeWords(r)}: peak utilization counts only those that got memory.` }) : null);
      return { card, mapBox, r };
    });
    e.grid.replaceChildren(h('p', { class: 'cmp-maps-note', text: d.mapsLabel ?? '' }), ...cards.map((c) => c.card));
    for (const { mapBox, r } of cards) {
      const map = new MemoryMap(mapBox, { interactive: false, compact: true, label: `${strategyLabel(r.strategy, r.snapshot.classes)} memory map` });
      map.render({ arenaSize: r.snapshot.arenaSize, blocks: r.snapshot.blocks, header: r.snapshot.header, heapEnd: r.snapshot.sbrk ? r.snapshot.stats.highWater : null, highlightSeq: d.highlightSeq });
      this.#maps.push(map);
    }
  }
}

const perRequest = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
/** Blocks searched per request, one decimal; a few in very many is "<0.1", not "0.0". */
function perRequestText(x) {
  return x > 0 && x < 0.05 ? '<0.1' : perRequest.format(x);
}

/**
 * Compared op `k` as the timeline numbers it (from 1): the comparison leaves
 * out the timeline's strategy switches, the timeline counts them.
 */
export function timelineOp(result, k) {
  return result.index ? result.index[k] + 1 : k + 1;
}

/** The most ops a JSON export spells out (a longer list is left out: `opList` null). */
export const EXPORT_MAX_OPS = 200_000;

/**
 * The comparison's numbers as CSV (a row per strategy and sample) or JSON
 * (the settings, the ops, each strategy's report, its statistics after the
 * last op, and its samples). The cards may show another step (the maps'
 * "Memory at"): the export is always the whole run. `workload`: the
 * generator's options when a workload made the ops.
 */
export function compareExport(result, format, config = null, workload = null) {
  if (format === 'json') {
    return JSON.stringify({
      config,
      ops: result.tokens.length,
      // What ran, so that compare(config, opList) gives these numbers again.
      opList: result.tokens.length <= EXPORT_MAX_OPS ? result.tokens.join(',') : null,
      workload,
      strategySwitchesSkipped: result.skipped ?? 0,
      sampledEvery: result.every ?? 1,
      // The op number as the timeline says it (from 1, strategy switches
      // included), or null; `firstDivergence` is its index in `opList`, as
      // `compare` gives it, and the samples' and peaks' steps count the ops
      // of `opList`. And which runs it compares.
      firstDivergenceOp: result.firstDivergence == null ? null : timelineOp(result, result.firstDivergence),
      firstDivergence: result.firstDivergence ?? null,
      firstDivergenceAmong: result.divergenceAmong ? result.runs.map((r) => r.strategy).filter((st) => st !== 'slab') : result.runs.map((r) => r.strategy),
      runs: result.runs.map((r) => ({ strategy: r.strategy, report: r.report, statsAfterLastOp: r.snapshot.stats, peaks: r.peaks, samples: r.samples })),
    }, null, 1);
  }
  const cols = ['step', 'externalFragmentation', 'l2Fragmentation', 'usedBytes', 'requestedBytes', 'freeBlocks', 'largestFree', 'failedAllocs', 'highWater'];
  const rows = [['strategy', ...cols].join(',')];
  for (const r of result.runs) for (const smp of r.samples) rows.push([r.strategy, ...cols.map((c) => smp[c])].join(','));
  return `${rows.join('\n')}\n`;
}

/** 1, 2, 2.5 or 5 times a power of ten, at least `x` (and at least 1). */
export function niceStep(x) {
  if (!(x > 1)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 2.5, 5, 10].map((k) => k * p).find((v) => v >= x && Number.isInteger(v)) ?? 10 * p;
}

/** An op token in words (read by the core's parser): `+24` → "+24 (malloc(24))". */
function describeOp(tok) {
  let op = null;
  try { [op] = parseOps(tok ?? '').ops; } catch { return tok; }
  // (A free places nothing: a divergence is never one.)
  const call = op?.op === 'free' ? '' : callText(op);
  return call ? `${tok} (${call})` : tok;
}
