"""MediaPipe hand finding (rps.hands): a real hand is found, a corrupted model file is refused;
and the masking toggle changes what the model sees (rps.masking)."""
import numpy as np
import pytest

from common.errors import ModelFileError
from common.images import flatten_alpha, open_image
from conftest import shared_path
from rps import hands
from rps.masking import CROP_SIDE, GREEN, mask_hand, plain_view


def first_image(folder):
    return sorted(folder.glob("*.jpg"))[0]


def test_finds_a_hand_on_a_real_photo():
    path = first_image(shared_path("rps", "subhih", "paper"))
    rgb = np.asarray(flatten_alpha(open_image(path)))
    found = hands.find_hands_or_retry(rgb)
    assert found.hands, "no hand found in a clear photo of an open hand"
    points = found.hands[0].points
    assert points.shape == (21, 3)
    assert (points[:, 0] > -0.2 * rgb.shape[1]).all() and (points[:, 0] < 1.2 * rgb.shape[1]).all()


def test_corrupted_model_file_is_refused(tmp_path, monkeypatch):
    good, _ = hands.load_model_bytes()
    broken = tmp_path / "hand_landmarker.task"
    broken.write_bytes(good[:-100] + b"x" * 100)
    monkeypatch.setenv("HAND_LANDMARKER_PATH", str(broken))
    with pytest.raises(ModelFileError, match="sha256"):
        hands.load_model_bytes()
    monkeypatch.setenv("HAND_LANDMARKER_PATH", str(tmp_path / "missing.task"))
    with pytest.raises(ModelFileError, match="does not exist"):
        hands.load_model_bytes()


def test_shipped_model_file_is_used_and_verified(monkeypatch):
    monkeypatch.delenv("HAND_LANDMARKER_PATH", raising=False)
    data, where = hands.load_model_bytes()
    assert hands.sha256_of_bytes(data) == hands.MODEL_SHA256
    assert where == str(hands.shipped_model_path()) and where.endswith("checkpoints/hand_landmarker.task")
    import json
    card = json.loads(hands.shipped_model_path().with_suffix(".json").read_text())
    assert card["weights"]["sha256"] == hands.MODEL_SHA256 and card["licence"] == "Apache-2.0"


def test_masking_toggle_changes_the_shown_image():
    path = first_image(shared_path("rps", "subhih", "rock"))
    rgb = np.asarray(flatten_alpha(open_image(path)))
    hand = hands.find_hands_or_retry(rgb).hands[0]
    masked, plain = mask_hand(rgb, hand), plain_view(rgb, hand=hand)
    assert masked.crop.shape == plain.crop.shape == (CROP_SIDE, CROP_SIDE, 3)
    assert np.abs(masked.shown.astype(int) - plain.shown.astype(int)).mean() > 10
    assert (masked.crop[0, 0] == GREEN).all()  # a corner is background, now chroma green


def test_no_hand_falls_back_and_says_so():
    grey = np.full((240, 320, 3), 128, np.uint8)
    view = mask_hand(grey, None)
    assert view.message.startswith("No hand found") and view.crop.shape == (CROP_SIDE, CROP_SIDE, 3)
    assert hands.find_hands(grey).hands == []


def test_a_hand_is_seen_again_where_its_landmarks_lie():
    # rps.landmark_net.seen_again: the landmark network looks where the landmarks say the hand is (MediaPipe's
    # tracking square, the hand turned upright). A real hand is there; the same landmarks over a blank wall are not.
    from rps.landmark_net import INPUT_SIDE, seen_again, tracking_square

    rgb = np.asarray(flatten_alpha(open_image(first_image(shared_path("rps", "subhih", "paper")))))
    points = hands.find_hands_or_retry(rgb).hands[0].points
    square = tracking_square(rgb, points)
    assert square.shape == (INPUT_SIDE, INPUT_SIDE, 3)
    assert seen_again(rgb, points)
    assert not seen_again(np.full_like(rgb, 128), points)
