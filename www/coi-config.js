// Settings for coi-serviceworker (loaded next): on a static host that cannot send COOP/COEP (GitHub Pages),
// it installs a service worker that adds them, and reloads the page once so that it is cross-origin
// isolated and gets its Web Worker threads. Where service workers cannot run (plain HTTP, some private
// windows) the page stays on its serial build. A file rather than an inline script, for the CSP.
window.coi = {
  // Every resource is same-origin, so the strict policy costs nothing and works in every browser.
  coepCredentialless: () => false,
  quiet: true,
  // coi-serviceworker asks for a reload as soon as its worker is found installing, and again when it sees
  // an active worker that does not control the page. On a busy machine the first reload came before the
  // worker was active, so the reloaded page was not controlled either and reloaded a second time. One
  // reload per page, once the worker is active: the reloaded page is then controlled, and isolated.
  doReload: () => {
    if (window.coiReloading) return;
    window.coiReloading = true;
    navigator.serviceWorker.ready.then(() => window.location.reload());
  },
};
