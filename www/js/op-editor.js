// The op-list editor: OSTEP syntax (+10,+20,-0 …) or a CS:APP .rep trace,
// with line numbers, validation as you type (by the core, through a
// callback), errors that name the line, and import by file picker,
// drag-and-drop or paste.

import { h, button, iconSvg, saveFile, keepFocus, focusIn } from './dom.js';
import { num, plural } from './format.js';

const LINE_PX = 20; // keep in sync with .ed-text / .ed-gutter line-height

export class OpEditor {
  #els;
  #opts;
  #format = 'ops';
  #dirty = false;
  /** Whether the text stands in for an op list too long to show (Download then saves the list itself). */
  #standIn = false;
  #timer = 0;
  /** Whether an edit waits for its check (#schedule), which may switch the format. */
  #typedPending = false;
  /** A run button that lost the focus while a replay ran (see keepFocus). */
  #parked = null;
  #errorLine = 0;

  /**
   * @param {HTMLElement} container
   * @param {object} opts
   *   onValidate(text, format) → { count, heapHint? } or throws (bad-script with .line)
   *   onRun(text, format), onAppend(text), onFormat(format) (picked by the user), onRevert(), onOstep(), onFile(file), onPasteDetect(text) → 'ops'|'rep'|null,
   *   maxPaste (characters), onPasteTooLarge(length),
   *   fullText() → the op list a stand-in text (setText's `standIn`) stands for
   */
  constructor(container, opts) {
    this.#opts = opts;
    const fmtOps = h('button', { type: 'button', class: 'seg-btn', 'aria-pressed': 'true', text: 'Op list', onclick: () => { this.setFormat('ops', true); opts.onFormat?.('ops'); } });
    const fmtRep = h('button', { type: 'button', class: 'seg-btn', 'aria-pressed': 'false', text: '.rep trace', onclick: () => { this.setFormat('rep', true); opts.onFormat?.('rep'); } });
    const seg = h('div', { class: 'seg', role: 'group', 'aria-label': 'Format' }, fmtOps, fmtRep);

    const file = h('input', { type: 'file', class: 'sr-only', accept: '.rep,.txt,.ops,text/plain', 'data-testid': 'file-input', tabindex: '-1', 'aria-hidden': 'true',
      onchange: () => { const f = file.files?.[0]; if (f) opts.onFile?.(f); file.value = ''; } });
    const pick = button('Import file', { class: 'btn btn-sm', onclick: () => file.click(), 'data-testid': 'import' }, 'upload');
    const download = button('Download', { class: 'btn btn-sm btn-ghost', title: 'Save the op list as a text file', onclick: () => this.#download() }, 'download');

    const gutter = h('pre', { class: 'ed-gutter', 'aria-hidden': 'true' });
    const mark = h('div', { class: 'ed-mark', hidden: true, 'aria-hidden': 'true' });
    const text = h('textarea', {
      class: 'ed-text', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off', wrap: 'off',
      'aria-label': 'Op list', 'data-testid': 'editor', rows: 8,
      // (Each comment on a line of its own: short lines read whole on a phone, where the editor does not wrap.)
      placeholder: '# malloc 10, malloc 20, free ptr[0]\n+10, +20, -0\n# 16 bytes aligned to 64\n+16@64\n# calloc, realloc ptr[1], write\nc8, r1:40, w1=cafe\n# switch strategy\n@best-fit',
    });
    text.addEventListener('input', () => {
      this.#dirty = true;
      this.#standIn = false;
      // The trace panel describes (and its buttons run) the text as it was:
      // an edit retires it, and Run from start offers it again for the new text.
      if (!this.#els.trace.hidden) this.showTrace(null);
      this.#paintGutter();
      this.#schedule();
    });
    text.addEventListener('scroll', () => {
      gutter.scrollTop = text.scrollTop;
      this.#placeMark();
    });
    text.addEventListener('paste', (e) => {
      // A text of many megabytes freezes the browser for seconds as the
      // textarea takes it (30 MB: 20 s): it is refused, and Import file
      // (which keeps long lists out of the textarea) is offered instead.
      const pasted = e.clipboardData?.getData('text/plain') ?? '';
      if (opts.maxPaste && pasted.length > opts.maxPaste) {
        e.preventDefault();
        opts.onPasteTooLarge?.(pasted.length);
        return;
      }
      setTimeout(() => {
        const f = opts.onPasteDetect?.(text.value);
        if (f && f !== this.#format) this.setFormat(f, true);
      });
    });
    text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        // (With a trace's panel up, to its choices: which one is the user's.)
        if (run.hidden) this.#els.trace.querySelector('button')?.focus();
        else run.click();
      }
    });

    const status = h('p', { class: 'ed-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'editor-status' });
    // Running supersedes the pending as-you-type validation (its message would overwrite the result).
    const run = button('Run from start', { class: 'btn btn-primary', 'data-testid': 'run', title: 'Start over and run these ops (Ctrl+Enter)', onclick: () => {
      // Typed and run at once: the check the edit waits for first (a trace
      // typed as an op list is run as a trace, and the other way round).
      if (this.#typedPending) this.validateNow(true);
      clearTimeout(this.#timer);
      opts.onRun?.(text.value, this.#format);
    } }, 'run');
    const append = button('Append', { class: 'btn', 'data-testid': 'append', title: 'Run these ops after the last op of the timeline', onclick: () => { clearTimeout(this.#timer); opts.onAppend?.(text.value); } });
    const revert = button('Show log', { class: 'btn btn-ghost', 'data-testid': 'revert', title: 'Replace the text with the current op log', onclick: () => opts.onRevert?.() });
    const ostep = button('malloc.py view', { class: 'btn btn-ghost', 'data-testid': 'ostep', title: 'The run so far as OSTEP’s malloc.py -c prints it', onclick: () => opts.onOstep?.() }, 'terminal');
    const trace = h('div', { class: 'ed-trace', hidden: true, 'data-testid': 'trace-panel' });
    const drop = h('div', { class: 'ed-drop', 'aria-hidden': 'true' }, iconSvg('upload'), h('span', { text: 'Drop a .rep trace or an op list' }));

    const root = h('div', { class: 'ed' },
      h('div', { class: 'ed-toolbar' }, seg, h('div', { class: 'ed-tools' }, pick, download, file)),
      h('div', { class: 'ed-box' }, gutter, h('div', { class: 'ed-area' }, text, mark), drop),
      trace,
      h('div', { class: 'ed-actions' }, run, append, ostep, revert),
      // Under the buttons: a message growing to two lines moves none of them.
      status);
    for (const ev of ['dragenter', 'dragover']) {
      root.addEventListener(ev, (e) => {
        if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
        e.preventDefault();
        root.classList.add('is-dragging');
      });
    }
    root.addEventListener('dragleave', (e) => { if (!root.contains(e.relatedTarget)) root.classList.remove('is-dragging'); });
    root.addEventListener('drop', (e) => {
      root.classList.remove('is-dragging');
      const f = e.dataTransfer?.files?.[0];
      if (!f) return;
      e.preventDefault();
      opts.onFile?.(f);
    });
    container.append(root);
    this.#els = { root, text, gutter, mark, status, run, append, revert, trace, fmtOps, fmtRep, seg };
    this.#paintGutter();
    this.setFormat('ops');
  }

  get element() { return this.#els.root; }
  get value() { return this.#els.text.value; }
  get format() { return this.#format; }
  /** True once the user edited the text since it was last set. */
  get dirty() { return this.#dirty; }

  /** The text as it stands. */
  get text() { return this.#els.text.value; }

  /** The text shown has just been run: no longer an edit waiting to run; `count`: the ops it held, which the status says. */
  ran(count = null) {
    this.#dirty = false;
    // (The status may be older than the text: typed and run at once.)
    if (count != null) { this.#valid(count); return; }
    const s = this.#els.status;
    if (s.classList.contains('ed-status-ok')) s.textContent = s.textContent.replace(EDITED, '');
  }

  setFormat(f, validate = false) {
    this.#format = f;
    this.#els.fmtOps.setAttribute('aria-pressed', String(f === 'ops'));
    this.#els.fmtRep.setAttribute('aria-pressed', String(f === 'rep'));
    this.#els.append.hidden = f === 'rep';
    this.#els.text.setAttribute('aria-label', f === 'rep' ? 'CS:APP .rep trace' : 'Op list');
    if (validate) this.validateNow();
  }

  /**
   * Replaces the text. `{ dirty }` marks it as the user's (not the log);
   * `{ standIn }` as a note in place of an op list too long to show.
   */
  setText(value, { format = this.#format, dirty = false, validate = true, standIn = false, count = null } = {}) {
    const t = this.#els.text;
    if (t.value !== value) t.value = value;
    // (The page's text: no edit waits for its check.)
    clearTimeout(this.#timer);
    this.#typedPending = false;
    this.#dirty = dirty;
    this.#standIn = standIn;
    this.setFormat(format);
    // An op list in place of a trace (the log after a hand-made op): the
    // trace's panel, whose buttons would run the trace again, goes.
    if (format !== 'rep' && !this.#els.trace.hidden) this.showTrace(null);
    this.#paintGutter();
    // The page set the text (a sync after a free, a load): its count is not
    // news to announce; typing is (the live region speaks again after this).
    const st = this.#els.status;
    st.setAttribute('aria-live', 'off');
    // `count`: the text is a log the core ran (valid as it stands), so it
    // is not checked again (a 20,000-op list took a slow machine 80 ms more).
    if (count != null) this.#valid(count);
    else if (validate) this.validateNow();
    else this.#status('', 'idle');
    setTimeout(() => st.setAttribute('aria-live', 'polite'), 0);
  }

  #schedule() {
    clearTimeout(this.#timer);
    this.#typedPending = true;
    this.#timer = setTimeout(() => this.validateNow(true), 250);
  }

  /**
   * Validates now (through onValidate) and shows the result; `typed`: after
   * an edit (see below).
   */
  validateNow(typed = false) {
    clearTimeout(this.#timer);
    this.#typedPending = false;
    const text = this.#els.text.value;
    if (!text.trim()) {
      this.#status(this.#format === 'rep' ? 'Paste or drop a CS:APP .rep trace.' : 'Empty op list.', 'idle');
      this.#setError(0);
      return true;
    }
    try {
      const r = this.#opts.onValidate?.(text, this.#format);
      this.#valid(r?.count ?? 0, this.#format === 'rep' && r?.heapHint ? ` · heap hint ${num(r.heapHint)} B` : '');
      return true;
    } catch (e) {
      // Left in .rep mode after a trace, a typed op list reads as one: the
      // editor switches back (as a pasted trace switches it to .rep).
      if (typed && this.#format === 'rep') {
        try {
          const r = this.#opts.onValidate?.(text, 'ops');
          // (Comments alone are no op list: a trace may start with them.)
          if (!(r?.count > 0)) throw new Error('no ops');
          this.setFormat('ops');
          this.#valid(r?.count ?? 0, ' · read as an op list');
          return true;
        } catch { /* not an op list either: the trace's error stands */ }
      }
      // A trace typed (or dropped in as text) in the op list: the editor
      // switches to .rep, as a pasted one does.
      if (typed && this.#format === 'ops') {
        try {
          const r = this.#opts.onValidate?.(text, 'rep');
          this.setFormat('rep');
          this.#valid(r?.count ?? 0, ' · read as a .rep trace');
          return true;
        } catch { /* not a trace either: the op list's error stands */ }
      }
      this.showError(e);
      return false;
    }
  }

  /** Says the text holds `count` valid ops. */
  #valid(count, extra = '') {
    this.#status(`✓ ${num(count)} ${count === 1 ? 'op' : 'ops'}${extra}${this.#dirty ? EDITED : ''}`, 'ok');
    this.#setError(0);
  }

  /** Shows an error; a `bad-script` error's line is marked and offered. */
  showError(e) {
    const line = Number(e?.line) || 0;
    const msg = String(e?.message ?? e);
    const s = this.#els.status;
    s.className = 'ed-status ed-status-error';
    s.replaceChildren(h('span', { text: line && !/^line \d+/.test(msg) ? `Line ${line}: ${msg}` : capitalize(msg) }));
    if (line) {
      s.append(' ', h('button', { type: 'button', class: 'linkish', text: `Go to line ${line}`, onclick: () => this.goToLine(line) }));
    }
    this.#setError(line);
  }

  /** Selects line `n` (1-based) and scrolls it into view. */
  goToLine(n) {
    const t = this.#els.text;
    const lines = t.value.split('\n');
    let start = 0;
    for (let i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;
    const end = start + (lines[n - 1]?.length ?? 0);
    t.focus();
    t.setSelectionRange(start, end);
    t.scrollTop = Math.max(0, (n - 3) * LINE_PX);
    this.#placeMark();
  }

  /** Whether a trace summary is showing. */

  /**
   * Shows a trace summary with actions ([{ label, onClick }]); null hides it.
   * A button that had the focus hands it to its new self (the same label),
   * else to the first action, or to Run from start when the summary goes.
   */
  showTrace(info, actions = []) {
    const p = this.#els.trace;
    // (Run from start, pressed, steps aside below: its focus goes to the panel.)
    const was = focusIn(p) ?? (this.#els.run === document.activeElement ? this.#els.run : null);
    // While a trace's panel is up its buttons are the ways to run it (the
    // first, the one it recommends, primary): Run from start steps aside,
    // not a second primary button that runs in the current arena.
    this.#els.run.hidden = !!info;
    if (!info) {
      p.hidden = true;
      p.replaceChildren();
    } else {
      p.hidden = false;
      p.replaceChildren(
        h('p', { class: 'ed-trace-title' }, h('strong', { text: info.name || 'Trace' }), ` · ${plural(info.count, 'op')} · ${plural(info.numIds, 'id')} · at most ${num(info.peakPayload)} B requested at once${traceHeader(info)}`),
        h('div', { class: 'ed-trace-actions' }, actions.map((a, i) => button(a.label, { class: `btn btn-sm${i === 0 ? ' btn-primary' : ''}`, onclick: a.onClick, 'data-testid': a.testid }))));
    }
    if (was) {
      const buttons = [...p.querySelectorAll('button')];
      // (Not the text: there ← → would move its caret, not the timeline.)
      keepFocus(was, [buttons.find((b) => b.textContent === was.textContent), buttons[0], this.#els.run].filter(Boolean));
    }
  }

  /** Disables the run buttons while a replay runs (the one pressed gets the focus back after it). */
  setBusy(busy) {
    const was = focusIn(this.#els.root);
    for (const b of [this.#els.run, this.#els.append, this.#els.revert]) b.disabled = busy;
    this.#parked = keepFocus(was, [], this.#parked);
  }

  #status(text, kind) {
    const s = this.#els.status;
    s.className = `ed-status ed-status-${kind}`;
    s.textContent = text;
  }

  #setError(line) {
    this.#errorLine = line;
    this.#paintGutter();
    this.#placeMark();
  }

  #paintGutter() {
    const t = this.#els.text.value;
    let lines = 1;
    for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) lines++;
    const max = Math.min(lines, 200_000);
    const g = this.#els.gutter;
    if (g.dataset.lines !== String(max)) {
      const out = [];
      for (let i = 1; i <= max; i++) out.push(String(i));
      g.textContent = out.join('\n');
      g.dataset.lines = String(max);
    }
    g.classList.toggle('ed-gutter-wide', lines >= 1000);
  }

  #placeMark() {
    const m = this.#els.mark;
    if (!this.#errorLine) { m.hidden = true; return; }
    m.hidden = false;
    const top = 8 + (this.#errorLine - 1) * LINE_PX - this.#els.text.scrollTop;
    m.style.transform = `translateY(${top}px)`;
  }

  #download() {
    const body = this.#standIn ? this.#opts.fullText?.() ?? this.#els.text.value : this.#els.text.value;
    saveFile(this.#format === 'rep' ? 'trace.rep' : 'ops.txt', body, 'text/plain', this.#els.root);
  }
}

/** The status line's note on text typed but not yet run. */
const EDITED = ' · edited: Run from start to replace the timeline';

function capitalize(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** What a trace's header says beyond its counts: the CS:APP heap hint (and
 *  why it is not offered when it cannot hold the trace), or CMU's form. */
function traceHeader(info) {
  if (info.format === 'cmu') return ` · CMU 15-213 header (weight ${num(info.weight)})`;
  if (info.heapHint == null) return '';
  return ` · heap hint ${num(info.heapHint)} B${info.hintHolds ? '' : ' (too small to hold that)'}`;
}
