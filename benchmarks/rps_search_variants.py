"""Three changes to the rock/paper/scissors hand search that were measured and not shipped, rerunnable.

    python -m benchmarks.rps_search_variants          # -> benchmarks/results/rps_search_variants.md (about 6 min)

Each is compared with the app's path on the hard families (rps.hard, SubhiH photos never trained on):
1. brighten first: dim frames (mean lightness below 0.25) are contrast-stretched (rps.hands.brightened) before
   anything else, so MediaPipe and the image models both see the lifted picture (the "dark" family);
2. a mirrored third look: MediaPipe on the left-right mirrored picture, its landmarks mirrored back; the
   landmarks model averages all looks at the hand (pictures where the app finds a hand);
3. the presence check for hands only the second look found: such a hand counts only when the presence head
   (rps.presence) would also say "hand" for the picture (0.98, as for pictures without landmarks).
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from rps.calibrate import model_answer
from rps.data import CLASSES
from rps.hands import DIM, RETRY_STEPS, brightened, find_hands_or_retry, find_hands_twice, mean_lightness, same_hand
from rps.hard import FAMILIES, NO_HAND, PLAIN, family_with_search, read_all, second_looks
from rps.masking import mask_hand
from rps.predict import calibration, get_model, landmark_probabilities, presence_probability, read_hand

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "rps_search_variants.md"

def right_answers(images, labels, prepare=lambda rgb: rgb) -> int:
    """How many pictures the app's whole path (search, masking, models, presence) reads right."""
    right = 0
    for rgb, label in zip(images, labels):
        rgb = prepare(rgb)
        right += read_hand(rgb, find_hands_twice(rgb)).label == CLASSES[label]
    return right


def brighten_first() -> list[str]:
    hard, _ = family_with_search("dark")
    began = time.perf_counter()
    before = right_answers(hard.images, hard.labels)
    after = right_answers(hard.images, hard.labels,
                          lambda rgb: brightened(rgb) if mean_lightness(rgb) < DIM else rgb)
    return [f"| 1. brighten dim frames first | dark | {before} | {after} | "
            f"{(time.perf_counter() - began) / (2 * len(hard.labels)) * 1000:.0f} ms a picture (both runs) |"]


def ensemble_right(reading, landmark_probs: np.ndarray) -> np.ndarray:
    """Which pictures the ensemble reads right (the app's combination rule) with these landmarks answers."""
    changed = replace(reading, member_probs={**reading.member_probs, "landmarks": landmark_probs})
    return model_answer("ensemble", changed).argmax(1) == reading.labels


def mirrored_look() -> list[str]:
    readings = read_all(verbose=False)
    model, _ = get_model("landmarks")
    rows = []
    for name in [PLAIN] + FAMILIES:
        hard, search = family_with_search(name)
        reading = readings[name]
        mirrored_points, began = [], time.perf_counter()
        for rgb, found, points in zip(hard.images, reading.found, search["points"]):
            again = find_hands_or_retry(np.ascontiguousarray(rgb[:, ::-1]), steps=RETRY_STEPS[:1]) if found else None
            if not found or not again.hands:
                mirrored_points.append(None)
                continue
            back = again.hands[0].points.copy()
            back[:, 0] = rgb.shape[1] - back[:, 0]
            mirrored_points.append(back if same_hand(points, back) else None)
        ms = (time.perf_counter() - began) / max(1, reading.found.sum()) * 1000
        looks = 1 + np.array([look is not None for look in second_looks(search)])[:, None]
        now = reading.member_probs["landmarks"]
        third = landmark_probabilities(model, mirrored_points)
        with_third = np.where(np.isnan(third), now, (now * looks + third) / (looks + 1))
        found = reading.found
        rows.append(f"| 2. mirrored third look | {name} (hand found: {found.sum()}) | "
                    f"{ensemble_right(reading, now)[found].sum()} | {ensemble_right(reading, with_third)[found].sum()} | "
                    f"+{ms:.0f} ms a picture |")
    return rows


def presence_for_second_look_only() -> list[str]:
    readings = read_all(verbose=False)
    threshold = calibration()["presence_threshold"]
    rows = []
    for name in [PLAIN] + FAMILIES + [NO_HAND]:
        hard, search = family_with_search(name)
        only_second = [i for i, step in enumerate(search["step"]) if str(step) == "second look"]
        if not only_second:
            continue
        reading = readings[name]
        kept = presence_probability([mask_hand(hard.images[i], None).crop for i in only_second]) >= threshold
        if name == NO_HAND:
            rows.append(f"| 3. presence check on second-look-only hands | no hand: named (of {len(only_second)} "
                        f"such pictures) | {len(only_second)} | {int(kept.sum())} | — |")
            continue
        right = ensemble_right(reading, reading.member_probs["landmarks"])[only_second]
        rows.append(f"| 3. presence check on second-look-only hands | {name}: right (of {len(only_second)} "
                    f"such pictures) | {int(right.sum())} | {int((right & kept).sum())} | — |")
    return rows


def main() -> None:
    began = time.perf_counter()
    rows = brighten_first() + mirrored_look() + presence_for_second_look_only()
    text = "\n".join([
        "# Hand-search changes measured and not shipped",
        "",
        f"Written by `python -m benchmarks.rps_search_variants` ({(time.perf_counter() - began) / 60:.1f} min). "
        "Pictures: the hard families of `rps.hard` (SubhiH, never trained on). *App* is the shipped path; "
        "*with the change* the same path with the change. Counts, not shares: the differences are a few pictures.",
        "",
        "| change | pictures | app | with the change | cost |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ])
    OUT.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
