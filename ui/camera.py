"""The Rock / paper / scissors tab's one camera: live video with the hand's 21 landmarks drawn over it, the held
gesture large beside it, and the frames the photo reader, the game and "teach it your hand" use.

    from ui import camera
    view = camera.camera_view()                    # a gr.HTML component (ui/static/camera.js, camera.css)
    button.click(fn, [..., camera.frame_box()], ..., js=camera.SNAPSHOT_JS)   # see the *_JS snippets below

How it works: the page runs MediaPipe's hand landmarker itself (`@mediapipe/tasks-vision`, WebAssembly, the
project's own checkpoints/hand_landmarker.task, files shipped in ui/static/mediapipe/ — nothing from a CDN) on
every camera frame and draws the landmarks over the video. About ten times a second it sends the server the 21
landmarks only (~0.5 KB, through `read_landmarks`, a gr.HTML server function: one plain POST, not the queue; up
to three on their way at once, so a slow answer does not hold back the next frame);
the server reads them with the landmarks model and answers the gesture held steady (rps/live.py). Without
WebAssembly or a camera the page says so, and the photo (upload, clipboard) path works as before.

The page makes a random id for its camera when it starts; the server keeps that camera's stability filter and
latest answer under it (rps.live.HeldGestures), and the game asks for the gesture held under it at "Shoot!".
"""
from __future__ import annotations

import base64
import math
import time
from pathlib import Path

import gradio as gr
import numpy as np

from common.errors import UserInputError
from common.images import flatten_alpha, open_image
from rps import live
from rps.hands import shipped_model_path

STATIC = Path(__file__).resolve().parent / "static"
SEND_EVERY_MS = 100          # landmarks to the server ~10 times a second: enough for a 300 ms stability window
POINTS = 21
MAX_CAMERA_ID = 64
HELD = live.HeldGestures()

# The browser may fetch the MediaPipe files and the landmarker model straight from these folders (no CDN).
gr.set_static_paths(paths=[STATIC, shipped_model_path()])


def file_url(path: Path) -> str:
    """The URL (relative to the page) at which Gradio serves a file under a static path."""
    return f"gradio_api/file={path.resolve().as_posix()}"


# ------------------------------------------------------------------------------------- landmarks from the page
def frame_time(payload) -> float | None:
    """When the page saw the frame, in seconds of the page's clock (its "t", milliseconds), if it says so."""
    try:
        seconds = float(payload.get("t")) / 1000
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) else None


def points_from_payload(payload) -> tuple[str, np.ndarray | None]:
    """The page's message -> (camera id, 21 x 3 landmarks in pixels of the frame, or None: no hand).

    The page sends MediaPipe's image landmarks as MediaPipe gives them — x, y as fractions of the frame (of the
    unmirrored camera image, y down), z in about the scale of x — and the frame's size in pixels. The Python path
    (rps.hands.hands_from_result) scales them the same way: x * width, y * height, z * width."""
    if not isinstance(payload, dict):
        raise UserInputError("The camera's message was not understood.")
    camera_id = str(payload.get("camera") or "")[:MAX_CAMERA_ID]
    if not camera_id:
        raise UserInputError("The camera's message has no camera id.")
    hand = payload.get("hand")
    if hand is None:
        return camera_id, None
    try:
        width, height = (float(v) for v in payload["size"])
        points = np.asarray(hand, dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        raise UserInputError("The camera's landmarks were not understood.") from None
    if points.shape != (POINTS, 3) or not np.isfinite(points).all() or not (0 < width <= 10_000 and 0 < height <= 10_000):
        raise UserInputError("The camera's landmarks were not understood.")
    return camera_id, (points * [width, height, width]).astype(np.float32)


def read_landmarks(payload) -> dict:
    """Server function the page calls ~10 times a second: one frame's landmarks -> the held gesture.

    Answers {"held": "rock" / "paper" / "scissors" / "no hand" / "not sure" / None (deciding), "sentence": ...,
    "frame": {"rock": p, ...} or None}; a message the server cannot read gets {"error": "..."} (never a traceback)."""
    try:
        camera_id, points = points_from_payload(payload)
        answer = HELD.update(camera_id, points, frame_time=frame_time(payload))
    except UserInputError as error:
        return {"error": str(error)}
    frame = None if answer.probabilities is None else {k: round(v, 3) for k, v in answer.probabilities.items()}
    return {"held": answer.steady, "sentence": answer.sentence, "frame": frame}


def held_answer(camera_id: str | None, fresh_seconds: float):
    """The camera's latest answer (rps.live.LiveAnswer) if it came within `fresh_seconds`, else None."""
    answer = HELD.latest(camera_id or "")
    if answer is None or time.monotonic() - answer.at > fresh_seconds:
        return None
    return answer


# ------------------------------------------------------------------------------------- frames from the page
def frames_from_page(data_urls, limit: int) -> list[np.ndarray]:
    """JPEG data URLs the page captured from the video -> RGB arrays (decoded by common.images, size-checked)."""
    if isinstance(data_urls, str):
        data_urls = [data_urls]
    frames = []
    for url in list(data_urls or [])[:limit]:
        if not isinstance(url, str) or not url.startswith("data:image/"):
            raise UserInputError("The camera's picture was not understood.")
        data = base64.b64decode(url.partition(",")[2], validate=False)
        frames.append(np.asarray(flatten_alpha(open_image(data))))
    return frames


# ------------------------------------------------------------------------------------- the component
def camera_view() -> gr.HTML:
    """The camera: a Start button, the video with the landmarks drawn over it, the held gesture beside it."""
    return gr.HTML(
        value="",
        html_template=(STATIC / "camera.html").read_text(),
        css_template=(STATIC / "camera.css").read_text(),
        js_on_load=(STATIC / "camera.js").read_text(),
        server_functions=[read_landmarks],
        static_url=file_url(STATIC) + "/",
        model_url=file_url(shipped_model_path()),
        send_every_ms=SEND_EVERY_MS,
        apply_default_css=False,
        elem_id="rps-camera",
    )


def frame_box() -> gr.JSON:
    """A hidden value the *_JS snippets fill with frames from the camera for a Python event to read."""
    return gr.JSON(None, visible=False)


# Snippets for events that need frames: each replaces the event's last input with what the camera gives.
# window.rpsCamera is set by ui/static/camera.js; it is missing only if the component failed to load.
SNAPSHOT_JS = "(...inputs) => [...inputs.slice(0, -1), window.rpsCamera ? window.rpsCamera.snapshot() : null]"
BURST_JS = ("async (...inputs) => [...inputs.slice(0, -1), "
            "window.rpsCamera ? await window.rpsCamera.burst() : null]")
CAMERA_ID_JS = "(...inputs) => [...inputs.slice(0, -1), window.rpsCamera ? window.rpsCamera.id() : null]"


NO_CAMERA_SENTENCE = "The camera is off: press *Start the camera* (or play a photo, or click a throw)."
HELP = """**Live.** MediaPipe finds your hand in this browser (WebAssembly) on every camera frame and draws its
21 landmarks; ten times a second only those points go to the server, whose landmarks model (about 1 ms) names
the gesture once it is held steady. *Take a photo* reads one frame with the full photo path below."""
