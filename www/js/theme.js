// Light / dark / system theme: follows prefers-color-scheme until the user
// picks one; the choice persists in localStorage. CSS reads [data-theme].

import { iconSvg } from './dom.js';

export const THEME_KEY = 'allocator-playground:theme';

export function storedTheme() {
  try {
    const t = localStorage.getItem(THEME_KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

/** Applies a theme to `root` (an <html> element) and saves it. */
export function applyTheme(theme, root = document.documentElement) {
  if (theme === 'light' || theme === 'dark') root.setAttribute('data-theme', theme);
  else root.removeAttribute('data-theme');
  try {
    if (theme === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, theme);
  } catch { /* private mode */ }
}

/** Turns `button` into a system → (the other scheme) → (this one) toggle. */
export function themeToggle(button, { onChange } = {}) {
  let theme = storedTheme();
  const paint = () => {
    button.replaceChildren(iconSvg(theme === 'system' ? 'system' : theme === 'dark' ? 'moon' : 'sun'));
    const label = `Theme: ${theme}`;
    button.setAttribute('aria-label', `${label} (click to change)`);
    button.title = label;
  };
  button.addEventListener('click', () => {
    // From "system", first to the scheme the reader is not seeing (a click
    // must change what is on screen), then the other, then back to system.
    const shown = globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    const order = shown === 'dark' ? ['system', 'light', 'dark'] : ['system', 'dark', 'light'];
    theme = order[(order.indexOf(theme) + 1) % order.length];
    applyTheme(theme);
    paint();
    onChange?.(theme);
  });
  paint();
}
