"""Rock/paper/scissors for the app: one call from an uploaded/webcam image to probabilities and a picture.

    from rps.predict import MODEL_CHOICES, DEFAULT_MODEL, classify_hand
    reading = classify_hand("photo.jpg", mask=True, model_name=DEFAULT_MODEL)
    reading.probabilities   # {"rock": .., "paper": .., "scissors": ..}
    reading.shown_image     # RGB uint8: what the model saw (the masked crop when mask=True), landmarks drawn
    reading.message         # "1 hand found", "No hand found: using the whole image", ...

Models and the hand landmarker are loaded on first use, once, behind a lock (Gradio calls from threads).
`python -m rps.predict IMAGE... [--model NAME] [--no-mask]` prints readings for some files.
"""
from __future__ import annotations

import argparse
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from common.checkpoint import load_checkpoint
from common.errors import UserInputError
from common.images import flatten_alpha, open_image
from rps.data import CLASSES
from rps.hands import HandSearch, find_hands_or_retry
from rps.landmarks import landmark_features, looks_like_l
from rps.masking import mask_hand, plain_view
from rps.model import build_model, image_batch

ROOT = Path(__file__).resolve().parents[1]
CHECKPOINTS = Path(os.environ.get("RPS_CHECKPOINTS", ROOT / "checkpoints"))

MODEL_CHOICES = ["ensemble", "landmarks", "efficientnet_lite0", "lenet"]
DEFAULT_MODEL = "ensemble"
# The ensemble: mean of these members' probabilities (members without an input, e.g. landmarks when no hand
# is found, are left out). Measured on SubhiH: landmarks + EfficientNet 0.983; adding LeNet 0.981; 2:1 weights 0.977.
ENSEMBLE = ["landmarks", "efficientnet_lite0"]


@dataclass
class HandReading:
    probabilities: dict[str, float]
    shown_image: np.ndarray
    message: str


_lock = threading.Lock()
_models: dict[str, tuple[torch.nn.Module, dict]] = {}


def get_model(name: str) -> tuple[torch.nn.Module, dict]:
    """(model in eval mode, its card), loaded from checkpoints/rps_<name> once (sha256-checked)."""
    with _lock:
        if name not in _models:
            model = build_model(name)
            card = load_checkpoint(model, CHECKPOINTS / f"rps_{name}")
            _models[name] = (model, card)
        return _models[name]


@torch.no_grad()
def _probabilities(name: str, crop: np.ndarray, points: np.ndarray | None) -> np.ndarray | None:
    model, card = get_model(name)
    if name == "landmarks":
        if points is None:
            return None
        x = torch.from_numpy(landmark_features(points))[None]
    else:
        x = image_batch([crop], card["preprocessing"])
    return torch.softmax(model(x), 1)[0].numpy()


def classify_hand(image, mask: bool = True, model_name: str = DEFAULT_MODEL) -> HandReading:
    """Classify the (larger) hand in `image` (file path, PIL image or numpy array)."""
    check_model_name(model_name)
    rgb = np.asarray(flatten_alpha(open_image(image)))
    return read_hand(rgb, find_hands_or_retry(rgb), mask=mask, model_name=model_name)


def check_model_name(model_name: str) -> None:
    if model_name not in MODEL_CHOICES:
        raise UserInputError(f"Unknown model {model_name!r}. Choose one of: {', '.join(MODEL_CHOICES)}.")


def read_hand(rgb: np.ndarray, search: HandSearch, mask: bool = True, model_name: str = DEFAULT_MODEL) -> HandReading:
    """Classify the largest hand of `search` (hands found in `rgb` by any landmarker: IMAGE or VIDEO mode)."""
    check_model_name(model_name)
    hand = search.hands[0] if search.hands else None
    view = mask_hand(rgb, hand) if mask else plain_view(rgb, hand=hand)
    points = hand.points if hand is not None else None
    if hand is None:
        message = view.message if mask else "No hand found: using the whole image"
    else:
        message = search.message if mask else f"{search.message} (masking off: the whole image)"

    members = ENSEMBLE if model_name == "ensemble" else [model_name]
    if model_name == "ensemble" and points is not None and looks_like_l(points):
        # The image models were never shown the thumb + index "L" scissors; the landmarks model was.
        members = ["landmarks"]
        message += "; thumb + index \"L\" shape: the landmarks model decides"
    results = {name: _probabilities(name, view.crop, points) for name in members}
    used = [p for p in results.values() if p is not None]
    if not used:  # the landmarks model alone, and no hand: the image model answers instead
        used = [_probabilities("efficientnet_lite0", view.crop, points)]
        message += "; the landmarks model needs a hand, so EfficientNet-Lite0 answered"
    probs = np.mean(used, axis=0)
    return HandReading({name: float(p) for name, p in zip(CLASSES, probs)}, view.shown, message)


def warm_up() -> None:
    """Load the landmarker and every model and run one frame through, so the first person does not wait."""
    frame = np.full((240, 320, 3), 127, np.uint8)
    for name in MODEL_CHOICES:
        classify_hand(frame, mask=True, model_name=name)


def main() -> None:
    parser = argparse.ArgumentParser(description="Classify rock/paper/scissors in image files.")
    parser.add_argument("images", nargs="+", help="image files")
    parser.add_argument("--model", default=DEFAULT_MODEL, choices=MODEL_CHOICES)
    parser.add_argument("--no-mask", action="store_true", help="do not mask the background")
    args = parser.parse_args()
    for path in args.images:
        reading = classify_hand(path, mask=not args.no_mask, model_name=args.model)
        best = max(reading.probabilities, key=reading.probabilities.get)
        print(f"{path}: {best} {reading.probabilities[best]:.2f} ({reading.message})")


if __name__ == "__main__":
    main()
