// Notices (errors, hints, offers with buttons) and the long-replay progress bar.

import { h, button, iconSvg } from './dom.js';

/** The most notices on screen at once (phones show the newest two). */
const MAX_SHOWN = 4;

export class Notices {
  #root;

  /** @param {HTMLElement} container a region; notices stack inside it */
  constructor(container) {
    this.#root = h('div', { class: 'notices' });
    container.append(this.#root);
  }

  /**
   * Shows a notice. kind: 'info' | 'ok' | 'warn' | 'error'.
   * actions: [{ label, onClick }]. timeout in ms (0 = until dismissed).
   * `key` replaces an earlier notice with the same key.
   */
  show(message, { kind = 'info', actions = [], timeout = kind === 'error' || actions.length ? 0 : 5000, key, detail } = {}) {
    if (key) this.dismiss(key);
    const close = () => { n.remove(); };
    const n = h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status', 'data-key': key ?? '' },
      h('div', { class: 'notice-body' },
        h('p', { class: 'notice-msg', text: message }),
        detail ? h('p', { class: 'notice-detail', text: detail }) : null,
        actions.length ? h('div', { class: 'notice-actions' }, actions.map((a, i) => button(a.label, {
          class: `btn btn-sm${i === 0 ? ' btn-primary' : ''}`,
          onclick: () => { close(); a.onClick?.(); },
        }))) : null),
      h('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss', onclick: close }, iconSvg('x')));
    this.#root.append(n);
    // A stack of old notices helps no one: the newest few stay.
    while (this.#root.children.length > MAX_SHOWN) this.#root.firstElementChild.remove();
    if (timeout) setTimeout(close, timeout);
    return n;
  }

  dismiss(key) {
    for (const n of this.#root.querySelectorAll('.notice')) if (n.dataset.key === key) n.remove();
  }

  clear() { this.#root.replaceChildren(); }
}

export class ProgressBar {
  #root;
  #bar;
  #label;
  #count;

  /** @param {HTMLElement} container @param {{ onCancel: () => void }} opts */
  constructor(container, { onCancel } = {}) {
    this.#bar = h('progress', { class: 'progress-bar', max: 1, value: 0 });
    this.#label = h('span', { class: 'progress-label' });
    this.#count = h('span', { class: 'progress-count' });
    this.#root = h('div', { class: 'progress', hidden: true, role: 'status', 'aria-live': 'polite' },
      h('div', { class: 'progress-text' }, this.#label, this.#count),
      this.#bar,
      button('Cancel', { class: 'btn btn-sm', onclick: () => onCancel?.() }));
    container.append(this.#root);
  }

  update(done, total, label) {
    this.#root.hidden = false;
    this.#label.textContent = label ?? 'Working';
    this.#count.textContent = `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} ops`;
    this.#bar.max = total || 1;
    this.#bar.value = done;
  }

  hide() { this.#root.hidden = true; }
}
