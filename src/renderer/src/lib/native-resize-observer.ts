// Stands in for @juggle/resize-observer, the polyfill vueuc imports (node_modules/vueuc/es/resize-observer/
// src/delegate.js) and uses only when the browser has no ResizeObserver of its own. Chromium has one (the
// window runs in Electron's Chromium or the user's browser: `warden ui`), so the polyfill never ran and was
// ~8 KB of the window's JavaScript (issue 15: ≤ 800 KB). vite.renderer.config.ts aliases the package here.
export const ResizeObserver = globalThis.ResizeObserver
