"""Rock/paper/scissors for the app: one call from an uploaded/webcam image to probabilities and a picture.

    from rps.predict import MODEL_CHOICES, DEFAULT_MODEL, classify_hand
    reading = classify_hand("photo.jpg", mask=True, model_name=DEFAULT_MODEL)
    reading.probabilities   # {"rock": .., "paper": .., "scissors": ..}, temperature-scaled (rps.calibrate)
    reading.label           # "rock" / "paper" / "scissors", or None when there is no hand
    reading.sure            # False below the model's "not sure" threshold
    reading.outcome         # what the page shows: a gesture, "not sure" or "no hand"
    reading.shown_image     # RGB uint8: what the model saw (the masked crop when mask=True), landmarks drawn
    reading.message         # "1 hand found", "No hand found: ...", "...; not sure (best guess: rock, 48%)"

Hands: rps.hands.find_hands_twice (MediaPipe, its retries, MediaPipe's landmark network alone when no framing
shows the palm detector a palm, and a second look at a smoothed copy).
No hand: that search finds none (the landmark network's own presence score says so). The temperatures and "not
sure" thresholds come from checkpoints/rps_calibration.json; without that file: no scaling, always sure.

Models and the hand landmarker are loaded on first use, once, behind a lock (Gradio calls from threads).
`python -m rps.predict IMAGE... [--model NAME] [--no-mask]` prints readings for some files.
"""
from __future__ import annotations

import argparse
import json
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
from rps.hands import HandSearch, find_hands_twice
from rps.landmarks import landmark_features
from rps.masking import mask_hand, plain_view
from rps.model import build_model, image_batch

ROOT = Path(__file__).resolve().parents[1]
CHECKPOINTS = Path(os.environ.get("RPS_CHECKPOINTS", ROOT / "checkpoints"))

MODEL_CHOICES = ["ensemble", "landmarks", "efficientnet_lite0", "lenet"]
DEFAULT_MODEL = "ensemble"
# The ensemble: mean of these members' probabilities (members without an input, e.g. landmarks when no hand
# is found, are left out). Measured on SubhiH: landmarks + EfficientNet 0.983; adding LeNet 0.981; 2:1 weights 0.977.
ENSEMBLE = ["landmarks", "efficientnet_lite0"]
# The image models also read each crop mirrored left to right and average the two answers (test-time
# augmentation). They learned mirrored hands, so a hand reads alike both ways; a collar or a cat's face often does
# not: 4 of the 202 real no-hand photos are named a gesture instead of 5, the validation people read 0.991 / 0.933
# instead of 0.992 / 0.943 (docs/rps_real_people.md). Costs 5-10 ms a photo.
READ_MIRROR_TOO = True


NO_HAND = "no hand"
NOT_SURE = "not sure"


@dataclass
class HandReading:
    probabilities: dict[str, float]  # calibrated (temperature-scaled); still the model's guess when unsure / no hand
    shown_image: np.ndarray
    message: str
    label: str | None = None         # the gesture named, or None when there is no hand
    sure: bool = True                # False: the calibrated confidence is below the model's "not sure" threshold
    hand_found: bool = True          # the hand search found a hand

    @property
    def outcome(self) -> str:
        """What the page shows: "rock" / "paper" / "scissors", "not sure" or "no hand"."""
        if self.label is None:
            return NO_HAND
        return self.label if self.sure else NOT_SURE


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
def member_probabilities(name: str, crops: list[np.ndarray], points: list[np.ndarray | None],
                         second_looks: list[np.ndarray | None] | None = None) -> np.ndarray:
    """One member model's softmax for a batch: N x 3, NaN rows where it has no input (landmarks, no hand).
    The landmarks model averages its answers on both looks at a hand where there is a second (HandSearch)."""
    model, card = get_model(name)
    out = np.full((len(crops), len(CLASSES)), np.nan, np.float32)
    if name == "landmarks":
        out = landmark_probabilities(model, points)
        if second_looks is not None:
            again = landmark_probabilities(model, second_looks)
            out = np.where(np.isnan(again), out, np.where(np.isnan(out), again, (out + again) / 2))
        return out
    for start in range(0, len(crops), 64):
        x = image_batch(list(crops[start:start + 64]), card["preprocessing"])
        if READ_MIRROR_TOO:   # one batch of both views: cheaper than two passes
            both = torch.softmax(model(torch.cat([x, x.flip(3)])), 1).numpy()
            out[start:start + 64] = (both[:len(x)] + both[len(x):]) / 2
        else:
            out[start:start + 64] = torch.softmax(model(x), 1).numpy()
    return out


@torch.no_grad()
def landmark_probabilities(model: torch.nn.Module, points: list[np.ndarray | None]) -> np.ndarray:
    """The landmarks model's softmax for each hand's landmarks: N x 3, NaN rows where there is no hand."""
    out = np.full((len(points), len(CLASSES)), np.nan, np.float32)
    index = [i for i, p in enumerate(points) if p is not None]
    if index:
        x = torch.from_numpy(np.stack([landmark_features(points[i]) for i in index]))
        out[index] = torch.softmax(model(x), 1).numpy()
    return out


@torch.no_grad()
def image_embedding(crops: list[np.ndarray]) -> np.ndarray:
    """EfficientNet-Lite0's pooled 1280 features (before its classifier) of masked or fallback crops: N x 1280."""
    model, card = get_model("efficientnet_lite0")
    out = []
    for start in range(0, len(crops), 64):
        x = image_batch(list(crops[start:start + 64]), card["preprocessing"])
        out.append(model.forward_head(model.forward_features(x), pre_logits=True).numpy())
    return np.concatenate(out)


_calibration: dict | None = None


def use_checkpoints(folder: str | Path) -> None:
    """Load models and calibration from `folder` from now on (benchmarks comparing shipped and candidate weights)."""
    global CHECKPOINTS, _calibration
    with _lock:
        CHECKPOINTS = Path(folder)
        _models.clear()
        _calibration = None


def calibration() -> dict:
    """checkpoints/rps_calibration.json (written by `python -m rps.calibrate`): per model a temperature and
    the "not sure" threshold. Without it: no scaling, always sure."""
    global _calibration
    if _calibration is None:
        path = CHECKPOINTS / "rps_calibration.json"
        _calibration = json.loads(path.read_text()) if path.exists() else {"models": {}}
    return _calibration


def calibrated(model_name: str, probs: np.ndarray, temperature: float | None = None) -> np.ndarray:
    """Temperature scaling of an N x 3 answer: softmax(log p / T). T > 1 softens an over-confident model."""
    if temperature is None:
        temperature = calibration()["models"].get(model_name, {}).get("temperature", 1.0)
    logits = np.log(np.clip(probs, 1e-7, 1.0)) / temperature
    logits -= logits.max(1, keepdims=True)
    out = np.exp(logits)
    return out / out.sum(1, keepdims=True)


def not_sure_below(model_name: str) -> float:
    return calibration()["models"].get(model_name, {}).get("not_sure_below", 0.0)


def members_of(model_name: str) -> list[str]:
    return ENSEMBLE if model_name == "ensemble" else [model_name]


def combine(model_name: str, member_probs: dict[str, np.ndarray]) -> np.ndarray:
    """The answer of `model_name` (N x 3) from its members' probabilities, as the app computes it.

    Members without an input (landmarks, no hand) are left out of the mean; the landmarks model alone
    without a hand defers to EfficientNet-Lite0 (which must then be in `member_probs`).
    """
    stacked = np.stack([member_probs[name] for name in members_of(model_name)])
    probs = np.nanmean(np.where(np.isnan(stacked), np.nan, stacked), axis=0) if len(stacked) > 1 else stacked[0]
    missing = np.isnan(probs).any(1)
    if missing.any():
        probs = np.where(missing[:, None], member_probs["efficientnet_lite0"], probs)
    return probs


def classify_hand(image, mask: bool = True, model_name: str = DEFAULT_MODEL) -> HandReading:
    """Classify the (larger) hand in `image` (file path, PIL image or numpy array)."""
    check_model_name(model_name)
    rgb = np.asarray(flatten_alpha(open_image(image)))
    return read_hand(rgb, find_hands_twice(rgb), mask=mask, model_name=model_name)


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

    needed = set(members_of(model_name))
    if points is None and "landmarks" in needed:
        needed.add("efficientnet_lite0")
        if model_name == "landmarks":
            message += "; the landmarks model needs a hand, so EfficientNet-Lite0 answered"
    member_probs = {name: member_probabilities(name, [view.crop], [points], [search.second_look])
                    for name in sorted(needed)}
    probs = combine(model_name, member_probs)
    probs = calibrated(model_name, probs)[0]
    best = CLASSES[int(np.argmax(probs))]
    sure = bool(probs.max() >= not_sure_below(model_name))
    label: str | None = best
    if hand is None:
        label, sure = None, False
        message = "No hand found: show your whole hand, a little further from the camera, in good light"
    if label is not None and not sure:
        message += f"; not sure (best guess: {best}, {probs.max():.0%})"
    return HandReading({name: float(p) for name, p in zip(CLASSES, probs)}, view.shown, message,
                       label=label, sure=sure, hand_found=hand is not None)


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
