"""What the app calls to read a drawn digit: `read_digit(sketch, model_name) -> DigitReading`.

    from mnist.predict import read_digit, example_drawings, MODEL_CHOICES, DEFAULT_MODEL
    reading = read_digit({"background": None, "layers": [], "composite": rgba_array})
    reading.probabilities   # {"0": p, ..., "9": p}, or None when nothing is drawn
    reading.model_input     # 224 x 224 uint8: the 28 x 28 the model saw, white on black, pixels enlarged
    reading.message         # "Looks like a 7 (98%)" or "Draw a digit."

Models load once per process (cached), in eval mode, from checkpoints/mnist_<name>.{safetensors,json};
a missing or corrupt file raises common.errors.ModelFileError naming the command that rebuilds it.

    python -m mnist.predict drawing.png [--model lenet5]     # read one image file
    python -m mnist.predict --time                           # median latency on an 800 x 800 canvas
"""
from __future__ import annotations

import argparse
import functools
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from common.checkpoint import load_checkpoint, read_card
from common.errors import UserInputError
from mnist.data import CLASSES
from mnist.model import build_model
from mnist.preprocess import prepare_digit

MODEL_CHOICES = ["cnn", "lenet5"]
DEFAULT_MODEL = "cnn"
CHECKPOINTS = Path(__file__).resolve().parents[1] / "checkpoints"
EXAMPLES = Path(__file__).resolve().parent / "examples"
SHOWN_SIZE = 224   # 28 x 8: each model pixel becomes an 8 x 8 block
EMPTY_MESSAGE = "Draw a digit."


@dataclass
class DigitReading:
    probabilities: dict[str, float] | None
    model_input: np.ndarray
    message: str


@functools.cache
def load_model(name: str) -> torch.nn.Module:
    if name not in MODEL_CHOICES:
        raise UserInputError(f"There is no digit model called {name!r}; choose one of {', '.join(MODEL_CHOICES)}.")
    stem = CHECKPOINTS / f"mnist_{name}"
    model = build_model(name, members=read_card(stem).get("members", 1))
    load_checkpoint(model, stem)
    return model.eval()


def enlarge(image28: np.ndarray) -> np.ndarray:
    """Nearest-neighbour enlargement so the 28 x 28 pixels stay visible as blocks."""
    factor = SHOWN_SIZE // image28.shape[0]
    return np.repeat(np.repeat(image28, factor, axis=0), factor, axis=1)


def describe(probabilities: dict[str, float]) -> str:
    best = max(probabilities, key=probabilities.get)
    confidence = probabilities[best]
    if confidence < 0.5:
        runner_up = sorted(probabilities, key=probabilities.get)[-2]
        return f"Not sure: maybe a {best} ({confidence:.0%}) or a {runner_up} ({probabilities[runner_up]:.0%})."
    return f"Looks like a {best} ({confidence:.0%})."


def read_digit(sketch, model_name: str = DEFAULT_MODEL) -> DigitReading:
    """Read the digit in a Sketchpad value (dict of composite / background / layers), array, PIL image or path."""
    model = load_model(model_name)
    prepared = prepare_digit(sketch)
    if prepared.is_empty:
        return DigitReading(None, enlarge(prepared.image), EMPTY_MESSAGE)
    with torch.inference_mode():
        probs = torch.softmax(model(prepared.tensor), dim=1)[0].tolist()
    probabilities = {label: float(p) for label, p in zip(CLASSES, probs)}
    return DigitReading(probabilities, enlarge(prepared.image), describe(probabilities))


def warm_up() -> None:
    """Load every model and run one drawing through, so the first person does not wait."""
    blank = np.zeros((64, 64, 4), np.uint8)
    blank[16:48, 30:34] = 255
    for name in MODEL_CHOICES:
        read_digit(blank, name)


def example_drawings() -> list[str]:
    """Paths of the example PNGs this project drew itself (python -m mnist.examples), named after their digit."""
    return [str(path) for path in sorted(EXAMPLES.glob("*.png"))]


def measure_latency(model_name: str, repeats: int = 50) -> float:
    """Median milliseconds of read_digit on an 800 x 800 RGBA example canvas."""
    from PIL import Image

    canvas = np.asarray(Image.open(example_drawings()[0]).convert("RGBA"))
    sketch = {"background": None, "layers": [], "composite": canvas}
    read_digit(sketch, model_name)
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        read_digit(sketch, model_name)
        times.append(time.perf_counter() - began)
    return float(np.median(times) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("images", nargs="*", help="image files to read")
    parser.add_argument("--model", choices=MODEL_CHOICES, default=DEFAULT_MODEL, help="which checkpoint")
    parser.add_argument("--time", action="store_true", help="measure latency on an 800 x 800 canvas")
    args = parser.parse_args()
    for path in args.images:
        print(path, read_digit(path, args.model).message)
    if args.time:
        for name in MODEL_CHOICES:
            print(f"{name}: {measure_latency(name):.2f} ms median per 800 x 800 drawing "
                  f"(torch threads: {torch.get_num_threads()})")


if __name__ == "__main__":
    main()
