// Notices (errors, hints, offers with buttons) and the long-replay progress bar.

import { h, button, iconSvg } from './dom.js';

/** The most notices on screen at once (phones show the newest two). */
const MAX_SHOWN = 4;
/** Per notice: `{ close, opener }` (its close, and the control it gives the focus back to). */
const CLOSE = new WeakMap();
/** How long a live region stays empty before it gets its words (a screen reader then hears a change, the same words again too). */
const SAY_AFTER_MS = 100;

/**
 * The live region `id` of the page (empty, there from the start: a screen
 * reader may not hear a live region that comes already filled), made next
 * to `container` when the page has none.
 */
function liveRegion(container, id, assertive) {
  const found = document.getElementById(id);
  if (found) return found;
  const made = h('div', { class: 'sr-only', id, role: assertive ? 'alert' : 'status', 'aria-live': assertive ? 'assertive' : 'polite', 'aria-atomic': 'true' });
  container.after(made);
  return made;
}

export class Notices {
  #root;
  /** The live regions that say the notices: errors interrupt, the rest waits its turn. */
  #status;
  #alert;
  /** Per live region: `{ words, timer }`, the words it says (or is about to), by notice. */
  #said = new Map();

  /** @param {HTMLElement} container a region; notices stack inside it */
  constructor(container) {
    this.#root = h('div', { class: 'notices' });
    container.append(this.#root);
    // The notices on screen are not live regions themselves (a screen reader
    // would hear them twice): these say their words.
    this.#status = liveRegion(container, 'notices-said', false);
    this.#alert = liveRegion(container, 'notices-alert', true);
    for (const r of [this.#status, this.#alert]) this.#said.set(r, { words: new Map(), timer: 0 });
    // The notices float over the bottom of the page: scrolling a focused
    // control into view keeps it above them.
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => {
        document.documentElement.style.scrollPaddingBottom = `${Math.ceil(this.#root.getBoundingClientRect().height) + 16}px`;
      }).observe(this.#root);
    }
  }

  /**
   * Shows a notice. kind: 'info' | 'ok' | 'warn' | 'error'.
   * actions: [{ label, onClick }]. timeout in ms (0 = until dismissed).
   * `key` replaces an earlier notice with the same key.
   */
  show(message, { kind = 'info', actions = [], timeout = kind === 'error' || actions.length ? 0 : 5000, key, detail } = {}) {
    // Closing a notice that holds the focus hands it back to the control
    // that had it when the notice came (not to <body>); a notice replacing
    // one that had the focus inherits that one's opener.
    const old = key ? [...this.#root.querySelectorAll('.notice')].find((x) => x.dataset.key === key) : null;
    const opener = old && old.contains(document.activeElement) ? CLOSE.get(old)?.opener : document.activeElement;
    if (key) this.dismiss(key);
    let timer = 0;
    let left = timeout;
    let started = 0;
    const close = () => {
      clearTimeout(timer);
      const hadFocus = n.contains(document.activeElement);
      n.remove();
      this.#unsay(n);
      if (hadFocus && opener?.isConnected && opener !== document.body) opener.focus({ preventScroll: true });
    };
    // The timeout waits while the notice is pointed at or focused: a reader
    // on its way to a button must not see it vanish.
    const arm = () => {
      if (!left || timer) return;
      started = Date.now();
      timer = setTimeout(close, left);
    };
    const pause = () => {
      if (!timer) return;
      clearTimeout(timer);
      timer = 0;
      left = Math.max(1500, left - (Date.now() - started));
    };
    const n = h('div', { class: `notice notice-${kind}`, 'data-key': key ?? '' },
      h('div', { class: 'notice-body' },
        h('p', { class: 'notice-msg', text: message }),
        detail ? h('p', { class: 'notice-detail', text: detail }) : null,
        actions.length ? h('div', { class: 'notice-actions' }, actions.map((a, i) => button(a.label, {
          class: `btn btn-sm${i === 0 ? ' btn-primary' : ''}`,
          onclick: () => { close(); a.onClick?.(); },
        }))) : null),
      h('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss', onclick: close }, iconSvg('x')));
    CLOSE.set(n, { close, opener });
    // Esc in a notice dismisses it (the focus goes back, as on its close button).
    n.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !e.defaultPrevented) { e.preventDefault(); close(); } });
    n.addEventListener('focusin', pause);
    n.addEventListener('pointerenter', pause);
    n.addEventListener('focusout', (e) => { if (!n.contains(e.relatedTarget)) arm(); });
    n.addEventListener('pointerleave', () => { if (!n.contains(document.activeElement)) arm(); });
    this.#root.append(n);
    this.#say(n, kind === 'error' ? this.#alert : this.#status, detail ? `${message} ${detail}` : message);
    // A stack of old notices helps no one: the newest few stay.
    while (this.#root.children.length > MAX_SHOWN) this.#close(this.#root.firstElementChild);
    arm();
    return n;
  }

  /**
   * Says notice `n`'s words in live region `region`: it empties now and
   * gets them a moment later (notices shown together are said together).
   */
  #say(n, region, text) {
    const said = this.#said.get(region);
    if (!said.timer) {
      region.textContent = '';
      said.words.clear();
      said.timer = setTimeout(() => {
        said.timer = 0;
        region.textContent = [...said.words.values()].join(' ');
      }, SAY_AFTER_MS);
    }
    said.words.set(n, text);
  }

  /**
   * Notice `n` closed: its words leave the live region (browse mode would
   * find them after the notice is gone). Not said yet, the others still
   * waiting keep theirs. Said already, the region empties: rewriting it
   * with the others' words would say them again, and emptying says
   * nothing (their toasts still hold them).
   */
  #unsay(n) {
    for (const [region, said] of this.#said) {
      if (!said.words.delete(n)) continue;
      if (said.timer && said.words.size) continue;
      clearTimeout(said.timer);
      said.timer = 0;
      said.words.clear();
      region.textContent = '';
    }
  }

  dismiss(key) {
    for (const n of this.#root.querySelectorAll('.notice')) if (n.dataset.key === key) this.#close(n);
  }

  /** Closes a notice as its own close button would (its timer stops, the focus goes back). */
  #close(n) {
    const c = CLOSE.get(n);
    if (c) c.close(); else n.remove();
  }
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
    // The label is announced (a job started); the count is not, on every
    // chunk (the progress element carries it).
    this.#count.setAttribute('aria-hidden', 'true');
    this.#root = h('div', { class: 'progress', hidden: true, role: 'status', 'aria-live': 'polite' },
      h('div', { class: 'progress-text' }, this.#label, this.#count),
      this.#bar,
      button('Cancel', { class: 'btn btn-sm', onclick: () => onCancel?.() }));
    container.append(this.#root);
  }

  update(done, total, label) {
    this.#root.hidden = false;
    const text = label ?? 'Working';
    if (this.#label.textContent !== text) this.#label.textContent = text;
    this.#count.textContent = `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} ops`;
    this.#bar.max = total || 1;
    this.#bar.value = done;
  }

  hide() { this.#root.hidden = true; }
}
