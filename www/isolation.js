// Shown before the wasm even loads: without cross-origin isolation the page runs its serial build (one
// Web Worker per run), and the reader should know why it is slower. A file rather than an inline script,
// so the Content-Security-Policy needs no 'unsafe-inline'.
if (!window.crossOriginIsolated) {
  const why = !window.isSecureContext
    ? 'this page is served over plain HTTP, where the service worker that could add them may not run'
    : !navigator.serviceWorker
      ? 'this browser allows no service worker here (a private window?) to add them'
      : 'this host does not send them';
  document.getElementById('isolation-why').textContent = why;
  document.getElementById('isolation').hidden = false;
}
