// Predict mode: before the next op runs, the learner says what it will do —
// the offset an allocation returns (or NULL), what a free merges with — and
// then the op runs and the guess is checked against the core's own account
// of it (arena.lastOp()). This is OSTEP's homework loop ("predict, then
// check with -c"), one op at a time. Questions, answers and the score only:
// the core parses the op (parseOps) and decides everything.

import { parseOps, maxExplainedOps } from '../arena.js';
import { h } from './dom.js';
import { num, plural, callText } from './format.js';
import { strategyLabel, ORDER_LABELS } from './controls.js';

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

/** Whether `q` (from questionFor) asks something (rather than saying why it does not). */
export const asks = (q) => q?.kind === 'place' || q?.kind === 'merge';

/**
 * What to ask about the op about to run: `{ kind: 'place' | 'merge', step,
 * call, under? }`, or `{ kind: 'note', step, text }` saying why there is
 * nothing to predict (a write, a mode switch; a free that cannot merge).
 * @param {object} op the op as parseOps() gives it
 * @param {object} ctx { step: the op's number (from 1), token: the op as
 *   written, nextPtr: the ptr number the next allocation gets, mode, coalesce, order, sbrk,
 *   header (bytes in front of each block's data, malloc.py's -H), classes: the arena's now, blockOf(k): ptr[k]'s block `{ chunk }` (a slab
 *   chunk or not), or null when it holds none }
 */
export function questionFor(op, ctx) {
  const { step } = ctx;
  // A free list kept in another order than by address changes the answer: say it.
  const kept = ctx.mode !== 'slab' && ctx.order && ctx.order !== 'address' ? `, free list ${ORDER_LABELS[ctx.order].toLowerCase()}` : '';
  // So does a heap that grows with sbrk (the arena above its end is searched last).
  const grows = ctx.sbrk ? ', the heap growing with sbrk' : '';
  // And a header in front of each block (malloc.py -H), whose data address is a right answer too.
  const header = ctx.mode !== 'slab' && ctx.header > 0 ? ctx.header : 0;
  const headed = header ? `, ${header}-byte headers` : '';
  const under = `${strategyLabel(ctx.mode, ctx.classes)}${kept}${grows}${headed}`;
  const place = (call, extra = {}) => ({ kind: 'place', step, call, under, ...(header ? { header } : {}), ...extra });
  const note = (text) => ({ kind: 'note', step, text: `Op ${num(step)}: ${text} Step forward.` });
  switch (op.op) {
    case 'alloc': case 'allocAligned': case 'calloc': return place(`ptr[${ctx.nextPtr}] = ${callText(op)}`);
    // A failed realloc leaves the pointer as it was: the call is the question,
    // not an assignment (and a NULL pointer has no block to keep).
    case 'realloc': return place(callText(op), ctx.blockOf(op.ptr) ? { keeps: `ptr[${op.ptr}]` } : {});
    case 'free': {
      const call = callText(op);
      // By the block itself: a free-list block freed under the slab
      // allocator (after @slab) still merges.
      const b = ctx.blockOf(op.ptr);
      if (!b) return note(`${call} does nothing: ptr[${op.ptr}] holds no block (its request failed, or it was freed already).`);
      if (b.chunk) return note(`${call} gives the chunk back to its slab (a slab left empty goes back to the free list).`);
      if (!ctx.coalesce) return note(`${call} merges with nothing: coalescing is off.`);
      return { kind: 'merge', step, call };
    }
    case 'write': return note(`${ctx.token} writes bytes into ptr[${op.ptr}]; no block moves.`);
    case 'setMode': return note(`${ctx.token}: allocations use ${strategyLabel(op.mode, ctx.classes)} from here on.`);
    default: return note(`${ctx.token} has nothing to predict.`);
  }
}

/**
 * The question about `token`, the op after step `step - 1` of `arena` (an
 * arena.js Arena at that step), or null when there is no op. Past
 * maxExplainedOps() it says predictions stop there (lastOp() grades them).
 * @param {string|undefined} token
 */
export function questionAt(arena, token, step, classes) {
  if (token == null) return null;
  const max = maxExplainedOps();
  if (step > max) return { kind: 'note', step, text: `Predictions are checked within the first ${num(max)} ops: step or play on.` };
  let op;
  try { [op] = parseOps(token).ops; } catch { return null; }
  // The blocks only for a free, and once.
  let b = null;
  const blockOf = (k) => {
    b ??= arena.blocksTyped();
    for (let i = 0; i < b.length; i++) if (!b.free[i] && b.seq[i] === k) return { chunk: !!b.chunk[i] };
    return null;
  };
  return questionFor(op, { step, token, nextPtr: arena.nextPtr, mode: arena.strategy, coalesce: arena.coalesce, order: arena.order, sbrk: arena.sbrk, header: arena.initialConfig().header, classes, blockOf });
}

/**
 * Grades `guess` to `q` by the core's account of the op just run (`e`,
 * lastOp()) and records it in `score`: the verdict `{ q, guess, answer,
 * counted }`, or null when `e` is not that op's (a log too long to explain).
 */
export function grade(q, guess, e, score, arena = null) {
  if (e?.step !== q.step) return null;
  const answer = answerOf(q, e);
  // With a header, where the data starts (what C's malloc and malloc.py -H
  // return) is as right as the block's offset. Whether the block has one is
  // the block's to say (`arena`, right after the op): a slab chunk has none,
  // a free-list block realloc'd under the slab allocator keeps its own.
  if (arena && q.kind === 'place' && answer !== null) q = { ...q, header: headerOf(arena, answer) };
  if (q.header && answer !== null && guess === answer + q.header) guess = answer;
  return { q, guess, answer, counted: score.record(q.step, guess === answer) };
}

/** The header bytes in front of the data of the block at `offset` of `arena`: none for a slab chunk. */
function headerOf(arena, offset) {
  const header = arena.initialConfig().header ?? 0;
  if (!header) return 0;
  const b = arena.blocksTyped();
  for (let i = 0; i < b.length; i++) if (b.offset[i] === offset && !b.free[i]) return b.chunk[i] ? 0 : header;
  return 0;
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
  if (a !== null) return `returned ${num(a)}${q.header ? ` (its data starts at ${num(a + q.header)}, after the ${q.header}-byte header)` : ''}`;
  return q.keeps ? `returned NULL (${q.keeps} keeps its block)` : 'returned NULL';
}

/**
 * Reads a typed answer: an offset from 0 to `max - 1`, a malloc.py address
 * (`base` plus an offset, when `base` is given and the number is no offset),
 * or NULL (also -1, what malloc.py prints). Returns `{ value }` (an offset,
 * or null for NULL) or `{ error }`.
 */
export function readOffset(text, max, base = null) {
  const t = String(text).trim();
  if (/^(null|-1)$/i.test(t)) return { value: null };
  const m = /^(?:0x([0-9a-f]{1,8})|(\d{1,10}))$/i.exec(t);
  if (!m) {
    // (A negative number: malloc.py's -1 is NULL; no other is an offset.)
    if (/^-\d+$/.test(t)) return { error: `“${t.slice(0, 20)}” is not an offset: offsets start at 0 (NULL, or -1 as malloc.py prints it, for a failed request).` };
    return { error: t ? `“${t.slice(0, 20)}” is not an offset: type a whole number, or NULL.` : 'Type the offset it will return, or NULL.' };
  }
  const v = m[1] ? parseInt(m[1], 16) : Number(m[2]);
  if (v < max) return { value: v };
  if (base != null && v >= base && v - base < max) return { value: v - base };
  const addresses = base != null && base >= max ? ` (or a malloc.py address, ${num(base)} to ${num(base + max - 1)})` : '';
  return { error: `The arena ends at ${num(max)}: an offset is 0 to ${num(max - 1)}${addresses}.` };
}

/**
 * The score: each op counts once (answering it again after stepping back
 * shows the verdict but does not score it twice).
 */
export class PredictScore {
  right = 0;
  total = 0;
  #seen = new Set();

  /** Records the answer to op `step`; returns whether it counted. */
  record(step, right) {
    if (this.#seen.has(step)) return false;
    this.#seen.add(step);
    this.total++;
    if (right) this.right++;
    return true;
  }

  /** The ops changed (an op done at a past step, another branch): step numbers name other ops now. */
  forget() {
    this.#seen.clear();
  }
}

/**
 * The box under the map: the verdict on the last guess, then the question
 * for the next op (or a line saying why there is none), then the score.
 * Markup only; the caller runs the op and grades. A screen reader hears
 * the verdict and the next question once, as one sentence (a hidden live
 * line; the buttons and hints are not read out on every answer).
 */
export class PredictBox {
  #root;
  #live;
  #opts;
  #q = null;

  /**
   * @param {HTMLElement} container
   * @param {object} opts { onGuess(answer), onRestart(), onStep() (past an op
   *   with nothing to ask, for a host without its own step button), arenaSize(): number,
   *   base(): number|null (malloc.py's -b, whose addresses are taken too),
   *   classes: { btn, primary, input } (the host's button and input classes) }
   */
  constructor(container, opts) {
    this.#opts = opts;
    this.#live = h('p', { class: 'pd-live', 'aria-live': 'polite', 'data-testid': 'predict-live' });
    this.#root = h('div', { class: 'pd', 'data-testid': 'predict', hidden: true, part: 'predict', tabindex: '-1', 'aria-label': 'Predict' });
    container.append(this.#root);
  }

  /** The question on show (place or merge), or null. */
  get question() { return this.#q; }

  /**
   * @param {object} st
   *   last: { q, guess, answer, counted } the guess on the op just run, or null;
   *   question: the next op's (questionFor), or null;
   *   note: what to say when there is no question;
   *   restart: offer "Predict from op 1";
   *   score: a PredictScore;
   *   focus: move the keyboard focus here (after the learner answered): to
   *   the answer field of a malloc question, else to the box itself.
   */
  render({ last = null, question = null, note = '', restart = false, score, focus = false }) {
    this.#q = asks(question) ? question : null;
    const parts = [];
    if (last) parts.push(this.#verdict(last));
    if (this.#q) parts.push(...this.#ask(this.#q));
    else {
      const text = question?.text ?? note;
      const c = this.#opts.classes;
      if (text || restart) {
        parts.push(h('p', { class: 'pd-q pd-idle' }, last ? '' : h('span', { class: 'pd-tag', text: 'Predict' }), last ? '' : ' ', text,
          // An op with nothing to ask: stepping on is one click away here.
          question?.kind === 'note' && this.#opts.onStep ? h('button', { type: 'button', class: `${c.btn} pd-step`, text: 'Step forward', 'data-testid': 'predict-step', onclick: () => this.#opts.onStep() }) : '',
          restart ? h('button', { type: 'button', class: `${c.btn} pd-restart`, text: 'Predict from op 1', 'data-testid': 'predict-restart', onclick: () => this.#opts.onRestart?.() }) : ''));
      }
    }
    if (score.total) parts.push(h('p', { class: 'pd-score', 'data-testid': 'predict-score', text: `${num(score.right)} of ${plural(score.total, 'prediction')} right` }));
    this.#root.replaceChildren(this.#live, ...parts);
    this.#root.hidden = !parts.length;
    // The sentence to hear: the verdict, then the question (or the note).
    const say = [...this.#root.querySelectorAll('.pd-verdict, .pd-q:not(.pd-verdict)')].map((p) => p.textContent.trim()).join(' ');
    if (this.#live.textContent !== say) this.#live.textContent = say;
    // Only the answer field takes the focus: on a button a second Enter
    // would act unseen (answer the next question, or start over).
    if (focus && parts.length) (this.#root.querySelector('.pd-offset') ?? this.#root).focus({ preventScroll: true });
  }

  #verdict({ q, guess, answer, counted = true }) {
    const right = guess === answer;
    return h('p', { class: `pd-q pd-verdict ${right ? 'pd-right' : 'pd-wrong'}`, 'data-testid': 'predict-verdict' },
      h('span', { class: 'pd-tag', text: right ? '✓ Right' : '✗ Not this time' }), ' ',
      right ? '' : `You said it ${answerWords(q, guess)}; `,
      h('code', { text: q.call }), ` ${answerWords(q, answer)}.`,
      counted ? '' : ' (Scored the first time only.)');
  }

  /** A guess from a click: the second click of a double click is not an answer to the question that replaced the first. */
  #guess(e, answer) {
    if (e?.detail > 1) return;
    this.#opts.onGuess?.(answer);
  }

  #ask(q) {
    const c = this.#opts.classes;
    const head = h('p', { class: 'pd-q' },
      h('span', { class: 'pd-tag', text: 'Predict' }),
      ` Op ${num(q.step)}: `, h('code', { text: q.call }), q.under ? ` under ${q.under}. ` : '. ',
      h('strong', { text: q.kind === 'place' ? 'What does it return?' : 'What does the freed block merge with?' }));
    if (q.kind === 'merge') {
      return [head, h('div', { class: 'pd-answer', role: 'group', 'aria-label': 'It merges with' },
        ...MERGES.map(([key, label]) => h('button', { type: 'button', class: c.btn, text: label, 'data-answer': key, onclick: (e) => this.#guess(e, key) })))];
    }
    const max = this.#opts.arenaSize();
    const base = this.#opts.base?.() ?? null;
    const note = h('span', { class: 'pd-note', role: 'alert', 'data-testid': 'predict-error' });
    const input = h('input', {
      class: `${c.input} pd-offset`, type: 'text', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false',
      'aria-label': `The offset ${q.call} returns`, placeholder: 'offset', 'data-testid': 'predict-offset',
      oninput: () => { note.textContent = ''; input.removeAttribute('aria-invalid'); },
    });
    const check = () => {
      const r = readOffset(input.value, max, base);
      if (r.error) {
        note.textContent = r.error;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      this.#opts.onGuess?.(r.value);
    };
    const what = q.header ? 'the offset of its block or of its data (after the header)' : 'the offset';
    const hint = `${what} from the arena’s start, 0 to ${num(max - 1)}${base != null && base >= max ? ` (or the malloc.py address from ${num(base)})` : ''}; NULL if it fails`;
    return [head, h('form', { class: 'pd-answer', onsubmit: (e) => { e.preventDefault(); check(); } },
      input,
      h('button', { type: 'submit', class: c.primary, text: 'Check', 'data-testid': 'predict-check' }),
      h('button', { type: 'button', class: c.btn, text: 'NULL', title: 'It fails: the call returns NULL', 'data-answer': 'null', onclick: (e) => this.#guess(e, null) }),
      h('span', { class: 'pd-hint', text: hint }),
      note)];
  }

  /** Hides the box. */
  clear() {
    this.#q = null;
    this.#root.hidden = true;
    this.#live.textContent = '';
    this.#root.replaceChildren(this.#live);
  }
}
