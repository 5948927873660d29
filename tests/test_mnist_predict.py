"""The shipped digit checkpoints through the app's API: examples, blanks, real pen digits, MNIST test digits."""
from pathlib import Path

import numpy as np
import pytest
import torch

from common.checkpoint import read_card
from common.errors import UserInputError
from conftest import shared_path
from mnist.data import load_mnist_tensors, normalise
from mnist.evaluate import drawn_digit_inputs
from mnist.predict import CHECKPOINTS, DEFAULT_MODEL, MODEL_CHOICES, example_drawings, load_model, read_digit
from mnist.strokes import HELD_OUT_WRITERS, parse_pendigits, split_writers

CARD_FIELDS = {"architecture", "classes", "preprocessing", "metrics", "data", "training", "train_command", "weights"}


@pytest.mark.parametrize("name", MODEL_CHOICES)
def test_shipped_checkpoints_are_small_and_carry_a_full_card(name):
    card = read_card(CHECKPOINTS / f"mnist_{name}")
    assert CARD_FIELDS <= set(card) and card["classes"] == [str(d) for d in range(10)]
    assert card["preprocessing"]["input_size"] == 28
    # A single network says how it was trained; an average (python -m mnist.average) also says how each member was.
    trainings = card.get("member_train_commands", [card["train_command"]])
    assert len(trainings) == card.get("members", 1) and all(c.startswith("python -m mnist.train") for c in trainings)
    assert (CHECKPOINTS / f"mnist_{name}.safetensors").stat().st_size < 1_000_000
    assert load_model(name).training is False


def test_example_drawings_exist_and_are_read_as_their_digit():
    paths = example_drawings()
    assert 3 <= len(paths) <= 5
    for path in paths:
        expected = Path(path).stem[0]
        for name in MODEL_CHOICES:
            reading = read_digit({"background": None, "layers": [], "composite": path}, name)
            assert max(reading.probabilities, key=reading.probabilities.get) == expected, (path, name)


def test_reading_has_all_ten_probabilities_an_image_and_a_sentence():
    reading = read_digit(example_drawings()[0])
    assert list(reading.probabilities) == [str(d) for d in range(10)]
    assert sum(reading.probabilities.values()) == pytest.approx(1.0, abs=1e-4)
    assert reading.model_input.shape == (224, 224) and reading.model_input.dtype == np.uint8
    assert reading.model_input.max() == 255 and reading.model_input[0, 0] == 0   # white digit on black
    assert reading.message.startswith(("Looks like", "Not sure"))


def test_empty_canvas_says_draw_a_digit_without_a_guess():
    reading = read_digit({"background": None, "layers": [], "composite": np.zeros((800, 800, 4), np.uint8)})
    assert reading.probabilities is None and "draw a digit" in reading.message.lower()
    assert reading.model_input.shape == (224, 224)


def test_unknown_model_is_refused_in_words():
    with pytest.raises(UserInputError, match="cnn"):
        read_digit(example_drawings()[0], "no-such-model")


@pytest.mark.parametrize("name, style", [(name, "sketchpad") for name in MODEL_CHOICES]
                         + [("cnn", "browser"), ("cnn", "varied")])
def test_replayed_pen_digits_of_held_out_writers_are_read(name, style):
    """Transparent canvases, the browser's opaque white ones with 20-100 px brushes, and other hands."""
    digits = parse_pendigits(shared_path("digits", "pendigits", "pendigits-orig.tra"))
    _, held_out = split_writers(digits, set(HELD_OUT_WRITERS))
    sample = held_out[::len(held_out) // 200][:200]
    inputs, labels, _ = drawn_digit_inputs(sample, seed=7, style=style)
    with torch.inference_mode():
        predicted = load_model(name)(inputs).argmax(1)
    assert (predicted == labels).float().mean().item() >= 0.95


@pytest.mark.parametrize("name, floor", [("cnn", 0.99), ("lenet5", 0.985)])
def test_mnist_test_digits_are_read(name, floor):
    images, labels = load_mnist_tensors(shared_path("mnist"), splits=("test",), limit=2000)["test"]
    with torch.inference_mode():
        predicted = load_model(name)(normalise(images)).argmax(1)
    assert (predicted == labels).float().mean().item() >= floor


def test_default_model_is_one_of_the_choices():
    assert DEFAULT_MODEL == "cnn" and DEFAULT_MODEL in MODEL_CHOICES


@pytest.mark.parametrize("style", ["browser", "varied"])
def test_uji2_validation_writers_drawn_on_an_opaque_canvas_are_read(style):
    """Writers on other tablets, never trained on nor tuned on, replayed as the browser sends them: the
    shipped cnn through the app's own entry point (read_digit with a Sketchpad value)."""
    from mnist.strokes import parse_uji2, replay_set

    digits = parse_uji2(shared_path("digits", "uji2", "uji2_digits.jsonl"), "validation")[::2]   # 6 writers' worth
    correct = 0
    for label, canvas in replay_set(digits, seed=11, style=style):
        assert (canvas[:, :, 3] == 255).all()   # opaque, as Chromium sends it
        reading = read_digit({"background": None, "layers": [], "composite": canvas}, "cnn")
        correct += max(reading.probabilities, key=reading.probabilities.get) == str(label)
    assert correct / len(digits) >= 0.95, f"{correct} of {len(digits)}"
