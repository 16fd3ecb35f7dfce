// Settings for coi-serviceworker (loaded next): on a static host that cannot send COOP/COEP (GitHub Pages),
// it installs a service worker that adds them, and reloads the page once so that it is cross-origin
// isolated and gets its Web Worker threads. Where service workers cannot run (plain HTTP, some private
// windows) the page stays on its serial build. A file rather than an inline script, for the CSP.
window.coi = {
  // Every resource is same-origin, so the strict policy costs nothing and works in every browser.
  coepCredentialless: () => false,
  quiet: true,
};
