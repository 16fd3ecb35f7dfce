// Shown before the wasm even loads: without cross-origin isolation the shared memory cannot be created at
// all. A file rather than an inline script, so the Content-Security-Policy needs no 'unsafe-inline'.
if (!window.crossOriginIsolated) document.getElementById('isolation').hidden = false;
