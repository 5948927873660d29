"""The live camera's server side (rps/live.py): the stability filter, held gestures from a real clip's landmarks,
the per-camera store."""
from __future__ import annotations

import numpy as np
import pytest

from rps.live import NO_HAND, NOT_SURE, HeldGestures, StabilityFilter, throw_from_photo

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


def test_at_ten_frames_a_second_a_new_gesture_is_held_at_its_second_frame():
    stability = StabilityFilter()
    answers = feed(stability, [probs("rock")] * 10 + [probs("paper")] * 5, fps=10)
    assert answers[10] == "rock" and answers[11:] == ["paper"] * 4


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


# ------------------------------------------------------------------------------------------------ real frames
@pytest.fixture(scope="module")
def clip():
    shared_path("rps", "subhih")
    from benchmarks.webcam_clip import make_clip
    segments = (("no hand", 0.6), ("rock", 1.0), ("paper", 1.0), ("scissors", 1.0))
    return make_clip(fps=10, segments=segments)


def clip_landmarks(clip) -> list:
    """Each frame's hand landmarks (pixels) as MediaPipe's VIDEO mode tracks them, or None: what the page sends."""
    import mediapipe as mp

    from rps.hands import create_landmarker, hands_from_result, load_model_bytes

    landmarker = create_landmarker(load_model_bytes()[0], video=True, num_hands=1)
    out = []
    try:
        for i, frame in enumerate(clip.frames):
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame))
            hands = hands_from_result(landmarker.detect_for_video(image, round(i * 1000 / clip.fps)), frame.shape, 1.0)
            out.append(hands[0].points if hands else None)
    finally:
        landmarker.close()
    return out


def test_held_gestures_follow_the_clip(clip):
    held = HeldGestures()
    answers = [held.update("cam", points, now=i / clip.fps) for i, points in enumerate(clip_landmarks(clip))]
    steady = [a.steady for a in answers]
    for gesture in ("no hand", "rock", "paper", "scissors"):
        frames = [i for i, truth in enumerate(clip.truth) if truth == gesture]
        settled = frames[3:]  # 300 ms into the segment at 10 frames/s
        assert {steady[i] for i in settled} == {gesture}, (gesture, [steady[i] for i in frames])
    assert answers[-1].throw == "scissors" and held.latest("cam") is answers[-1]
    assert answers[2].throw is None and answers[2].sentence == "Show your hand to the camera."


def test_two_cameras_do_not_mix_and_old_ones_are_forgotten(clip):
    points = clip_landmarks(clip)
    rock = [p for p, t in zip(points, clip.truth) if t == "rock"]
    paper = [p for p, t in zip(points, clip.truth) if t == "paper"]
    held = HeldGestures(idle_seconds=60, capacity=2)
    for i, (r, p) in enumerate(zip(rock, paper)):
        held.update("r", r, now=i / 10)
        held.update("p", p, now=i / 10)
    assert held.latest("r").throw == "rock" and held.latest("p").throw == "paper"
    held.update("third", None, now=1.0)                 # beyond capacity: the least recently used goes
    assert len(held) == 2 and held.latest("r") is None
    held.update("much later", None, now=1000.0)         # idle ones go when anyone sends
    assert len(held) == 1 and held.latest("much later") is not None
    held.forget("much later")
    assert len(held) == 0


def test_throw_from_a_photo():
    photo = shared_path("rps", "subhih", "paper", "test__16_pic00032__33_159.jpg")
    throw, sentence = throw_from_photo(photo)
    assert throw == "paper" and sentence.startswith("Read paper")
    nothing, why = throw_from_photo(np.full((240, 320, 3), 90, np.uint8))
    assert nothing is None and "show it again" in why
