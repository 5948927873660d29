// Keeps the Digits answer in step with the canvas on screen (see ui/canvas_guard.py for why).
// Installed once per page by app.py (demo.load). window.digitPad:
//   version        bumped on every pointer-down / pointer-up on the drawing canvas and on Clear
//   versionOf(v)   the canvas version whose pixels a Sketchpad value carries (-1 when unknown)
//   markShown(v)   called after an answer for version v was put on the page
// While the canvas is newer than the answer on the page, #digit-result carries the class `digit-outdated`
// (dimmed, "Reading...") and data-shown-version says which version the answer belongs to.
() => {
  if (window.digitPad) return;
  const pad = (window.digitPad = {version: 0, bySize: new Map(), compositeSize: new Map()});
  const result = () => document.querySelector("#digit-result");
  pad.bump = () => {
    pad.version += 1;
    const box = result();
    if (box) box.classList.add("digit-outdated");
  };
  pad.markShown = (shown) => {
    const box = result();
    if (!box) return;
    box.dataset.shownVersion = String(shown);
    box.classList.toggle("digit-outdated", shown !== pad.version);
  };
  pad.cleared = () => { pad.bump(); pad.markShown(pad.version); };

  // Every change of the picture starts with a pointer-down on the canvas and ends with its pointer-up; a
  // snapshot taken mid-stroke therefore carries an odd version that the finished stroke never matches.
  let pressed = false;
  const onDrawing = (e) => e.target instanceof HTMLCanvasElement && e.target.closest("#digit-sketchpad");
  window.addEventListener("pointerdown", (e) => { if (onDrawing(e)) { pressed = true; pad.bump(); } }, true);
  const release = () => { if (pressed) { pressed = false; pad.bump(); } };
  window.addEventListener("pointerup", release, true);
  window.addEventListener("pointercancel", release, true);
  window.addEventListener("click", (e) => { if (e.target.closest && e.target.closest("#digit-examples")) pad.bump(); }, true);

  // The Sketchpad snapshots its layers with extract.pixels() and encodes each with canvas.toBlob() in the
  // same task, so the version at the toBlob call is the version of exactly those pixels. Equal bytes mean
  // an equal picture, so the newest version seen for a PNG's size is the one it belongs to.
  const toBlob = HTMLCanvasElement.prototype.toBlob;
  HTMLCanvasElement.prototype.toBlob = function (callback, ...rest) {
    const version = pad.version;
    return toBlob.call(this, (blob) => {
      if (blob) {
        pad.bySize.set(blob.size, Math.max(version, pad.bySize.get(blob.size) ?? -1));
        if (pad.bySize.size > 500) pad.bySize.delete(pad.bySize.keys().next().value);
      }
      callback(blob);
    }, ...rest);
  };
  // After a stroke the Sketchpad posts its PNGs to the server and then sends only {"id": ...}.
  const fetch = window.fetch;
  window.fetch = function (input, init) {
    const form = init && init.body;
    if (form instanceof FormData && form.get("type") === "composite" && form.get("file") instanceof Blob) {
      pad.compositeSize.set(String(form.get("id")), form.get("file").size);
      if (pad.compositeSize.size > 500) pad.compositeSize.delete(pad.compositeSize.keys().next().value);
    }
    return fetch.apply(this, arguments);
  };
  pad.versionOf = (sketch) => {
    if (!sketch || (!sketch.id && !sketch.composite && !sketch.background)) return pad.version;  // cleared
    if (sketch.id) return pad.bySize.get(pad.compositeSize.get(String(sketch.id))) ?? -1;
    // Files this page never encoded (an example put on the pad) are the picture as it is now.
    return pad.bySize.get(sketch.composite && sketch.composite.size) ?? pad.version;
  };
}
