// A hex dump of arena bytes (from `arena.read(offset, len)`), each byte
// coloured by what holds it: a used block's requested bytes, its internal
// padding, or a free block (whose bytes are stale: free never zeroes).
//
//   const view = new ByteView(container);
//   view.render({ offset, bytes: arena.read(offset, len), blocks: arena.blocksTyped(), title });

import { h } from './dom.js';
import { num, hex } from './format.js';
import { findBlock } from './memory-map.js';

const PRINTABLE = (c) => c >= 0x20 && c < 0x7f;

export class ByteView {
  #root;
  #head;
  #grid;
  #note;
  /** What the grid shows (columns, range, each byte's owner and value): a step that changes none of it rebuilds nothing. */
  #drawn = '';

  /** @param {{ columns?: number }} [opts] bytes per row; by default 16, or 8 in a narrow container */
  constructor(container, { columns } = {}) {
    this.columns = columns;
    this.#head = h('div', { class: 'bv-head' });
    this.#grid = h('div', { class: 'bv-grid', role: 'table', 'aria-label': 'Bytes' });
    this.#note = h('p', { class: 'bv-note' });
    this.#root = h('div', { class: 'bv' }, this.#head, this.#grid, this.#note);
    container.append(this.#root);
  }

  get element() { return this.#root; }

  /**
   * @param {object} d
   * @param {number} d.offset first byte shown
   * @param {Uint8Array} d.bytes the bytes (arena.read)
   * @param {object} d.blocks typed blocks, to colour bytes by owner
   * @param {string} [d.title] heading, e.g. "ptr[3] · 24 B at 48"
   * @param {string} [d.note] a sentence under the dump
   * @param {number} [d.total] full length when `bytes` is truncated
   */
  render(d) {
    const { offset, bytes, blocks } = d;
    this.#head.replaceChildren(
      h('span', { class: 'bv-title', text: d.title ?? `${num(bytes.length)} bytes at ${num(offset)}` }),
      h('span', { class: 'bv-range', text: `${hex(offset)}–${hex(offset + Math.max(0, bytes.length - 1))}` }));
    const cols = this.columns ?? (this.#root.clientWidth && this.#root.clientWidth < 520 ? 8 : 16);
    let bi = blocks && bytes.length ? findBlock(blocks, offset) : -1;
    const end = offset + bytes.length;
    // Each byte's owner first (cheap), so that an unchanged dump keeps its
    // elements: rebuilding hundreds of spans was a third of a step's render.
    const owner = new Array(bytes.length);
    for (let a = offset; a < end; a++) {
      while (bi >= 0 && bi < blocks.length - 1 && blocks.offset[bi] + blocks.size[bi] <= a) bi++;
      let cls = 'bv-free';
      if (bi >= 0 && !blocks.free[bi]) {
        // A free-list block's header (d.header bytes; slab chunks have none), then the request.
        const hdr = blocks.chunk?.[bi] ? 0 : d.header ?? 0;
        const into = a - blocks.offset[bi];
        cls = into < hdr ? 'bv-hdr' : into < hdr + blocks.requested[bi] ? 'bv-req' : 'bv-slack';
      }
      if (bi >= 0 && a === blocks.offset[bi]) cls += ' bv-start';
      owner[a - offset] = cls;
    }
    const drawn = `${cols}|${offset}|${owner.join()}|${bytes.join()}`;
    if (drawn !== this.#drawn) {
      this.#drawn = drawn;
      this.#fill(offset, bytes, owner, cols);
    }
    const more = d.total && d.total > bytes.length ? `Showing the first ${num(bytes.length)} of ${num(d.total)} bytes. ` : '';
    this.#note.textContent = more + (d.note ?? '');
    this.#note.hidden = !this.#note.textContent;
  }

  /** The rows of the dump: `owner[i]` is byte i's class. */
  #fill(offset, bytes, owner, cols) {
    const frag = document.createDocumentFragment();
    const start = offset - (offset % cols);
    const end = offset + bytes.length;
    // Every address as wide as the last one: the hex columns line up.
    this.#grid.style.setProperty('--bv-addr-ch', `${Math.max(4.5, num(Math.max(start, end - 1)).length)}ch`);
    for (let rowStart = start; rowStart < end; rowStart += cols) {
      const row = h('div', { class: 'bv-row', role: 'row' });
      row.append(h('span', { class: 'bv-addr', role: 'rowheader', text: num(rowStart) }));
      const hexCell = h('span', { class: 'bv-hex', role: 'cell' });
      const ascii = h('span', { class: 'bv-ascii', role: 'cell', 'aria-hidden': 'true' });
      for (let a = rowStart; a < rowStart + cols; a++) {
        if (a < offset || a >= end) {
          hexCell.append(h('span', { class: 'bv-b bv-out', text: '  ' }));
          ascii.append(h('span', { class: 'bv-c bv-out', text: ' ' }));
          continue;
        }
        const cls = owner[a - offset];
        const v = bytes[a - offset];
        hexCell.append(h('span', { class: `bv-b ${cls}${v === 0 ? ' bv-zero' : ''}`, text: v.toString(16).padStart(2, '0') }));
        ascii.append(h('span', { class: `bv-c ${cls}`, text: PRINTABLE(v) ? String.fromCharCode(v) : '·' }));
      }
      row.append(hexCell, ascii);
      frag.append(row);
    }
    this.#grid.replaceChildren(frag);
  }

  /** Shows a message instead of bytes. */
  empty(message) {
    this.#head.replaceChildren();
    this.#drawn = '';
    this.#grid.replaceChildren(h('p', { class: 'bv-empty', text: message }));
    this.#note.hidden = true;
  }
}
