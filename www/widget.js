// <alloc-playground>: the embeddable widget. One import, one tag:
//
//   <script type="module" src="https://example.org/playground/widget.js"></script>
//   <alloc-playground strategy="best-fit" arena-size="256" align="8"
//                     ops="+32,+64,+16,-1,+40" controls="alloc free strategy meter timeline">
//   </alloc-playground>
//
// Attributes (properties mirror them): strategy, arena-size, align, coalesce,
// order (the free list's: address, size-ascending, size-descending,
// insert-front, insert-back, as malloc.py's -l), header (bytes of header in
// front of each block, as malloc.py's -H; 0 by default), sbrk (boolean: the
// heap grows with sbrk, as CS:APP's malloc lab heap does, instead of being the
// whole arena; off by default),
// classes and slab-size (the slab allocator's; the defaults are 16,32,64 in
// 256-byte slabs), ops (OSTEP op list, replayed on load), step (where the timeline starts; the
// ops after it are the future), controls (which parts to show), readonly,
// predict (the reader guesses what each op does before it runs, from op 1
// unless step says otherwise), height, theme ('light' | 'dark'; default: the reader's preference). The
// strategy and step properties read the live state (the reader may change it).
// Every attribute is untrusted: it is parsed and validated (the op list by the
// Rust core), size-limited, and never inserted as HTML. A bad one shows a
// visible error inside the widget and runs nothing.
//
// Shadow DOM; theme with CSS custom properties (--ap-accent, --ap-accent-text,
// --ap-used, --ap-used-text, --ap-free, --ap-chunk, --ap-padding, --ap-surface,
// --ap-text, --ap-focus, --ap-font, --ap-radius); style parts with ::part(root |
// map | meter | controls | timeline | bytes | error | legend | header | explain
// | predict | link | restore). Boolean attributes read true, 1, yes, on, empty or their
// own name as on. Every instance has its own arena in the one shared wasm
// module; it is freed when the element is removed (moving it keeps the
// reader's work). An action at a past step drops the later ops, and the
// status line offers them back. After every change
// the element dispatches `alloc-playground:change` (bubbles, composed) with
// the snapshot as `detail`.

import { init, createArena, checkConfig, slabForAlign, STRATEGIES, ORDERS } from './arena.js';
import { MemoryMap, renderLegend, blockAt, listRanks } from './js/memory-map.js';
import { Meter } from './js/meter.js';
import { ByteView } from './js/byte-view.js';
import { h, iconSvg, keepFocus, focusIn, wholeNumber } from './js/dom.js';
import { num, plural, sentence, FAILED_WHY, callText, gotText } from './js/format.js';
import { encodeState, flag } from './js/url-state.js';
import { describeLastOp } from './js/last-op.js';
import { PredictBox, PredictScore, questionAt, grade } from './js/predict.js';
import { strategyLabel, settledChange, ORDER_LABELS } from './js/controls.js';

import { LIMITS } from './js/widget-limits.js';

export { LIMITS };

const CSS = ['css/theme.css', 'css/memory-map.css', 'css/meter.css', 'css/panels.css', 'css/predict.css', 'css/widget.css']
  .map((p) => new URL(p, import.meta.url).href);

/** The parts `controls` can name; the default shows all but bytes. */
export const CONTROLS = ['alloc', 'free', 'strategy', 'meter', 'timeline', 'legend', 'bytes', 'link', 'explain'];
const DEFAULT_CONTROLS = 'alloc free strategy meter timeline legend';

/** What a `host-memory` refusal says in a widget (the core's words speak to an API user). */
const MEMORY_FULL = 'the page’s memory is full, so this change was not made (reloading the page starts afresh)';

/** Every attribute the element reads (the iframe page copies these from its query). */
export const ATTRS = ['strategy', 'arena-size', 'align', 'coalesce', 'order', 'sbrk', 'header', 'classes', 'slab-size', 'ops', 'step', 'controls', 'readonly', 'predict', 'height', 'theme'];
/** The typed properties mirroring ATTRS (`arena-size` → `arenaSize`; see #upgradeProperties). */
const PROPS = ATTRS.map((a) => a.replace(/-(\w)/g, (_, c) => c.toUpperCase()));
/** Whether a failure to load the module's wasm was logged (once a page, not once a widget). */
let loadLogged = false;

class AttrError extends Error {}

/**
 * How to find a control again in a rebuilt widget: a selector (its
 * aria-label, else its classes) and its place among the elements it matches.
 */
function focusKeyOf(el, root) {
  const label = el.getAttribute('aria-label');
  const selector = label
    ? `${el.localName}[aria-label="${globalThis.CSS.escape(label)}"]`
    : el.classList.length ? `${el.localName}.${[...el.classList].map((c) => globalThis.CSS.escape(c)).join('.')}` : null;
  return selector && { selector, index: [...root.querySelectorAll(selector)].indexOf(el) };
}

/** Builds waiting for their own task, in the order they came. */
const builds = [];
/** Runs `build` in a task of its own, after the builds queued before it. */
function buildSoon(build) {
  builds.push(build);
  if (builds.length === 1) setTimeout(nextBuild);
}
function nextBuild() {
  try {
    builds[0]();
  } finally {
    builds.shift();
    if (builds.length) setTimeout(nextBuild);
  }
}

/** An attribute that is absent or holds only spaces: its default applies. */
const blank = (raw) => raw === null || raw.trim() === '';

/** A number attribute as its typed property reads it: the default when blank. */
const numAttr = (el, name, dflt) => { const raw = el.getAttribute(name); return blank(raw) ? dflt : Number(raw.trim()); };

function uintAttr(name, raw, { min, max }) {
  const t = String(raw).trim();
  // (More than ten digits is a whole number, just far too large: say so.)
  if (/^\d{11,}$/.test(t)) throw new AttrError(`${name} must be between ${min} and ${max}, got ${t.length > 16 ? `${t.slice(0, 16)}…` : t}`);
  if (!/^\d{1,10}$/.test(t)) throw new AttrError(`${name} must be a whole number, got "${t.slice(0, 40)}"`);
  const n = Number(t);
  if (n < min || n > max) throw new AttrError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function boolAttr(name, raw, dflt) {
  if (raw === null) return dflt;
  // readonly="readonly" is how XHTML (and many serializers) write a boolean attribute.
  if (raw.trim().toLowerCase() === name) return true;
  const v = flag(raw);
  if (v === undefined) throw new AttrError(`${name} must be true or false (or yes/no, on/off, 1/0), got "${raw.trim().slice(0, 40)}"`);
  return v;
}

/**
 * Arena methods and setters that change it: the widget owns them. (`using a
 * = el.arena` would dispose the widget's arena at the end of the block.)
 */
const CHANGING = new Set(['alloc', 'allocAligned', 'calloc', 'free', 'realloc', 'write', 'replay', 'replayFor', 'replaySampled', 'mergeAll', 'dispose', 'strategy', 'coalesce',
  ...[Symbol.dispose, Symbol.asyncDispose].filter((k) => typeof k === 'symbol')]);

function readOnlyError(key) {
  return Object.assign(new Error(`el.arena is read-only (${String(key)}): set the widget's attributes (ops, strategy, …) to change it`), { code: 'read-only' });
}

/** A view of `arena` whose reads work and whose changes throw 'read-only'. */
function readOnly(arena) {
  return new Proxy(arena, {
    get(target, key) {
      if (CHANGING.has(key) && typeof target[key] === 'function') return () => { throw readOnlyError(key); };
      // (The target as the receiver: the class keeps its state in private fields.)
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
    set(_target, key) { throw readOnlyError(key); },
    defineProperty(_target, key) { throw readOnlyError(key); },
    deleteProperty(_target, key) { throw readOnlyError(key); },
  });
}

/** The core's default slab classes and slab size (read once). */
let defaults = null;
function slabDefaults() {
  if (!defaults) {
    const a = createArena({});
    try { defaults = a.initialConfig(); } finally { a.dispose(); }
  }
  return defaults;
}

/**
 * A strategy or free list order name (attribute `key`), checked by the core,
 * which knows every name it takes; throws AttrError in the core's words.
 */
function coreName(key, raw, fallback) {
  const v = raw?.trim().toLowerCase() || fallback;
  // (The names the dropdowns list need no call into wasm, whose memory may be full.)
  if ((key === 'strategy' ? STRATEGIES : ORDERS).includes(v)) return v;
  if (v.length > 40) throw new AttrError(`${key} "${v.slice(0, 40)}…" is not a name the allocator knows`);
  try {
    checkConfig({ [key]: v });
  } catch (e) {
    // Memory full: building the arena says so, as for any other change.
    if (e?.code === 'host-memory') return v;
    throw new AttrError(e.detail?.reason ?? e.message);
  }
  return v;
}

/** Reads and validates every attribute; throws AttrError naming the bad one. */
export function readConfig(el) {
  const get = (n) => el.getAttribute(n);
  // Names as a link and the core take them: any case, `best`, `ADDRSORT`…
  const strategy = coreName('strategy', get('strategy'), 'first-fit');
  // An empty value attribute is its default, as for every attribute here
  // (a template that left it blank), and as HTML treats a missing value.
  const size = blank(get('arena-size')) ? 256 : uintAttr('arena-size', get('arena-size'), { min: 1, max: LIMITS.arenaSize });
  const align = blank(get('align')) ? 8 : uintAttr('align', get('align'), { min: 1, max: LIMITS.align });
  const coalesce = boolAttr('coalesce', get('coalesce'), true);
  // Bytes of header per block (malloc.py's -H). One as large as the arena is
  // taken, as malloc.py takes it: every request then fails, and says why.
  const header = blank(get('header')) ? 0 : uintAttr('header', get('header'), { min: 0, max: LIMITS.arenaSize });
  const order = coreName('order', get('order'), 'address');
  const sbrk = boolAttr('sbrk', get('sbrk'), false);
  // Slab classes and slab size (the core checks how they fit together).
  const slab = {};
  const classesRaw = get('classes');
  if (!blank(classesRaw)) {
    const parts = classesRaw.split(/[\s,]+/).filter(Boolean);
    if (parts.length > 16 || !parts.every((p) => /^\d{1,10}$/.test(p))) {
      throw new AttrError(`classes must be up to 16 whole numbers separated by commas, got "${classesRaw.slice(0, 40)}"`);
    }
    slab.classes = parts.map(Number);
  }
  if (!blank(get('slab-size'))) {
    slab.slabSize = uintAttr('slab-size', get('slab-size'), { min: 1, max: LIMITS.arenaSize });
  }
  // (Classes left to their defaults follow an alignment above them: the
  // core fits them, so align="32" alone does not fail over slabs nobody asked for.)
  const ops = get('ops') ?? '';
  if (ops.length > LIMITS.opsText) throw new AttrError(`ops is longer than ${LIMITS.opsText} characters`);
  const names = (get('controls') ?? DEFAULT_CONTROLS).toLowerCase().split(/[\s,]+/).filter(Boolean);
  const unknown = names.find((c) => !CONTROLS.includes(c));
  if (unknown !== undefined) {
    throw new AttrError(`controls lists parts to show, among ${CONTROLS.join(', ')}; "${unknown.slice(0, 40)}" is none of them`);
  }
  const controls = new Set(names);
  // Where the timeline starts (the ops after it are the future, a step away).
  const step = blank(get('step')) ? null : uintAttr('step', get('step'), { min: 0, max: LIMITS.ops });
  const readonly = get('readonly') !== null && boolAttr('readonly', get('readonly'), true);
  const predict = get('predict') !== null && boolAttr('predict', get('predict'), true);
  const heightRaw = get('height');
  let height = null;
  if (!blank(heightRaw)) {
    const m = /^(\d{1,4}(?:\.\d+)?)(px|em|rem|vh)?$/.exec(heightRaw.trim());
    if (!m) throw new AttrError(`height must be a length such as 240 or 240px, got "${heightRaw.slice(0, 40)}"`);
    height = `${m[1]}${m[2] ?? 'px'}`;
  }
  const theme = get('theme');
  // (Any case, as the strategy and order names: theme="Dark".)
  if (theme !== null && !['light', 'dark', ''].includes(theme.trim().toLowerCase())) {
    throw new AttrError(`theme must be light or dark, got "${theme.slice(0, 40)}"`);
  }
  return { arena: { size, strategy, align, coalesce, order, sbrk, header, ...slab }, ops, step, controls, readonly, predict, height };
}

export class AllocPlaygroundElement extends HTMLElement {
  static observedAttributes = ATTRS;

  #shadow;
  #arena = null;
  #cfg = null;
  #tokens = [];
  #pos = 0;
  #map = null;
  #meter = null;
  #bytes = null;
  #els = {};
  #selected = -1;
  #pending = false;
  /** A build waits in the queue (buildSoon) for this widget's current generation. */
  #queued = false;
  #generation = 0;
  #seekTo = 0;
  #seekFrame = 0;
  #predictBox = null;
  /** An attribute changed while the element was out of the document. */
  #stale = false;
  /** The read-only view `arena` hands out, and the arena it is of. */
  #view = null;
  /**
   * The timeline before an action in the past dropped its later ops:
   * `{ tokens, pos, at }` (`pos`: the step the action was taken at; `at`:
   * the step to come back to, `pos` when absent), restored by the status
   * line's button; null when none. Restoring sets the reader's own ops
   * aside here in turn, so that nothing is lost.
   */
  #dropped = null;
  /** Predict mode: { score: PredictScore, last: { pos, q, guess, answer, counted } | null, focus }, or null when off. */
  #predict = null;

  constructor() {
    super();
    this.#shadow = this.attachShadow({ mode: 'open' });
    // The stylesheets stay across rebuilds (no flash of unstyled content).
    this.#shadow.append(...CSS.map((href) => h('link', { rel: 'stylesheet', href })));
    // Until the first build, the element's own content (the embedder's
    // fallback) shows through, and the `loading` state lets the embedder's
    // CSS keep the room it reserved before the element was defined.
    this.#shadow.append(h('div', { class: 'ap-loading', part: 'loading' }, h('slot', {})));
    try {
      this.#internals = this.attachInternals();
      this.#internals.states.add('loading');
    } catch { /* (no custom states in this browser: the room goes at definition) */ }
  }

  /** ElementInternals, for the `loading` custom state; null where unsupported. */
  #internals = null;

  /**
   * Properties set on the element before this module defined it (an inline
   * script after the tag) are own properties that hide the class's
   * accessors: they are taken away and set again, through the accessors.
   */
  #upgradeProperties() {
    for (const p of PROPS) {
      if (!Object.prototype.hasOwnProperty.call(this, p)) continue;
      const v = this[p];
      delete this[p];
      this[p] = v;
    }
  }

  // ----- typed properties mirroring the attributes -----
  /** The live strategy (the reader may switch it); setting it rebuilds. */
  get strategy() { return this.#arena?.strategy ?? this.getAttribute('strategy') ?? 'first-fit'; }
  set strategy(v) { this.#setLive('strategy', v); }
  get arenaSize() { return numAttr(this, 'arena-size', 256); }
  set arenaSize(v) { this.#set('arena-size', v); }
  get align() { return numAttr(this, 'align', 8); }
  set align(v) { this.#set('align', v); }
  get coalesce() { try { return boolAttr('coalesce', this.getAttribute('coalesce'), true); } catch { return false; } }
  set coalesce(v) { this.#set('coalesce', v == null || typeof v === 'string' ? v : v ? 'true' : 'false'); }
  /** The live arena's order (`ADDRSORT` reads 'address'); before it is built, the attribute in lower case, or 'address'. */
  get order() { return this.#arena?.order ?? (this.getAttribute('order')?.trim().toLowerCase() || 'address'); }
  set order(v) { this.#set('order', v); }
  /** Whether the heap grows with sbrk (the `sbrk` attribute; false when absent or bad). */
  get sbrk() { try { return boolAttr('sbrk', this.getAttribute('sbrk'), false); } catch { return false; } }
  set sbrk(v) { this.#set('sbrk', v == null || typeof v === 'string' ? v : v ? 'true' : 'false'); }
  get header() { return numAttr(this, 'header', 0); }
  set header(v) { this.#set('header', v); }
  /** The classes attribute, or (absent) the default classes as they follow `align`: "16,32,64" up to align 16, "64,128,256" at 64. */
  get classes() {
    const raw = this.getAttribute('classes');
    return blank(raw) ? this.#slabDefaults().classes.join(',') : raw;
  }
  set classes(v) { this.#set('classes', Array.isArray(v) ? v.join(',') : v); }
  /** The slab-size attribute, or (absent) the slab size the widget gives its classes (256, more when align raises them). */
  get slabSize() { return numAttr(this, 'slab-size', blank(this.getAttribute('classes')) ? this.#slabDefaults().slabSize : 256); }
  /** The default slab classes and size under this `align` (as `createArena` fits them). */
  #slabDefaults() {
    const fallback = { classes: [16, 32, 64], slabSize: 256 };
    try {
      return slabForAlign(fallback, this.align);
    } catch {
      return fallback; // (Before the module is loaded, or a bad align, which shows an error.)
    }
  }
  set slabSize(v) { this.#set('slab-size', v); }
  get ops() { return this.getAttribute('ops') ?? ''; }
  /** Clearing the ops (null) clears the step into them too. */
  set ops(v) { if (v == null) this.removeAttribute('step'); this.#set('ops', v); }
  /** The timeline position (ops run so far); setting it rebuilds at that step. */
  get step() {
    if (this.#arena) return this.#pos;
    const a = this.getAttribute('step')?.trim();
    return a && /^\d{1,10}$/.test(a) ? Number(a) : null; // null: the end
  }
  set step(v) { this.#setLive('step', v); }

  /**
   * Sets an attribute that the reader's actions can move away from: when it
   * already holds the value (the reader switched away since), rebuild anyway.
   */
  #setLive(name, value) {
    if (this.getAttribute(name) === (value == null ? null : String(value))) this.#schedule();
    else this.#set(name, value);
  }

  /** A property set: `null` or `undefined` removes the attribute (its default applies). */
  #set(name, value) {
    if (value == null) this.removeAttribute(name);
    else this.setAttribute(name, String(value));
  }
  get controls() { return this.getAttribute('controls') ?? DEFAULT_CONTROLS; }
  set controls(v) { this.#set('controls', v); }
  get readonly() { return this.#flag('readonly'); }
  set readonly(v) { this.#setFlag('readonly', v); }
  /** Whether the reader predicts each op before it runs (the ops are then read-only). */
  get predict() { return this.#flag('predict'); }
  set predict(v) { this.#setFlag('predict', v); }
  /**
   * Sets a boolean attribute: present and empty for true (`readonly="0"` must
   * not stay), absent for false; a string is the attribute's own text
   * (`el.readonly = 'false'` reads as the attribute would).
   */
  #setFlag(name, v) {
    if (typeof v === 'string') this.setAttribute(name, v);
    else if (v) this.setAttribute(name, '');
    else this.removeAttribute(name);
  }
  /** A boolean attribute as the widget reads it (`readonly="0"` is off); a bad value reads as off (it shows an error). */
  #flag(name) {
    try { return boolAttr(name, this.getAttribute(name), false); } catch { return false; }
  }
  get height() { return this.getAttribute('height'); }
  set height(v) { this.#set('height', v); }
  get theme() { return this.getAttribute('theme'); }
  set theme(v) { if (v) this.setAttribute('theme', String(v)); else this.removeAttribute('theme'); }

  /**
   * The live arena, read-only (for scripts on the embedding page: snapshot,
   * log, lastOp, transcript …); null while in error. Its changing methods
   * throw code 'read-only': the widget's attributes change it.
   */
  get arena() {
    const a = this.#arena;
    if (!a) return null;
    if (this.#view?.of !== a) this.#view = { of: a, proxy: readOnly(a) };
    return this.#view.proxy;
  }
  /** The snapshot of the current state, or null. */
  snapshot() { return this.#arena?.snapshot() ?? null; }

  connectedCallback() {
    this.#upgradeProperties();
    // Moved (removed and put back in the same task, as tab and layout
    // scripts do): the reader's work stays, unless an attribute changed meanwhile.
    if (this.#arena && !this.#stale && !this.#queued) return;
    this.#stale = false;
    this.#schedule();
  }

  disconnectedCallback() {
    this.#generation++;
    // Freed only if it stays out of the document past this task (a removal, not a move).
    queueMicrotask(() => { if (!this.isConnected) this.#teardown(); });
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (!this.isConnected) {
      this.#stale = true;
      return;
    }
    // Looks only: a valid theme or height applies in place, keeping the
    // reader's work (a blog's dark-mode toggle must not reset the widget).
    if ((name === 'theme' || name === 'height') && this.#arena && this.#els?.mapBox) {
      let cfg = null;
      try { cfg = readConfig(this); } catch { /* a bad value: rebuild, which shows the error */ }
      if (cfg) {
        this.#els.mapBox.style.maxHeight = cfg.height ?? '';
        return;
      }
    }
    this.#schedule();
  }

  #schedule() {
    if (this.#pending) return;
    this.#pending = true;
    queueMicrotask(async () => {
      this.#pending = false;
      if (!this.isConnected) return;
      const gen = ++this.#generation;
      try {
        await init();
      } catch (e) {
        // A Content-Security-Policy without 'wasm-unsafe-eval' is the usual
        // cause on a blog: said in words, the browser's text in the console.
        if (!loadLogged) console.error('alloc-playground:', e);
        loadLogged = true;
        this.#showError(/Content.Security.Policy|\bCSP\b|code generation disallowed/i.test(String(e?.message))
          ? 'could not load the allocator: this page’s Content-Security-Policy does not allow WebAssembly (its script-src needs \'wasm-unsafe-eval\')'
          : `could not load the allocator (${e.message})`);
        return;
      }
      // One widget built per task: eight on a page are eight short tasks
      // (a reader's click or scroll gets in between), not one long one.
      // (A move while it waits must not drop it: connectedCallback sees #queued.)
      this.#queued = true;
      buildSoon(() => {
        if (gen !== this.#generation) return;
        this.#queued = false;
        if (this.isConnected) this.#build();
      });
    });
  }

  #teardown() {
    this.#arena?.dispose();
    this.#arena = null;
    this.#map?.destroy();
    this.#map = null;
    this.#meter = null;
    this.#bytes = null;
    this.#predictBox = null;
  }

  #skeleton() {
    const root = h('div', { class: 'ap', part: 'root' });
    this.#shadow.querySelector('.ap')?.remove();
    this.#shadow.querySelector('.ap-loading')?.remove();
    try { this.#internals?.states.delete('loading'); } catch { /* as above */ }
    this.#shadow.append(root);
    return root;
  }

  #showError(message) {
    this.#teardown();
    const root = this.#skeleton();
    root.append(h('div', { class: 'ap-error', part: 'error', role: 'alert' },
      h('strong', { text: 'alloc-playground: ' }), h('span', { text: message })));
    this.dispatchEvent(new CustomEvent('alloc-playground:error', { bubbles: true, composed: true, detail: { message } }));
  }

  #build() {
    let cfg;
    try {
      cfg = readConfig(this);
    } catch (e) {
      if (e instanceof AttrError) return this.#showError(e.message);
      throw e;
    }
    let arena;
    let tokens;
    let step;
    try {
      arena = createArena(cfg.arena);
      const count = cfg.ops.trim() ? arena.validate(cfg.ops).count : 0;
      if (count > LIMITS.ops) throw Object.assign(new Error(`ops holds ${count} ops; at most ${LIMITS.ops}`), { code: 'too-many-ops' });
      if (count) arena.replay(cfg.ops);
      if (cfg.step !== null && cfg.step > arena.logLength) {
        throw new AttrError(`step must be between 0 and ${arena.logLength} (the ops' count), got ${cfg.step}`);
      }
      tokens = arena.logLength ? arena.log().split(',') : [];
      // Predict mode starts at op 1 unless told otherwise.
      step = cfg.step ?? (cfg.predict ? 0 : null);
      if (step !== null && step < tokens.length) {
        // The state at that step, the rest kept as the future.
        const at = arena.rebuild(step);
        arena.dispose();
        arena = at;
      }
    } catch (e) {
      arena?.dispose();
      if (e.code === 'host-memory') {
        // The page's wasm memory is full: a widget that shows something
        // keeps it, and says the change was not made.
        const message = MEMORY_FULL;
        if (this.#arena) {
          this.#setStatus(sentence(message), true);
          this.dispatchEvent(new CustomEvent('alloc-playground:error', { bubbles: true, composed: true, detail: { message } }));
          return undefined;
        }
        return this.#showError(message);
      }
      const where = e.code === 'bad-script' ? 'ops: ' : '';
      return this.#showError(`${where}${e.message}`);
    }
    // The control with the focus (a script changed an attribute while the
    // reader was in the widget) gets it back in the rebuilt widget.
    const focused = this.shadowRoot?.activeElement;
    const refocus = focused ? focusKeyOf(focused, this.shadowRoot) : null;
    this.#teardown();
    this.#cfg = cfg;
    this.#dropped = null;
    this.#tokens = tokens;
    this.#pos = step !== null && step < tokens.length ? step : tokens.length;
    this.#arena = arena;
    this.#selected = -1;
    this.#predict = cfg.predict ? { score: new PredictScore(), last: null, focus: false } : null;
    this.#render();
    if (refocus) {
      const again = this.shadowRoot.querySelectorAll(refocus.selector)[refocus.index];
      if (again && !again.disabled) again.focus({ preventScroll: true });
    }
  }

  #render() {
    const cfg = this.#cfg;
    const c = cfg.controls;
    // A quiz's ops stay as written: predicting, the reader steps and answers only.
    const editable = !cfg.readonly && !cfg.predict;
    const root = this.#skeleton();
    this.#els = {};
    // The whole widget is a group named by its title and summary, so that
    // several on a page can be told apart ("Best fit, 256 B arena …").
    const title = h('span', { class: 'ap-title', id: 'ap-title' });
    const summary = h('span', { class: 'ap-summary', id: 'ap-summary' });
    root.setAttribute('role', 'group');
    root.setAttribute('aria-labelledby', 'ap-title ap-summary');
    // "Open in the playground": the page next to widget.js, in this state.
    const link = c.has('link') ? h('a', { class: 'ap-link', part: 'link', target: '_blank', rel: 'noopener', text: 'Open in the playground ↗' }) : null;
    root.append(h('div', { class: 'ap-header', part: 'header' }, title, summary, link));
    Object.assign(this.#els, { title, summary, link });

    // Controls: strategy, alloc form.
    const bar = h('div', { class: 'ap-controls', part: 'controls' });
    if (c.has('strategy')) {
      const sel = h('select', { class: 'ap-input', 'aria-label': 'Strategy', disabled: !editable },
        STRATEGIES.map((st) => h('option', { value: st, text: strategyLabel(st), selected: st === this.#arena.strategy })));
      // A run of arrow keys on the closed select is one switch, once the keys rest.
      settledChange(sel, (value) => this.#mutate((a) => {
        const placed = a.stats().usedBlocks;
        a.strategy = value;
        // The allocator never moves a block: say so, or the new header over
        // the old layout reads as if this strategy had placed the blocks.
        if (placed) return `${strategyLabel(a.strategy, a.strategy === 'slab' ? a.snapshot().classes : undefined)} from the next malloc on: blocks already placed stay where they are.`;
        return '';
      }));
      this.#els.strategy = sel;
      bar.append(h('label', { class: 'ap-field' }, h('span', { class: 'ap-label', text: 'Strategy' }), sel));
    }
    if (c.has('alloc') && editable) {
      const size = h('input', { class: 'ap-input ap-size', type: 'number', min: 1, value: 16, 'aria-label': 'Bytes to allocate', inputmode: 'numeric' });
      const go = () => this.#mutate((a) => {
        // Digits only ("8.000" is not 8), said in the reader's words (the
        // core's name the API's range).
        const n = wholeNumber(size.value);
        if (!(n >= 1)) throw new Error(`Size must be a whole number of bytes, at least 1${gotText(size.value)}.`);
        const off = a.alloc(n);
        this.#selected = off;
        // Said to assistive tech (the map shows it), without taking room under the row.
        const e = a.lastOp();
        return { quiet: true, text: e?.block ? `ptr[${e.ptr}] = ${callText(e.call)}: ${num(e.block.size)} B at ${num(e.block.offset)}.` : '' };
      });
      size.addEventListener('keydown', (e) => { if (e.key === 'Enter') go(); });
      bar.append(h('div', { class: 'ap-field ap-alloc' },
        h('span', { class: 'ap-label', text: 'malloc' }), size,
        h('button', { class: 'ap-btn ap-primary', type: 'button', text: 'malloc', onclick: go })));
    }
    const status = h('div', { class: 'ap-status', role: 'status', 'aria-live': 'polite' });
    this.#els.status = status;
    bar.append(status);
    if (bar.childElementCount > 1 || c.has('strategy') || c.has('alloc')) root.append(bar);

    // The map.
    const mapBox = h('div', { class: 'ap-map', part: 'map' });
    if (cfg.height) mapBox.style.maxHeight = cfg.height;
    this.#els.mapBox = mapBox;
    root.append(mapBox);
    this.#map = new MemoryMap(mapBox, {
      label: 'Memory map',
      onFree: editable && c.has('free') ? (b) => this.#mutate((a) => {
        a.free(b.offset);
        this.#selected = b.offset;
        // Said in the status line (a live region), with or without `explain`.
        return `Freed ${b.seq >= 0 ? `ptr[${b.seq}]` : 'the block'}: ${num(b.size)} B at ${num(b.offset)}.`;
      }) : undefined,
      // Inspecting shows a block's bytes: only where the byte view is.
      onInspect: c.has('bytes') ? (b) => { this.#selected = b.offset; this.#refresh(); } : undefined,
    });
    // The last op in words: the hole an allocation took, the blocks searched.
    if (c.has('explain')) {
      const explain = h('p', { class: 'ap-explain', part: 'explain', 'aria-live': 'polite' });
      root.append(explain);
      this.#els.explain = explain;
    }
    if (cfg.predict) {
      this.#predictBox = new PredictBox(root, {
        classes: { btn: 'ap-btn', primary: 'ap-btn ap-primary', input: 'ap-input' },
        arenaSize: () => this.#cfg.arena.size,
        onGuess: (guess) => this.#answer(guess),
        // Past an op with nothing to ask (a quiz may show no timeline).
        onStep: () => {
          this.#predict.focus = true;
          this.#goto(this.#pos + 1);
        },
        onRestart: () => {
          this.#predict = { score: new PredictScore(), last: null, focus: true };
          this.#goto(0);
        },
      });
    }
    if (c.has('legend')) {
      const legend = h('div', { class: 'ap-legend', part: 'legend' });
      renderLegend(legend, { slab: this.#arena.strategy === 'slab' || this.#tokens.some((t) => t === '@slab'), header: cfg.arena.header > 0, sbrk: cfg.arena.sbrk });
      root.append(legend);
    }

    // Timeline.
    if (c.has('timeline')) {
      const btn = (label, icon, fn) => h('button', { class: 'ap-btn ap-icon', type: 'button', 'aria-label': label, title: label, onclick: fn }, iconSvg(icon));
      const range = h('input', { class: 'ap-range', type: 'range', min: 0, step: 1, 'aria-label': 'Step', oninput: () => this.#seek(Number(range.value)) });
      const readout = h('span', { class: 'ap-readout' });
      const opText = h('code', { class: 'ap-op' });
      const toStart = btn('Go to start', 'start', () => this.#seek(0));
      const back = btn('Step back', 'undo', () => this.#stepBy(-1));
      const forward = btn('Step forward', 'redo', () => this.#stepBy(1));
      const toEnd = btn('Go to end', 'end', () => this.#seek(this.#tokens.length));
      const timeline = h('div', { class: 'ap-timeline', part: 'timeline' },
        toStart, back, forward, toEnd, range, readout, opText);
      root.append(timeline);
      Object.assign(this.#els, { timeline, toStart, back, forward, toEnd, range, readout, opText });
    }

    // Meter and bytes.
    const lower = h('div', { class: 'ap-lower' });
    if (c.has('meter')) {
      const box = h('div', { class: 'ap-meter', part: 'meter' });
      this.#meter = new Meter(box, { compact: true });
      lower.append(box);
    }
    if (c.has('bytes')) {
      const box = h('div', { class: 'ap-bytes', part: 'bytes' });
      this.#bytes = new ByteView(box, { columns: 8 });
      lower.append(box);
    }
    if (lower.childElementCount) root.append(lower);
    this.#refresh();
  }

  /** Redraws everything from the arena and announces the change. */
  #refresh() {
    const a = this.#arena;
    if (!a) return;
    const snap = a.snapshot();
    const blocks = a.blocksTyped();
    this.#map.render({ arenaSize: snap.arenaSize, blocks, header: snap.header, heapEnd: snap.sbrk ? snap.stats.highWater : null, listRank: listRanks(a) });
    this.#meter?.render({ ...snap, lastRequestStep: a.lastRequestStep });
    if (this.#els.explain) {
      let text = '';
      try { text = describeLastOp(a.lastOp(), snap); } catch { /* none to show */ }
      this.#els.explain.textContent = text;
      this.#els.explain.hidden = !text;
    }
    this.#renderPredict(snap);
    if (this.#els.link) {
      const { hash, truncated } = encodeState({ config: a.initialConfig(), tokens: this.#tokens, step: this.#pos, predict: !!this.#predict }, slabDefaults());
      this.#els.link.href = new URL(`index.html${hash}`, import.meta.url).href;
      this.#els.link.title = truncated ? 'The settings only: too many ops for a link' : 'This arena and its ops in the full playground';
    }
    if (this.#els.strategy) this.#els.strategy.value = snap.strategy;
    this.#els.title.textContent = strategyLabel(snap.strategy, snap.classes);
    const st = snap.stats;
    const order = snap.order && snap.order !== 'address' ? ` · free list ${ORDER_LABELS[snap.order]?.toLowerCase() ?? snap.order}` : '';
    this.#els.summary.textContent = `${num(snap.arenaSize)} B arena · align ${snap.align}${snap.header ? ` · ${num(snap.header)}-byte headers` : ''}${snap.coalesce ? '' : ' · no coalescing'}${order}${!snap.sbrk ? '' : st.highWater ? ` · heap grown to ${num(st.highWater)} B (sbrk)` : ' · empty heap (sbrk)'} · ${num(st.usedBlocks)} used, ${num(st.freeBlocks)} free`;
    if (this.#els.range) {
      const e = this.#els;
      const total = this.#tokens.length;
      const was = focusIn(e.timeline);
      e.range.max = String(total);
      e.range.value = String(this.#pos);
      e.range.disabled = total === 0;
      // As on the main page: nothing to go back to at the start, nor forward to at the end.
      e.toStart.disabled = e.back.disabled = this.#pos === 0;
      e.forward.disabled = e.toEnd.disabled = this.#pos >= total;
      // A focused button that just became disabled would drop the focus to
      // <body>: give it to the nearest enabled control (as timeline.js does).
      keepFocus(was, [e.range, e.back, e.forward]);
      e.readout.textContent = `${this.#pos} / ${total}`;
      const op = this.#pos > 0 ? this.#tokens[this.#pos - 1] : '—';
      e.range.setAttribute('aria-valuetext', `step ${this.#pos} of ${total}${this.#pos > 0 ? `, last op ${op}` : ''}`);
      // The op just run failed: a malloc that returned NULL, or a write that wrote nothing.
      const failed = this.#pos > 0 && this.#arena.failedOps(this.#pos - 1, this.#pos).length > 0;
      const why = !failed ? '' : FAILED_WHY[op[0]] ?? ' (failed: returned NULL)';
      e.opText.textContent = failed ? `${op} ✕` : op;
      e.opText.title = `${op}${why}`;
      e.opText.setAttribute('aria-label', `last op ${op}${why}`);
      e.opText.classList.toggle('ap-op-failed', failed);
    }
    if (this.#bytes) {
      let i = -1;
      for (let k = 0; k < blocks.length; k++) if (blocks.offset[k] === this.#selected) i = k;
      // Else the latest request still live (the highest ptr number), as the page shows.
      if (i < 0) {
        for (let k = 0; k < blocks.length; k++) {
          if (!blocks.free[k] && (i < 0 || blocks.seq[k] > blocks.seq[i] || (blocks.seq[k] === blocks.seq[i] && blocks.chunk[k]))) i = k;
        }
      }
      if (i < 0) this.#bytes.empty('Allocate a block to see its bytes.');
      else {
        const b = blockAt(blocks, i);
        const len = Math.min(b.size, 64);
        this.#bytes.render({
          offset: b.offset, bytes: a.read(b.offset, len), blocks, total: b.size, header: snap.header,
          title: `${b.free ? 'free' : `ptr[${b.seq}]`} · ${b.size} B at ${b.offset}`,
        });
      }
    }
    this.dispatchEvent(new CustomEvent('alloc-playground:change', { bubbles: true, composed: true, detail: snap }));
  }

  /**
   * Runs a user action on the arena; errors show in the status line and
   * change nothing. `fn` may return a note for the status line (plain text),
   * or `{ text, quiet: true }` for one said to assistive tech only.
   */
  #mutate(fn) {
    if (this.#cfg.readonly) return;
    this.#setStatus('');
    const before = { tokens: this.#tokens, pos: this.#pos };
    let note = '';
    let bad = false;
    let quiet = false;
    try {
      const r = fn(this.#arena);
      if (typeof r === 'string') note = r;
      else if (r?.text) ({ text: note, quiet } = r);
    } catch (e) {
      note = e.message;
      bad = true;
      // A refused allocation is still an op (it took a ptr number): said in
      // the page's words, which say why (a slab too big for a small arena…),
      // from the call on ("malloc(17) returned NULL: …"); with the explain
      // part shown, it says them already.
      if (e?.code === 'out-of-memory' && !this.#cfg.controls.has('explain')) {
        try {
          const words = describeLastOp(this.#arena.lastOp(), this.#arena.snapshot()).replace(/^Op [\d,]+, [^:]*: (?:ptr\[\d+\] = )?/, '');
          if (words) note = words;
        } catch { /* the core's words stay */ }
      }
    }
    // Acting in the past drops the future, as an editor's undo does; the
    // status line offers it back (the author's ops are the widget's point).
    const length = this.#arena.logLength;
    // Refused before it was logged (a size of 0): the timeline stays as it was.
    let dropped = false;
    if (length > before.pos) {
      dropped = before.pos < before.tokens.length;
      if (dropped) this.#dropped = before;
      this.#tokens = this.#arena.log().split(',');
      this.#pos = this.#tokens.length;
    }
    this.#setStatus(note, bad, quiet, dropped);
    this.#refresh();
  }

  /**
   * Brings back the timeline an action in the past cut short, at the step it
   * was at, and sets the reader's ops since aside in its place (the button
   * then brings those back).
   */
  #restore() {
    const d = this.#dropped;
    if (!d) return;
    const [tokens, pos] = [this.#tokens, this.#pos];
    this.#tokens = d.tokens;
    this.#pos = -1; // (forces the rebuild)
    const at = d.at ?? d.pos;
    // (While it rebuilds, the button still offers `d`: a failure says so.)
    if (!this.#goto(at)) {
      [this.#tokens, this.#pos] = [tokens, pos];
      return;
    }
    this.#dropped = tokens.length > d.pos ? { tokens, pos: d.pos, at: pos } : null;
    this.#setStatus(`Restored the ${plural(d.tokens.length, 'op')} as they were, at step ${at}.`);
    this.#els.range?.focus();
  }

  /**
   * Sets the status line (an aria-live region; empty, it takes no space),
   * with a button that restores ops an action in the past dropped: "(2
   * later ops dropped.) Restore them" right after the action that dropped
   * them (`dropping`), "Restore the 2 ops dropped at step 3" on the
   * messages after it, which did not.
   */
  #setStatus(text, bad = false, quiet = false, dropping = false) {
    const st = this.#els.status;
    if (!st) return;
    const d = this.#dropped;
    const lost = d ? d.tokens.length - d.pos : 0;
    // (A Restore button is never hidden.)
    st.classList.toggle('ap-quiet', quiet && !d);
    if (text) st.replaceChildren(text); else st.replaceChildren();
    if (d) {
      const restore = (label) => h('button', { class: 'ap-linkish', type: 'button', part: 'restore', text: label, onclick: () => this.#restore() });
      if (dropping) st.append(`${text ? ' ' : ''}(${plural(lost, 'later op')} dropped.) `, restore('Restore them'));
      else st.append(text ? ' ' : '', restore(`Restore the ${plural(lost, 'op')} dropped at step ${d.pos}`));
    }
    st.classList.toggle('ap-bad', bad && !!text);
  }

  /** Shows the state after `n` ops, once per frame (dragging the scrubber fires many inputs). */
  #seek(n) {
    this.#seekTo = n;
    if (this.#seekFrame) return;
    this.#seekFrame = requestAnimationFrame(() => {
      this.#seekFrame = 0;
      this.#goto(this.#seekTo);
    });
  }

  /** `d` steps from where the timeline is going (a seek may wait for its frame): quick presses add up. */
  #stepBy(d) {
    const from = this.#seekFrame ? this.#seekTo : this.#pos;
    this.#seek(Math.max(0, Math.min(this.#tokens.length, from + d)));
  }

  /** Shows the state after `n` ops (rebuilt from the config and the log); false if it could not. */
  #goto(n, refresh = true) {
    const target = Math.max(0, Math.min(this.#tokens.length, n));
    if (target === this.#pos || !this.#arena) return target === this.#pos;
    let fresh = null;
    try {
      fresh = createArena(this.#cfg.arena);
      if (target > 0) fresh.replay(this.#tokens.slice(0, target).join(','));
    } catch (e) {
      fresh?.dispose();
      this.#setStatus(e.code === 'host-memory' ? sentence(MEMORY_FULL) : e.message, true);
      return false;
    }
    this.#arena.dispose();
    this.#arena = fresh;
    this.#pos = target;
    // A note or an error was about the step left behind.
    this.#setStatus('');
    if (refresh) this.#refresh();
    return true;
  }

  /** Predict mode: the verdict on the last guess and the next op's question (see js/predict.js). */
  #renderPredict(snap) {
    const box = this.#predictBox;
    const p = this.#predict;
    if (!box || !p) return;
    const pos = this.#pos;
    const total = this.#tokens.length;
    const question = questionAt(this.#arena, this.#tokens[pos], pos + 1, snap.classes);
    // (At the end with nothing answered, Go to end skipped the questions: say how to get them back.)
    const note = !total ? 'There are no ops to predict.' : pos >= total ? `That was the last op${p.score.total ? '' : ': nothing was predicted here (Predict from op 1 asks them all)'}.` : '';
    box.render({ last: p.last?.pos === pos ? p.last : null, question, note, restart: total > 0 && pos >= total, score: p.score, focus: p.focus });
    p.focus = false;
  }

  /** Runs the op the question is about and grades the guess against the core's account of it. */
  #answer(guess) {
    const q = this.#predictBox?.question;
    const p = this.#predict;
    if (!q || !p || this.#pos !== q.step - 1) return;
    p.focus = true;
    p.last = null;
    if (!this.#goto(q.step, false)) return;
    try {
      const verdict = grade(q, guess, this.#arena.lastOp(), p.score, this.#arena);
      p.last = verdict && { ...verdict, pos: q.step };
    } catch { /* not graded */ }
    this.#refresh();
  }
}

if (!customElements.get('alloc-playground')) {
  customElements.define('alloc-playground', AllocPlaygroundElement);
}
