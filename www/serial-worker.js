// A Web Worker of the serial build (pages without cross-origin isolation; src/runner/worker.rs): one run,
// or the reading of a user's file. The page sends the build's glue URL, its compiled module, the job and
// the user's file (a Blob), if any; control messages (pause, step) that arrive while the module loads are
// kept and handed over in order.
const early = [];
const keep = event => early.push(event.data);
addEventListener('message', async event => {
  addEventListener('message', keep);
  try {
    const { glue, module, job, data } = event.data;
    const bindings = await import(glue);
    await bindings.default({ module_or_path: module });
    removeEventListener('message', keep);
    bindings.serialWorkerMain(job, early, data);
  } catch (error) {
    // A failed import rejects quietly in a worker: say so, as the page's error path expects.
    postMessage({ Failed: String(error) });
  }
}, { once: true });
