// embed.html?strategy=best-fit&arena-size=256&ops=%2B16,%2B32,-0 …
// For sites that allow iframes but not scripts: the query string becomes the
// widget's attributes. Only the widget's own attribute names are copied, as
// attribute values (never markup); the widget validates each one and shows an
// error for a bad one.
import '../widget.js';

const NAMES = ['strategy', 'arena-size', 'align', 'coalesce', 'ops', 'controls', 'readonly', 'height', 'theme'];
const MAX_QUERY = 1 << 20;

if (location.search.length > MAX_QUERY) {
  const p = document.createElement('p');
  p.className = 'embed-error';
  p.textContent = `alloc-playground: the embed URL is longer than ${MAX_QUERY} characters.`;
  document.body.append(p);
} else {
  const el = document.createElement('alloc-playground');
  const params = new URLSearchParams(location.search);
  for (const name of NAMES) {
    if (params.has(name)) el.setAttribute(name, params.get(name));
  }
  document.body.append(el);
}
