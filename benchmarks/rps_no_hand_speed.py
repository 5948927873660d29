"""In-process time of rps.predict.classify_hand on a hand photo and on frames with no hand (median of N).

A hand found at the first look costs one MediaPipe run plus the second look at a smoothed copy
(rps.hands.find_hands_twice); a frame with no hand pays every retry (five MediaPipe runs and one of the landmark
network alone; no second look) and the image model on the fallback crop; a finger taken for a hand in a heavily
compressed frame, which the second look does not confirm, pays the framing retries until one finds the hand
around it. Writes benchmarks/results/rps_no_hand_speed.md with the load average beside the figures.

    python -m benchmarks.rps_no_hand_speed --runs 15
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from rps.data import validation_dir
from rps.hard import compressed, read_rgb
from rps.predict import classify_hand

ROOT = Path(__file__).resolve().parents[1]
FINGER_PHOTO = "train__2_pic00013__177_86.jpg"  # tests/test_rps_hard.py: the first search finds a finger in it


def median_ms(image, runs: int) -> float:
    classify_hand(image)  # lazy loading
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        classify_hand(image)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cases = {"blank grey 640x480 frame": np.full((480, 640, 3), 128, np.uint8),
             "black 640x480 frame": np.zeros((480, 640, 3), np.uint8)}
    photos = sorted((validation_dir() / "paper").glob("*.jpg"))
    if photos:
        cases = {"SubhiH hand photo (found at the first look)": str(photos[0]), **cases}
    finger = validation_dir() / "paper" / FINGER_PHOTO
    if finger.exists():
        cases[f"{FINGER_PHOTO} at half size, JPEG quality 10 (a finger taken for a hand, then the hand around it)"] = \
            compressed(read_rgb(str(finger)), 10)
    load_before = os.getloadavg()[0]
    rows = [(name, median_ms(image, args.runs)) for name, image in cases.items()]
    load_after = os.getloadavg()[0]
    lines = ["# classify_hand with and without a hand (in-process, ensemble, masking on)", "",
             f"Median of {args.runs} runs, torch threads {args.threads}; load average {load_before:.1f} before, "
             f"{load_after:.1f} after (2 shared cores).", "", "| picture | median ms |", "|---|---|"]
    lines += [f"| {name} | {ms:.1f} |" for name, ms in rows]
    lines += ["", "Command: `python -m benchmarks.rps_no_hand_speed --runs 15`"]
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results" / "rps_no_hand_speed.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
