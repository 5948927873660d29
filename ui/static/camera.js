// The Rock / paper / scissors camera (ui/camera.py): this is the gr.HTML component's js_on_load body, so
// `element`, `props` and `server` come from Gradio. It finds the hand in every camera frame with MediaPipe's
// web build (files shipped in ui/static/mediapipe/, the project's own hand_landmarker.task) — in a worker
// (camera_worker.js) where the browser can, else on the page's thread —, draws the 21 landmarks over the video,
// and sends the landmarks (never the video) to the server about ten times a second; the server answers the
// gesture held steady. window.rpsCamera gives other events frames of the same camera.
const $ = (selector) => element.querySelector(selector);
const root = $('.rps-cam');
const video = $('.rps-cam-video');
const overlay = $('.rps-cam-overlay');
const pen = overlay.getContext('2d');
const startButton = $('.rps-cam-start');
const stopButton = $('.rps-cam-stop');
const heldBox = $('.rps-cam-held');
const sentence = $('.rps-cam-sentence');
const fpsBox = $('.rps-cam-fps');

const FILES = new URL(props.static_url, document.baseURI).href;
const MODEL = new URL(props.model_url, document.baseURI).href;
const SEND_EVERY_MS = Number(props.send_every_ms) || 100;
// Messages go with camera frames: a frame is sent if 80 % of the interval has passed, so that at 30 frames/s
// every third frame goes (99 ms) and at 10 frames/s every frame does, not every second one.
const SEND_GAP_MS = 0.8 * SEND_EVERY_MS;
const NO_CAMERA = 'No camera: this browser did not give the page one (permission refused, or none attached). '
  + 'You can still take or upload a photo below, and play it.';
const NO_WASM = 'This browser cannot run the hand tracker (it needs WebAssembly with SIMD). '
  + 'You can still upload a photo below: the server reads photos.';
// Wrist, then 4 points per finger from the palm outwards (as rps/hands.py BONES).
const BONES = [[0, 1], [0, 5], [0, 17], [5, 9], [9, 13], [13, 17], [1, 2], [2, 3], [3, 4], [5, 6], [6, 7],
  [7, 8], [9, 10], [10, 11], [11, 12], [13, 14], [14, 15], [15, 16], [17, 18], [18, 19], [19, 20]];
// The smallest wasm module using a SIMD instruction (as MediaPipe's own check): the shipped binary needs SIMD.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8,
  0, 65, 0, 253, 15, 253, 98, 11]);

// As rps/hands.py create_landmarker: lower than the default 0.5, a hand in a dim room is still found. VIDEO mode
// tracks the hand from frame to frame (the palm detector runs only when the hand is lost).
const LANDMARKER_OPTIONS = { runningMode: 'VIDEO', numHands: 1, minHandDetectionConfidence: 0.3,
  minHandPresenceConfidence: 0.3, minTrackingConfidence: 0.3 };
let tracker = null;          // { where: 'worker' | 'page', detect(now) -> Promise of the frame's hand or null }
// Frames with the tracker: one being tracked and one waiting, so the worker starts the next frame the moment it
// is done; later frames are skipped, not queued (a queue would only make the landmarks late).
const MAX_TRACKING = 2;
let tracking = 0;
let stream = null;
let lastVideoTime = -1;
let lastSent = 0;
// Messages go every SEND_EVERY_MS without waiting for the answer before (a slow answer must not hold back the
// next frame), but at most MAX_IN_FLIGHT at once; an answer older than one already shown is dropped.
const MAX_IN_FLIGHT = 3;
let inFlight = 0;
// When the server has answered nothing for this long while messages wait, the page says why the gesture stands still.
const BUSY_AFTER_MS = 2000;
let lastAnswerAt = 0;
let sentCount = 0;
let shownCount = 0;
const stats = { detectMs: 0, drawn: 0, hands: 0, sent: 0, answers: 0, bytes: 0, started: 0, windowStart: 0, windowFrames: 0 };
const state = { id: null, held: null, answer: null, lastSentHand: null, shown: [], replies: [] };

function say(text, problem = false) {
  sentence.textContent = text;
  sentence.classList.toggle('rps-cam-problem', problem);
}

function showHeld(held) {
  state.held = held;
  heldBox.dataset.held = held || '';
  $('.rps-cam-word').textContent = held ? held.charAt(0).toUpperCase() + held.slice(1) : '…';
  state.shown.push([performance.now(), held]);     // for benchmarks/live_camera.py
  if (state.shown.length > 2000) state.shown.splice(0, 1000);
}

const wasmWorks = () => typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);

// The fileset by hand rather than FilesetResolver: only the SIMD build is shipped, from our own server.
const BUNDLE = FILES + 'mediapipe/vision_bundle.mjs';
const FILESET = { wasmLoaderPath: FILES + 'mediapipe/vision_wasm_internal.js',
  wasmBinaryPath: FILES + 'mediapipe/vision_wasm_internal.wasm' };
const TRACKER_OPTIONS = { ...LANDMARKER_OPTIONS, baseOptions: { modelAssetPath: MODEL, delegate: 'CPU' } };

// MediaPipe in a worker: the page's thread only scales the frame into an ImageBitmap and hands it over. Browsers
// without OffscreenCanvas (MediaPipe needs it in a worker) run it on the page instead (pageTracker).
function workerTracker() {
  return new Promise((resolve, reject) => {
    const worker = new Worker(FILES + 'camera_worker.js');
    const waiting = [];      // the frames handed over, oldest first: { resolve, reject } (the worker keeps order)
    const settle = (how, value) => { const frame = waiting.shift(); if (frame) frame[how](value); };
    const detect = async (now) => {
      const [width, height] = frameSize(TRACK_SIDE);
      const bitmap = await createImageBitmap(video, { resizeWidth: width, resizeHeight: height, resizeQuality: 'low' });
      return new Promise((done, fail) => {
        waiting.push({ resolve: done, reject: fail });
        worker.postMessage({ type: 'frame', bitmap, t: now }, [bitmap]);
      });
    };
    worker.onmessage = ({ data }) => {
      if (data.type === 'ready') resolve({ where: 'worker', detect });
      else if (data.type === 'hand') { stats.detectMs += data.ms; settle('resolve', data.hand); }
      else if (waiting.length) settle('reject', new Error(data.message));
      else { worker.terminate(); reject(new Error(data.message)); }
    };
    worker.onerror = (event) => {
      while (waiting.length) settle('reject', new Error(event.message));
      worker.terminate();
      reject(new Error(event.message));
    };
    worker.postMessage({ type: 'load', bundle: BUNDLE, fileset: FILESET, options: TRACKER_OPTIONS });
  });
}

async function pageTracker() {
  const vision = await import(BUNDLE);
  const landmarker = await vision.HandLandmarker.createFromOptions(FILESET, TRACKER_OPTIONS);
  return {
    where: 'page',
    detect: async (now) => {
      const result = landmarker.detectForVideo(trackerInput(), now);
      stats.detectMs += performance.now() - now;
      return result.landmarks && result.landmarks.length ? result.landmarks[0] : null;
    },
  };
}

async function loadTracker() {
  if (typeof Worker === 'function' && typeof OffscreenCanvas === 'function' && window.rpsCameraWorker !== false) {
    try {
      return await workerTracker();
    } catch (error) {
      console.warn('The hand tracker did not start in a worker; running it on the page.', error);
    }
  }
  return pageTracker();
}

async function start() {
  startButton.disabled = true;
  try {
    if (!wasmWorks()) throw new Error(NO_WASM);
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error(NO_CAMERA);
    say('Loading the hand tracker…');
    const loading = tracker ? Promise.resolve(tracker) : loadTracker().catch((error) => {
      console.error(error);
      throw new Error('The hand tracker did not load: reload the page to try again. '
        + 'You can still upload a photo below.');
    });
    const camera = navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, facingMode: 'user' },
      audio: false }).catch((error) => { console.error(error); throw new Error(NO_CAMERA); });
    try {
      tracker = await loading;
    } catch (error) {   // do not leave the camera on (its light lit) when the tracker cannot run
      camera.then((opened) => opened.getTracks().forEach((track) => track.stop())).catch(() => {});
      throw error;
    }
    stream = await camera;
    video.srcObject = stream;
    await video.play();
    overlay.width = video.videoWidth;
    overlay.height = video.videoHeight;
    state.id = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
    Object.assign(stats, { detectMs: 0, drawn: 0, hands: 0, sent: 0, answers: 0, bytes: 0, started: performance.now(),
      windowStart: performance.now(), windowFrames: 0 });
    lastAnswerAt = performance.now();
    root.dataset.state = 'on';
    stopButton.hidden = false;
    showHeld(null);
    say('Show your hand.');
    nextFrame();
  } catch (error) {
    stop();
    say(error.message, true);
  } finally {
    startButton.disabled = false;
  }
}

function stop() {
  if (stream) stream.getTracks().forEach((track) => track.stop());
  stream = null;
  state.id = null;
  video.srcObject = null;
  root.dataset.state = 'off';
  stopButton.hidden = true;
  pen.clearRect(0, 0, overlay.width, overlay.height);
  fpsBox.textContent = '';
  showHeld(null);
  $('.rps-cam-word').textContent = '–';
  say('Start the camera and show your hand.');
}

function nextFrame() {
  if (!stream) return;
  // requestVideoFrameCallback runs once per new camera frame; requestAnimationFrame is the fallback.
  if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(onFrame);
  else requestAnimationFrame(onFrame);
}

function onFrame() {
  if (!stream) return;
  trackLatest();
  nextFrame();
}

// Hand the newest camera frame to the tracker, unless it has enough or has seen that frame. Called on every new
// frame and again as soon as the tracker is done with one.
function trackLatest() {
  const limit = tracker.where === 'worker' ? MAX_TRACKING : 1;
  if (tracking >= limit || !stream || video.readyState < 2 || video.currentTime === lastVideoTime
      || element.offsetParent === null) return;
  lastVideoTime = video.currentTime;
  tracking += 1;
  const now = performance.now();
  tracker.detect(now)
    .then((hand) => { if (stream) onHand(hand, now); })
    .catch((error) => console.error(error))
    .finally(() => { tracking -= 1; trackLatest(); });
}

// One frame's hand (or null), tracked from the frame seen at `now`: draw it, and send it when one is due.
function onHand(hand, now) {
  draw(hand);
  countFrame(now, hand);
  if (now - lastSent >= SEND_GAP_MS && inFlight < MAX_IN_FLIGHT) send(hand, now);
  else if (inFlight >= MAX_IN_FLIGHT && now - lastAnswerAt > BUSY_AFTER_MS) {
    say('The server is busy right now: the gesture updates as soon as it answers.', true);
  }
}

// The tracker reads a copy of the frame at most TRACK_SIDE px on its longer side: MediaPipe's networks look at
// 192 and 224 px squares anyway, and a smaller picture is much cheaper to hand to it (a WebGL texture read back
// on the CPU). Landmarks are fractions of the frame, so they do not change with its size.
const TRACK_SIDE = Number(window.rpsCameraTrackSide ?? 320);

// The video frame's size scaled down (never up) to at most maxSide px on its longer side.
function frameSize(maxSide) {
  const scale = Math.min(1, maxSide / Math.max(video.videoWidth, video.videoHeight));
  return [Math.round(video.videoWidth * scale), Math.round(video.videoHeight * scale)];
}

// Draw the current frame into `canvas` at frameSize(maxSide).
function drawFrame(canvas, maxSide) {
  [canvas.width, canvas.height] = frameSize(maxSide);
  canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas;
}

let small = null;
function trackerInput() {
  if (frameSize(TRACK_SIDE)[0] === video.videoWidth) return video;
  if (!small) small = document.createElement('canvas');
  return drawFrame(small, TRACK_SIDE);
}

function draw(hand) {
  pen.clearRect(0, 0, overlay.width, overlay.height);
  if (!hand) return;
  const w = overlay.width;
  const h = overlay.height;
  pen.lineWidth = Math.max(2, w / 160);
  pen.strokeStyle = 'rgba(255, 255, 255, 0.9)';
  pen.beginPath();
  for (const [a, b] of BONES) {
    pen.moveTo(hand[a].x * w, hand[a].y * h);
    pen.lineTo(hand[b].x * w, hand[b].y * h);
  }
  pen.stroke();
  pen.fillStyle = '#f97316';
  for (const point of hand) {
    pen.beginPath();
    pen.arc(point.x * w, point.y * h, Math.max(3, w / 110), 0, 2 * Math.PI);
    pen.fill();
  }
}

function countFrame(now, hand) {
  stats.drawn += 1;
  if (hand) stats.hands += 1;
  stats.windowFrames += 1;
  if (now - stats.windowStart >= 1000) {
    fpsBox.textContent = `${Math.round(stats.windowFrames * 1000 / (now - stats.windowStart))} fps`;
    stats.windowStart = now;
    stats.windowFrames = 0;
  }
}

async function send(hand, now) {
  lastSent = now;
  inFlight += 1;
  const number = (sentCount += 1);
  // MediaPipe's image landmarks as they are (fractions of the unmirrored frame, z about the scale of x);
  // the server scales them by the frame size exactly as the Python path does (ui/camera.py).
  const message = {
    camera: state.id,
    t: Math.round(now),      // when the frame was seen: the server's stability window uses the page's clock
    size: [video.videoWidth, video.videoHeight],
    hand: hand ? hand.map((p) => [+p.x.toFixed(4), +p.y.toFixed(4), +p.z.toFixed(4)]) : null,
  };
  state.lastSentHand = message;
  stats.sent += 1;
  stats.bytes += JSON.stringify(message).length;
  const sentAt = performance.now();
  try {
    const answer = await server.read_landmarks(message);
    if (!stream || message.camera !== state.id || number < shownCount) return;   // stopped, or overtaken
    shownCount = number;
    lastAnswerAt = performance.now();
    stats.answers += 1;
    state.answer = answer;
    logReply(now, sentAt, answer);
    if (answer.error) { say(answer.error, true); return; }
    if (answer.held !== state.held) showHeld(answer.held);
    say(answer.sentence);
  } catch (error) {
    console.error(error);
    say('Lost the server for a moment; trying again…', true);
  } finally {
    inFlight -= 1;
  }
}

// For benchmarks/live_camera.py, which splits the delay from a new gesture to its answer into its parts: when the
// frame was seen, when its answer came, what that frame alone read as, what was held then, and when it was sent.
function logReply(seenAt, sentAt, answer) {
  const frame = answer.frame ? Object.keys(answer.frame).reduce((a, b) => (answer.frame[a] >= answer.frame[b] ? a : b)) : null;
  state.replies.push([seenAt, performance.now(), frame, answer.held, sentAt]);
  if (state.replies.length > 2000) state.replies.splice(0, 1000);
}

const frameCanvas = (maxSide) => drawFrame(document.createElement('canvas'), maxSide);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// For the page's other events (ui/camera.py SNAPSHOT_JS, BURST_JS, CAMERA_ID_JS) and for the benchmarks.
window.rpsCamera = {
  id: () => state.id,
  on: () => Boolean(stream),
  held: () => state.held,
  stats: () => ({ ...stats, seconds: (performance.now() - stats.started) / 1000, tracker: tracker && tracker.where }),
  shown: () => state.shown,
  replies: () => state.replies,
  lastSent: () => state.lastSentHand,
  answer: () => state.answer,
  // One frame as a JPEG data URL (unmirrored, as the camera sees it), or null when the camera is off.
  snapshot: () => (stream ? frameCanvas(1280).toDataURL('image/jpeg', 0.92) : null),
  // A short burst of small frames, as Teachable Machine records while its button is held.
  burst: async (count = 6, everyMs = 200) => {
    if (!stream) return null;
    const frames = [];
    for (let i = 0; i < count; i += 1) {
      say(`Recording ${i + 1} / ${count}… keep the gesture, move it a little.`);
      frames.push(frameCanvas(480).toDataURL('image/jpeg', 0.85));
      if (i < count - 1) await sleep(everyMs);
    }
    say(`Recorded ${count} frames; learning them…`);
    return frames;
  },
  start,
  stop,
};

startButton.addEventListener('click', start);
stopButton.addEventListener('click', stop);
window.addEventListener('pagehide', stop);
