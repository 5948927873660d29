// Injected into the page by the browser tests and benchmarks/browser_digits.py before Gradio loads: counts what
// the Gradio client sends and receives, so a test knows when the prediction for its *last* stroke is on the page
// (drawing fires a change per stroke, seconds apart on a busy machine), and keeps a timed log of the Sketchpad's
// uploads (with the last composite PNG as a data URL) and queue joins. Only observes: every request and
// response passes unchanged.
(() => {
  const w = (window.__gr = {joins: 0, completed: 0, blobs: 0, joinAfterBlob: true, last: Date.now(),
                            events: [], lastComposite: null});
  const note = (kind, detail) => w.events.push({t: Date.now(), kind, ...detail});
  const keepComposite = (form) => {
    const file = form.get && form.get("file");
    if (form.get("type") !== "composite" || !(file instanceof Blob)) return;
    const reader = new FileReader();
    reader.onload = () => { w.lastComposite = {id: form.get("id"), dataUrl: reader.result, t: Date.now()}; };
    reader.readAsDataURL(file);
  };
  const fetch = window.fetch;
  window.fetch = async function (input, init) {
    const url = typeof input === "string" ? input : (input && input.url) || String(input);
    w.last = Date.now();
    if (url.includes("/component_server")) {
      w.blobs++; w.joinAfterBlob = false;
      const form = init && init.body;
      if (form instanceof FormData) {
        note("blob", {id: String(form.get("id")), type: String(form.get("type"))});
        keepComposite(form);
      }
    }
    if (url.includes("/queue/join")) {
      w.joins++; w.joinAfterBlob = true;
      let body = null;
      try { body = JSON.parse(init.body); } catch (e) {}
      note("join", {fn: body && body.fn_index, data: body ? JSON.stringify(body.data).slice(0, 200) : null});
    }
    if (url.includes("/upload")) note("upload", {});
    const direct = url.includes("/run/predict");
    if (direct) note("predict", {});
    const response = await fetch.apply(this, arguments);
    if (direct) note("predicted", {});
    w.last = Date.now();
    if (url.includes("/queue/data") && response.body) {
      const [mine, theirs] = response.body.tee();
      (async () => {
        const reader = mine.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const {done, value} = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, {stream: true});
          let at;
          while ((at = buffer.indexOf("process_completed")) >= 0) {
            w.completed++; note("completed", {}); buffer = buffer.slice(at + 17);
          }
          w.last = Date.now();
        }
      })();
      return new Response(theirs, {status: response.status, statusText: response.statusText, headers: response.headers});
    }
    return response;
  };
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.target.id === "digit-result") note("shown", {version: change.target.dataset.shownVersion,
                                                              outdated: change.target.classList.contains("digit-outdated")});
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-shown-version", "class"]});
  for (const kind of ["pointerdown", "pointerup"]) {
    window.addEventListener(kind, (e) => note(kind, {x: e.clientX, y: e.clientY, pointer: e.pointerType}), true);
  }
})();
