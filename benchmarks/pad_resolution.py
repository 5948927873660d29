"""Does the drawing pad's small snapshot cost accuracy? Drawn digits read at the size the page sends.

The pad (ui/digit_pad.py) sends the server a SEND_SIDE x SEND_SIDE PNG of its canvas instead of the
Sketchpad's 800 x 800. This replays the held-out writers' pendigits trajectories as the browser draws them
(mnist.strokes, styles "browser" and "varied": opaque white canvas, the app's three colours, brushes 2.5-12.5 %
of the side, which spans the pad's thin / medium / thick), shrinks each 800 x 800 drawing to every side
below (antialiased, as the browser's drawImage does), and reads it with the app's preprocessing and model.

    python -m benchmarks.pad_resolution                       # -> benchmarks/results/pad_resolution.md
    python -m benchmarks.pad_resolution --limit 300 --sides 800 224 112
"""
from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mnist.predict import DEFAULT_MODEL, load_model  # noqa: E402
from mnist.preprocess import prepare_digit  # noqa: E402
from mnist.strokes import HELD_OUT_WRITERS, PENDIGITS, parse_pendigits, split_writers, styled_drawing  # noqa: E402
from ui.digit_pad import SEND_SIDE  # noqa: E402

STYLES = ("browser", "varied")


def shrink(drawing: np.ndarray, side: int) -> np.ndarray:
    if drawing.shape[0] == side:
        return drawing
    return np.asarray(Image.fromarray(drawing).resize((side, side), Image.Resampling.BILINEAR))


def accuracy_at_sides(digits, sides, style: str, seed: int, model) -> dict[int, float]:
    """Share of `digits` read right when drawn in `style` and sent at each side."""
    rng = random.Random(seed)
    right = dict.fromkeys(sides, 0)
    for digit in digits:
        drawing = styled_drawing(digit.strokes, rng, style)
        tensors = [prepare_digit(shrink(drawing, side)).tensor for side in sides]
        with torch.inference_mode():
            for side, tensor in zip(sides, tensors):
                right[side] += tensor is not None and int(model(tensor).argmax()) == digit.label
    return {side: right[side] / len(digits) for side in sides}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pendigits", default=str(PENDIGITS))
    parser.add_argument("--sides", type=int, nargs="+", default=[800, 560, SEND_SIDE, 160, 112])
    parser.add_argument("--limit", type=int, default=None, help="only the first N held-out digits")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results/pad_resolution.md"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    began = time.perf_counter()
    _, held_out = split_writers(parse_pendigits(args.pendigits), set(HELD_OUT_WRITERS))
    held_out = held_out[:args.limit]
    model = load_model(DEFAULT_MODEL)
    results = {}
    for style in STYLES:
        results[style] = accuracy_at_sides(held_out, args.sides, style, args.seed, model)
        print(style, {side: f"{a:.2%}" for side, a in results[style].items()}, flush=True)
    lines = [
        "# Drawn digits read at the size the drawing pad sends",
        "",
        f"Generated {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by "
        f"`python -m benchmarks.pad_resolution{' --limit ' + str(args.limit) if args.limit else ''}` "
        f"({time.perf_counter() - began:.0f} s). {len(held_out)} digits of the held-out pendigits writers, drawn "
        f"800 x 800 in each style (mnist.strokes, seed {args.seed}), shrunk to each side, read by the `{DEFAULT_MODEL}` "
        f"model with the app's preprocessing. The pad sends **{SEND_SIDE} px** (ui/digit_pad.py).",
        "",
        "| style | " + " | ".join(f"{side} px" for side in args.sides) + " |",
        "|---|" + "---|" * len(args.sides),
    ]
    for style, by_side in results.items():
        lines.append(f"| {style} | " + " | ".join(f"{by_side[side]:.2%}" for side in args.sides) + " |")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
