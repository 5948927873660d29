"""Extract MediaPipe landmarks of every training and validation image once; later steps read the cache.

    python -m rps.cache                      # -> runs/rps_landmarks.npz (git-ignored), about 2 minutes
    python -m rps.cache --limit 20 --out runs/rps_landmarks_small.npz    # a quick look
    python -m rps.cache --degraded 2         # -> runs/rps_landmarks_degraded.npz, about 11 minutes: landmarks and
                                             #    app crops of the training hands on made-up rooms, badly photographed

The file holds, per set ("train", "val"): file paths, labels, whether a hand was found, its 21 x 3 points
(pixels of the original image), handedness and score, and the image sizes.

`--degraded N`: what MediaPipe makes of the training hands in bad pictures. Each drgfreeman photo, N times,
is composited on a made-up room (rps.augment) and then seen close up, heavily JPEG'd, dimmed with sensor noise,
or motion blurred, and searched the app's way (rps.hands.find_hands_twice). Both looks' landmarks are kept: the landmarks
model learns from them (`python -m rps.train --model landmarks --degraded-cache ...`) how MediaPipe's landmarks
go wrong on such pictures. So is the crop the app makes of each copy (masked by those landmarks, or its fallback),
for the image models (`--degraded-cache` with them). Only training photos are used. Neither is shipped
(README, "What did not help").
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from rps.data import load_train, load_validation, rgb_arrays
from rps.hands import find_hands_or_retry

DEFAULT_CACHE = Path(__file__).resolve().parents[1] / "runs" / "rps_landmarks.npz"
DEGRADED_CACHE = DEFAULT_CACHE.with_name("rps_landmarks_degraded.npz")


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


def badly_photographed(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A training hand on a made-up room, then one of: heavy JPEG of a half-size frame, a dim noisy room, a
    moving hand, the hand so close that it overflows the frame (rps.augment's own ranges, not the validation
    families' recipes)."""
    import cv2

    from rps.augment import chroma_mask, close_up, composited_sample, jpeg_artefacts, low_light, motion_blur

    picture, _, mask = composited_sample(rgb, rng, None, chroma_mask(rgb))
    roll = rng.random()
    if roll < 0.25:
        return close_up(picture, mask, rng)
    if roll < 0.55:
        height, width = picture.shape[:2]
        small = cv2.resize(picture, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
        return cv2.resize(jpeg_artefacts(small, rng, 5, 20), (width, height), interpolation=cv2.INTER_CUBIC)
    if roll < 0.8:
        return jpeg_artefacts(low_light(picture, rng), rng, 50, 90)
    return motion_blur(picture, rng, 0.14)


def extract_degraded(dataset, copies: int, seed: int = 0, limit: int | None = None) -> dict[str, np.ndarray]:
    """Landmarks (both looks of rps.hands.find_hands_twice) of `copies` badly photographed versions of each image,
    and the crop the app's image models would see of each version (rps.masking.mask_hand of the hand found, or
    its fallback when none is): what the image models can learn from (`crops`, `crop_labels`)."""
    from rps.hands import find_hands_twice
    from rps.masking import mask_hand

    rng = np.random.default_rng(seed)
    labels, points, crops, crop_labels = [], [], [], []
    for rgb, label in rgb_arrays(dataset, limit):
        for _ in range(copies):
            picture = badly_photographed(rgb, rng)
            search = find_hands_twice(picture)
            crops.append(mask_hand(picture, search.hands[0] if search.hands else None).crop)
            crop_labels.append(label)
            if search.hands:
                looks = [search.hands[0].points] + ([search.second_look] if search.second_look is not None else [])
                points += looks
                labels += [label] * len(looks)
    return {"labels": np.array(labels, np.int64), "points": np.stack(points).astype(np.float32),
            "found": np.ones(len(labels), bool), "crops": np.stack(crops),
            "crop_labels": np.array(crop_labels, np.int64)}


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
    parser.add_argument("--seed", type=int, default=0, help="--degraded: the random draw of rooms and defects")
    parser.add_argument("--degraded", type=int, default=0,
                        help="instead: N badly photographed copies of each training image (default out: "
                             "runs/rps_landmarks_degraded.npz)")
    args = parser.parse_args()
    if args.degraded:
        began = time.perf_counter()
        result = extract_degraded(load_train(args.train_dir), args.degraded, args.seed, args.limit)
        out = DEGRADED_CACHE if args.out == str(DEFAULT_CACHE) else Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        np.savez(out, **{f"train/{name}": value for name, value in result.items()})
        print(f"wrote {out}: {len(result['labels'])} hands' landmarks ({time.perf_counter() - began:.0f}s)")
        return
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
