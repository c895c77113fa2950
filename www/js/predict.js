// Predict mode: before the next op runs, the learner says what it will do —
// the offset an allocation returns (or NULL), what a free merges with — and
// then the op runs and the guess is checked against the core's own account
// of it (arena.lastOp()). This is OSTEP's homework loop ("predict, then
// check with -c"), one op at a time. Questions, answers and the score only:
// the core parses the op (parseOps) and decides everything.

import { h } from './dom.js';
import { num, plural } from './format.js';
import { strategyLabel } from './controls.js';

/** What a free can merge with, in the order the buttons show them. */
export const MERGES = [
  ['none', 'Nothing'],
  ['before', 'The free block before it'],
  ['after', 'The free block after it'],
  ['both', 'Both sides'],
];

const mergeWords = {
  none: 'merges with nothing',
  before: 'merges with the free block before it',
  after: 'merges with the free block after it',
  both: 'merges with the free blocks on both sides',
};

/**
 * The question for the op about to run, or null when there is none worth
 * asking (a write, a mode switch; a free when nothing can merge: coalescing
 * off, or the slab allocator).
 * @param {object} op the op as parseOps() gives it
 * @param {{ step: number, nextPtr: number, mode: string, coalesce: boolean, classes?: number[] }} ctx
 *   step: the op's number (from 1); nextPtr: the ptr number the next allocation gets;
 *   mode, coalesce: the arena's now
 * @returns {{ kind: 'place'|'merge', step: number, call: string, under: string } | null}
 */
export function questionFor(op, ctx) {
  const under = strategyLabel(ctx.mode, ctx.classes);
  const place = (call) => ({ kind: 'place', step: ctx.step, call, under });
  switch (op.op) {
    case 'alloc': return place(`ptr[${ctx.nextPtr}] = malloc(${num(op.size)})`);
    case 'allocAligned': return place(`ptr[${ctx.nextPtr}] = malloc(${num(op.size)}) aligned to ${num(op.align)}`);
    case 'calloc': return place(`ptr[${ctx.nextPtr}] = calloc(${num(op.size)})`);
    case 'realloc': return place(`ptr[${op.ptr}] = realloc(ptr[${op.ptr}], ${num(op.size)})`);
    case 'free':
      return ctx.coalesce && ctx.mode !== 'slab' ? { kind: 'merge', step: ctx.step, call: `free(ptr[${op.ptr}])`, under } : null;
    default: return null;
  }
}

/**
 * The right answer to `q`, read from the core's account of the op (lastOp()
 * right after it ran): an offset or null (NULL) for 'place', a key of
 * MERGES for 'merge'.
 */
export function answerOf(q, e) {
  if (q.kind === 'place') return e.failed || !e.block ? null : e.block.offset;
  if (!e.block || !e.merged) return 'none';
  const before = e.merged.offset < e.block.offset;
  const after = e.merged.offset + e.merged.size > e.block.offset + e.block.size;
  return before && after ? 'both' : before ? 'before' : 'after';
}

/** An answer in words: "returned 32", "returned NULL", "merges with nothing". */
export function answerWords(q, a) {
  if (q.kind === 'merge') return mergeWords[a];
  return a === null ? 'returned NULL' : `returned ${num(a)}`;
}

/**
 * Reads a typed offset: a whole number from 0 to `max`, or NULL (also -1,
 * what malloc.py prints, and 0x-hex). Returns { value } or { error }.
 */
export function readOffset(text, max) {
  const t = String(text).trim();
  if (/^(null|-1)$/i.test(t)) return { value: null };
  const m = /^(?:0x([0-9a-f]{1,8})|(\d{1,10}))$/i.exec(t);
  if (!m) return { error: t ? `“${t.slice(0, 20)}” is not an offset: type a whole number, or NULL.` : 'Type the offset it will return, or press NULL.' };
  const v = m[1] ? parseInt(m[1], 16) : Number(m[2]);
  if (v >= max) return { error: `The arena ends at ${num(max)}: an offset is 0 to ${num(max - 1)}.` };
  return { value: v };
}

/**
 * The box under the map: the verdict on the last guess, then the question
 * for the next op (or a line saying why there is none), then the score.
 * Markup only; the caller runs the op and grades.
 */
export class PredictBox {
  #root;
  #opts;
  #q = null;

  /**
   * @param {HTMLElement} container
   * @param {object} opts { onGuess(answer), onRestart(), arenaSize(): number,
   *   classes: { btn, primary, input } (the host's button and input classes) }
   */
  constructor(container, opts) {
    this.#opts = opts;
    this.#root = h('div', { class: 'pd', 'data-testid': 'predict', hidden: true, part: 'predict' });
    container.append(this.#root);
  }

  /** The question on show, or null. */
  get question() { return this.#q; }

  /**
   * @param {object} st
   *   last: { q, guess, answer } the guess on the op just run, or null;
   *   question: the next op's (questionFor), or null;
   *   note: what to say when there is no question;
   *   restart: offer "Predict from op 1";
   *   score: { right, total };
   *   focus: move the keyboard focus to the answer (after the learner answered).
   */
  render({ last = null, question = null, note = '', restart = false, score, focus = false }) {
    this.#q = question;
    const parts = [];
    if (last) parts.push(this.#verdict(last));
    if (question) parts.push(...this.#ask(question));
    else if (note || restart) {
      parts.push(h('p', { class: 'pd-q pd-idle' }, last ? '' : h('span', { class: 'pd-tag', text: 'Predict' }), last ? '' : ' ', note,
        restart ? h('button', { type: 'button', class: `${this.#opts.classes.btn} pd-restart`, text: 'Predict from op 1', 'data-testid': 'predict-restart', onclick: () => this.#opts.onRestart?.() }) : ''));
    }
    if (score.total) parts.push(h('p', { class: 'pd-score', 'data-testid': 'predict-score', text: `${num(score.right)} of ${plural(score.total, 'prediction')} right` }));
    this.#root.replaceChildren(...parts);
    this.#root.hidden = !parts.length;
    const first = this.#root.querySelector('input, [data-answer]');
    if (focus && first) first.focus({ preventScroll: true });
  }

  #verdict({ q, guess, answer }) {
    const right = guess === answer;
    return h('p', { class: `pd-q pd-verdict ${right ? 'pd-right' : 'pd-wrong'}`, 'data-testid': 'predict-verdict' },
      h('span', { class: 'pd-tag', text: right ? '✓ Right' : '✗ Not this time' }), ' ',
      right ? '' : `You said it ${answerWords(q, guess)}; `,
      h('code', { text: q.call }), ` ${answerWords(q, answer)}.`);
  }

  #ask(q) {
    const c = this.#opts.classes;
    const head = h('p', { class: 'pd-q' },
      h('span', { class: 'pd-tag', text: 'Predict' }),
      ` Op ${num(q.step)}: `, h('code', { text: q.call }), ` under ${q.under}. `,
      h('strong', { text: q.kind === 'place' ? 'What does it return?' : 'What does the freed block merge with?' }));
    if (q.kind === 'merge') {
      return [head, h('div', { class: 'pd-answer', role: 'group', 'aria-label': 'It merges with' },
        ...MERGES.map(([key, label]) => h('button', { type: 'button', class: c.btn, text: label, 'data-answer': key, onclick: () => this.#opts.onGuess?.(key) })))];
    }
    const max = this.#opts.arenaSize();
    const note = h('span', { class: 'pd-note', role: 'alert', 'data-testid': 'predict-error' });
    const input = h('input', {
      class: `${c.input} pd-offset`, type: 'text', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false',
      'aria-label': `The offset ${q.call} returns`, placeholder: 'offset', 'data-testid': 'predict-offset',
      oninput: () => { note.textContent = ''; input.removeAttribute('aria-invalid'); },
    });
    const check = () => {
      const r = readOffset(input.value, max);
      if (r.error) {
        note.textContent = r.error;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      this.#opts.onGuess?.(r.value);
    };
    return [head, h('form', { class: 'pd-answer', onsubmit: (e) => { e.preventDefault(); check(); } },
      input,
      h('button', { type: 'submit', class: c.primary, text: 'Check', 'data-testid': 'predict-check' }),
      h('button', { type: 'button', class: c.btn, text: 'NULL', title: 'It fails: the call returns NULL', 'data-answer': 'null', onclick: () => this.#opts.onGuess?.(null) }),
      h('span', { class: 'pd-hint', text: 'the offset, as the map counts' }),
      note)];
  }

  /** Hides the box. */
  clear() {
    this.#q = null;
    this.#root.hidden = true;
    this.#root.replaceChildren();
  }
}
