"""Drawn-digits benchmark: pen trajectories replayed like sketchpad drawings, read by the shipped models.

Each UCI pendigits digit (../shared/data/digits/pendigits/pendigits-orig.tra) is replayed with a round
brush on an 800 x 800 canvas in three styles (mnist.strokes.STYLES), then read with the app's own
preprocessing (mnist.preprocess.prepare_digit, the MNIST way):
  - transparent: a transparent RGBA canvas, digit height 15-80 % of the canvas, random place, brush
    8-40 px, six colours (mnist.strokes.random_drawing);
  - browser: what Chromium's Sketchpad sends, an opaque white RGBA canvas, brush 20-100 px wide, the
    app's three brush colours (mnist.strokes.browser_drawing);
  - varied: as "browser", with each trajectory changed as another writer and pen would draw it (slant,
    aspect, turn, wobble, pen speed, overshoot, pen lifts, stray dots: mnist.strokes.vary_strokes).
For comparison, a naive resize of the whole transparent canvas to 28 x 28. Writers are split by id
(mnist.strokes.HELD_OUT_WRITERS): the held-out writers' digits were never used in training; the others may
have been (see each checkpoint's card).

    python -m benchmarks.drawn_digits                       # writes benchmarks/results/digits_drawn.md
    python -m benchmarks.drawn_digits --update-cards        # ... and records the figures in the cards
    python -m benchmarks.drawn_digits --seed 1 --limit 500  # another drawing style draw, fewer digits
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common.training import predict  # noqa: E402
from mnist.evaluate import drawn_digit_inputs  # noqa: E402
from mnist.predict import MODEL_CHOICES, load_model, measure_latency  # noqa: E402
from mnist.strokes import HELD_OUT_WRITERS, parse_pendigits, split_writers  # noqa: E402
from mnist.train import TensorBatches  # noqa: E402

SHARED = Path(os.environ.get("SHARED_DATA", ROOT.parent / "shared" / "data"))
# Table rows: name -> (drawing style in mnist.strokes.STYLES, preprocessing). The first is the README's
# original figure; the order is the one --update-cards relies on.
ROW_SETTINGS = {
    "transparent, MNIST-style (app)": ("sketchpad", "mnist"),
    "browser (opaque white), MNIST-style (app)": ("browser", "mnist"),
    "varied writers (opaque white), MNIST-style (app)": ("varied", "mnist"),
    "transparent, naive resize": ("sketchpad", "naive"),
}
ROWS = list(ROW_SETTINGS)


def accuracy_by(predicted: torch.Tensor, labels: torch.Tensor, groups: list[int]) -> dict[int, float]:
    groups_tensor = torch.tensor(groups)
    return {g: (predicted[groups_tensor == g] == labels[groups_tensor == g]).float().mean().item()
            for g in sorted(set(groups))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pendigits", default=str(SHARED / "digits/pendigits/pendigits-orig.tra"),
                        help="pendigits-orig file to replay")
    parser.add_argument("--seed", type=int, default=0, help="seed of the drawing styles (size, place, brush, colour)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N digits of each writer split")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results/digits_drawn.md"), help="markdown report")
    parser.add_argument("--update-cards", action="store_true",
                        help="also record the held-out-writer accuracies in checkpoints/mnist_*.json (metrics.drawn_digits)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    began = time.perf_counter()

    digits = parse_pendigits(args.pendigits)
    train_writers, held_out = split_writers(digits, set(HELD_OUT_WRITERS))
    splits = {"held-out writers": held_out[:args.limit], "training writers": train_writers[:args.limit]}
    models = {name: load_model(name) for name in MODEL_CHOICES}
    results: dict[tuple[str, str, str], float] = {}
    per_writer: dict[tuple[str, str], dict[int, float]] = {}
    per_class: dict[tuple[str, str], dict[int, float]] = {}
    counts = {}
    for split, split_digits in splits.items():
        counts[split] = len(split_digits)
        # The training writers only in the original style: a check that training did not overfit them.
        for row in (ROWS if split == "held-out writers" else ROWS[:1]):
            style, preprocessing = ROW_SETTINGS[row]
            inputs, labels, _ = drawn_digit_inputs(split_digits, args.seed, preprocessing, style=style)
            for name, model in models.items():
                probs, _ = predict(model, TensorBatches(inputs, labels, 500, shuffle=False))
                predicted = probs.argmax(1)
                results[(split, row, name)] = (predicted == labels).float().mean().item()
                if split == "held-out writers" and preprocessing == "mnist":
                    per_writer[(row, name)] = accuracy_by(predicted, labels, [d.writer for d in split_digits])
                    per_class[(row, name)] = accuracy_by(predicted, labels, labels.tolist())
            print(f"{split}, {row}: " + ", ".join(f"{n} {results[(split, row, n)]:.2%}" for n in models), flush=True)
    latency = {name: measure_latency(name) for name in MODEL_CHOICES}

    cards = {name: json.loads((ROOT / f"checkpoints/mnist_{name}.json").read_text()) for name in MODEL_CHOICES}
    mnist_rows = [row for row in ROWS if ROW_SETTINGS[row][1] == "mnist"]
    lines = [
        "# Drawn digits: pen trajectories replayed on the sketchpad",
        "",
        f"Generated {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by "
        f"`python -m benchmarks.drawn_digits{' --seed ' + str(args.seed) if args.seed else ''}"
        f"{' --limit ' + str(args.limit) if args.limit else ''}` ({time.perf_counter() - began:.0f} s, "
        f"load average {os.getloadavg()[0]:.1f} on 2 cores).",
        "",
        "UCI pendigits trajectories (30 writers, `pendigits-orig.tra`) replayed with a round brush on an 800 x 800",
        "canvas and read through the app's preprocessing, in three styles (`mnist/strokes.py`, `STYLES`):",
        "",
        "- **transparent**: transparent canvas, digit height 15-80 % of the canvas, random position, brush 8-40 px",
        "  (at most 1/4 of the digit height), six colours;",
        "- **browser (opaque white)**: what Chromium's Sketchpad sends: an opaque white RGBA canvas, brush 20-100 px",
        "  wide (Gradio's default size 36 is a radius: 72 px lines), the app's three brush colours, digit height",
        "  15-85 % (at least 4 brush widths);",
        "- **varied writers**: as *browser*, each trajectory changed as another writer and pen would draw it: slant",
        "  +-0.35, width x0.70-1.28, turn +-10 degrees, a smooth wobble, pen speed (point spacing 1-8 % of the digit),",
        "  overshooting or short stroke ends, a pen lifted mid-stroke, strokes a little apart, stray dots.",
        "",
        f"Drawing-style seed {args.seed}. Writers are split by id: held out = {sorted(HELD_OUT_WRITERS)} (never used "
        "in training), training writers = the other 20 (their replays, with other styles, are part of the training "
        "data of the shipped checkpoints: see `data.pen_digits` in each card).",
        "",
        "| writers | digits | canvas, preprocessing | " + " | ".join(MODEL_CHOICES) + " |",
        "|---|---|---|" + "---|" * len(MODEL_CHOICES),
    ]
    for split in splits:
        for row in ROWS:
            if (split, row, MODEL_CHOICES[0]) in results:
                lines.append(f"| {split} | {counts[split]} | {row} | "
                             + " | ".join(f"{results[(split, row, n)]:.2%}" for n in MODEL_CHOICES) + " |")
    columns = [(row, n) for row in mnist_rows for n in MODEL_CHOICES]
    header = "| {} | " + " | ".join(f"{n}, {row.split(',')[0]}" for row, n in columns) + " |"
    rule = "|---|" + "---|" * len(columns)
    lines += ["", "Per held-out writer (MNIST-style preprocessing):", "", header.format("writer"), rule]
    for writer in sorted(per_writer[columns[0]]):
        lines.append(f"| {writer} | " + " | ".join(f"{per_writer[c][writer]:.1%}" for c in columns) + " |")
    lines += ["", "Per digit, held-out writers (MNIST-style preprocessing):", "", header.format("digit"), rule]
    for digit in range(10):
        lines.append(f"| {digit} | " + " | ".join(f"{per_class[c][digit]:.1%}" for c in columns) + " |")
    lines += ["", "Checkpoints:", ""]
    for name, card in cards.items():
        lines.append(f"- `{name}`: MNIST test {card['metrics']['mnist_test_accuracy']:.2%}, "
                     f"{card['training']['epochs']} epochs, seed {card['training']['seed']}, "
                     f"trained in {card['training']['wall_time_minutes']:.1f} min with `{card['train_command']}`; "
                     f"pen data: {card['data']['pen_digits']}.")
    lines += ["", "`read_digit` latency (800 x 800 RGBA canvas, preprocessing + model, median of 50, "
              f"{torch.get_num_threads()} torch threads, shared 2-core CPU): "
              + ", ".join(f"{n} {ms:.1f} ms" for n, ms in latency.items()) + ".", ""]
    if args.update_cards:
        for name, card in cards.items():
            # Only the card changes; the weights (and the sha256 the card holds for them) stay as they are.
            card["metrics"]["drawn_digits"] = {
                "held_out_writers_mnist_style": round(results[("held-out writers", ROWS[0], name)], 5),
                "held_out_writers_browser": round(results[("held-out writers", ROWS[1], name)], 5),
                "held_out_writers_varied": round(results[("held-out writers", ROWS[2], name)], 5),
                "held_out_writers_naive_resize": round(results[("held-out writers", ROWS[3], name)], 5),
                "training_writers_mnist_style": round(results[("training writers", ROWS[0], name)], 5),
                "held_out_writers": sorted(HELD_OUT_WRITERS), "digits": counts["held-out writers"],
                "style_seed": args.seed, "command": "python -m benchmarks.drawn_digits --update-cards",
            }
            (ROOT / f"checkpoints/mnist_{name}.json").write_text(json.dumps(card, indent=2) + "\n")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
