"""The live camera path (rps/live.py): the stability filter, one visitor's tracking reader on a real clip, the pool."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from rps.live import NO_HAND, NOT_SURE, LiveReader, LiveReaders, StabilityFilter, picture_html, throw_from_photo

from conftest import shared_path


def probs(best: str, p: float = 0.9) -> dict[str, float]:
    rest = (1 - p) / 2
    return {name: (p if name == best else rest) for name in ("rock", "paper", "scissors")}


def feed(stability: StabilityFilter, frames, fps: float = 10, start: float = 0.0):
    return [stability.update(p, start + i / fps) for i, p in enumerate(frames)]


def test_filter_waits_for_agreement_then_holds():
    stability = StabilityFilter()
    answers = feed(stability, [probs("rock")] * 6)
    assert answers[0] is None            # one frame is not a held gesture
    assert answers[1:] == ["rock"] * 5   # two agreeing frames within the window are
    assert stability.since == pytest.approx(0.1)


def test_single_odd_frames_do_not_flicker():
    stability = StabilityFilter()
    frames = [probs("paper")] * 5 + [probs("scissors")] + [probs("paper")] * 3 + [None] + [probs("paper")] * 3
    answers = feed(stability, frames)
    assert set(answers[1:]) == {"paper"}


def test_a_new_gesture_takes_over_within_300_ms():
    stability = StabilityFilter()
    answers = feed(stability, [probs("rock")] * 10 + [probs("scissors")] * 10, fps=14)
    switch = answers.index("scissors")
    assert answers[switch:] == ["scissors"] * (20 - switch)
    assert (switch - 10) / 14 <= 0.3
    assert set(answers[1:switch]) == {"rock"}


def test_no_hand_and_unsure_hands_are_said_so():
    stability = StabilityFilter()
    assert feed(stability, [None] * 4)[-1] == NO_HAND
    unsure = {"rock": 0.4, "paper": 0.35, "scissors": 0.25}
    assert feed(stability, [unsure] * 5, start=1.0)[-1] == NOT_SURE


def test_the_held_class_survives_a_slightly_less_sure_frame():
    stability = StabilityFilter()
    feed(stability, [probs("rock")] * 4)
    borderline = {"rock": 0.5, "paper": 0.3, "scissors": 0.2}   # below `sure`, above `keep`
    assert feed(stability, [borderline] * 4, start=1.0) == ["rock"] * 4
    stability.reset()
    assert stability.steady is None


def test_picture_html_is_an_inline_jpeg():
    html = picture_html(np.zeros((160, 160, 3), np.uint8))
    assert html.startswith('<img alt="What the model saw" src="data:image/jpeg;base64,/9j/')
    assert "No hand" in picture_html(None)


# ------------------------------------------------------------------------------------------------ real frames
@pytest.fixture(scope="module")
def clip():
    shared_path("rps", "subhih")
    from benchmarks.webcam_clip import make_clip
    segments = (("no hand", 0.6), ("rock", 1.0), ("paper", 1.0), ("scissors", 1.0))
    return make_clip(fps=10, segments=segments)


def test_tracking_reader_follows_the_clip(clip):
    reader = LiveReader()
    try:
        answers = [reader.read(frame, now=i / clip.fps) for i, frame in enumerate(clip.frames)]
    finally:
        reader.close()
    assert all(a is not None for a in answers)
    steady = [a.steady for a in answers]
    for gesture in ("no hand", "rock", "paper", "scissors"):
        frames = [i for i, truth in enumerate(clip.truth) if truth == gesture]
        settled = frames[3:]  # 300 ms into the segment at 10 frames/s
        assert {steady[i] for i in settled} == {gesture}, (gesture, [steady[i] for i in frames])
    assert answers[-1].throw == "scissors" and answers[-1].shown_image is not None
    assert answers[2].throw is None and answers[2].sentence == "Show your hand to the camera."


def test_a_frame_arriving_while_one_is_read_is_dropped(clip):
    reader = LiveReader()
    try:
        reader._busy.acquire()           # as if another frame were being read
        assert reader.read(clip.frames[-1]) is None
        reader._busy.release()
        assert reader.read(clip.frames[-1]) is not None
    finally:
        reader.close()


def test_pool_gives_each_visitor_a_reader_and_frees_it(clip):
    readers = LiveReaders(idle_seconds=60, capacity=2)
    try:
        first = readers.get("a")
        assert readers.get("a") is first and readers.get("b") is not first
        readers.read_frame("a", clip.frames[-1])
        assert readers.latest("a") is not None and readers.latest("b") is None
        readers.release("a")
        assert "a" not in readers and first._landmarker is None  # closed
        readers.get("c"), readers.get("d")                      # beyond capacity: the least recent goes
        assert len(readers) == 2 and "b" not in readers
        readers.idle_seconds = 0.0
        time.sleep(0.01)
        readers.get("e")                                         # idle ones go when anyone reads
        assert list(readers._readers) == ["e"]
    finally:
        readers.close_all()
    assert len(readers) == 0


def test_two_visitors_stream_at_once_without_mixing(clip):
    readers = LiveReaders()
    results = {}

    def visitor(name, frames):
        results[name] = [readers.read_frame(name, f).steady for f in frames]

    rock = [f for f, t in zip(clip.frames, clip.truth) if t == "rock"]
    paper = [f for f, t in zip(clip.frames, clip.truth) if t == "paper"]
    threads = [threading.Thread(target=visitor, args=("r", rock)), threading.Thread(target=visitor, args=("p", paper))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        readers.close_all()
    assert results["r"][-1] == "rock" and results["p"][-1] == "paper"


def test_throw_from_a_photo():
    photo = shared_path("rps", "subhih", "paper", "test__16_pic00032__33_159.jpg")
    throw, sentence = throw_from_photo(photo)
    assert throw == "paper" and sentence.startswith("Read paper")
    nothing, why = throw_from_photo(np.full((240, 320, 3), 90, np.uint8))
    assert nothing is None and "show it again" in why


def test_oversized_frames_are_scaled_down_first(clip):
    import cv2

    huge = cv2.resize(clip.frames[-1], (4000, 3000), interpolation=cv2.INTER_LINEAR)
    reader = LiveReader()
    try:
        answer = reader.read(huge)
    finally:
        reader.close()
    assert answer.probabilities is not None and max(answer.probabilities, key=answer.probabilities.get) == "scissors"
