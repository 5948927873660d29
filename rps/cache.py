"""Extract MediaPipe landmarks of every training and validation image once; later steps read the cache.

    python -m rps.cache                      # -> runs/rps_landmarks.npz (git-ignored), about 2 minutes
    python -m rps.cache --limit 20 --out runs/rps_landmarks_small.npz    # a quick look

The file holds, per set ("train", "val"): file paths, labels, whether a hand was found, its 21 x 3 points
(pixels of the original image), handedness and score, and the image sizes.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from rps.data import load_train, load_validation, rgb_arrays
from rps.hands import find_hands_or_retry

DEFAULT_CACHE = Path(__file__).resolve().parents[1] / "runs" / "rps_landmarks.npz"


def extract(dataset, limit: int | None = None) -> dict[str, np.ndarray]:
    paths, labels, found, points, handed, scores, sizes = [], [], [], [], [], [], []
    count = len(dataset) if limit is None else min(limit, len(dataset))
    files = [dataset[i]["image"].filename for i in range(count)]
    for (rgb, label), path in zip(rgb_arrays(dataset, limit), files):
        search = find_hands_or_retry(rgb)
        hand = search.hands[0] if search.hands else None
        paths.append(path)
        labels.append(label)
        found.append(hand is not None)
        points.append(hand.points if hand else np.zeros((21, 3), np.float32))
        handed.append(hand.handedness if hand else "")
        scores.append(hand.score if hand else 0.0)
        sizes.append(rgb.shape[:2])
    return {"paths": np.array(paths), "labels": np.array(labels), "found": np.array(found),
            "points": np.stack(points), "handedness": np.array(handed), "scores": np.array(scores),
            "sizes": np.array(sizes)}


def load_cache(path: str | Path = DEFAULT_CACHE) -> dict[str, dict[str, np.ndarray]]:
    with np.load(path) as data:
        out: dict[str, dict[str, np.ndarray]] = {}
        for key in data.files:
            part, name = key.split("/", 1)
            out.setdefault(part, {})[name] = data[key]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Cache MediaPipe landmarks of the RPS training/validation images.")
    parser.add_argument("--train-dir", default=None, help="training imagefolder (default: RPS_TRAIN_DIR or shared)")
    parser.add_argument("--val-dir", default=None, help="validation imagefolder (default: RPS_VAL_DIR or shared)")
    parser.add_argument("--out", default=str(DEFAULT_CACHE), help="output .npz")
    parser.add_argument("--limit", type=int, default=None, help="only the first N images of each set")
    args = parser.parse_args()
    arrays = {}
    for part, dataset in [("train", load_train(args.train_dir)), ("val", load_validation(args.val_dir))]:
        began = time.perf_counter()
        result = extract(dataset, args.limit)
        print(f"{part}: hands found in {result['found'].sum()}/{len(result['found'])} images "
              f"({time.perf_counter() - began:.0f}s)")
        for name, value in result.items():
            arrays[f"{part}/{name}"] = value
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, **arrays)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
