// Injected into the page by tests/test_browser.py before Gradio loads: counts what the Gradio client sends and
// receives, so a test knows when the prediction for its *last* stroke is on the page (drawing fires a change
// per stroke, seconds apart on a busy machine). Only observes: every request and response passes unchanged.
(() => {
  const w = (window.__gr = {joins: 0, completed: 0, blobs: 0, joinAfterBlob: true, last: Date.now()});
  const fetch = window.fetch;
  window.fetch = async function (input, init) {
    const url = typeof input === "string" ? input : (input && input.url) || String(input);
    w.last = Date.now();
    if (url.includes("/component_server")) { w.blobs++; w.joinAfterBlob = false; }
    if (url.includes("/queue/join")) { w.joins++; w.joinAfterBlob = true; }
    const response = await fetch.apply(this, arguments);
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
          while ((at = buffer.indexOf("process_completed")) >= 0) { w.completed++; buffer = buffer.slice(at + 17); }
          w.last = Date.now();
        }
      })();
      return new Response(theirs, {status: response.status, statusText: response.statusText, headers: response.headers});
    }
    return response;
  };
})();
