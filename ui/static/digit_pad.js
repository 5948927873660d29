// The Digits tab's drawing pad (ui/digit_pad.py explains the design). Gradio runs this file as the gr.HTML
// component's js_on_load: `element` is the component, `server.read_drawing` the Python reader.
//
// While a stroke is drawn, a small PNG of the canvas goes to the server every `data-send-every` ms (never
// more than one at a time), and at once on every lift of the pen or finger; each answer is drawn on the page.
// Stale answers cannot be shown: every snapshot sent, and every Clear, takes a new version number; an answer
// is drawn only if its version is still the newest (an answer still on its way when a newer snapshot went out
// or Clear was pressed is dropped here).
//
// For tests and benchmarks the root .digit-pad carries data-version (the newest snapshot or Clear),
// data-shown-version (the answer on the page), data-pending ("1" while the canvas has ink not yet sent), and
// window.digitPad.log keeps {kind: "sent" | "shown" | "dropped", version, t} (t: Date.now()).
const root = element.querySelector(".digit-pad");
const canvas = root.querySelector(".dp-canvas");
const ctx = canvas.getContext("2d");
const SIDE = canvas.width;
const SEND_SIDE = Number(root.dataset.sendSide);
const SEND_EVERY_MS = Number(root.dataset.sendEvery);
const LOG_LIMIT = 2000;
const BLANK = "#ffffff";
const result = {
  message: root.querySelector(".dp-message"),
  top: root.querySelector(".dp-top"),
  bars: root.querySelector(".dp-bars"),
  seen: root.querySelector(".dp-seen img"),
};
const small = document.createElement("canvas");   // the snapshot sent to the server
small.width = small.height = SEND_SIDE;
const smallCtx = small.getContext("2d");
smallCtx.imageSmoothingEnabled = true;
smallCtx.imageSmoothingQuality = "high";

const pad = (window.digitPad = {
  version: 0, shownVersion: 0, inFlight: 0, lastSentAt: 0, dirty: false, timer: null,
  pointer: null, last: null, log: [],
  brush: Number(root.querySelector(".dp-brush").dataset.size), colour: root.querySelector(".dp-colour").dataset.colour,
});

function note(kind, version) {
  pad.log.push({kind, version, t: Date.now()});
  if (pad.log.length > LOG_LIMIT) pad.log.splice(0, pad.log.length - LOG_LIMIT);
}

function publish() {
  root.dataset.version = String(pad.version);
  root.dataset.shownVersion = String(pad.shownVersion);
  root.dataset.pending = pad.dirty || pad.pointer !== null ? "1" : "0";
}

// ---------------------------------------------------------------------------------------------- drawing
function blank() {
  ctx.fillStyle = BLANK;
  ctx.fillRect(0, 0, SIDE, SIDE);
}

function toCanvas(event) {
  const box = canvas.getBoundingClientRect();
  return [(event.clientX - box.left) * SIDE / box.width, (event.clientY - box.top) * SIDE / box.height];
}

function line(from, to) {
  ctx.strokeStyle = pad.colour;
  ctx.lineWidth = pad.brush * SIDE;
  ctx.lineCap = ctx.lineJoin = "round";
  ctx.beginPath();
  ctx.moveTo(from[0], from[1]);
  ctx.lineTo(to[0], to[1]);
  ctx.stroke();
}

function changed() {
  pad.dirty = true;
  publish();
  scheduleSend();
}

canvas.addEventListener("pointerdown", (event) => {
  if (pad.pointer !== null || event.button > 0) return;   // one finger (or the left button) draws
  event.preventDefault();
  canvas.setPointerCapture(event.pointerId);
  pad.pointer = event.pointerId;
  pad.last = toCanvas(event);
  line(pad.last, pad.last);   // a tap leaves a dot
  changed();
});

canvas.addEventListener("pointermove", (event) => {
  if (event.pointerId !== pad.pointer) return;
  const moves = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
  for (const move of moves.length ? moves : [event]) {
    const point = toCanvas(move);
    line(pad.last, point);
    pad.last = point;
  }
  changed();
});

function lift(event) {
  if (event.pointerId !== pad.pointer) return;
  pad.pointer = null;
  sendNow();
}
canvas.addEventListener("pointerup", lift);
canvas.addEventListener("pointercancel", lift);

// ---------------------------------------------------------------------------------------------- sending
function snapshot() {
  smallCtx.drawImage(canvas, 0, 0, SEND_SIDE, SEND_SIDE);
  return small.toDataURL("image/png");
}

// While drawing: at most one read on its way, and at most one every SEND_EVERY_MS.
function scheduleSend() {
  if (pad.inFlight > 0 || pad.timer !== null || !pad.dirty) return;
  const wait = Math.max(0, pad.lastSentAt + SEND_EVERY_MS - performance.now());
  pad.timer = setTimeout(() => {
    pad.timer = null;
    if (pad.dirty && pad.inFlight === 0) send();
  }, wait);
}

// On a lift: now, even if a read is on its way (its answer will be dropped as older).
function sendNow() {
  clearTimeout(pad.timer);
  pad.timer = null;
  if (pad.dirty) send();
  publish();
}

function send() {
  const version = ++pad.version;
  pad.dirty = false;
  pad.lastSentAt = performance.now();
  pad.inFlight += 1;
  note("sent", version);
  publish();
  const image = snapshot();
  Promise.resolve(server.read_drawing({version, image}))
    .then((answer) => show(version, answer), () => show(version, undefined))
    .finally(() => {
      pad.inFlight -= 1;
      scheduleSend();
    });
}

// ---------------------------------------------------------------------------------------------- answers
function show(version, answer) {
  if (version !== pad.version) {   // the canvas has moved on (a newer snapshot, or Clear): never show it
    note("dropped", version);
    return;
  }
  if (!answer) answer = {message: "The server did not answer. Draw again, or reload the page."};
  render(answer);
  pad.shownVersion = version;
  note("shown", version);
  publish();
}

function render(answer) {
  result.message.textContent = answer.error || answer.message || "";
  root.classList.toggle("dp-has-error", Boolean(answer.error));
  const ranked = Object.entries(answer.probabilities || {}).sort((a, b) => b[1] - a[1]).slice(0, 3);
  result.top.textContent = ranked.length ? ranked[0][0] : "";
  result.bars.replaceChildren(...ranked.map(([digit, p]) => bar(digit, p)));
  if (answer.seen) {
    result.seen.src = answer.seen;
    result.seen.hidden = false;
  } else {
    result.seen.removeAttribute("src");
    result.seen.hidden = true;
  }
}

function bar(digit, probability) {
  const item = document.createElement("li");
  const percent = Math.round(probability * 100);
  item.innerHTML = '<span class="dp-bar-label"></span><span class="dp-bar"><span></span></span><span class="dp-bar-value"></span>';
  item.children[0].textContent = digit;
  item.children[1].firstChild.style.width = percent + "%";
  item.children[2].textContent = percent + "%";
  return item;
}

// ---------------------------------------------------------------------------------------------- controls
function clear() {
  clearTimeout(pad.timer);
  pad.timer = null;
  pad.version += 1;   // answers on their way are for an older canvas now
  pad.dirty = false;
  blank();
  render({message: "Draw a digit."});
  pad.shownVersion = pad.version;
  note("cleared", pad.version);
  publish();
}

function choose(buttons, chosen) {
  buttons.forEach((button) => button.setAttribute("aria-pressed", String(button === chosen)));
}

const brushes = [...root.querySelectorAll(".dp-brush")];
const colours = [...root.querySelectorAll(".dp-colour")];
brushes.forEach((button) => button.addEventListener("click", () => {
  pad.brush = Number(button.dataset.size);
  choose(brushes, button);
}));
colours.forEach((button) => button.addEventListener("click", () => {
  pad.colour = button.dataset.colour;
  choose(colours, button);
  root.style.setProperty("--dp-ink", pad.colour);
}));
root.querySelector(".dp-clear").addEventListener("click", clear);

// An example replaces the drawing and is read at once.
root.querySelectorAll(".dp-example").forEach((button) => button.addEventListener("click", () => {
  const picture = new Image();
  picture.onload = () => {
    clear();
    ctx.drawImage(picture, 0, 0, SIDE, SIDE);
    pad.dirty = true;
    sendNow();
  };
  picture.src = button.dataset.src;
}));

choose(brushes, brushes[Math.floor(brushes.length / 2)]);
pad.brush = Number(brushes[Math.floor(brushes.length / 2)].dataset.size);
choose(colours, colours[0]);
blank();
publish();

// Corrections (ui/flagging.py, when flagging is on): what the model saw (a file payload) and the prediction on the page, or nothing.
pad.forFlagging = (correction) => {
  const top = result.top.textContent;
  if (!top || !result.seen.src) return [null, null, correction];
  return [{url: result.seen.src, path: null, meta: {_type: "gradio.FileData"}}, {label: top}, correction];
};
