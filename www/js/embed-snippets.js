// The two ways to embed the current state in someone else's page: the widget
// (one module import, one tag) and the iframe (for sites that forbid scripts).
//
//   const { widget, iframe, dropped } = embedSnippets({ config, tokens, step, base, predict });

/**
 * The iframe's height: the snippet's widget (controls, map, the last op in
 * words, timeline, meter) with its map held to FRAME_MAP_HEIGHT fits without
 * a scroll bar from about 600 px wide (measured at every step of three op
 * lists: at most 697 px tall at 600 to 700 px wide, 646 without `explain`;
 * at a phone's 390 it needs ~940 and the frame scrolls).
 */
export const FRAME_HEIGHT = 720;
/** What predict mode's question box adds to the frame: up to a verdict, a question and a score (measured: 759 px at 600 to 700 px wide before any answer; the question takes the last op's words' place). */
export const FRAME_PREDICT_EXTRA = 160;
/** The memory map's height inside the frame (the widget's `height`; the map scrolls inside). */
export const FRAME_MAP_HEIGHT = 200;

import { LIMITS } from './widget-limits.js';

/** The most ops a widget accepts in its `ops` attribute. */
export const MAX_EMBED_OPS = LIMITS.ops;

const escapeAttr = (v) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * @param {object} p
 * @param {{ size: number, strategy: string, align: number, coalesce: boolean, order?: string }} p.config
 * @param {string[]} p.tokens the op list (the timeline, past and future)
 * @param {number} [p.step] the timeline position (omitted at the end)
 * @param {string|URL} p.base the folder the playground is served from
 * @param {{ classes?: number[], slabSize?: number }} [p.defaults] the core's defaults (left out of the snippets)
 * @param {string} [p.controls]
 * @param {boolean} [p.predict] the reader predicts each op (predict mode)
 */
export function embedSnippets({ config, tokens, step = tokens.length, base, defaults = {}, controls = 'alloc free strategy meter timeline legend explain', predict = false }) {
  const dropped = Math.max(0, tokens.length - MAX_EMBED_OPS);
  const kept = tokens.length - dropped;
  const ops = tokens.slice(0, kept).join(',');
  const attrs = [
    ['strategy', config.strategy],
    ['arena-size', config.size],
    ['align', config.align],
    ['coalesce', config.coalesce ? 'true' : 'false'],
    ...(config.order && config.order !== 'address' ? [['order', config.order]] : []),
    ...(config.sbrk ? [['sbrk', 'true']] : []),
    ...(config.header ? [['header', config.header]] : []),
    // Slab classes and slab size when they are not the defaults (align 32
    // or 64 moves them, for one).
    ...(config.classes && String(config.classes) !== String(defaults.classes) ? [['classes', config.classes.join(',')]] : []),
    ...(config.slabSize && config.slabSize !== defaults.slabSize ? [['slab-size', config.slabSize]] : []),
    ['ops', ops],
    // The reader starts where the author stands, with the rest a step away.
    ...(step < kept ? [['step', step]] : []),
    ['controls', controls],
    ...(predict ? [['predict', 'true']] : []),
  ];
  const widgetUrl = new URL('widget.js', base).href;
  const widget = `<script type="module" src="${escapeAttr(widgetUrl)}"></script>\n`
    + `<alloc-playground${attrs.map(([k, v]) => `\n    ${k}="${escapeAttr(v)}"`).join('')}>\n</alloc-playground>`;
  // A frame cannot grow with its content: the map gets a bounded height
  // (it scrolls inside) so that the widget fits FRAME_HEIGHT.
  const query = new URLSearchParams([...attrs, ['height', FRAME_MAP_HEIGHT]].map(([k, v]) => [k, String(v)]));
  const frameUrl = `${new URL('embed.html', base).href}?${query}`;
  const iframe = `<iframe src="${escapeAttr(frameUrl)}"\n    width="100%" height="${FRAME_HEIGHT + (predict ? FRAME_PREDICT_EXTRA : 0)}" loading="lazy" title="Allocator Playground"></iframe>`;
  return { widget, iframe, dropped };
}
