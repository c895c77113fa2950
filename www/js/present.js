// Presenting: the map, its timeline, the words under it and the meter,
// large, for a lecture hall. The page goes full screen where it may, the
// settings, forms and editors step aside, and a presenter's remote drives
// the timeline: PageDown / → / Space one op forward, PageUp / ← one back
// (whatever has the focus, even the scrubber, whose own PageDown steps
// backwards), B or . blanks the screen, + and − size everything, Esc ends.
// A click on the map then frees nothing: it must not cut a lecture's
// timeline short.

const ZOOM_KEY = 'allocator-playground:present-zoom';
const ZOOM_MIN = 1;
const ZOOM_MAX = 2.2;
const ZOOM_STEP = 0.1;
/** The zoom until the presenter sets one: 1.4, or 1 on a screen of at most 1080 px (on a 1024×768 projector the meter then fits beside the map; narrower, everything is one column anyway). */
const zoomDefault = () => (globalThis.matchMedia?.('(max-width: 1080px)').matches ? 1 : 1.4);

/** The zoom the presenter set last (kept across visits), or null. */
function storedZoom() {
  try {
    const z = Number(localStorage.getItem(ZOOM_KEY));
    return z >= ZOOM_MIN && z <= ZOOM_MAX ? z : null;
  } catch {
    return null;
  }
}

export class Presenter {
  #on = false;
  #zoom = null;
  #button;
  #blank;
  #opts;

  /**
   * @param {HTMLButtonElement} button toggles presenting (its label says which way)
   * @param {object} opts { onStep(delta), onBlank() (play stops), onChange(active) (also when the zoom changes), notices }
   */
  constructor(button, opts) {
    this.#button = button;
    this.#opts = opts;
    button.addEventListener('click', () => this.toggle());
    // The blank screen: a click or any key brings the page back.
    this.#blank = document.createElement('div');
    this.#blank.className = 'present-blank';
    this.#blank.hidden = true;
    this.#blank.dataset.testid = 'present-blank';
    this.#blank.addEventListener('click', () => { this.#blank.hidden = true; });
    document.body.append(this.#blank);
    // Capture: the remote's keys mean the timeline before any control sees them.
    document.addEventListener('keydown', (e) => this.#key(e), true);
    // A control clicked with the mouse gives the focus back to the page, so
    // that the remote's next Space steps rather than pressing it again.
    document.addEventListener('click', (e) => {
      if (!this.#on || e.detail === 0) return;
      const c = e.target.closest?.('button, select, [role=button], .tl-ops li');
      if (c && c.matches(':focus-within')) setTimeout(() => this.#rest());
    }, true);
    document.addEventListener('fullscreenchange', () => {
      // The browser's own Esc leaves full screen: the presentation ends with it.
      if (!document.fullscreenElement && this.#on && this.#wentFull) this.toggle(false);
    });
  }

  #wentFull = false;
  #scroll = 0;

  get active() {
    return this.#on;
  }

  /** Starts (`on`) or ends presenting. */
  toggle(on = !this.#on) {
    if (on === this.#on) return;
    this.#on = on;
    const root = document.documentElement;
    // (Read before the presenting layout, shorter, clamps it.)
    if (on) this.#scroll = scrollY;
    root.classList.toggle('presenting', on);
    this.#zoom = storedZoom() ?? zoomDefault();
    root.style.setProperty('--present-zoom', String(this.#zoom));
    this.#button.querySelector('.btn-label').textContent = on ? 'End presenting' : 'Present';
    this.#blank.hidden = true;
    if (on) {
      this.#wentFull = false;
      // The map at the top of the screen; the page's place comes back after.
      scrollTo(0, 0);
      const full = root.requestFullscreen?.();
      full?.then(() => { this.#wentFull = true; }, () => { /* not allowed here: the page still presents */ });
      // Keys go to the presented map, not to a control left focused (nor
      // to <body>, where a screen reader's focus would be lost).
      this.#rest();
      this.#opts.notices?.show('Presenting: → or PageDown steps forward, ← or PageUp back, B blanks the screen, + and − size it, Esc ends.', { kind: 'info', key: 'present', timeout: 4000 });
    } else {
      if (document.fullscreenElement) document.exitFullscreen?.().catch(() => {});
      this.#opts.notices?.dismiss('present');
      // Back where presenting began (the page came back around it).
      scrollTo(0, this.#scroll);
      this.#button.focus({ preventScroll: true });
    }
    this.#opts.onChange?.(on);
  }

  /**
   * Puts the focus where the remote's keys step and press nothing: on the
   * presented map's card (focusable by script only, labelled "Memory"); on
   * <body> in a page without one.
   */
  #rest() {
    const card = document.getElementById('map-card');
    if (card?.isConnected && card.hasAttribute('tabindex')) card.focus({ preventScroll: true });
    else document.activeElement?.blur?.();
  }

  #setZoom(z) {
    this.#zoom = Math.round(Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, z)) * 10) / 10;
    document.documentElement.style.setProperty('--present-zoom', String(this.#zoom));
    try { localStorage.setItem(ZOOM_KEY, String(this.#zoom)); } catch { /* private mode */ }
    // (The map's rows follow: it fits the room the new zoom leaves.)
    this.#opts.onChange?.(true);
  }

  #key(e) {
    if (!this.#on) return;
    const t = e.target;
    if (!this.#blank.hidden) {
      // (A modifier alone waits for its key.)
      if (['Control', 'Shift', 'Alt', 'Meta'].includes(e.key)) return;
      // Any key brings the page back, and does nothing else (an undo either).
      e.preventDefault();
      e.stopPropagation();
      this.#blank.hidden = true;
      return;
    }
    // Text fields and open dialogs keep their keys, but for the remote's
    // PageDown / PageUp and Esc (a guess typed in Predict mode keeps the
    // focus in its box).
    const typing = t.closest?.('input:not([type=checkbox]):not([type=radio]):not([type=range]), textarea, [contenteditable], dialog[open]');
    if (typing && !(['PageDown', 'PageUp', 'Escape'].includes(e.key) && !t.closest('dialog[open]'))) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    // Esc in a notice dismisses the notice, not the presentation.
    if (e.key === 'Escape' && t.closest?.('.notice')) return;
    // A select keeps its arrows and Space, a switch its Space (Predict, while presenting).
    if (t.closest?.('select') && ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', ' '].includes(e.key)) return;
    // The compare chart's cursor keeps its arrows (the remote's PageDown / PageUp still step).
    if (t.closest?.('.cmp-svg') && ['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return;
    if (e.key === ' ' && t.closest?.('input[type=checkbox], input[type=radio]')) return;
    // (Space steps, as a remote's Space means; Enter presses a focused
    // button, End presenting or Play.)
    const step = { PageDown: 1, ArrowRight: 1, ArrowDown: 1, ' ': 1, PageUp: -1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
    let done = true;
    if (step) this.#opts.onStep(step);
    else if (e.key === 'b' || e.key === 'B' || e.key === '.') {
      // (Play stops: the lecture must not move on behind a black screen.)
      this.#opts.onBlank?.();
      this.#blank.hidden = false;
    }
    else if (e.key === '+' || e.key === '=') this.#setZoom(this.#zoom + ZOOM_STEP);
    else if (e.key === '-' || e.key === '_') this.#setZoom(this.#zoom - ZOOM_STEP);
    else if (e.key === 'Escape') this.toggle(false);
    else done = false;
    if (done) {
      e.preventDefault();
      e.stopPropagation();
      // (A button left focused would take the key's keyup: Space presses
      // a button when it is released.)
      if (t.closest?.('button, select, [role=button]')) this.#rest();
    }
  }
}
