// One job of the serial build (pages without cross-origin isolation; src/runner/worker.rs): a run, the
// reading of a user's file, or the Tune button's search (src/tuning/worker.rs). The page sends the build's
// glue URL, its compiled module, the export to run (`entry`), its order and the user's file (a Blob), if
// any; control messages (pause, step) that arrive while the module loads are kept and handed over in order.
const early = [];
const keep = event => early.push(event.data);
addEventListener('message', async event => {
  addEventListener('message', keep);
  try {
    const { glue, module, entry, order, data } = event.data;
    const bindings = await import(glue);
    await bindings.default({ module_or_path: module });
    removeEventListener('message', keep);
    bindings[entry](order, early, data);
  } catch (error) {
    // A failed import rejects quietly in a worker: say so, as the page's error path expects.
    postMessage({ Failed: String(error) });
  }
}, { once: true });
