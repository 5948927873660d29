"""The four kinds of visitor, as the page makes their requests (benchmarks/page_client.py): for the capacity ramp
(benchmarks/capacity.py) and the soak (benchmarks/soak.py).

    drawer       draws a digit: the pad's 224 px snapshot to its read_drawing, as the page does (ui/digit_pad.py)
    photo        takes a hand photo: uploads it and reads it (classify_rps, mask on, default model)
    teacher      teaches a gesture (teach_rps), then reads a photo with the model "personal"
    live         plays the camera: its hand's 21 landmarks ~10 times a second, as the page sends them (LiveStream)

One *turn* of the first three is one read; a visitor thinks `think` seconds between turns (a person does not
draw back to back). Inputs: pendigits drawings and SubhiH photos from ../shared/data when present (else the
app's example drawings and a noise picture, as benchmarks/load.py does); the live player's landmarks are those
MediaPipe finds in the frames of benchmarks/webcam_clip.py (a no-hand frame sends none, as the page does).

The page tracks the hand in the browser (ui/camera.py) and POSTs each message to Gradio's /component_server
(the camera component's `read_landmarks`), outside the queue; the answer comes back in the response.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.page_client import PageError, PageVisitor

KINDS = ("live", "photo", "drawer", "teacher")
LIVE_SEND_SECONDS = 0.09  # the page sends on a camera frame >= 80 ms after the last: 10 (30 fps) to 12.5 (25 fps) a second


@dataclass
class Inputs:
    digits: list[Path]
    photos: list[Path]
    note: str
    landmarks: list = field(default_factory=list)  # per clip frame: 21 x (x, y, z) as fractions of the frame, or None
    frame_size: tuple[int, int] = (640, 480)


def load_inputs(folder: Path, live: bool, count: int = 200) -> Inputs:
    """Drawings, photos and (when `live`) the webcam clip, prepared once per run."""
    from benchmarks.load import digit_pngs, hand_photos
    digits, digits_note = digit_pngs(folder, count)
    photos, photos_note = hand_photos(seed=0)
    inputs = Inputs(digits, photos, f"{digits_note}; {photos_note}")
    if live:
        inputs.landmarks, inputs.frame_size, seconds = clip_landmarks()
        inputs.note += f"; live: landmarks of the {seconds:.0f} s webcam clip (benchmarks/webcam_clip.py), looped"
    return inputs


def clip_landmarks(step: int = 3) -> tuple[list, tuple[int, int], float]:
    """The hand MediaPipe finds in every `step`-th frame of the webcam clip, as the page sends it (fractions of
    the frame), each repeated `step` times to keep the clip's 30 frames a second; None where there is no hand."""
    from benchmarks.webcam_clip import make_clip
    from rps.hands import find_hands

    clip = make_clip()
    height, width = clip.frames[0].shape[:2]
    landmarks = []
    for frame in clip.frames[::step]:
        hands = find_hands(frame).hands
        points = None if not hands else (hands[0].points / [width, height, width]).round(4).tolist()
        landmarks += [points] * step
    return landmarks, (width, height), clip.seconds


# ------------------------------------------------------------------------------------------------ one turn each
# Each returns how long the person waited for each read: the upload and the event, as the page does them.
def timed_read(visitor: PageVisitor, path: Path, event: str, data) -> float:
    began = time.monotonic()
    uploaded = visitor.upload(path)
    visitor.call(event, data(uploaded))
    return time.monotonic() - began


def drawer_turn(visitor: PageVisitor, inputs: Inputs, rng: random.Random) -> list[float]:
    """One drawing read as the page reads it: its snapshot POSTed to the pad's server function (no upload, no queue)."""
    began = time.monotonic()
    pad = visitor.component_id("digit-pad")
    visitor.turns = getattr(visitor, "turns", 0) + 1
    answer = visitor.server_function(pad, "read_drawing", {"version": visitor.turns,
                                                           "image": pad_snapshot(rng.choice(inputs.digits))})
    if not isinstance(answer, dict) or "error" in answer or answer.get("version") != visitor.turns:
        raise PageError(f"the pad's read failed: {str(answer)[:160]}")
    return [time.monotonic() - began]


def pad_snapshot(path: Path) -> str:
    """The drawing as the pad sends it: its canvas at SEND_SIDE px, a PNG data URL (ui/digit_pad.py)."""
    import base64
    import io

    from PIL import Image

    from ui.digit_pad import SEND_SIDE
    canvas = Image.new("RGB", (800, 800), "white")
    drawing = Image.open(path).convert("RGBA")
    canvas.paste(drawing, mask=drawing)
    buffer = io.BytesIO()
    canvas.resize((SEND_SIDE, SEND_SIDE), Image.LANCZOS).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def photo_turn(visitor: PageVisitor, inputs: Inputs, rng: random.Random) -> list[float]:
    model = visitor.initial_value("rps-model")
    return [timed_read(visitor, rng.choice(inputs.photos), "classify_rps", lambda photo: [photo, True, model, None])]


def teacher_turn(visitor: PageVisitor, inputs: Inputs, rng: random.Random) -> list[float]:
    """Teach one photo (its folder is its gesture); every third turn, also read a photo with the personal model."""
    path = rng.choice(inputs.photos)
    label = path.parent.name if path.parent.name in ("rock", "paper", "scissors") else rng.choice(["rock", "paper"])
    waits = [timed_read(visitor, path, "teach_rps", lambda photo: [photo, label, None])]
    visitor.turns = getattr(visitor, "turns", 0) + 1
    if visitor.turns % 3 == 0:
        waits.append(timed_read(visitor, rng.choice(inputs.photos), "classify_rps",
                                lambda photo: [photo, True, "personal", None]))
    return waits


TURNS = {"photo": photo_turn, "drawer": drawer_turn, "teacher": teacher_turn}


# ------------------------------------------------------------------------------------------------ live
class LiveStream:
    """One live player for `seconds`: sends the clip's landmarks at the page's pace (the clip plays in real time)
    to the camera's `read_landmarks` and counts the answers. `answers_per_second` and `errors` afterwards."""

    def __init__(self, visitor: PageVisitor, inputs: Inputs):
        self.visitor, self.inputs = visitor, inputs
        self.camera_id = f"bench-{visitor.session_hash}"
        self.component = visitor.component_id("rps-camera")
        self.answers: list[float] = []
        self.errors: list[str] = []
        self.seconds = 0.0

    def send(self, frame: int, frame_time: float) -> None:
        points = self.inputs.landmarks[frame % len(self.inputs.landmarks)] if self.inputs.landmarks else None
        message = {"camera": self.camera_id, "size": list(self.inputs.frame_size), "t": frame_time,
                   "hand": points}
        answer = self.visitor.server_function(self.component, "read_landmarks", message)
        if isinstance(answer, dict) and "error" not in answer:
            self.answers.append(time.monotonic())
        else:
            self.errors.append(str(answer)[:200])

    def run(self, seconds: float, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        began = next_send = time.monotonic()
        while time.monotonic() - began < seconds and not stop.is_set():
            now = time.monotonic() - began
            try:
                self.send(int(now * 30), 1000 * now)  # the clip's frame now, and the page's frame time in ms
            except Exception as exc:
                self.errors.append(f"{type(exc).__name__}: {str(exc)[:160]}")
                break
            next_send += LIVE_SEND_SECONDS
            stop.wait(max(0.0, next_send - time.monotonic()))
        self.seconds = time.monotonic() - began

    @property
    def answers_per_second(self) -> float:
        """Over the whole stream, its start-up (queue join, first frame) included, as a person sees it."""
        return len(self.answers) / max(self.seconds, 1e-9)
