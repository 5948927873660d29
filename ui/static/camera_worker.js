// The hand tracker off the page's main thread (started by ui/static/camera.js). MediaPipe's HandLandmarker runs
// here, in a classic worker: its WebAssembly loader is a classic script that it brings in with importScripts.
// The page transfers each camera frame as an ImageBitmap; the answer is that frame's first hand (21 landmarks,
// fractions of the frame) or null. While the tracker works, the page's thread stays free to show the video
// and to hear the server's answers, which it could not while MediaPipe ran there (docs/live_camera.md).
let landmarker = null;

// The page sends what to load (the same files and options it would use itself).
async function load({ bundle, fileset, options }) {
  const vision = await import(bundle);
  landmarker = await vision.HandLandmarker.createFromOptions(fileset, options);
}

function track({ bitmap, t }) {
  const began = performance.now();
  try {
    const result = landmarker.detectForVideo(bitmap, t);
    const hand = result.landmarks && result.landmarks.length ? result.landmarks[0] : null;
    return { type: 'hand', t, hand, ms: performance.now() - began };
  } finally {
    bitmap.close();
  }
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'load') {
      await load(data);
      self.postMessage({ type: 'ready' });
    } else if (data.type === 'frame') {
      self.postMessage(track(data));
    }
  } catch (error) {
    self.postMessage({ type: 'failed', t: data.t, message: String(error && error.message || error) });
  }
};
