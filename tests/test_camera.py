"""The camera's server side (ui/camera.py) and its shipped MediaPipe web files (ui/static/mediapipe/).

    python -m pytest tests/test_camera.py

The landmarks the page sends must reach the landmarks model exactly as the Python MediaPipe path gives them;
the browser half of that check is tests/test_browser_live.py::test_browser_landmarks_read_like_the_python_path.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from ui import camera, mediapipe_web
from rps.hands import Hand, hands_from_result

from conftest import ROOT, shared_path


def test_shipped_mediapipe_files_match_their_sha256():
    assert set(mediapipe_web.expected_sums()) == set(mediapipe_web.FILES)
    assert mediapipe_web.mismatches() == []


def test_mediapipe_files_are_credited_with_their_licence():
    folder = mediapipe_web.FOLDER
    assert "Apache License" in (folder / "LICENSE").read_text()[:200]
    assert "@mediapipe/tasks-vision" in (folder / "README.md").read_text()


def test_the_page_fetches_nothing_from_elsewhere():
    script = (ROOT / "ui" / "static" / "camera.js").read_text()
    assert not re.search(r"https?://", script), "camera.js must load MediaPipe from the app's own server"


class _Point:
    def __init__(self, x, y, z):
        self.x, self.y, self.z = x, y, z


class _Category:
    category_name, score = "Right", 0.9


class _Result:
    def __init__(self, points):
        self.hand_landmarks = [[_Point(*p) for p in points]]
        self.handedness = [[_Category()]]


def test_page_landmarks_are_scaled_as_the_python_path_scales_them():
    normalised = np.random.default_rng(0).uniform(0, 1, (21, 3)).round(4)
    _, points = camera.points_from_payload({"camera": "c", "size": [640, 480], "hand": normalised.tolist()})
    (hand,) = hands_from_result(_Result(normalised), (480, 640, 3), 1.0)
    assert isinstance(hand, Hand)
    np.testing.assert_allclose(points, hand.points, rtol=1e-5)


@pytest.mark.parametrize("payload", [None, "x", {}, {"camera": ""}, {"camera": "c", "hand": [[1, 2]]},
                                     {"camera": "c", "size": [640, 480], "hand": [[float("nan")] * 3] * 21},
                                     {"camera": "c", "size": [0, 480], "hand": [[0.5] * 3] * 21},
                                     {"camera": "c", "size": "big", "hand": [[0.5] * 3] * 21}])
def test_messages_the_server_cannot_read_get_words_not_tracebacks(payload):
    answer = camera.read_landmarks(payload)
    assert set(answer) == {"error"} and "camera" in answer["error"]


def test_no_hand_then_a_held_hand_from_real_landmarks():
    from common.images import flatten_alpha, open_image
    from rps.hands import find_hands

    photo = shared_path("rps", "subhih", "paper", "test__16_pic00032__33_159.jpg")
    rgb = np.asarray(flatten_alpha(open_image(photo)))
    (hand, *_) = find_hands(rgb).hands
    height, width = rgb.shape[:2]
    message = {"camera": "test-held", "size": [width, height],
               "hand": (hand.points / [width, height, width]).tolist()}
    assert camera.read_landmarks({"camera": "test-held", "hand": None})["held"] is None   # one frame: deciding
    assert camera.read_landmarks({"camera": "test-held", "hand": None})["held"] == "no hand"
    answers = [camera.read_landmarks(message) for _ in range(4)]
    assert answers[-1]["held"] == "paper" and answers[-1]["sentence"] == "Paper, held."
    assert max(answers[-1]["frame"], key=answers[-1]["frame"].get) == "paper"
    assert camera.held_answer("test-held", fresh_seconds=5).throw == "paper"
    assert camera.held_answer("someone else", fresh_seconds=5) is None


def test_frames_from_the_page_are_decoded_and_checked():
    import base64

    import cv2

    ok, jpeg = cv2.imencode(".jpg", np.zeros((48, 64, 3), np.uint8))
    url = "data:image/jpeg;base64," + base64.b64encode(jpeg.tobytes()).decode()
    (frame,) = camera.frames_from_page(url, limit=1)
    assert frame.shape == (48, 64, 3)
    assert len(camera.frames_from_page([url] * 5, limit=3)) == 3
    from common.errors import UserInputError
    with pytest.raises(UserInputError):
        camera.frames_from_page(["not a picture"], limit=1)


def test_the_stability_window_counts_the_page_frame_times_not_arrival_times():
    from rps.live import HeldGestures

    held = HeldGestures()
    # Three "no hand" frames seen 100 ms apart but arriving at once: held, as frames 100 ms apart are.
    answers = [held.update("late", None, now=5.0, frame_time=t) for t in (1.0, 1.1, 1.2)]
    assert answers[-1].steady == "no hand"
    # A frame time from the past (an overtaken message) does not move the window backwards.
    assert held.update("late", None, now=5.1, frame_time=0.0).steady == "no hand"
    assert camera.frame_time({"t": "12.5"}) == 0.0125 and camera.frame_time({"t": "nan"}) is None
    assert camera.frame_time({}) is None
