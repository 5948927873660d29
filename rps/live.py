"""Read rock / paper / scissors live from a webcam stream: one tracking landmarker per visitor, steady answers.

    from rps.live import LiveReaders
    readers = LiveReaders()                       # the app keeps one pool
    answer = readers.read_frame(visitor_id, rgb)  # -> LiveAnswer, or None when a frame was already being read
    answer.steady       # "rock" / "paper" / "scissors" once held, NO_HAND, NOT_SURE, or None (still deciding)
    answer.sentence     # what to tell the person ("Paper, held.", "Show your hand to the camera.")
    readers.release(visitor_id)                   # the visitor left: free the landmarker now

Why a landmarker per visitor: MediaPipe's VIDEO running mode tracks the hand from the previous frame and runs
the palm detector only when it lost it, so a frame costs ~12 ms instead of ~75 ms on this CPU; that tracking
state belongs to one camera, so two visitors cannot share a landmarker. Each costs ~60 MB, so the pool closes
a visitor's landmarker when they leave (the app calls `release` from the page's unload event), when no frame
came for `idle_seconds` (an API client never "leaves"), and the least recently used one beyond `capacity`.

Why the landmarks model for live frames: it reads the 21 points the tracker already found (~1 ms), where the
ensemble adds EfficientNet-Lite0 (~20-45 ms CPU a frame); on real photos the two are 0.976 vs 0.983.

Why a stability filter: a hand changing shape passes through in-between poses that any model reads as something;
`StabilityFilter` shows a gesture only once it has dominated the last `window` seconds of frames.

`python -m rps.live IMAGE...` reads image files in order as frames 100 ms apart and prints each answer.
"""
from __future__ import annotations

import argparse
import contextlib
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

import cv2
import numpy as np

from rps.data import CLASSES
from rps.hands import DETECT_SIDE, HandSearch, create_landmarker, downscale, hands_from_result, load_model_bytes
from rps.predict import read_hand

LIVE_MODEL = "landmarks"
NO_HAND = "no hand"
NOT_SURE = "not sure"
# Webcam frames are 640x480 to 1280x720; anything bigger (a stream is plain JSON, not a size-checked upload) is
# scaled down first, so one odd client cannot make every frame of its stream slow.
MAX_FRAME_SIDE = 1280


# ------------------------------------------------------------------------------------------------ stability
@dataclass
class StabilityFilter:
    """Turn per-frame readings into an answer that changes only when the new one is held.

    Each frame votes with a token: its top class when the model is sure enough (a little less sure suffices
    for the class already shown, so a borderline frame does not toggle it), NOT_SURE for a hand read without
    confidence, NO_HAND for no hand. The steady answer becomes a token once that token has at least `share` of
    the votes cast in the last `window` seconds and at least `min_frames` of them; until then it stays as it was.
    """
    window: float = 0.3
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


# ------------------------------------------------------------------------------------------------ one visitor
@contextlib.contextmanager
def one_torch_thread():
    """Run torch on the calling thread only, for this block. The live model is a tiny MLP: with torch's default
    two OpenMP threads it took 28 ms a frame on the busy 2-core machine (spinning threads waiting for a core),
    with one 1.2 ms. With torch's OpenMP backend the setting is per calling thread, so other requests keep theirs."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)



@dataclass
class LiveAnswer:
    probabilities: dict[str, float] | None   # this frame's reading (None: no hand)
    steady: str | None                      # the stable answer (a class, NO_HAND, NOT_SURE) or None: deciding
    sentence: str                           # for the page
    shown_image: np.ndarray | None          # what the model saw (masked, upright crop with landmarks)
    seconds: float                          # time spent reading this frame
    at: float                               # time.monotonic() when the frame was read

    @property
    def throw(self) -> str | None:
        """The gesture to play, if one is held."""
        return self.steady if self.steady in CLASSES else None


class LiveReader:
    """One visitor's camera: a VIDEO-mode landmarker, its clock, and the stability filter."""

    def __init__(self, model_bytes: bytes | None = None, model_name: str = LIVE_MODEL):
        self.model_name = model_name
        # One hand: the game needs one, and tracking a second would cost time on every frame.
        self._landmarker = create_landmarker(model_bytes or load_model_bytes()[0], video=True, num_hands=1)
        self._busy = threading.Lock()
        self._last_ms = -1
        self.filter = StabilityFilter()
        self.last_used = time.monotonic()
        self.latest: LiveAnswer | None = None

    def _timestamp_ms(self, now: float) -> int:
        # VIDEO mode needs strictly increasing timestamps; a pause longer than a second starts tracking afresh.
        self._last_ms = max(self._last_ms + 1, round(now * 1000))
        return self._last_ms

    def find_hand(self, rgb: np.ndarray, now: float) -> HandSearch:
        import mediapipe as mp

        small, scale = downscale(rgb, DETECT_SIDE)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(small))
        result = self._landmarker.detect_for_video(image, self._timestamp_ms(now))
        return HandSearch(hands=hands_from_result(result, small.shape, scale), image_size=(rgb.shape[1], rgb.shape[0]))

    def read(self, rgb: np.ndarray, mask: bool = True, now: float | None = None) -> LiveAnswer | None:
        """Read one frame; None if the previous frame is still being read (this one is dropped, not queued)."""
        if not self._busy.acquire(blocking=False):
            return None
        try:
            began = time.monotonic()
            now = began if now is None else now
            self.last_used = began
            rgb = downscale(np.ascontiguousarray(np.asarray(rgb)[:, :, :3], dtype=np.uint8), MAX_FRAME_SIDE)[0]
            search = self.find_hand(rgb, now)
            probabilities, shown = None, None
            if search.hands:
                with one_torch_thread():
                    reading = read_hand(rgb, search, mask=mask, model_name=self.model_name)
                probabilities, shown = reading.probabilities, reading.shown_image
            steady = self.filter.update(probabilities, now)
            answer = LiveAnswer(probabilities, steady, steady_sentence(steady), shown,
                                time.monotonic() - began, time.monotonic())
            self.latest = answer
            return answer
        finally:
            self._busy.release()

    def close(self) -> None:
        with self._busy:  # never close under a frame being read
            if self._landmarker is not None:
                self._landmarker.close()
                self._landmarker = None


# ------------------------------------------------------------------------------------------------ all visitors
class LiveReaders:
    """The app's pool: one LiveReader per visitor id, created on their first frame, closed when they go.

    Why not a gr.State: Gradio keeps a closed page's State for an hour whatever its time_to_live, and its unload
    event cannot see State; a pool keyed by the session lets the unload event free the landmarker at once.
    """

    def __init__(self, idle_seconds: float = 60.0, capacity: int = 8, model_name: str = LIVE_MODEL):
        self.idle_seconds, self.capacity, self.model_name = idle_seconds, capacity, model_name
        self._readers: OrderedDict[str, LiveReader] = OrderedDict()
        self._lock = threading.Lock()
        self._model_bytes: bytes | None = None

    def __len__(self) -> int:
        return len(self._readers)

    def __contains__(self, visitor: str) -> bool:
        return visitor in self._readers

    def get(self, visitor: str) -> LiveReader:
        stale = []
        with self._lock:
            reader = self._readers.get(visitor)
            if reader is None:
                if self._model_bytes is None:
                    self._model_bytes = load_model_bytes()[0]
                reader = self._readers[visitor] = LiveReader(self._model_bytes, self.model_name)
            reader.last_used = time.monotonic()
            self._readers.move_to_end(visitor)
            stale = self._take_stale(keep=visitor)
        for old in stale:
            old.close()
        return reader

    def _take_stale(self, keep: str) -> list[LiveReader]:
        limit = time.monotonic() - self.idle_seconds
        gone = [v for v, r in self._readers.items() if v != keep and r.last_used < limit]
        while len(self._readers) - len(gone) > self.capacity:
            gone.append(next(v for v in self._readers if v not in gone and v != keep))
        return [self._readers.pop(v) for v in gone]

    def drop_idle(self) -> int:
        """Close the readers of visitors who sent no frame for `idle_seconds` (a tab closed without its unload
        event reaching us); -> how many. `get` does this too, but only when someone streams."""
        with self._lock:
            stale = self._take_stale(keep=None)
        for old in stale:
            old.close()
        return len(stale)

    def has_room(self, visitor: str, streaming_seconds: float = 5.0) -> bool:
        """Whether `visitor` may stream now: they have a reader, or fewer than `capacity` visitors sent a frame in
        the last `streaming_seconds` (a reader idle that long is the least recently used, and `get` replaces it)."""
        with self._lock:
            if visitor in self._readers:
                return True
            recent = time.monotonic() - streaming_seconds
            return sum(reader.last_used >= recent for reader in self._readers.values()) < self.capacity

    def latest(self, visitor: str) -> LiveAnswer | None:
        reader = self._readers.get(visitor)
        return reader.latest if reader is not None else None

    def read_frame(self, visitor: str, rgb: np.ndarray, mask: bool = True) -> LiveAnswer | None:
        """The streaming handler's work for one frame of one visitor (None: dropped, one is being read)."""
        return self.get(visitor).read(rgb, mask=mask)

    def release(self, visitor: str) -> None:
        with self._lock:
            reader = self._readers.pop(visitor, None)
        if reader is not None:
            reader.close()

    def close_all(self) -> None:
        for visitor in list(self._readers):
            self.release(visitor)


# ------------------------------------------------------------------------------------------------ for the page
def picture_html(rgb: np.ndarray | None, side: int = 224) -> str:
    """What the model saw as an inline JPEG <img>: a live frame's picture travels with its answer, with no file
    written to Gradio's cache (10 a second per visitor would fill it) and no second request to fetch it."""
    if rgb is None:
        return '<div class="live-seen-empty">No hand in view.</div>'
    import base64

    small = cv2.resize(np.ascontiguousarray(rgb), (side, side), interpolation=cv2.INTER_AREA)
    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 80])
    data = base64.b64encode(jpeg.tobytes()).decode()
    return f'<img alt="What the model saw" src="data:image/jpeg;base64,{data}" width="{side}" height="{side}">'


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
    parser = argparse.ArgumentParser(description="Read images in order as webcam frames (10 frames/s).")
    parser.add_argument("images", nargs="+", help="image files, in frame order")
    args = parser.parse_args()
    from common.images import flatten_alpha, open_image

    reader = LiveReader()
    try:
        for index, path in enumerate(args.images):
            rgb = np.asarray(flatten_alpha(open_image(path)))
            answer = reader.read(rgb, now=index / 10)
            best = max(answer.probabilities, key=answer.probabilities.get) if answer.probabilities else NO_HAND
            print(f"{path}: frame {best}, steady {answer.steady} ({answer.seconds * 1000:.0f} ms)")
    finally:
        reader.close()


if __name__ == "__main__":
    main()
