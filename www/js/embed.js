// embed.html?strategy=best-fit&arena-size=256&ops=+16,+32,-0 …
// For sites that allow iframes but not scripts: the query string becomes the
// widget's attributes. Only the widget's own attribute names are copied, as
// attribute values (never markup); the widget validates each one and shows an
// error for a bad one.
import { ATTRS as NAMES } from '../widget.js';

const MAX_QUERY = 1 << 20;

/**
 * The query's parameters (the first of each name). As in any form-encoded
 * query a `+` is a space, except in `ops` before a digit: there it is the
 * op's own plus sign (`ops=+32,+16,-0` as written by hand), since an encoder
 * writes an op's plus as `%2B` and a space never comes before a digit in a
 * valid op list (`%2B32%2C+%2B64` is still "+32, +64"). `null` for a
 * malformed %-escape.
 */
export function embedParams(search) {
  const out = new Map();
  const decode = (t, opsPlus) => {
    try { return decodeURIComponent(t.replace(opsPlus ? /\+(?!\d)/g : /\+/g, ' ')); } catch { return null; }
  };
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq), false);
    if (name === null || out.has(name)) continue;
    out.set(name, decode(eq < 0 ? '' : part.slice(eq + 1), name === 'ops'));
  }
  return out;
}

function fail(message) {
  const p = document.createElement('p');
  p.className = 'embed-error';
  p.textContent = `alloc-playground: ${message}`;
  document.body.append(p);
}

if (location.search.length > MAX_QUERY) {
  fail(`the embed URL is longer than ${MAX_QUERY} characters.`);
} else {
  const params = embedParams(location.search);
  const bad = NAMES.find((n) => params.has(n) && params.get(n) === null);
  if (bad) {
    fail(`the embed URL's ${bad} is not valid %-encoding.`);
  } else {
    const el = document.createElement('alloc-playground');
    for (const name of NAMES) {
      if (params.has(name)) el.setAttribute(name, params.get(name));
    }
    document.body.append(el);
  }
}
