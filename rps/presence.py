"""Is there a hand at all? A second opinion for when MediaPipe finds none.

MediaPipe misses some real hands (very close to the camera, cut by the frame, dark, heavily compressed);
on those the image model still reads the skin-coloured blob well. But a picture with no hand (a blank
frame, an empty room) must get "no hand", not a gesture. The image model's confidence does not tell the two
apart (measured: a 0.7 threshold keeps 25 % of missed hands and lets 22 % of empty pictures through), so a
logistic regression on EfficientNet-Lite0's 1280-float embedding of the fallback crop decides.

It is fitted on training-side pictures only: drgfreeman hands composited on procedural rooms (some seen
close up or cut by the frame, blurred, dark, JPEG'd) against procedural rooms, blank frames and noise without
a hand and the same composited hands painted out again (the arm left), all seen through `rps.masking.fallback_view` as the app sees them. Its threshold is chosen on the
SubhiH-derived validation pictures (`python -m rps.calibrate`).

    python -m rps.presence --threads 1      # -> checkpoints/rps_presence.{safetensors,json}
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from common.checkpoint import save_checkpoint
from rps.augment import background, close_up, composited_sample, jpeg_artefacts, low_light, motion_blur
from rps.masking import CROP_SIDE, fallback_view
from rps.model import PresenceHead

ROOT = Path(__file__).resolve().parents[1]
EMBEDDING = 1280


def camera_effects(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    roll = rng.random()
    if roll < 0.15:
        return motion_blur(rgb, rng, 0.14)
    if roll < 0.3:
        return jpeg_artefacts(low_light(rgb, rng), rng, 50, 80)
    if roll < 0.45:
        return jpeg_artefacts(rgb, rng, 5, 20)
    return rgb


def hand_pictures(images, masks, points, count: int, rng) -> list[np.ndarray]:
    out = []
    for _ in range(count):
        i = rng.integers(len(images))
        picture, _, mask = composited_sample(images[i], rng, points[i], masks[i])
        if rng.random() < 0.5:
            picture = close_up(picture, mask, rng)
        out.append(fallback_view(camera_effects(picture, rng), CROP_SIDE).crop)
    return out


def hand_painted_out(rgb: np.ndarray, mask: np.ndarray, points: np.ndarray, rng) -> np.ndarray:
    """A composited hand removed again (inpainted over its landmark mask), the arm left: skin, but no hand."""
    from rps.masking import landmark_mask, palm_length

    hand = landmark_mask(points, rgb.shape)
    grow = max(3, round(rng.uniform(0.2, 0.5) * palm_length(points)))
    hand = cv2.dilate(hand, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    small = 320 / max(rgb.shape[:2])  # inpainting is slow on big pictures
    size = (round(rgb.shape[1] * small), round(rgb.shape[0] * small))
    return cv2.inpaint(cv2.resize(rgb, size), cv2.resize(hand, size, interpolation=cv2.INTER_NEAREST), 5,
                       cv2.INPAINT_TELEA)


def empty_pictures(count: int, rng, images=(), masks=(), points=()) -> list[np.ndarray]:
    out = []
    for k in range(count):
        height, width = int(rng.integers(200, 480)), int(rng.integers(200, 640))
        if len(images) and k % 3 == 2:
            i = rng.integers(len(images))
            picture, moved, mask = composited_sample(images[i], rng, points[i], masks[i])
            picture = hand_painted_out(picture, mask, moved, rng)
        elif k % 6 == 0:
            picture = np.full((height, width, 3), rng.integers(0, 256, 3), np.uint8)
        elif k % 6 == 1:
            picture = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        else:
            picture = background(rng, height, width)
        out.append(fallback_view(camera_effects(picture, rng), CROP_SIDE).crop)
    return out


def embeddings(crops: list[np.ndarray]) -> torch.Tensor:
    from rps.predict import image_embedding

    return torch.from_numpy(image_embedding(crops))


def fit_head(features: torch.Tensor, targets: torch.Tensor, weight_decay: float = 1e-3) -> PresenceHead:
    head = PresenceHead(features.shape[1])
    optimizer = torch.optim.LBFGS(head.parameters(), max_iter=200, line_search_fn="strong_wolfe")
    loss_fn = nn.BCEWithLogitsLoss()

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(head(features), targets) + weight_decay * head.linear.weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return head


def train(count: int = 1200, seed: int = 0) -> dict:
    from rps.augment import chroma_mask
    from rps.cache import DEFAULT_CACHE, load_cache
    from rps.train import read_rgb

    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    train_cache = load_cache(DEFAULT_CACHE)["train"]
    index = rng.permutation(np.flatnonzero(train_cache["found"]))[:400]
    images = [read_rgb(str(train_cache["paths"][i])) for i in index]
    masks = [chroma_mask(rgb) for rgb in images]
    points = [train_cache["points"][i] for i in index]
    crops = hand_pictures(images, masks, points, count, rng) + empty_pictures(count, rng, images, masks, points)
    targets = torch.tensor([1.0] * count + [0.0] * count)
    features = embeddings(crops)
    head = fit_head(features, targets)
    with torch.no_grad():
        train_accuracy = float(((head(features) > 0).float() == targets).float().mean())
    seconds = time.perf_counter() - began
    from rps.predict import CHECKPOINTS

    lite0_card = __import__("json").loads((CHECKPOINTS / "rps_efficientnet_lite0.json").read_text())
    card = {
        "name": "rps_presence",
        "architecture": "logistic regression (rps.presence.PresenceHead) on EfficientNet-Lite0's 1280 pooled features",
        "embedding_of": {"model": "rps_efficientnet_lite0", "sha256": lite0_card["weights"]["sha256"]},
        "used": "only when MediaPipe finds no hand: below the threshold the answer is 'no hand'",
        "threshold": 0.5,
        "metrics": {"train_accuracy": round(train_accuracy, 4), "train_pictures": 2 * count},
        "data": {"hands": f"{count} drgfreeman hands (400 photos) composited on procedural rooms, half zoomed in, "
                          "some blurred / dark / JPEG'd, through rps.masking.fallback_view",
                 "no hand": f"{count} pictures: procedural rooms, blank frames, noise, and (a third) composited "
                            "drgfreeman hands painted out again (cv2.inpaint, the arm left), the same camera effects"},
        "seed": seed,
        "train_command": f"python -m rps.presence --count {count} --seed {seed}",
        "training_seconds": round(seconds),
    }
    save_checkpoint(head, CHECKPOINTS / "rps_presence", card, half=False)
    print(f"presence head: train accuracy {train_accuracy:.4f}, {seconds:.0f}s")
    return card


def main() -> None:
    parser = argparse.ArgumentParser(description="Fit the hand-presence head (see the module docstring).")
    parser.add_argument("--count", type=int, default=1200, help="pictures of each kind")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train(args.count, args.seed)


if __name__ == "__main__":
    main()
