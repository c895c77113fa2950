// The timeline: undo / step / play over the op list, a scrubber over every op
// (with fragmentation over time drawn behind it), the ops around the cursor,
// and "fork here" with another strategy.

import { h, s, button, iconSvg, keepFocus, focusIn } from './dom.js';
import { num, percent, FAILED_WHY } from './format.js';
import { strategyLabel, settledChange } from './controls.js';

const SPEEDS = [
  // Slow enough to read each op's words aloud in a lecture.
  { label: '1 op / 3 s', ms: 3000 },
  { label: '1 op/s', ms: 1000 },
  { label: '2 ops/s', ms: 500 },
  { label: '8 ops/s', ms: 125 },
  { label: '30 ops/s', ms: 33 },
  { label: 'max', ms: 0 },
];

/** The speed a timeline starts at: 8 ops/s. */
export const DEFAULT_SPEED_MS = 125;

function shortToken(t) {
  return t.length > 14 ? `${t.slice(0, 13)}…` : t;
}

export class TimelineView {
  #els;
  #opts;
  #last = null;
  #root;
  /** A control that lost the focus while everything was busy (see keepFocus). */
  #parked = null;
  /** The branch select's change waiting for its keys to rest (see settledChange). */
  #branchPending;
  /** A pointer is dragging the scrubber. */
  #dragging = false;

  /**
   * @param {HTMLElement} container
   * @param {object} opts { strategies, onSeek(n), onPlay(), onPause(), onSpeed(ms), onFork(strategy), onBranch(k), onPredict(on) }
   */
  constructor(container, opts) {
    this.#opts = opts;
    const mk = (label, icon, onclick, testid) => button(label, { class: 'btn btn-icon', 'data-icon-only': '1', 'aria-label': label, title: label, onclick, 'data-testid': testid }, icon);
    const start = mk('Go to start', 'start', () => opts.onSeek?.(0), 'tl-start');
    const undo = mk('Undo (Ctrl+Z)', 'undo', () => opts.onSeek?.(this.#last.position - 1), 'undo');
    const play = button('Play', { class: 'btn btn-icon btn-play', 'data-icon-only': '1', 'aria-label': 'Play', title: 'Play (replay the ops after the cursor)', 'data-testid': 'play', onclick: () => (this.#last?.playing ? opts.onPause?.() : opts.onPlay?.()) }, 'play');
    const redo = mk('Step / redo (Ctrl+Shift+Z)', 'redo', () => opts.onSeek?.(this.#last.position + 1), 'redo');
    const end = mk('Go to end', 'end', () => opts.onSeek?.(this.#last.total), 'tl-end');
    const speed = h('select', { class: 'input input-sm', 'aria-label': 'Playback speed', onchange: () => opts.onSpeed?.(Number(speed.value)) },
      SPEEDS.map((sp) => h('option', { value: sp.ms, text: sp.label, selected: sp.ms === DEFAULT_SPEED_MS })));
    const readout = h('div', { class: 'tl-readout', 'aria-live': 'off' });

    const spark = s('svg', { class: 'tl-spark', viewBox: '0 0 1000 40', preserveAspectRatio: 'none', 'aria-hidden': 'true' });
    const scrub = h('input', {
      type: 'range', class: 'tl-range', min: 0, max: 0, step: 1, value: 0, 'aria-label': 'Step', 'data-testid': 'scrubber',
      oninput: () => opts.onSeek?.(Number(scrub.value)),
    });
    // While a drag is under way the scrubber stays enabled and where the
    // pointer put it, even as a long rewind runs (disabled, it dropped the
    // drag: on a 1M-op timeline it stayed where the mouse went down); the
    // seeks it asks for add up to the last.
    const release = () => { this.#dragging = false; if (this.#last) this.render(this.#last); };
    scrub.addEventListener('pointerdown', () => { this.#dragging = true; });
    scrub.addEventListener('pointerup', release);
    scrub.addEventListener('pointercancel', release);
    scrub.addEventListener('lostpointercapture', () => { if (this.#dragging) release(); });
    globalThis.addEventListener?.('pointerup', () => { if (this.#dragging) release(); });
    const sparkNote = h('span', { class: 'tl-spark-note' });
    // One tab stop for the whole strip (roving tabindex): ← → Home End move along it.
    const ops = h('ol', { class: 'tl-ops', 'aria-label': 'Ops around the cursor', onkeydown: (ev) => this.#stripKey(ev) });

    const forkSel = h('select', { class: 'input input-sm', 'aria-label': 'Fork with (strategy)' },
      opts.strategies.map((st) => h('option', { value: st, text: strategyLabel(st) })));
    const fork = button('Fork here', { class: 'btn btn-sm', 'data-testid': 'fork', title: 'Run the rest of the ops under another strategy (the current timeline stays as a branch)', onclick: () => opts.onFork?.(forkSel.value) }, 'fork');
    const branch = h('select', { class: 'input input-sm', 'aria-label': 'Branch', 'data-testid': 'branch' });
    // Arrow keys through the branches load the one they rest on, not each on the way.
    this.#branchPending = settledChange(branch, (v) => opts.onBranch?.(Number(v)));
    const branchWrap = h('label', { class: 'tl-branch', hidden: true }, h('span', { text: 'Branch' }), branch);
    const predict = h('input', { type: 'checkbox', class: 'switch-input', role: 'switch', 'data-testid': 'predict-toggle', onchange: () => opts.onPredict?.(predict.checked) });
    const predictWrap = h('label', { class: 'switch tl-predict', title: 'Before each step forward, guess what the op will do; then it runs and your guess is checked' },
      predict, h('span', { class: 'switch-track', 'aria-hidden': 'true' }), h('span', { text: 'Predict each step' }));

    this.#root = h('div', { class: 'tl' },
      h('div', { class: 'tl-bar' },
        h('div', { class: 'tl-buttons', role: 'group', 'aria-label': 'Timeline' }, start, undo, play, redo, end),
        h('div', { class: 'tl-scrub' }, spark, scrub),
        readout),
      h('div', { class: 'tl-meta' }, sparkNote, ops),
      h('div', { class: 'tl-foot' },
        h('label', { class: 'tl-speed' }, h('span', { text: 'Speed' }), speed),
        predictWrap,
        h('div', { class: 'tl-fork' }, h('span', { class: 'tl-fork-label', text: 'Fork with' }), forkSel, fork),
        branchWrap));
    container.append(this.#root);
    this.#els = { start, undo, play, redo, end, speed, readout, spark, scrub, ops, forkSel, fork, branch, branchWrap, sparkNote, predict };
  }

  /** ← → Home End in the op strip move the focus along it (its one tab stop moves too). */
  #stripKey(ev) {
    const all = [...this.#els.ops.querySelectorAll('.tl-op')];
    const i = all.indexOf(ev.target);
    if (i < 0) return;
    const j = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: all.length - 1 }[ev.key];
    if (j === undefined) return;
    ev.preventDefault();
    const next = all[Math.max(0, Math.min(all.length - 1, j))];
    for (const b of all) b.tabIndex = b === next ? 0 : -1;
    next.focus();
  }

  /**
   * @param {object} st { position, total, playing, busy, window: { start, tokens }, samples, strategy, branches, active }
   */
  render(st) {
    this.#last = st;
    const e = this.#els;
    const was = focusIn(this.#root);
    const { position: pos, total } = st;
    if (!this.#dragging) {
      e.scrub.max = String(total);
      e.scrub.value = String(pos);
      e.scrub.disabled = total === 0 || st.busy;
    }
    const next = st.window.tokens[pos - st.window.start];
    e.scrub.setAttribute('aria-valuetext', `step ${num(pos)} of ${num(total)}${next ? `, next op ${next}` : ''}`);
    e.readout.replaceChildren(
      h('span', { class: 'tl-step', text: num(pos) }),
      h('span', { class: 'tl-of', text: ` / ${num(total)}` }),
      h('span', { class: 'tl-unit', text: total === 1 ? ' op' : ' ops' }));
    e.start.disabled = e.undo.disabled = pos === 0 || st.busy;
    e.redo.disabled = e.end.disabled = pos >= total || st.busy;
    e.play.disabled = (pos >= total && !st.playing) || st.busy;
    e.play.replaceChildren(iconSvg(st.playing ? 'pause' : 'play'), h('span', { class: 'sr-only', text: st.playing ? 'Pause' : 'Play' }));
    e.play.setAttribute('aria-label', st.playing ? 'Pause' : 'Play');
    e.play.classList.toggle('is-playing', !!st.playing);
    e.fork.disabled = st.busy || total === 0;
    e.predict.checked = !!st.predict;
    if (st.strategy && e.forkSel.value === st.strategy) {
      const other = [...e.forkSel.options].find((o) => o.value !== st.strategy);
      if (other) e.forkSel.value = other.value;
    }

    // The ops around the cursor.
    const items = [];
    const { start, tokens, failed } = st.window;
    // The strip shows a window of the ops: say how many lie outside it (a
    // newcomer took the 16 mallocs of an example, all but one off the strip, for one).
    if (start > 0) items.push(h('li', { class: 'tl-more', text: `${num(start)} earlier …` }));
    tokens.forEach((t, k) => {
      const i = start + k;
      const done = i < pos;
      // A malloc that returned NULL, a write that wrote nothing, a double free.
      const bad = done && failed?.has(i);
      const why = !bad ? '' : FAILED_WHY[t[0]] ?? ' (failed: returned NULL)';
      if (i === pos) items.push(h('li', { class: 'tl-cursor', 'aria-label': 'cursor' }));
      items.push(h('li', null, h('button', {
        type: 'button', class: `tl-op${done ? ' tl-done' : ' tl-future'}${t.startsWith('@') ? ' tl-meta-op' : ''}${bad ? ' tl-failed' : ''}`,
        title: `op ${num(i + 1)}: ${t}${why}`, 'aria-label': `Go to after op ${i + 1}, ${t}${why}`, 'data-step': i + 1,
        onclick: () => this.#opts.onSeek?.(i + 1), disabled: !!st.busy,
      }, shortToken(t))));
    });
    if (tokens.length && start + tokens.length === pos) items.push(h('li', { class: 'tl-cursor', 'aria-label': 'cursor' }));
    const after = total - start - tokens.length;
    if (tokens.length && after > 0) items.push(h('li', { class: 'tl-more', text: `… ${num(after)} more` }));
    if (!tokens.length) items.push(h('li', { class: 'tl-empty', text: 'No ops yet: every malloc, free, realloc and write is recorded here.' }));
    e.ops.replaceChildren(...items);
    // Keep the cursor in view when the strip scrolls (narrow screens).
    const cur = e.ops.querySelector('.tl-cursor');
    if (cur && e.ops.scrollWidth > e.ops.clientWidth) {
      const x = cur.getBoundingClientRect().left - e.ops.getBoundingClientRect().left + e.ops.scrollLeft;
      e.ops.scrollLeft = Math.max(0, x - e.ops.clientWidth / 2);
    }
    // Undo to the start, redo to the end, or a click in the strip (rebuilt
    // above) would leave the keyboard focus nowhere: give it to the
    // scrubber, where a repeated Enter does nothing (on the opposite button
    // it would walk back the way it came) and the arrows still step.
    const sameOp = was?.dataset.step ? e.ops.querySelector(`[data-step="${was.dataset.step}"]`) : null;
    const opButtons = [...e.ops.querySelectorAll('.tl-op')];
    const stop = sameOp ?? e.ops.querySelector(`[data-step="${pos}"]`) ?? opButtons[0];
    for (const b of opButtons) b.tabIndex = b === stop ? 0 : -1;
    this.#parked = keepFocus(was, [sameOp, e.scrub, e.play, e.undo, e.redo].filter(Boolean), this.#parked);

    // Fragmentation over time, behind the scrubber. In predict mode only up
    // to the cursor: the curve ahead would give away what the next ops do.
    const smp = st.predict ? st.samples?.filter((p) => p.step <= pos) : st.samples;
    const sofar = st.predict && pos < total ? ' so far' : '';
    e.spark.replaceChildren();
    if (smp && smp.length > 1 && total > 0) {
      // The peak watched after every op (not in predict mode: it would give
      // away what is ahead), which samples can miss.
      const pk = !st.predict && st.peaks ? st.peaks : null;
      let top = Math.max(0.2, pk?.externalFragmentation ?? 0);
      for (const p of smp) if (p.externalFragmentation > top) top = p.externalFragmentation;
      const pts = smp.map((p) => `${((p.step / total) * 1000).toFixed(1)},${(38 - (p.externalFragmentation / top) * 30).toFixed(1)}`);
      e.spark.append(
        s('polygon', { class: 'tl-spark-area', points: `0,40 ${pts.join(' ')} 1000,40` }),
        s('polyline', { class: 'tl-spark-line', points: pts.join(' ') }));
      // A peak between samples is drawn where it happened, up to its height
      // (the curve through the samples passes below it).
      if (pk?.externalFragmentation > 0 && !smp.some((p) => p.step === pk.externalFragmentationStep)) {
        const px = ((pk.externalFragmentationStep / total) * 1000).toFixed(1);
        e.spark.append(s('line', { class: 'tl-spark-peak', x1: px, x2: px, y1: 40, y2: (38 - (pk.externalFragmentation / top) * 30).toFixed(1) }));
      }
      let peak = smp[0];
      for (const p of smp) if (p.externalFragmentation > peak.externalFragmentation) peak = p;
      // Long timelines are sampled: say so. The peak is the one watched after
      // every op when there is one, else the highest sample (predict mode).
      const every = smp.length > 2 ? smp[1].step - smp[0].step : 1;
      if (pk) peak = { step: pk.externalFragmentationStep, externalFragmentation: pk.externalFragmentation };
      const sampled = every > 1 ? `, sampled every ${num(every)} ops` : '';
      e.sparkNote.textContent = peak.externalFragmentation > 0
        ? every > 1 && !pk
          ? `external fragmentation over time${sofar}${sampled} · highest sample ${percent(peak.externalFragmentation)}, after op ${num(peak.step)}`
          : `external fragmentation over time${sofar}${sampled} · peak ${percent(peak.externalFragmentation)} after op ${num(peak.step)}`
        : 'external fragmentation over time · none so far: every free byte is in one block';
    } else {
      e.sparkNote.textContent = st.predict && total > 0 && !(st.samplesLimit && total > st.samplesLimit)
        ? 'external fragmentation over time: drawn as the ops run (predict mode)'
        : total > 0 && st.samplesLimit && total > st.samplesLimit
        ? `(fragmentation over time is drawn for timelines of up to ${num(st.samplesLimit)} ops)`
        : total > 0 && st.samplesSlow
        ? `(fragmentation over time is not drawn: replaying these ${num(total)} ops would take about ${(st.samplesSlow / 1000).toFixed(1)} s)`
        // Its line is there from the first op (the samples come a moment
        // later), so the controls under it do not move when they do.
        : total > 0 ? 'external fragmentation over time' : '';
    }

    const br = st.branches ?? [];
    e.branchWrap.hidden = br.length < 2;
    if (br.length >= 2) {
      // (Not while keys move through it: that would put the old branch back.)
      if (!this.#branchPending.pending()) {
        e.branch.replaceChildren(...br.map((b, k) => h('option', { value: k, text: b.name })));
        e.branch.value = String(st.active);
      }
      e.branch.disabled = !!st.busy;
    }
  }
}
