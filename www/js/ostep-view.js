// "As malloc.py prints it": the ops up to the timeline cursor in the form of
// OSTEP's simulator (chapter 17, `malloc.py -c`), written by the core
// (arena.transcript), with the malloc.py command line that prints the same
// run when the ops are ones malloc.py knows. A dialog of its own; text only.

import { h, button } from './dom.js';
import { num, plural } from './format.js';

/** Ops the dialog writes out (the transcript replays them: keep it quick). */
export const MAX_TRANSCRIPT_OPS = 2000;

const POLICY = { 'first-fit': 'FIRST', 'best-fit': 'BEST', 'worst-fit': 'WORST' };

/**
 * The `malloc.py` command that runs the same ops, or why there is none.
 * @param {{ size: number, align: number, strategy: string, coalesce: boolean }} config the start
 * @param {string[]|null} tokens the ops, in op-list syntax (null: too many to write out)
 * @returns {{ command: string } | { why: string }}
 */
export function mallocPyCommand(config, tokens, base) {
  if (!POLICY[config.strategy]) {
    return { why: `malloc.py has first, best and worst fit only, not ${config.strategy === 'slab' ? 'slab pools' : 'next fit'}` };
  }
  if (!tokens) return { why: `this view writes out ${num(MAX_TRANSCRIPT_OPS)} ops at most` };
  const other = tokens.find((t) => !/^[+-]\d+$/.test(t));
  if (other) return { why: `malloc.py’s ops are +N and -K only; this run has ${other}` };
  if (!tokens.length) return { why: 'there are no ops yet' };
  const flags = [
    `-S ${config.size}`, `-b ${base}`, '-H 0', `-a ${config.align === 1 ? -1 : config.align}`,
    `-p ${POLICY[config.strategy]}`, '-l ADDRSORT', ...(config.coalesce ? ['-C'] : []), '-c',
  ];
  return { command: `python3 malloc.py ${flags.join(' ')} -A ${tokens.join(',')}` };
}

export class OstepView {
  #dialog;
  #els;
  #source = null;

  /** @param {HTMLElement} container where the dialog lives (it shows modal) */
  constructor(container) {
    const base = h('input', {
      class: 'input input-num', type: 'number', min: 0, max: 1 << 30, step: 1, value: 1000, inputmode: 'numeric',
      id: 'ostep-base', 'data-testid': 'ostep-base', oninput: () => this.#fill(),
    });
    const out = h('pre', { class: 'ostep-out', 'data-testid': 'ostep-out', tabindex: '0', 'aria-label': 'malloc.py output' });
    const command = h('code', { class: 'ostep-command', 'data-testid': 'ostep-command' });
    const commandNote = h('p', { class: 'embed-note' });
    const note = h('p', { class: 'embed-note' });
    const copy = button('Copy output', { class: 'btn btn-sm', type: 'button', onclick: () => this.#copy() }, 'copy');
    const save = button('Download', { class: 'btn btn-sm btn-ghost', type: 'button', onclick: () => this.#download() }, 'download');
    const status = h('span', { class: 'ostep-status', role: 'status' });
    this.#dialog = h('dialog', { class: 'embed-dialog ostep-dialog', 'aria-labelledby': 'ostep-title', 'data-testid': 'ostep-dialog' },
      h('form', { method: 'dialog', class: 'embed-form' },
        h('header', { class: 'embed-head' },
          h('h2', { id: 'ostep-title', text: 'As malloc.py prints it' }),
          h('button', { class: 'btn btn-ghost btn-sm', value: 'close', 'aria-label': 'Close', text: 'Close' })),
        note,
        h('div', { class: 'ostep-row' },
          h('label', { class: 'embed-label', for: 'ostep-base', text: 'Base address (-b)' }), base),
        out,
        h('div', { class: 'ostep-row' }, copy, save, status),
        h('p', { class: 'embed-label', text: 'The same run in malloc.py' }),
        commandNote, command));
    container.append(this.#dialog);
    this.#els = { base, out, command, commandNote, note, status };
  }

  /**
   * Shows the run so far.
   * @param {{ arena: object, config: object, tokens: string[]|null }} source the
   *   arena at the cursor, the configuration it started from, and the ops it
   *   ran (null when there are more than MAX_TRANSCRIPT_OPS)
   */
  open(source) {
    this.#source = source;
    this.#fill();
    this.#els.status.textContent = '';
    this.#dialog.showModal();
  }

  #baseValue() {
    const v = Number(this.#els.base.value);
    return Number.isInteger(v) && v >= 0 && v <= 2 ** 30 ? v : 1000;
  }

  #fill() {
    const src = this.#source;
    if (!src) return;
    const base = this.#baseValue();
    const n = src.arena.logLength;
    const code = (t) => h('code', { text: t });
    this.#els.note.replaceChildren(
      'OSTEP’s simulator (chapter 17) with ', code('-c'), ' prints what each request returned, how many free blocks it searched, and the free list after it. ',
      `These are the ${plural(n, 'op')} up to the timeline cursor${n > MAX_TRANSCRIPT_OPS ? ` (the first ${num(MAX_TRANSCRIPT_OPS)} written out)` : ''}, addresses counted from the base. Blocks carry no header here (`, code('-H 0'), ').');
    this.#els.out.textContent = src.arena.transcript(base, MAX_TRANSCRIPT_OPS);
    const cmd = mallocPyCommand(src.config, src.tokens, base);
    this.#els.command.hidden = !cmd.command;
    this.#els.command.textContent = cmd.command ?? '';
    this.#els.commandNote.textContent = cmd.command
      ? 'Run it to check: below its header (which lists a few more settings), it prints the same results.'
      : `None: ${cmd.why}.`;
  }

  async #copy() {
    try {
      await navigator.clipboard.writeText(this.#els.out.textContent);
      this.#els.status.textContent = 'Copied.';
    } catch {
      // No clipboard (permissions): select the text for a manual copy.
      getSelection()?.selectAllChildren(this.#els.out);
      this.#els.status.textContent = 'Selected: press Ctrl+C to copy.';
    }
  }

  #download() {
    const url = URL.createObjectURL(new Blob([this.#els.out.textContent], { type: 'text/plain' }));
    const a = h('a', { href: url, download: 'malloc-py.txt' });
    this.#dialog.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
