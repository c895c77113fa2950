// The allocator's settings: strategy, arena size, alignment, the free
// list's order, a fixed or growing heap, coalescing, slab classes. Emits callbacks; the caller decides what they do and calls
// render() with the state that resulted (so a declined change snaps back).

import { h, field, button, uid, keepFocus, focusIn, wholeNumber } from './dom.js';

export const STRATEGY_LABELS = {
  'first-fit': 'First fit',
  'next-fit': 'Next fit',
  'best-fit': 'Best fit',
  'worst-fit': 'Worst fit',
  slab: 'Slab',
};

export const STRATEGY_HINTS = {
  'first-fit': 'The free block with the lowest address that fits.',
  'next-fit': 'Like first fit, but the search resumes where the last one ended.',
  'best-fit': 'The smallest free block that fits.',
  'worst-fit': 'The largest free block.',
  slab: 'Fixed size classes carved from slabs; larger requests fail.',
};

/** The free list's orders (malloc.py's -l), as the select lists them. */
export const ORDER_LABELS = {
  address: 'By address',
  'size-ascending': 'By size, smallest first',
  'size-descending': 'By size, largest first',
  'insert-front': 'Last freed first',
  'insert-back': 'Last freed last',
};

/** malloc.py's names for the orders. */
export const ORDER_MALLOC_PY = {
  address: 'ADDRSORT',
  'size-ascending': 'SIZESORT+',
  'size-descending': 'SIZESORT-',
  'insert-front': 'INSERT-FRONT',
  'insert-back': 'INSERT-BACK',
};

/** The heap's two kinds (createArena's `sbrk`), as the select lists them. */
export const HEAP_LABELS = {
  fixed: 'Fixed arena',
  sbrk: 'Grows (sbrk)',
};

/** The strategy's one-line hint under a free list order other than by address. */
const LIST_HINTS = {
  'first-fit': 'The first free block in the list that fits.',
  'next-fit': 'Like first fit, but the search resumes in the list where the last one ended.',
  'best-fit': 'The smallest free block that fits; the first in the list among equals.',
  'worst-fit': 'The largest free block; the first in the list among equals.',
};

export function strategyLabel(s, classes) {
  return s === 'slab' && classes?.length ? `Slab (${classes.join(' / ')})` : STRATEGY_LABELS[s] ?? s;
}

const SIZES = [128, 256, 512, 1024, 2048, 4096, 16384, 65536, 1 << 20];
const ALIGNS = [1, 2, 4, 8, 16, 32, 64];

/**
 * Calls `fn(value)` when a select changes. The arrow keys change a closed
 * select at every press (each would be a strategy switch in the op list, or
 * a re-run of every op for the alignment), so a change right after a key
 * waits until the keys rest (500 ms) or the focus leaves. Returns
 * `{ pending(), flush() }`: whether a change waits, and apply it now.
 */
export function settledChange(select, fn) {
  let keyAt = -Infinity;
  let timer = 0;
  // The value before a run of keys: ↓ then ↑ back to it changes nothing.
  let before = select.value;
  const fire = () => {
    clearTimeout(timer);
    timer = 0;
    if (select.value !== before) fn(select.value);
  };
  select.addEventListener('keydown', () => {
    if (!timer) before = select.value;
    keyAt = performance.now();
  });
  select.addEventListener('change', () => {
    clearTimeout(timer);
    timer = 0;
    if (performance.now() - keyAt < 100) timer = setTimeout(fire, 500);
    // A mouse or a script: at once (a change event means a new value).
    else fn(select.value);
  });
  // Leaving ends a run of keys: the change waiting applies now.
  select.addEventListener('blur', () => {
    keyAt = -Infinity;
    if (timer) fire();
  });
  return { pending: () => timer !== 0, flush: () => { if (timer) fire(); } };
}

/**
 * A number field that applies its value on change and on Enter. Enter keeps
 * the focus (it used to blur the field, losing the keyboard's place), and a
 * value once applied is not applied again when the field later loses the
 * focus. `apply` may return a promise; once it settles, `settled` puts the
 * page's values back (a change refused or cancelled leaves the field as it was).
 */
function appliesOnEnter(input, apply, settled) {
  const go = () => {
    if (input.value === input.dataset.applied) return;
    input.dataset.applied = input.value;
    Promise.resolve(apply()).finally(settled);
  };
  input.addEventListener('change', go);
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    go();
  });
}

/** Shows `value` in an `appliesOnEnter` field, unless the user is editing it (focused, with a value not applied yet). */
function showValue(input, value) {
  const editing = input.ownerDocument.activeElement === input && input.value !== input.dataset.applied;
  if (editing) return;
  input.value = String(value);
  input.dataset.applied = input.value;
}

export class ConfigControls {
  #els;
  #opts;
  /** Per select: whether a keyboard change waits to settle (see settledChange). */
  #pending = {};
  /** The state the last render showed. */
  #last = null;
  /** The control that lost the focus while a replay ran (see keepFocus). */
  #parked = null;

  /**
   * @param {HTMLElement} container
   * @param {object} opts { strategies, onStrategy(s), onSize(n), onAlign(n), onHeader(n), onOrder(order), onSbrk(on), onCoalesce(on), onMerge(), onReset(), onSlab({classes, slabSize}) }
   */
  constructor(container, opts) {
    this.#opts = opts;
    const strategy = h('select', { class: 'input', 'data-testid': 'strategy' });
    this.#pending.strategy = settledChange(strategy, (v) => opts.onStrategy?.(v));
    for (const s of opts.strategies) strategy.append(h('option', { value: s, text: strategyLabel(s) }));
    const listId = uid('sizes');
    const size = h('input', {
      class: 'input input-num input-size', type: 'number', min: 1, max: 64 << 20, step: 1, inputmode: 'numeric', list: listId, 'data-testid': 'arena-size',
    });
    appliesOnEnter(size, () => {
      const n = wholeNumber(size.value);
      // The core checks the range (and words the error); only non-numbers stop here.
      return opts.onSize?.(n >= 1 ? n : NaN);
    }, () => this.#resync());
    const sizes = h('datalist', { id: listId }, SIZES.map((n) => h('option', { value: n })));
    const align = h('select', { class: 'input', 'data-testid': 'align' },
      ALIGNS.map((a) => h('option', { value: a, text: String(a) })));
    this.#pending.align = settledChange(align, (v) => opts.onAlign?.(Number(v)));
    const header = h('input', {
      class: 'input input-num input-header', type: 'number', min: 0, step: 1, inputmode: 'numeric', 'data-testid': 'header',
      title: 'Bytes of header in front of each block (malloc.py -H): a request takes its size rounded up to the alignment, plus the header',
    });
    appliesOnEnter(header, () => {
      // (Letters leave a number field empty, with badInput: no number, not 0.)
      return opts.onHeader?.(header.validity.badInput ? NaN : header.value.trim() === '' ? 0 : wholeNumber(header.value));
    }, () => this.#resync());
    const order = h('select', { class: 'input', 'data-testid': 'order', title: 'The order the free list is kept in (malloc.py -l): searches walk it front to back' },
      Object.entries(ORDER_LABELS).map(([v, text]) => h('option', { value: v, text: `${text} (${ORDER_MALLOC_PY[v]})` })));
    this.#pending.order = settledChange(order, (v) => opts.onOrder?.(v));
    const heap = h('select', { class: 'input', 'data-testid': 'heap', title: 'Fixed arena: the heap is the whole arena from the start. Grows (sbrk): the heap is the arena below its high-water mark, and it grows only when no free block in it fits, as the CS:APP malloc lab’s heap grows with sbrk; so the high-water mark is the heap each strategy needs' },
      Object.entries(HEAP_LABELS).map(([v, text]) => h('option', { value: v, text })));
    this.#pending.heap = settledChange(heap, (v) => opts.onSbrk?.(v === 'sbrk'));
    const coalesce = h('input', { type: 'checkbox', class: 'switch-input', role: 'switch', 'data-testid': 'coalesce', onchange: () => opts.onCoalesce?.(coalesce.checked) });
    const coalesceField = h('label', { class: 'switch', title: 'Coalescing: a freed block merges with the free blocks right next to it into one bigger free block' }, coalesce, h('span', { class: 'switch-track', 'aria-hidden': 'true' }), h('span', { class: 'switch-label', text: 'Coalesce' }));
    const merge = button('Merge now', { class: 'btn btn-ghost btn-sm', title: 'Merge every pair of adjacent free blocks (@merge)', onclick: () => opts.onMerge?.() }, 'merge');
    const reset = button('Reset', { class: 'btn btn-ghost btn-sm', title: 'Start over with an empty arena', onclick: () => opts.onReset?.() }, 'reset');

    const classes = h('input', { class: 'input', type: 'text', inputmode: 'numeric', spellcheck: 'false', autocomplete: 'off', placeholder: '16,32,64' });
    const slabSize = h('input', { class: 'input input-num', type: 'number', min: 1, step: 1 });
    const applySlab = button('Apply', {
      class: 'btn btn-sm',
      onclick: () => {
        const raw = classes.value.split(/[\s,]+/).filter(Boolean);
        const bad = raw.find((p) => !/^\d{1,10}$/.test(p));
        if (bad !== undefined || !/^\d{1,10}$/.test(slabSize.value.trim())) {
          opts.onSlabError?.(bad !== undefined
            ? `Size classes are whole numbers of bytes separated by commas, got “${bad.slice(0, 20)}”.`
            : 'The slab size is a whole number of bytes (a power of two).');
          return;
        }
        opts.onSlab?.({ classes: raw.map(Number), slabSize: Number(slabSize.value) });
      },
    });
    const hint = h('p', { class: 'controls-hint', 'aria-live': 'polite' });
    const advId = uid('slab');
    const advanced = h('div', { class: 'controls-row controls-advanced', id: advId, hidden: true },
      field('Slab size classes (bytes)', classes), field('Slab size', slabSize), applySlab,
      h('p', { class: 'controls-note', text: 'Changing them starts over with an empty arena.' }));
    const advToggle = button('Slab classes', {
      class: 'btn btn-ghost btn-sm', 'aria-expanded': 'false', 'aria-controls': advId,
      onclick: () => {
        advanced.hidden = !advanced.hidden;
        advToggle.setAttribute('aria-expanded', String(!advanced.hidden));
      },
    });

    container.append(h('div', { class: 'controls' },
      h('div', { class: 'controls-row' },
        field('Strategy', strategy),
        field('Arena size (bytes)', size), sizes,
        field('Align', align),
        field('Header', header),
        field('Free list', order),
        field('Heap', heap),
        h('div', { class: 'field field-switch' }, coalesceField),
        // The hint and the actions share a line under the fields: wide, the
        // hint keeps to a line or two whatever it says (in the fields' row it
        // went from 2 to 5 lines and moved the page).
        h('div', { class: 'controls-break', 'aria-hidden': 'true' }),
        hint,
        h('div', { class: 'controls-actions' }, advToggle, merge, reset)),
      advanced));
    this.#els = { root: container, strategy, size, align, header, order, heap, coalesce, merge, reset, classes, slabSize, applySlab, hint };
  }

  /**
   * Applies a keyboard change still waiting to settle, before another action
   * (a browser that does not move the focus on a click never blurs the select).
   */
  flush() {
    for (const p of Object.values(this.#pending)) p.flush();
  }

  /** The fields again as the last render showed them (after a change that did not happen). */
  #resync() {
    if (this.#last) this.render(this.#last);
  }

  /** @param {{ strategy, size, align, header, order, sbrk, coalesce, classes, slabSize, busy }} st */
  render(st) {
    const e = this.#els;
    for (const o of e.strategy.options) o.textContent = strategyLabel(o.value, st.classes);
    // (Not while a keyboard change waits to settle: it would put the old value back.)
    if (!this.#pending.strategy.pending()) e.strategy.value = st.strategy;
    this.#last = st;
    showValue(e.size, st.size);
    if (!this.#pending.align.pending()) e.align.value = String(st.align);
    showValue(e.header, st.header ?? 0);
    const listed = st.order && st.order !== 'address';
    if (!this.#pending.order.pending()) e.order.value = st.order ?? 'address';
    if (!this.#pending.heap.pending()) e.heap.value = st.sbrk ? 'sbrk' : 'fixed';
    e.coalesce.checked = st.coalesce;
    e.merge.hidden = st.coalesce;
    if (this.#els.classes.ownerDocument.activeElement !== e.classes) e.classes.value = (st.classes ?? []).join(', ');
    if (this.#els.slabSize.ownerDocument.activeElement !== e.slabSize) e.slabSize.value = String(st.slabSize ?? '');
    // A size order is re-sorted on each free, as malloc.py does: say so, or a split's remainder out of place looks wrong.
    const sorted = listed && st.order.startsWith('size-') && st.strategy !== 'slab'
      ? ' The list is sorted on each free, as malloc.py sorts it: a block a split shrank keeps its place until then.' : '';
    // Named ("First fit: …"): beside the Coalesce switch, a bare sentence read as what coalescing does.
    const rule = (listed ? LIST_HINTS[st.strategy] : null) ?? STRATEGY_HINTS[st.strategy];
    // A heap that grows with sbrk: the strategy chooses among the heap's blocks first.
    const grows = st.sbrk && st.strategy !== 'slab' ? ' The heap grows with sbrk: the search sees the heap below its high-water mark, and the heap grows only when nothing there fits.' : '';
    const hint = rule ? `${STRATEGY_LABELS[st.strategy] ?? st.strategy}: ${rule[0].toLowerCase()}${rule.slice(1)}${sorted}${grows}` : '';
    if (e.hint.textContent !== hint) e.hint.textContent = hint; // a live region: only real changes
    const was = focusIn(e.root);
    for (const el of [e.strategy, e.size, e.align, e.header, e.order, e.heap, e.coalesce, e.merge, e.reset, e.applySlab]) el.disabled = !!st.busy;
    // A long replay disables the fields: the one in use gets the focus back after it.
    this.#parked = keepFocus(was, [], this.#parked);
  }
}
