"""Steady rock / paper / scissors answers for a live camera whose hand is tracked in the browser.

    from rps.live import HeldGestures
    held = HeldGestures()                          # the app keeps one
    answer = held.update(camera_id, points)        # points: 21 x 3 image landmarks in pixels, or None (no hand)
    answer.steady       # "rock" / "paper" / "scissors" once held, NO_HAND, NOT_SURE, or None (still deciding)
    answer.sentence     # what to tell the person ("Paper, held.", "Show your hand to the camera.")
    held.latest(camera_id)                         # the game reads the gesture held at "Shoot!"

The page runs MediaPipe's hand landmarker itself (WebAssembly, ui/camera.py) and sends only the 21 landmarks of
each frame, about ten times a second; the server keeps no tracker, no image and no MediaPipe graph per visitor,
only one `StabilityFilter` (a few hundred bytes) per camera.

Why the landmarks model for live frames: it reads the 21 points the tracker already found (~1 ms), where the
ensemble adds EfficientNet-Lite0 on a picture of the hand; on real photos the two are 0.976 vs 0.983.

Why a stability filter: a hand changing shape passes through in-between poses that any model reads as something;
`StabilityFilter` shows a gesture only once it has dominated the last `window` seconds of frames.

`python -m rps.live IMAGE...` reads image files in order as frames 100 ms apart and prints each answer.
"""
from __future__ import annotations

import argparse
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

import numpy as np

from common.runtime import one_torch_thread
from rps.data import CLASSES

LIVE_MODEL = "landmarks"
NO_HAND = "no hand"
NOT_SURE = "not sure"


# ------------------------------------------------------------------------------------------------ stability
@dataclass
class StabilityFilter:
    """Turn per-frame readings into an answer that changes only when the new one is held.

    Each frame votes with a token: its top class when the model is sure enough (a little less sure suffices
    for the class already shown, so a borderline frame does not toggle it), NOT_SURE for a hand read without
    confidence, NO_HAND for no hand. The steady answer becomes a token once that token has at least `share` of
    the votes cast in the last `window` seconds and at least `min_frames` of them; until then it stays as it was.
    """
    # The page sends a frame every 100 ms. A 0.25 s window holds the new gesture's first two frames and one older
    # frame (2 of 3 votes); at 0.3 s it also reached back to a second older frame (2 of 4, not enough) whenever
    # the messages' timing jittered, so half the new gestures waited 100 ms for a third frame.
    window: float = 0.25
    share: float = 0.6
    min_frames: int = 2
    sure: float = 0.6
    keep: float = 0.45
    steady: str | None = None
    since: float | None = None          # when the steady answer last changed
    _votes: deque = field(default_factory=deque)

    def token(self, probabilities: dict[str, float] | None) -> str:
        if probabilities is None:
            return NO_HAND
        best = max(probabilities, key=probabilities.get)
        confidence = probabilities[best]
        if confidence >= self.sure or (best == self.steady and confidence >= self.keep):
            return best
        return NOT_SURE

    def update(self, probabilities: dict[str, float] | None, now: float) -> str | None:
        """Add one frame's probabilities (None: no hand) seen at time `now` (seconds); return the steady answer."""
        self._votes.append((now, self.token(probabilities)))
        while self._votes and self._votes[0][0] < now - self.window:
            self._votes.popleft()
        counts: dict[str, int] = {}
        for _, vote in self._votes:
            counts[vote] = counts.get(vote, 0) + 1
        leader = max(counts, key=counts.get)
        if (leader != self.steady and counts[leader] >= self.min_frames
                and counts[leader] >= self.share * len(self._votes)):
            self.steady, self.since = leader, now
        return self.steady

    def reset(self) -> None:
        self.steady, self.since = None, None
        self._votes.clear()


def steady_sentence(steady: str | None) -> str:
    if steady is None:
        return "Reading your hand…"
    if steady == NO_HAND:
        return "Show your hand to the camera."
    if steady == NOT_SURE:
        return "Not sure what that is: hold a clear rock, paper or scissors."
    return f"{steady.capitalize()}, held."


# ------------------------------------------------------------------------------------------------ one camera
def read_points(points: np.ndarray | None) -> dict[str, float] | None:
    """The landmarks model's calibrated probabilities for one hand's 21 x 3 landmarks (None: no hand)."""
    if points is None:
        return None
    from rps.predict import calibrated, get_model, landmark_probabilities

    with one_torch_thread():
        probs = landmark_probabilities(get_model(LIVE_MODEL)[0], [points])
    return dict(zip(CLASSES, calibrated(LIVE_MODEL, probs)[0].tolist()))


@dataclass
class LiveAnswer:
    probabilities: dict[str, float] | None   # this frame's reading (None: no hand)
    steady: str | None                      # the stable answer (a class, NO_HAND, NOT_SURE) or None: deciding
    sentence: str                           # for the page
    at: float                               # time.monotonic() when the frame was read

    @property
    def throw(self) -> str | None:
        """The gesture to play, if one is held."""
        return self.steady if self.steady in CLASSES else None


@dataclass
class LiveCamera:
    filter: StabilityFilter = field(default_factory=StabilityFilter)
    latest: LiveAnswer | None = None
    last_used: float = field(default_factory=time.monotonic)
    last_frame_time: float = -float("inf")


class HeldGestures:
    """Each live camera's stability filter and latest answer, keyed by an id the page makes when its camera
    starts. Small (no images, no tracker), but bounded: a camera is forgotten after `idle_seconds` without
    frames, and the least recently used beyond `capacity` (the id comes from the page, so anyone can make many)."""

    def __init__(self, idle_seconds: float = 300.0, capacity: int = 2000):
        self.idle_seconds, self.capacity = idle_seconds, capacity
        self._cameras: OrderedDict[str, LiveCamera] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._cameras)

    def _camera(self, camera_id: str, now: float) -> LiveCamera:
        with self._lock:
            camera = self._cameras.pop(camera_id, None) or LiveCamera()
            camera.last_used = now
            self._cameras[camera_id] = camera       # most recent last
            while self._cameras and (len(self._cameras) > self.capacity or
                                     next(iter(self._cameras.values())).last_used < now - self.idle_seconds):
                self._cameras.popitem(last=False)
            return camera

    def update(self, camera_id: str, points: np.ndarray | None, now: float | None = None,
               frame_time: float | None = None) -> LiveAnswer:
        """One frame of one camera: its hand's landmarks (pixels), or None when the page saw no hand.

        `frame_time` (seconds, the page's clock) is when the page saw the frame: the stability window counts
        frames as the camera spaced them, not as the network delivered them (on a busy line several messages
        arrive at once). Without it, the server's clock `now` is used."""
        now = time.monotonic() if now is None else now
        probabilities = read_points(points)
        camera = self._camera(camera_id, now)
        with self._lock:
            seen = now if frame_time is None else max(frame_time, camera.last_frame_time)  # never backwards
            camera.last_frame_time = seen
            steady = camera.filter.update(probabilities, seen)
            camera.latest = LiveAnswer(probabilities, steady, steady_sentence(steady), now)
            return camera.latest

    def latest(self, camera_id: str) -> LiveAnswer | None:
        camera = self._cameras.get(camera_id)
        return camera.latest if camera is not None else None

    def forget(self, camera_id: str) -> None:
        with self._lock:
            self._cameras.pop(camera_id, None)


def throw_from_photo(image) -> tuple[str | None, str]:
    """(the throw in a photo or None, a sentence): for playing without a webcam. The default model reads it; a
    photo with no hand, or one the model is not sure of (rps.predict's calibrated threshold), gives None."""
    from rps.predict import DEFAULT_MODEL, classify_hand

    reading = classify_hand(image, mask=True, model_name=DEFAULT_MODEL)
    if reading.label is None:
        return None, "No hand in that photo: show it again."
    confidence = reading.probabilities[reading.label]
    if not reading.sure:
        return None, f"Not sure what that is ({reading.label}? {confidence:.0%}): show it again."
    return reading.label, f"Read {reading.label} ({confidence:.0%})."


def main() -> None:
    parser = argparse.ArgumentParser(description="Read images in order as live camera frames (10 frames/s).")
    parser.add_argument("images", nargs="+", help="image files, in frame order")
    args = parser.parse_args()
    from common.images import flatten_alpha, open_image
    from rps.hands import find_hands

    held = HeldGestures()
    for index, path in enumerate(args.images):
        search = find_hands(np.asarray(flatten_alpha(open_image(path))))
        answer = held.update("files", search.hands[0].points if search.hands else None, now=index / 10)
        best = max(answer.probabilities, key=answer.probabilities.get) if answer.probabilities else NO_HAND
        print(f"{path}: frame {best}, steady {answer.steady}")


if __name__ == "__main__":
    main()
