// The operation forms: malloc (with optional alignment), calloc, and for a
// chosen live pointer: free, realloc, and writing bytes into it.

import { h, field, button, keepFocus, focusIn, wholeNumber } from './dom.js';
import { num, gotText } from './format.js';

/** Bytes from the write box: text (UTF-8) or hex pairs. Throws with a message. */
export function parseBytes(text, mode) {
  if (mode === 'hex') {
    const clean = text.replace(/0x/gi, '').replace(/[\s,:]+/g, '');
    if (!clean) throw new Error('Type some hex bytes, e.g. de ad be ef.');
    if (!/^[0-9a-f]*$/i.test(clean)) throw new Error('Hex may only hold 0-9 and a-f.');
    if (clean.length % 2) throw new Error('Hex needs an even number of digits (two per byte).');
    return Uint8Array.from(clean.match(/../g), (p) => parseInt(p, 16));
  }
  if (!text) throw new Error('Type some text to write.');
  return new TextEncoder().encode(text);
}

/** The most pointers the target list shows (the newest, plus the selected one). */
export const MAX_OPTIONS = 1000;

export class AllocPanel {
  #els;
  #opts;
  #root;
  #parked = null;

  /**
   * @param {HTMLElement} container
   * @param {object} opts { onAlloc({size, align}), onCalloc(size), onFree(seq), onRealloc(seq, size), onWrite(seq, at, bytes), onTarget(seq) }
   */
  constructor(container, opts) {
    this.#opts = opts;
    const size = h('input', { class: 'input input-num', type: 'number', min: 1, step: 1, value: 16, inputmode: 'numeric', 'data-testid': 'alloc-size', required: true });
    const align = h('input', { class: 'input input-num', type: 'number', min: 1, step: 1, inputmode: 'numeric', placeholder: 'default', 'data-testid': 'alloc-align' });
    const sizeOf = () => {
      const n = wholeNumber(size.value);
      if (!(n >= 1)) { this.error(`Size must be a whole number of bytes, at least 1${gotText(size.value)}.`, size); return null; }
      return n;
    };
    const malloc = button('malloc', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'malloc' });
    const calloc = button('calloc', {
      class: 'btn', 'data-testid': 'calloc', title: 'Allocate and zero the bytes',
      onclick: () => { const n = sizeOf(); if (n) opts.onCalloc?.(n); },
    });
    const allocForm = h('form', {
      class: 'ap-form', 'aria-label': 'Allocate',
      onsubmit: (e) => {
        e.preventDefault();
        const n = sizeOf();
        if (!n) return;
        const a = align.value.trim() === '' ? null : wholeNumber(align.value);
        if (a !== null && !(a > 0)) { this.error(`Alignment must be a power of two, or empty${gotText(align.value)}.`, align); return; }
        opts.onAlloc?.({ size: n, align: a });
      },
    }, h('div', { class: 'ap-row' }, field('Size (bytes)', size), field('Align (optional)', align), h('div', { class: 'ap-buttons' }, malloc, calloc)),
    h('div', { class: 'ap-quick', role: 'group', 'aria-label': 'Quick malloc' },
      h('span', { class: 'ap-quick-label', text: 'Quick' }),
      [8, 16, 24, 32, 64, 128].map((n) => h('button', {
        type: 'button', class: 'chip', 'data-quick': n, title: `malloc(${n})`, 'aria-label': `+${n}: malloc ${n} bytes`,
        onclick: () => opts.onAlloc?.({ size: n, align: null }),
      }, `+${n}`))));

    const target = h('select', { class: 'input', 'data-testid': 'target', onchange: () => opts.onTarget?.(target.value === '' ? null : Number(target.value)) });
    const seqOf = () => (target.value === '' ? null : Number(target.value));
    const free = button('free', { class: 'btn', 'data-testid': 'free-target', onclick: () => { const k = seqOf(); if (k !== null) opts.onFree?.(k); } });
    const rsize = h('input', {
      class: 'input input-num', type: 'number', min: 1, step: 1, inputmode: 'numeric', placeholder: 'bytes', 'data-testid': 'realloc-size',
      // Enter reallocates, as Enter in Size mallocs.
      onkeydown: (ev) => { if (ev.key === 'Enter' && !ev.isComposing) { ev.preventDefault(); realloc.click(); } },
    });
    const realloc = button('realloc', {
      class: 'btn', 'data-testid': 'realloc',
      onclick: () => {
        const k = seqOf();
        const n = wholeNumber(rsize.value);
        if (k === null) return;
        if (!(n >= 1)) { this.error(`New size must be a whole number of bytes, at least 1${gotText(rsize.value)}.`, rsize); return; }
        opts.onRealloc?.(k, n);
      },
    });

    const data = h('input', { class: 'input input-mono', type: 'text', spellcheck: 'false', autocomplete: 'off', value: 'Hello', 'data-testid': 'write-data' });
    const mode = h('select', { class: 'input', 'aria-label': 'Byte format' }, h('option', { value: 'text', text: 'text' }), h('option', { value: 'hex', text: 'hex' }));
    const at = h('input', { class: 'input input-num', type: 'number', min: 0, step: 1, value: 0, inputmode: 'numeric' });
    const write = button('write', {
      class: 'btn', type: 'submit', 'data-testid': 'write',
    });
    const writeForm = h('form', {
      class: 'ap-form', 'aria-label': 'Write bytes',
      onsubmit: (e) => {
        e.preventDefault();
        const k = seqOf();
        if (k === null) return;
        let bytes;
        try { bytes = parseBytes(data.value, mode.value); } catch (err) { this.error(err.message, data); return; }
        const off = at.value.trim() === '' ? 0 : wholeNumber(at.value);
        if (!(off >= 0)) { this.error(`The offset inside the block must be a whole number, 0 or more${gotText(at.value)}.`, at); return; }
        // The core decides what fits (the granted block); its error is shown.
        opts.onWrite?.(k, off, bytes);
      },
    }, h('div', { class: 'ap-row ap-write' }, field('Write bytes', data), field('As', mode), field('At +', at), h('div', { class: 'ap-buttons' }, write)));

    // Each section's message under it, by the button pressed (each keeps a
    // line, so a message coming moves no control).
    const msg = h('p', { class: 'ap-msg', role: 'status', 'aria-live': 'polite', 'data-testid': 'alloc-msg' });
    const ptrMsg = h('p', { class: 'ap-msg', role: 'status', 'aria-live': 'polite', 'data-testid': 'ptr-msg' });
    const ptrSection = h('div', { class: 'ap-ptr' },
      h('div', { class: 'ap-row' }, field('Pointer', target), h('div', { class: 'ap-buttons' }, free)),
      h('div', { class: 'ap-row' }, field('Resize to', rsize), h('div', { class: 'ap-buttons' }, realloc)),
      writeForm);
    const empty = h('p', { class: 'ap-empty', text: 'No live pointers yet: malloc something to free, resize or write into it.' });
    // (The pointer section's line stays out of it: freeing the last pointer
    // hides the section, not what the free said.)
    this.#root = h('div', { class: 'ap' }, allocForm, msg, h('div', { class: 'ap-sep', role: 'separator' }), empty, ptrSection, ptrMsg);
    container.append(this.#root);
    this.#els = { size, align, malloc, calloc, target, free, rsize, realloc, data, mode, at, write, msg, ptrMsg, ptrSection, empty, quick: [...allocForm.querySelectorAll('[data-quick]')] };
  }

  /**
   * Shows `text` under the section `where` ('alloc': malloc and calloc;
   * 'ptr': free, realloc and write), clearing the other's.
   */
  #say(text, where, kind) {
    const [el, other] = where === 'ptr' ? [this.#els.ptrMsg, this.#els.msg] : [this.#els.msg, this.#els.ptrMsg];
    el.textContent = text;
    el.className = `ap-msg${kind ? ` ap-msg-${kind}` : ''}`;
    other.textContent = '';
    other.className = 'ap-msg';
  }

  /**
   * Shows an error under the section it came from (that of `input`, or
   * `where`), and marks `input` invalid until the next edit.
   */
  error(message, input, where = input && this.#els.ptrSection.contains(input) ? 'ptr' : 'alloc') {
    this.#say(message, where, 'error');
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.addEventListener('input', () => input.removeAttribute('aria-invalid'), { once: true });
      input.focus();
    }
  }

  /** Shows a neutral result line ("ptr[3] = 48") under the section `where` (see #say). */
  message(text, where = 'alloc') {
    this.#say(text, where, null);
  }

  /**
   * @param {{ live: {seq, offset, size, requested}[], target: number|null, busy: boolean }} st
   */
  render(st) {
    const e = this.#els;
    const was = focusIn(this.#root);
    const shown = st.live.length > MAX_OPTIONS ? st.live.slice(-MAX_OPTIONS) : st.live;
    const opts = shown.map((b) => h('option', { value: b.seq, text: `ptr[${b.seq}] · ${num(b.requested)} B at ${num(b.offset)}` }));
    if (st.target != null && !shown.some((b) => b.seq === st.target)) {
      const b = st.live.find((x) => x.seq === st.target);
      if (b) opts.push(h('option', { value: b.seq, text: `ptr[${b.seq}] · ${num(b.requested)} B at ${num(b.offset)}` }));
    }
    e.target.replaceChildren(...opts);
    if (st.target != null && st.live.some((b) => b.seq === st.target)) e.target.value = String(st.target);
    const none = st.live.length === 0;
    e.ptrSection.hidden = none;
    e.empty.hidden = !none;
    // Read the selection once: `select.value` walks the options on every read.
    const sel = e.target.value === '' ? null : Number(e.target.value);
    const blk = st.live.find((b) => b.seq === sel);
    if (blk && e.rsize.ownerDocument.activeElement !== e.rsize) e.rsize.placeholder = String(blk.requested);
    for (const el of [e.malloc, e.calloc, e.free, e.realloc, e.write, e.target, ...e.quick]) el.disabled = !!st.busy;
    // Freeing the last pointer hides its section, busy spells disable the
    // buttons: the focus moves on (or waits) instead of falling to <body>.
    this.#parked = keepFocus(was, [e.target, e.malloc, e.size], this.#parked);
  }

  /** The selected pointer, or null. */
  get target() {
    return this.#els.target.value === '' ? null : Number(this.#els.target.value);
  }
}
