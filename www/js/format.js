// Number formatting for display only (no statistics are computed here).

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const pct1 = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 1234 → "1,234" (a fast path for integers: the map formats thousands of them). */
export function num(n) {
  if (Number.isInteger(n)) {
    const s = String(n);
    return Math.abs(n) < 1000 ? s : s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  return int.format(n);
}

/** 1048576 → "1 MiB", 1500 → "1,500 B" (exact when it is not a round unit). */
export function bytesShort(n) {
  for (const [unit, k] of [['GiB', 1 << 30], ['MiB', 1 << 20], ['KiB', 1 << 10]]) {
    if (n >= k && n % k === 0) return `${int.format(n / k)} ${unit}`;
  }
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 10 << 10) return `${(n / 1024).toFixed(1)} KiB`;
  return `${int.format(n)} B`;
}

/** 0.2069 → "20.7%". */
export function percent(f) {
  const v = Number.isFinite(f) ? f : 0;
  // A fraction that is not 0 or 1 never reads as one: 0.00006 is "<0.1%", 0.9999 is ">99.9%".
  if (v > 0 && v < 0.0005) return `<${pct1.format(0.001)}`;
  if (v < 1 && v >= 0.9995) return `>${pct1.format(0.999)}`;
  return pct1.format(v);
}

/** 48 → "0x30". */
export function hex(n, width = 0) {
  return `0x${n.toString(16).padStart(width, '0')}`;
}

/** 1 → "1 block", 2 → "2 blocks". */
export function plural(n, one, many = `${one}s`) {
  return `${int.format(n)} ${n === 1 ? one : many}`;
}

/** "a" or "an" before a number as it is read aloud: an 8 B arena, an 11 KiB one, a 1,024 B one. */
export function article(text) {
  const lead = String(text).split(/[,\s]/)[0];
  return /^8/.test(lead) || lead === '11' || lead === '18' ? 'an' : 'a';
}

/**
 * An op as data (`parseOps(text).ops[k]`, `lastOp().call`) as the C call it
 * makes, its numbers as C writes them: "malloc(10) aligned to 16",
 * "calloc(8)", "realloc(ptr[1], 40)", "free(ptr[2])"; '' for the others.
 */
export function callText(op) {
  switch (op?.op) {
    case 'alloc': return `malloc(${op.size})`;
    case 'allocAligned': return `malloc(${op.size}) aligned to ${op.align}`;
    case 'calloc': return `calloc(${op.size})`;
    case 'realloc': return `realloc(ptr[${op.ptr}], ${op.size})`;
    case 'free': return `free(ptr[${op.ptr}])`;
    default: return '';
  }
}

/** Why a failed op failed, by its first character (a malloc or realloc otherwise: NULL). */
/** ", got “8.000”" for an error about a field's text; nothing when it is empty. */
export const gotText = (value) => (value.trim() === '' ? '' : `, got “${value.trim().slice(0, 20)}”`);

export const FAILED_WHY = Object.freeze({ w: ' (failed: wrote nothing)', '-': ' (failed: already freed)' });

/** `text` as a sentence of its own: capitalized, with a full stop. */
export function sentence(text) {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
