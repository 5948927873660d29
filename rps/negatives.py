"""Crops of things that are not hands, made the way the app crops a hand, for outlier exposure: the image model
learns to give the uniform answer (no gesture more likely than another) on them (`python -m rps.train --negatives`).

    python -m rps.people fetch          # once: the sample-photo wheels (rps.people)
    python -m rps.negatives             # -> runs/rps_negatives.npz (~1 min)

Where a hand is wrongly found (an ear, a collar), the app masks the crop with the landmarks MediaPipe drew there. These
crops are made the same way: MediaPipe's landmark network (rps.landmark_net) draws its hand over a random square of a
sample photo without a hand, and rps.masking.mask_hand masks the photo with those landmarks. The photos are the
sample photos of `SOURCES`, which count as training material (rps.people.no_hand_role); the others (Grace Hopper, the
cat, the temple, the flower) stay tune photos, never trained on.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "runs" / "rps_negatives.npz"
# The sample photos (their credits begin so) the negatives are made from.
SOURCES = ("astronaut", "cameraman", "coffee cup", "DSCOVR launch", "brick wall", "grass", "gravel")


def drawn_landmarks(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The 21 landmarks MediaPipe's landmark network draws over a random square of `rgb` (15-60 % of its shorter
    side, turned up to 30 degrees), in `rgb`'s pixels."""
    from rps.landmark_net import read_square, square_around, square_to_picture

    height, width = rgb.shape[:2]
    side = rng.uniform(0.15, 0.6) * min(height, width)
    centre = (rng.uniform(side / 2, width - side / 2), rng.uniform(side / 2, height - side / 2))
    square, matrix = square_around(rgb, centre, side, float(rng.uniform(-30, 30)), cv2.INTER_AREA,
                                   cv2.BORDER_REPLICATE)
    return square_to_picture(read_square(square)[0], matrix)


def negative_crops(rgb: np.ndarray, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    """`count` crops of `rgb` masked by landmarks drawn over random squares of it (`drawn_landmarks`)."""
    from rps.hands import Hand
    from rps.masking import mask_hand

    return [mask_hand(rgb, Hand(drawn_landmarks(rgb, rng), "", 0.0)).crop for _ in range(count)]


def build(per_view: int, seed: int) -> np.ndarray:
    from rps.people import sample_photos, views_of

    rng = np.random.default_rng(seed)
    photos = [rgb for credit, rgb in sample_photos() if credit.startswith(SOURCES)]
    if len(photos) < len(SOURCES):
        raise SystemExit("The sample photos are missing: run `python -m rps.people fetch` first.")
    return np.stack([crop for rgb in photos for view in views_of(rgb) for crop in negative_crops(view, per_view, rng)])


def main() -> None:
    parser = argparse.ArgumentParser(description="Make non-hand crops for outlier exposure (see the docstring).")
    parser.add_argument("--per-view", type=int, default=30, help="crops per view (12 views of each photo)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    crops = build(args.per_view, args.seed)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, crops=crops, sources=np.array(SOURCES))
    print(f"wrote {args.out}: {len(crops)} crops")


if __name__ == "__main__":
    main()
