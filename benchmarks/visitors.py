"""The four kinds of visitor, as the page makes their requests (benchmarks/page_client.py): for the capacity ramp
(benchmarks/capacity.py) and the soak (benchmarks/soak.py).

    drawer       draws a digit: uploads the canvas PNG and reads it (classify_digit)
    photo        takes a hand photo: uploads it and reads it (classify_rps, mask on, default model)
    teacher      teaches a gesture (teach_rps), then reads a photo with the model "personal"
    live         streams the webcam (LiveStream below) and counts the answers that come back

One *turn* of the first three is one read; a visitor thinks `think` seconds between turns (a person does not
draw back to back). Inputs: pendigits drawings and SubhiH photos from ../shared/data when present (else the
app's example drawings and a noise picture, as benchmarks/load.py does); the live clip is benchmarks/webcam_clip.py.

The live protocol is one small class: `FramesStream` is today's page (JPEG frames streamed to one event);
`LandmarksEvents` is the protocol once hand tracking runs in the browser (21 landmarks per frame to an event of
its own, ~10 a second). `LIVE_PROTOCOLS[name]` picks one (capacity.py --live-protocol).
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.page_client import PageError, PageVisitor

KINDS = ("live", "photo", "drawer", "teacher")
LIVE_FRAME_SECONDS = 0.07  # ui.live.LIVE_FRAME_SECONDS: how often the page sends a frame


@dataclass
class Inputs:
    digits: list[Path]
    photos: list[Path]
    note: str
    frames: list[str] = field(default_factory=list)   # live clip as data URLs, 30 a second
    landmarks: list[list[list[float]]] = field(default_factory=list)  # per clip frame: 21 x (x, y, z)


def load_inputs(folder: Path, live: bool, count: int = 200) -> Inputs:
    """Drawings, photos and (when `live`) the webcam clip, prepared once per run."""
    from benchmarks.load import digit_pngs, hand_photos
    digits, digits_note = digit_pngs(folder, count)
    photos, photos_note = hand_photos(seed=0)
    inputs = Inputs(digits, photos, f"{digits_note}; {photos_note}")
    if live:
        from benchmarks.live_stream import data_url
        from benchmarks.webcam_clip import make_clip
        clip = make_clip()
        inputs.frames = [data_url(frame) for frame in clip.frames]
        inputs.note += f"; live: the {clip.seconds:.0f} s webcam clip (benchmarks/webcam_clip.py), looped"
    return inputs


# ------------------------------------------------------------------------------------------------ one turn each
# Each returns how long the person waited for each read: the upload and the event, as the page does them.
def timed_read(visitor: PageVisitor, path: Path, event: str, data) -> float:
    began = time.monotonic()
    uploaded = visitor.upload(path)
    visitor.call(event, data(uploaded))
    return time.monotonic() - began


def drawer_turn(visitor: PageVisitor, inputs: Inputs, rng: random.Random) -> list[float]:
    return [timed_read(visitor, rng.choice(inputs.digits), "classify_digit",
                       lambda drawing: [{"background": None, "layers": [], "composite": drawing}])]


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
class FramesStream:
    """Today's page: one stream event (`read_live_frame`), a JPEG frame POSTed to /gradio_api/stream/<id> every
    70 ms; the answers arrive on the session's SSE stream as `process_streaming` messages."""

    every = LIVE_FRAME_SECONDS
    ends_with_completion = True  # the one stream event completes when the camera stops

    def __init__(self, visitor: PageVisitor, inputs: Inputs):
        self.visitor, self.inputs = visitor, inputs
        dependency = next(d for d in visitor.dependencies if d["api_name"] == "read_live_frame")
        self.fn_index, self.trigger = dependency["id"], dependency["targets"][0][0]
        self.event_id: str | None = None

    def _data(self, index: int) -> list:
        return [{"url": self.inputs.frames[index % len(self.inputs.frames)]}, True]

    def start(self, index: int) -> None:
        self.event_id = self.visitor.join(self.fn_index, self._data(index), trigger_id=self.trigger)

    def send(self, index: int) -> None:
        body = {"data": self._data(index), "fn_index": self.fn_index, "session_hash": self.visitor.session_hash,
                "event_data": None}
        self.visitor.http.post(f"gradio_api/stream/{self.event_id}", json=body)

    def stop(self) -> None:
        if self.event_id:
            self.visitor.http.post(f"gradio_api/stream/{self.event_id}/close")

    def is_answer(self, message: dict) -> bool:
        """A frame read (the page shows it); skipped frames come back with nothing to show."""
        if message.get("msg") not in ("process_streaming", "process_generating"):
            return False
        data = (message.get("output") or {}).get("data") or []
        return any(isinstance(value, str) for value in data)


class LandmarksEvents(FramesStream):
    """Once tracking runs in the browser: every ~100 ms the page sends the hand's 21 landmarks (a few hundred
    bytes of JSON) to its own event and gets the gesture back. Switch by naming the event (--landmarks-event)."""

    every = 0.1
    event_name = "read_landmarks"
    ends_with_completion = False  # one event per frame: each completes, the session's stream goes on

    def __init__(self, visitor: PageVisitor, inputs: Inputs):
        self.visitor, self.inputs = visitor, inputs
        self.fn_index = visitor.fn_index(self.event_name)  # LookupError until the page has the event
        self.event_id = None

    def start(self, index: int) -> None:
        self.send(index)

    def send(self, index: int) -> None:
        points = self.inputs.landmarks[index % len(self.inputs.landmarks)] if self.inputs.landmarks else \
            [[0.5, 0.5, 0.0]] * 21
        self.visitor.join(self.fn_index, [points])

    def stop(self) -> None:
        pass

    def is_answer(self, message: dict) -> bool:
        return message.get("msg") == "process_completed" and bool(message.get("success"))


LIVE_PROTOCOLS = {"frames": FramesStream, "landmarks": LandmarksEvents}


class LiveStream:
    """One live player for `seconds`: sends frames at the page's pace (the clip plays in real time) and counts
    answers. `answers_per_second` and `errors` afterwards; `busy_message` when the server said it is busy."""

    def __init__(self, visitor: PageVisitor, inputs: Inputs, protocol: str = "frames"):
        self.visitor, self.inputs = visitor, inputs
        self.protocol = LIVE_PROTOCOLS[protocol](visitor, inputs)
        self.answers: list[float] = []
        self.errors: list[str] = []
        self.busy_message: str | None = None
        self.seconds = 0.0

    def _listen(self, done: threading.Event) -> None:
        """Count answers on the session's event stream; reopen it while frames are still sent (with one event
        per frame, Gradio closes a session's stream whenever none is pending)."""
        while not done.is_set():
            try:
                for message in self.visitor.messages():
                    if self.protocol.is_answer(message):
                        data = (message.get("output") or {}).get("data") or []
                        busy = next((v for v in data if isinstance(v, str) and "busy" in v.lower()), None)
                        if busy:  # the server said why it is not reading this player's frames: not an answer
                            self.busy_message = busy
                        else:
                            self.answers.append(time.monotonic())
                    elif message.get("msg") == "process_completed" and not message.get("success", True):
                        self.errors.append(str((message.get("output") or {}).get("error"))[:200])
                    if message.get("msg") == "process_completed" and self.protocol.ends_with_completion:
                        return
                    if message.get("msg") == "close_stream":
                        break
            except Exception as exc:  # a broken stream is an error of this visitor, counted
                self.errors.append(f"{type(exc).__name__}: {str(exc)[:160]}")
                return

    def run(self, seconds: float, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        began = time.monotonic()
        frame = lambda: int((time.monotonic() - began) * 30)  # the clip's frame at this moment
        try:
            self.protocol.start(frame())
        except PageError as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return
        done = threading.Event()
        listener = threading.Thread(target=self._listen, args=(done,), daemon=True)
        listener.start()
        next_send = time.monotonic()
        while time.monotonic() - began < seconds and not stop.is_set():
            next_send += self.protocol.every
            stop.wait(max(0.0, next_send - time.monotonic()))
            try:
                self.protocol.send(frame())
            except Exception as exc:
                self.errors.append(f"{type(exc).__name__}: {str(exc)[:160]}")
                break
        self.seconds = time.monotonic() - began
        self.protocol.stop()
        done.set()  # the stream ends by itself once the last answer is in
        listener.join(timeout=15)

    @property
    def answers_per_second(self) -> float:
        """Over the whole stream, its start-up (queue join, first frame) included, as a person sees it."""
        return len(self.answers) / max(self.seconds, 1e-9)
