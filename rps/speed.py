"""How long `classify_hand` takes on a 640x480 webcam-sized frame, per model and per step (median of N runs).

    python -m rps.speed                 # writes benchmarks/results/rps_speed.md too
    python -m rps.speed --runs 5 --no-write

The frame is a SubhiH photo placed in a 640x480 procedural room (or, without ../shared, a room with no
hand, which exercises the fallback path). Budget: masking on must cost <= 60 ms over a no-op.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from common.images import flatten_alpha, open_image
from rps.augment import background
from rps.data import validation_dir
from rps.hands import find_hands_or_retry, find_hands_twice
from rps.landmarks import landmark_features
from rps.masking import mask_hand
from rps.model import image_batch
from rps.predict import MODEL_CHOICES, classify_hand, get_model

ROOT = Path(__file__).resolve().parents[1]


def webcam_frame() -> np.ndarray:
    frame = background(np.random.default_rng(0), 480, 640)
    photos = sorted((validation_dir() / "paper").glob("*.jpg"))
    if photos:
        hand = np.asarray(flatten_alpha(open_image(photos[0])))
        hand = cv2.resize(hand, (300, 300))
        frame[120:420, 250:550] = hand
    return frame


CPU_TIMES: list[float] = []


def median_ms(function, runs: int) -> float:
    """Median wall-clock ms; the median CPU ms of this process goes to CPU_TIMES (a busy machine inflates wall
    time, CPU time much less)."""
    function()  # warm up (lazy loading)
    times, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        function()
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    CPU_TIMES.append(statistics.median(cpu))
    return statistics.median(times)


def measure(runs: int) -> str:
    frame = webcam_frame()
    noop = median_ms(lambda: np.asarray(flatten_alpha(open_image(frame))), runs)
    hand = find_hands_or_retry(frame).hands
    lines = [f"# classify_hand speed (640x480 frame, median of {runs}, torch threads {torch.get_num_threads()})", "",
             f"Hand found in the frame: {bool(hand)}", "",
             "| step | wall ms | CPU ms |", "|---|---|---|",
             f"| decode (open_image, the no-op baseline) | {noop:.1f} | {CPU_TIMES[-1]:.1f} |"]
    lines.append(f"| MediaPipe hand landmarker (first search) | {median_ms(lambda: find_hands_or_retry(frame), runs):.1f} | "
                 f"{CPU_TIMES[-1]:.1f} |")
    lines.append(f"| ... and the second look at a smoothed copy (find_hands_twice, what the app runs) | "
                 f"{median_ms(lambda: find_hands_twice(frame), runs):.1f} | {CPU_TIMES[-1]:.1f} |")
    if hand:
        lines.append(f"| mask + upright crop | {median_ms(lambda: mask_hand(frame, hand[0]), runs):.1f} | "
                     f"{CPU_TIMES[-1]:.1f} |")
        crop = mask_hand(frame, hand[0]).crop
        for name in ["lenet", "efficientnet_lite0"]:
            model, card = get_model(name)
            with torch.no_grad():
                ms = median_ms(lambda: model(image_batch([crop], card["preprocessing"])), runs)
            lines.append(f"| model {name} | {ms:.1f} | {CPU_TIMES[-1]:.1f} |")
        model, _ = get_model("landmarks")
        with torch.no_grad():
            ms = median_ms(lambda: model(torch.from_numpy(landmark_features(hand[0].points))[None]), runs)
        lines.append(f"| model landmarks (features + MLP) | {ms:.2f} | {CPU_TIMES[-1]:.2f} |")
    lines += ["", "| classify_hand(model, mask=True) | wall ms | over no-op | CPU ms |", "|---|---|---|---|"]
    for name in MODEL_CHOICES:
        ms = median_ms(lambda: classify_hand(frame, mask=True, model_name=name), runs)
        lines.append(f"| {name} | {ms:.1f} | {ms - noop:.1f} | {CPU_TIMES[-1]:.1f} |")
    lines += ["", f"Load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Time classify_hand on a webcam-sized frame.")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per measurement")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    text = measure(args.runs)
    print(text)
    if not args.no_write:
        out = ROOT / "benchmarks" / "results" / "rps_speed.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)


if __name__ == "__main__":
    main()
