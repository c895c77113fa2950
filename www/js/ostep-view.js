// "As malloc.py prints it": the ops up to the timeline cursor in the form of
// OSTEP's simulator (chapter 17, `malloc.py -A … -c`), and the malloc.py
// command line that prints the same when there is one. Both are written by
// the core (arena.transcript, arena.mallocPyCommand); this is a dialog of
// its own that shows them, as text only.

import { h, button, saveFile, wholeNumber } from './dom.js';
import { num, plural } from './format.js';
import { maxTranscriptOps, MALLOC_PY_BASE } from '../arena.js';
/** The largest base address (-b) the view takes. */
const MAX_BASE = 2 ** 30;
/** The largest header size (-H) the view takes. */
const MAX_HEADER = 4096;

export class OstepView {
  #version = -1;
  #dialog;
  #els;
  #arena = null;
  /** How malloc.py drew the ops of the command last run (parseMallocPy's `draw`), or null. */
  #draw = null;

  #onChange;

  /**
   * @param {HTMLElement} container where the dialog lives (it shows modal)
   * @param {{ onChange?: () => void }} [opts] called when -b, -H or the draw change (the page keeps them in its link)
   */
  constructor(container, { onChange } = {}) {
    this.#onChange = onChange;
    const base = h('input', {
      class: 'input input-num', type: 'number', min: 0, max: MAX_BASE, step: 1, value: MALLOC_PY_BASE, inputmode: 'numeric',
      id: 'ostep-base', 'data-testid': 'ostep-base', 'aria-describedby': 'ostep-base-note', oninput: () => { this.#fill(); this.#onChange?.(); },
    });
    const header = h('input', {
      class: 'input input-num', type: 'number', min: 0, max: MAX_HEADER, step: 1, value: 0, inputmode: 'numeric',
      id: 'ostep-header', 'data-testid': 'ostep-header', 'aria-describedby': 'ostep-base-note', oninput: () => { this.#fill(); this.#onChange?.(); },
    });
    const baseNote = h('span', { class: 'ostep-status', id: 'ostep-base-note', role: 'status' });
    const out = h('pre', { class: 'ostep-out', 'data-testid': 'ostep-out', tabindex: '0', 'aria-label': 'malloc.py output' });
    const command = h('code', { class: 'ostep-command', 'data-testid': 'ostep-command' });
    const commandNote = h('p', { class: 'embed-note', 'data-testid': 'ostep-command-note' });
    const note = h('p', { class: 'embed-note' });
    const status = h('span', { class: 'ostep-status', role: 'status' });
    const copyCommand = button('Copy command', { class: 'btn btn-sm', type: 'button', onclick: () => this.#copy(command, status) }, 'copy');
    this.#dialog = h('dialog', { class: 'embed-dialog ostep-dialog', 'aria-labelledby': 'ostep-title', 'data-testid': 'ostep-dialog' },
      h('form', { method: 'dialog', class: 'embed-form' },
        h('header', { class: 'embed-head' },
          h('h2', { id: 'ostep-title', text: 'malloc.py view' }),
          h('button', { class: 'btn btn-ghost btn-sm', value: 'close', 'aria-label': 'Close', text: 'Close' })),
        note,
        h('div', { class: 'ostep-row' },
          h('label', { class: 'ostep-label', for: 'ostep-base', text: 'Base address (-b)' }), base,
          h('label', { class: 'ostep-label', for: 'ostep-header', text: 'Header size (-H)' }), header, baseNote),
        out,
        h('div', { class: 'ostep-row' },
          button('Copy output', { class: 'btn btn-sm', type: 'button', onclick: () => this.#copy(out, status) }, 'copy'),
          button('Download', { class: 'btn btn-sm btn-ghost', type: 'button', onclick: () => this.#download() }, 'download'),
          status),
        h('p', { class: 'embed-label', text: 'The same run in malloc.py' }),
        commandNote, command, copyCommand));
    container.append(this.#dialog);
    this.#els = { base, header, baseNote, out, command, commandNote, copyCommand, note, status };
  }

  /** Sets the base address (-b) and header size (-H) the view writes with, and how malloc.py drew the ops (`draw`, or null). */
  setArgs({ base, header, draw = null }) {
    this.#els.base.value = String(base);
    this.#els.header.value = String(header);
    this.#draw = draw;
    this.#onChange?.();
  }

  /** `{ base, header, draw }`: the -b and -H the view writes with (valid values only) and the draw, for a link. */
  args() {
    const int = (input, max, fallback) => {
      const v = wholeNumber(input.value);
      return v <= max ? v : fallback;
    };
    return { base: int(this.#els.base, MAX_BASE, MALLOC_PY_BASE), header: int(this.#els.header, MAX_HEADER, 0), draw: this.#draw };
  }

  /** Follows the timeline while open: `arena` is the arena at the cursor, `version` bumps on every change. */
  refresh(arena, version) {
    if (!this.#dialog.open || this.#version === version) return;
    this.#version = version;
    this.#arena = arena;
    this.#fill();
  }

  /** Shows the run so far of `arena` (the arena at the timeline cursor). */
  open(arena) {
    this.#arena = arena;
    this.#fill();
    this.#els.status.textContent = '';
    this.#dialog.showModal();
  }

  /** The number typed in `input` (0 to `max`), or `fallback` with a note saying why. */
  #number(input, name, max, fallback, notes) {
    const v = wholeNumber(input.value);
    const ok = v <= max;
    input.setAttribute('aria-invalid', String(!ok));
    if (!ok) notes.push(`${name}: it takes a whole number from 0 to ${num(max)}; ${num(fallback)} is used until then.`);
    return ok ? v : fallback;
  }

  #fill() {
    const a = this.#arena;
    if (!a) return;
    const notes = [];
    const base = this.#number(this.#els.base, 'Base address', MAX_BASE, MALLOC_PY_BASE, notes);
    // A heap with a header of its own (the Header setting, a malloc.py -H
    // command) is written with it: the field shows it and stays put.
    const own = a.initialConfig().header ?? 0;
    // A heap whose own header went back to 0: the field starts from 0 too.
    if (own === 0 && this.#els.header.disabled) this.#els.header.value = '0';
    this.#els.header.disabled = own > 0;
    this.#els.header.title = own > 0 ? 'The heap’s own header: the Header setting changes it' : '';
    if (own > 0) this.#els.header.value = String(own);
    const header = own > 0 ? own : this.#number(this.#els.header, 'Header size', MAX_HEADER, 0, notes);
    this.#els.baseNote.textContent = notes.join(' ');
    const n = a.logLength;
    const code = (t) => h('code', { text: t });
    let text;
    try {
      text = a.transcript(base, maxTranscriptOps(), header, this.#draw);
    } catch {
      // A draw the core refuses (a hand-made link): the run as -A writes it.
      this.#draw = null;
      text = a.transcript(base, maxTranscriptOps(), header, null);
    }
    const { command, why, cut, drawn } = a.mallocPyCommand(base, maxTranscriptOps(), header, this.#draw);
    // The core writes the random mode's form only for a run that is the draw.
    const d = n > 0 && drawn ? this.#draw : null;
    this.#els.note.replaceChildren(
      'OSTEP’s simulator (chapter 17) with ', code('-c'), ' prints what each request returned, how many free blocks it searched, and the free list after it. ',
      `These are the ${plural(n, 'op')} up to the timeline cursor${n > maxTranscriptOps() ? ` (the first ${num(maxTranscriptOps())} written out)` : ''}, addresses counted from the base; `, h('kbd', { text: '←' }), ' ', h('kbd', { text: '→' }), ' step the timeline while this is open. ',
      ...(d ? ['They are the ops malloc.py draws itself with ', code(`-s ${d.seed} -n ${n} -r ${d.range} -P ${d.percentAlloc}`), ' (no ', code('-A'), '), and this is its random mode’s text. '] : []),
      own
        ? `Each request is rounded to the alignment and then grown by the heap’s ${num(header)}-byte header, as malloc.py does with -H ${num(header)}, and the memory map draws the same blocks${d ? ' (the random mode prints each request’s address after its header)' : ''}.`
        : header
          ? `With a ${num(header)}-byte header each request is rounded to the alignment and then grown by it, as malloc.py does: the heap on the memory map has no header (set one under Header to see these blocks there), so these addresses differ from it, and a request can fail here and not on the map${d ? ' (the random mode also prints each request’s address after its header)' : ''}.`
          : 'Blocks carry no header, as on the memory map.');
    this.#els.out.textContent = text;
    this.#els.command.hidden = this.#els.copyCommand.hidden = !command;
    // A line breaks between words, never inside one (after the dash of
    // `-a`: a student copying by hand would type "- a"); only a long -A
    // list breaks where it must.
    this.#els.command.replaceChildren(...(command ?? '').split(' ').flatMap((w, i) => [
      ...(i ? [' '] : []),
      h('span', { class: w.length > 24 ? 'ostep-word ostep-word-long' : 'ostep-word', text: w }),
    ]));
    this.#els.commandNote.textContent = command
      ? 'It prints exactly the text above (diff them to check).'
      : cut
        // (Only this view's limits: malloc.py itself prints the whole run.)
        ? `The text above is cut short: ${why}. ${drawn ? 'malloc.py prints the whole run, as the command that drew these ops does' : 'malloc.py may print the whole run (this view checks only runs it writes out whole)'}; this view gives its command only where it can print the same.`
        : `There is no malloc.py command that prints this run: ${why}. The text above follows malloc.py’s form for what it does have.`;
  }

  async #copy(el, status) {
    try {
      await navigator.clipboard.writeText(el.textContent);
      status.textContent = 'Copied.';
    } catch {
      // No clipboard (permissions): select the text for a manual copy.
      getSelection()?.selectAllChildren(el);
      status.textContent = 'Selected: press Ctrl+C to copy.';
    }
  }

  #download() {
    saveFile('malloc-py.txt', this.#els.out.textContent, 'text/plain', this.#dialog);
  }
}
