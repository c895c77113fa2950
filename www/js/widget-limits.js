// Limits on the widget's attribute values (they come from someone else's
// page): one home for the widget, which enforces them, and the page's Embed
// dialog, which warns before a snippet would break them.

export const LIMITS = Object.freeze({
  arenaSize: 16 << 20, // bytes: a reader's tab stays light
  opsText: 1 << 20, // characters
  ops: 100_000,
  align: 4096,
});
