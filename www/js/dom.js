// Tiny DOM helpers shared by every view. No innerHTML anywhere: text goes in
// through textContent, everything else through attributes and properties.

export const SVG_NS = 'http://www.w3.org/2000/svg';

const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'indeterminate', 'open']);

function apply(node, attrs, svg) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false && !PROPS.has(k)) continue;
    if (k === 'class') {
      if (svg) node.setAttribute('class', v); else node.className = v;
    } else if (k === 'text') {
      node.textContent = String(v);
    } else if (k.startsWith('on') && typeof v === 'function') {
      node.addEventListener(k.slice(2), v);
    } else if (k === 'dataset') {
      Object.assign(node.dataset, v);
    } else if (!svg && PROPS.has(k)) {
      node[k] = v;
    } else {
      node.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

function append(node, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else node.append(c instanceof Node ? c : String(c));
  }
}

/** An HTML element: `h('button', { class: 'btn', onclick }, 'Label')`. */
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  apply(node, attrs, false);
  append(node, children);
  return node;
}

/** An SVG element (createElementNS): `s('rect', { x: 0, y: 0, width: 10 })`. */
export function s(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  apply(node, attrs, true);
  append(node, children);
  return node;
}

/** A unique id prefix for one view instance (patterns, label ids). */
export function uid(prefix = 'ap') {
  const rnd = globalThis.crypto?.randomUUID?.().slice(0, 8) ?? Math.random().toString(36).slice(2, 10);
  return `${prefix}-${rnd}`;
}

/**
 * A number field's text read as a whole number: digits only (spaces around
 * allowed), else NaN. `Number()` would take "8.000" (8 thousand in much of
 * Europe) as 8, and "1e3" or "0x10" too; a number field lets them through.
 * Empty is NaN: the caller says what empty means.
 */
export function wholeNumber(text) {
  const t = String(text).trim();
  return /^\d{1,15}$/.test(t) ? Number(t) : NaN;
}

/** A labelled form field: returns { field, input }. */
export function field(label, input, hint) {
  const id = input.id || (input.id = uid('f'));
  const wrap = h('div', { class: 'field' },
    h('label', { for: id, text: label }),
    input,
    hint ? h('span', { class: 'field-hint', text: hint }) : null);
  return wrap;
}

/** A button; `icon` is a key of ICONS drawn as inline SVG. */
export function button(label, attrs = {}, icon) {
  const b = h('button', { type: 'button', class: 'btn', ...attrs });
  if (icon) b.append(iconSvg(icon));
  if (label) b.append(h('span', { class: icon && attrs['data-icon-only'] ? 'sr-only' : 'btn-label', text: label }));
  return b;
}

// 20×20 stroked icons (paths only; styled by CSS `currentColor`).
const ICONS = {
  undo: ['M7 5 3 9l4 4', 'M3 9h9a5 5 0 0 1 0 10H9'],
  redo: ['m13 5 4 4-4 4', 'M17 9H8a5 5 0 0 0 0 10h3'],
  play: ['M6 4v12l10-6z'],
  pause: ['M6 4v12', 'M14 4v12'],
  start: ['M4 4v12', 'M16 4 8 10l8 6z'],
  end: ['M16 4v12', 'M4 4l8 6-8 6z'],
  fork: ['M6 3v6a4 4 0 0 0 4 4h0a4 4 0 0 1 4 4v0', 'M6 9v8', 'M14 13V3'],
  link: ['M8.5 11.5a3.5 3.5 0 0 0 5 0l3-3a3.5 3.5 0 0 0-5-5l-1 1', 'M11.5 8.5a3.5 3.5 0 0 0-5 0l-3 3a3.5 3.5 0 0 0 5 5l1-1'],
  sun: ['M10 6.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7z', 'M10 1.5v2M10 16.5v2M1.5 10h2M16.5 10h2M4 4l1.4 1.4M14.6 14.6 16 16M4 16l1.4-1.4M14.6 5.4 16 4'],
  moon: ['M16.5 12.5A7 7 0 0 1 7.5 3.5a7 7 0 1 0 9 9z'],
  system: ['M3 4h14v9H3z', 'M7 17h6M10 13v4'],
  upload: ['M10 13V3', 'm6 7 4-4 4 4', 'M3 13v4h14v-4'],
  download: ['M10 3v10', 'm6 9 4 4 4-4', 'M3 13v4h14v-4'],
  run: ['M6 4v12l10-6z'],
  check: ['m4 10 4 4 8-8'],
  x: ['m5 5 10 10M15 5 5 15'],
  reset: ['M4 10a6 6 0 1 0 2-4.5', 'M4 3v4h4'],
  help: ['M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16z', 'M7.8 7.5a2.3 2.3 0 1 1 3 2.2c-.5.2-.8.7-.8 1.2v.6', 'M10 14.2v.3'],
  merge: ['M4 4h5v12H4z', 'M11 4h5v12h-5z', 'M9 10h2'],
  compare: ['M3 16V9', 'M8 16V4', 'M13 16v-5', 'M18 16V7'],
  copy: ['M7 7h9v10H7z', 'M4 13V3h9'],
  terminal: ['M3 4h14v12H3z', 'm6 8 2 2-2 2', 'M10 12h4'],
};

export function iconSvg(name) {
  const svgEl = s('svg', { class: 'icon', viewBox: '0 0 20 20', 'aria-hidden': 'true', focusable: 'false' });
  for (const d of ICONS[name] ?? []) svgEl.append(s('path', { d }));
  return svgEl;
}

/** Whether `el` can hold the keyboard focus: connected, enabled and rendered. */
function focusable(el) {
  return !!el && el.isConnected && !el.disabled && !el.closest('[hidden]')
    && (typeof el.checkVisibility !== 'function' || el.checkVisibility());
}

/**
 * Keeps the keyboard focus in a view whose controls just changed: a browser
 * drops the focus to <body> when the focused control is disabled, hidden or
 * removed. Call after the change with `was`, the view's control that had the
 * focus before it (or null). If `was` can no longer hold the focus, the first
 * of `fallbacks` that can gets it; if none can (every control is busy), `was`
 * is returned: pass it back as `parked` on later calls, and it gets the focus
 * back once it can hold it again, unless something else took the focus.
 * @param {Element|null} was
 * @param {Element[]} fallbacks
 * @param {Element|null} [parked]
 * @returns {Element|null} the control waiting for the focus, if any
 */
export function keepFocus(was, fallbacks, parked = null) {
  // A document, or the shadow root a widget's controls live in.
  const doc = (was ?? parked)?.getRootNode() ?? globalThis.document;
  const lost = () => !doc.activeElement || doc.activeElement === globalThis.document.body || doc.activeElement === was;
  if (was && !focusable(was) && lost()) {
    const next = fallbacks.find(focusable);
    if (next) {
      next.focus({ preventScroll: true });
      return null;
    }
    return was;
  }
  if (parked && !was) {
    if (!focusable(parked)) return parked;
    if (lost()) parked.focus({ preventScroll: true });
  }
  return null;
}

/** The element of `root` that has the focus, or null. */
export function focusIn(root) {
  const a = root.getRootNode().activeElement;
  return a && a !== root && root.contains(a) ? a : null;
}

/** Saves `body` as a file called `name` (through a link clicked inside `where`, which may be a dialog). */
export function saveFile(name, body, type = 'text/plain', where = document.body) {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const a = h('a', { href: url, download: name });
  where.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
