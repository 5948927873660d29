"""The app's entry point (rps.predict.classify_hand) on real photos of people in rooms, and its errors."""
import numpy as np
import pytest

from common.errors import UserInputError
from conftest import shared_path
from rps.predict import DEFAULT_MODEL, MODEL_CHOICES, classify_hand

# A few SubhiH photos per class (the validation set; none of them was trained on).
PICKS = {"rock": [0, 40, 90], "paper": [0, 40, 90], "scissors": [0, 40, 90]}


def photos():
    root = shared_path("rps", "subhih")
    for label, indexes in PICKS.items():
        files = sorted((root / label).glob("*.jpg"))
        for index in indexes:
            yield files[index], label


def test_real_photos_are_classified_right():
    wrong = []
    for path, label in photos():
        reading = classify_hand(path)
        assert set(reading.probabilities) == {"rock", "paper", "scissors"}
        assert abs(sum(reading.probabilities.values()) - 1) < 1e-4
        best = max(reading.probabilities, key=reading.probabilities.get)
        if best != label:
            wrong.append((path.name, label, best))
    assert len(wrong) <= 1, wrong


@pytest.mark.parametrize("model_name", MODEL_CHOICES)
def test_every_model_answers_and_masking_changes_the_shown_image(model_name):
    path, _ = next(photos())
    masked = classify_hand(str(path), mask=True, model_name=model_name)
    plain = classify_hand(str(path), mask=False, model_name=model_name)
    assert masked.shown_image.dtype == np.uint8 and masked.shown_image.ndim == 3
    assert masked.shown_image.shape != plain.shown_image.shape or \
        np.abs(masked.shown_image.astype(int) - plain.shown_image.astype(int)).mean() > 5
    assert "hand" in masked.message


@pytest.mark.parametrize("value", [0, 90, 255])
def test_a_blank_frame_is_no_hand_not_a_gesture(value):
    reading = classify_hand(np.full((240, 320, 3), value, np.uint8), model_name=DEFAULT_MODEL)
    assert reading.message.startswith("No hand found")
    assert reading.label is None and reading.outcome == "no hand" and not reading.hand_found
    assert set(reading.probabilities) == {"rock", "paper", "scissors"}


def test_real_photos_get_a_sure_answer_with_calibrated_probabilities():
    readings = [classify_hand(path) for path, _ in photos()]
    assert all(r.label in ("rock", "paper", "scissors") and r.hand_found for r in readings)
    assert sum(r.sure for r in readings) >= len(readings) - 1
    for reading in readings:
        assert reading.outcome == (reading.label if reading.sure else "not sure")
        assert abs(sum(reading.probabilities.values()) - 1) < 1e-4


def test_user_errors():
    with pytest.raises(UserInputError, match="Unknown model"):
        classify_hand(np.zeros((10, 10, 3), np.uint8), model_name="vgg16")
    with pytest.raises(UserInputError):
        classify_hand(b"not an image")
