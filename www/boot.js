// Starts the page's WebAssembly. Trunk would otherwise inline this as a <script type="module">, which the
// Content-Security-Policy (docs/LIMITS.md) could only allow with 'unsafe-inline' or a hash that changes with
// every build. Trunk.toml's pattern_script puts the hashed file names in this tag's data attributes.
const tag = document.querySelector('script[data-glue][data-wasm]');
const bindings = await import(tag.dataset.glue);
const wasm = await bindings.default({ module_or_path: tag.dataset.wasm });
// As Trunk's own loader does: tests and tools listen for this to reach the instance (its memory's size).
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
