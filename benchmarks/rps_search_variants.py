"""Changes to the rock/paper/scissors hand search that were measured and not shipped, rerunnable.

    python -m benchmarks.rps_search_variants          # -> benchmarks/results/rps_search_variants.md (about 6 min)

Each is compared with the app's path on the hard families (rps.hard, SubhiH photos never trained on):
1. brighten first: dim frames (mean lightness below 0.25) are contrast-stretched (rps.masking.well_lit) before
   anything else, so MediaPipe and the image models both see the lifted picture (the "dark" family);
2. a mirrored third look: MediaPipe on the left-right mirrored picture, its landmarks mirrored back; the
   landmarks model averages all looks at the hand (pictures where the app finds a hand);
3. the shipped last step, MediaPipe's landmark network alone (rps.landmark_net), at other presence thresholds
   than MediaPipe's default 0.5 and with other framings (among them the removed second try on a 100 % frame), on
   the pictures every palm-detector step misses.
The removed "denoise dim" and "zoom out far on black" steps, and the cleanings and frames tried against them, were
measured here too until issue 20 took them out (docs/rps_real_people.md, "Removed").
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from rps.calibrate import model_answer
from rps.data import CLASSES
from rps.hands import RETRY_STEPS, HandSearch, centre_inside, find_hands_or_retry, find_hands_twice, same_hand
from rps.hard import FAMILIES, NO_HAND, PLAIN, family_with_search, read_all, second_looks
from rps.masking import well_lit
from rps.landmark_net import MIN_PRESENCE, hand_in_frame
from rps.predict import get_model, landmark_probabilities, read_hand

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
    after = right_answers(hard.images, hard.labels, well_lit)
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


def landmark_network_variants() -> list[str]:
    """The landmark network's threshold and framings, on the pictures of each set every palm-detector step misses:
    how many it finds a hand in and how many of those the app's models (one look) then read right."""
    first_net_step = next(step.name for step in RETRY_STEPS if step.finder == "landmarks")
    variants = [("shipped: 30 % frame", (0.3,), MIN_PRESENCE)]
    variants += [(f"30 % frame, presence ≥ {t}", (0.3,), t) for t in (0.3, 0.4, 0.6, 0.7)]
    variants += [("30 % then 100 % frame (the 100 % try removed in issue 20)", (0.3, 1.0), MIN_PRESENCE)]
    variants += [(f"{pad:.0%} frame alone", (pad,), MIN_PRESENCE) for pad in (0.6, 1.0)]
    rows = []
    for name in [PLAIN] + FAMILIES + [NO_HAND]:
        images, labels = missed_before(name, first_net_step)
        labels = None if name == NO_HAND else labels
        if not images:
            continue
        began = time.perf_counter()
        looks = {pad: [hand_in_frame(rgb, pad, min_presence=0.0) for rgb in images] for pad in (0.3, 0.6, 1.0)}
        ms = (time.perf_counter() - began) / (3 * len(images)) * 1000
        for change, pads, threshold in variants:
            found, right = 0, 0
            for k, rgb in enumerate(images):
                hand = next((looks[pad][k] for pad in pads if looks[pad][k].score >= threshold
                             and centre_inside(looks[pad][k], rgb.shape[1], rgb.shape[0])), None)
                if hand is None:
                    continue
                found += 1
                if labels is not None:
                    right += read_hand(rgb, HandSearch([hand], (rgb.shape[1], rgb.shape[0]))).label == CLASSES[labels[k]]
            result = f"found {found}" + (f", read right {right}" if labels is not None else " (all false)")
            rows.append(f"| 3. landmark network, {change} | {name}, missed by every palm step ({len(images)}) | — | "
                        f"{result} | {ms * len(pads):.0f} ms a picture |")
    return rows


def missed_before(name: str, step: str) -> tuple[list[np.ndarray], np.ndarray]:
    """A family's pictures (and labels) that every retry before `step` misses, from the app's cached search."""
    hard, search = family_with_search(name)
    later = [s.name for s in RETRY_STEPS[[s.name for s in RETRY_STEPS].index(step):]] + ["second look", ""]
    index = [i for i, found_by in enumerate(search["step"]) if str(found_by) in later]
    return [hard.images[i] for i in index], hard.labels[index]


def main() -> None:
    began = time.perf_counter()
    rows = brighten_first() + mirrored_look() + landmark_network_variants()
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
