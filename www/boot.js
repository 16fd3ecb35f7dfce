// Starts the page's WebAssembly. Trunk would otherwise inline this as a <script type="module">, which the
// Content-Security-Policy (docs/LIMITS.md) could only allow with 'unsafe-inline' or a hash that changes with
// every build. Trunk.toml's pattern_script puts the hashed file names in this tag's data attributes, and
// scripts/build-serial.sh adds those of the serial build.
//
// Two builds: the threaded one needs shared memory, which browsers give only to cross-origin isolated
// pages; elsewhere the serial one runs every experiment, with the same results, on one Web Worker.
const tag = document.querySelector('script[data-glue][data-wasm]');
const threads = window.crossOriginIsolated === true;
const glue = threads ? tag.dataset.glue : tag.dataset.serialGlue;
const wasm = threads ? tag.dataset.wasm : tag.dataset.serialWasm;
if (!glue || !wasm) {
  throw new Error('this page is not cross-origin isolated and was built without its serial build ' +
    '(scripts/build-serial.sh, a Trunk hook)');
}
// The page's skeleton paints first (its panels' space is reserved), then the wasm is fetched and compiled,
// so that the first paint never waits on them: with the wasm cached, it had (docs/PERFORMANCE.md). After
// a frame, or 100 ms where frames do not come (a tab opened in the background).
await new Promise(painted => {
  requestAnimationFrame(() => setTimeout(painted));
  setTimeout(painted, 100);
});
const bindings = await import(glue);
const instance = await bindings.default({ module_or_path: wasm });
// As Trunk's own loader does: tests and tools listen for this to reach the instance (its memory's size).
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm: instance } }));
