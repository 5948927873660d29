"""Drawn-digits benchmark: pen trajectories replayed like sketchpad drawings, read by the shipped models.

Each UCI pendigits digit (../shared/data/digits/pendigits/pendigits-orig.tra) and each digit of UJI Pen
Characters v2's tuning and validation writers (../shared/data/digits/uji2/, mnist.strokes.uji2_group) is
replayed with a round brush on an 800 x 800 canvas in three styles (mnist.strokes.STYLES), then read with the
app's own preprocessing (mnist.preprocess.prepare_digit, the MNIST way), per source, per writer and per digit:
  - transparent: a transparent RGBA canvas, digit height 15-80 % of the canvas, random place, brush
    8-40 px, six colours (mnist.strokes.random_drawing);
  - browser: what Chromium's Sketchpad sends, an opaque white RGBA canvas, brush 20-100 px wide, the
    app's three brush colours (mnist.strokes.browser_drawing);
  - varied: as "browser", with each trajectory changed as another writer and pen would draw it (slant,
    aspect, turn, wobble, pen speed, overshoot, pen lifts, stray dots: mnist.strokes.vary_strokes).
For comparison, a naive resize of the whole transparent canvas to 28 x 28. Pendigits writers are split by id
(mnist.strokes.HELD_OUT_WRITERS): the held-out writers' digits were never used in training; the others may
have been (see each checkpoint's card). UJI2's validation writers are never used to choose anything; its
tuning writers are what recipes were compared on. Without the UJI2 file only pendigits is measured.

    python -m benchmarks.drawn_digits                       # writes benchmarks/results/digits_drawn.md
    python -m benchmarks.drawn_digits --update-cards        # ... and records the figures in the cards
    python -m benchmarks.drawn_digits --seed 1 --limit 500  # another drawing style draw, fewer pendigits digits
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
from mnist.strokes import HELD_OUT_WRITERS, PENDIGITS, UJI2, parse_pendigits, parse_uji2, split_writers  # noqa: E402
from mnist.train import TensorBatches  # noqa: E402

# Table rows: name -> (drawing style in mnist.strokes.STYLES, preprocessing). The first is the README's
# original figure; the order is the one --update-cards relies on.
ROW_SETTINGS = {
    "transparent, MNIST-style (app)": ("sketchpad", "mnist"),
    "browser (opaque white), MNIST-style (app)": ("browser", "mnist"),
    "varied writers (opaque white), MNIST-style (app)": ("varied", "mnist"),
    "transparent, naive resize": ("sketchpad", "naive"),
}
ROWS = list(ROW_SETTINGS)
HELD_OUT = "pendigits held-out writers"
TRAINING = "pendigits training writers"


def accuracy_by(predicted: torch.Tensor, labels: torch.Tensor, groups: list) -> dict:
    groups_array = np.array(groups)
    correct = (predicted == labels).numpy()
    return {g: float(correct[groups_array == g].mean()) for g in sorted(set(groups))}


def writer_sources(args) -> dict[str, tuple[list, int]]:
    """Source name -> (digits, replays of each): pendigits' held-out and training writers, and UJI2's tuning
    and validation writers when the file is there. UJI2 has 20 digits a writer, so each is replayed
    `--uji2-replays` times in every style: a worst writer measured on 20 drawings moves 5 points a misread."""
    digits = parse_pendigits(args.pendigits)
    train_writers, held_out = split_writers(digits, set(HELD_OUT_WRITERS))
    sources = {HELD_OUT: (held_out[:args.limit], 1)}
    if Path(args.uji2).exists():
        for group in ("tune", "validation"):
            sources[f"UJI2 {group} writers"] = (parse_uji2(args.uji2, group), args.uji2_replays)
    else:
        print(f"{args.uji2} not found: UJI2 writers not measured")
    sources[TRAINING] = (train_writers[:args.limit], 1)
    return sources


def rows_for(source: str) -> list[str]:
    """The held-out pendigits writers in every row, the UJI2 groups in the app's preprocessing, the training
    writers only in the original style (a check that training did not overfit them)."""
    if source == HELD_OUT:
        return ROWS
    if source == TRAINING:
        return ROWS[:1]
    return [row for row in ROWS if ROW_SETTINGS[row][1] == "mnist"]


def measure(sources: dict, models: dict, seed: int):
    """Accuracy per (source, row, model), and per writer and per digit for the app's preprocessing."""
    results, per_writer, per_class = {}, {}, {}
    for source, (digits, replays) in sources.items():
        for row in rows_for(source):
            style, preprocessing = ROW_SETTINGS[row]
            inputs, labels, _ = drawn_digit_inputs(digits, seed, preprocessing, style=style, variants=replays)
            writers = [d.writer for d in digits] * replays
            for name, model in models.items():
                probs, _ = predict(model, TensorBatches(inputs, labels, 500, shuffle=False))
                predicted = probs.argmax(1)
                results[(source, row, name)] = (predicted == labels).float().mean().item()
                if preprocessing == "mnist" and source != TRAINING:
                    per_writer[(source, row, name)] = accuracy_by(predicted, labels, writers)
                    per_class[(source, row, name)] = accuracy_by(predicted, labels, labels.tolist())
            print(f"{source}, {row}: " + ", ".join(f"{n} {results[(source, row, n)]:.2%}" for n in models), flush=True)
    return results, per_writer, per_class


def worst_writer(accuracies: dict) -> tuple:
    writer = min(accuracies, key=accuracies.get)
    return writer, accuracies[writer]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pendigits", default=str(PENDIGITS),
                        help="pendigits-orig file to replay")
    parser.add_argument("--uji2", default=str(UJI2),
                        help="UJI Pen Characters v2 digits (its tuning and validation writers are measured)")
    parser.add_argument("--uji2-replays", type=int, default=3,
                        help="replays of each UJI2 digit per style (other size, place, brush, colour, hand)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the drawing styles (size, place, brush, colour)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N digits of each pendigits writer split")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results/digits_drawn.md"), help="markdown report")
    parser.add_argument("--update-cards", action="store_true",
                        help="also record the held-out-writer accuracies in checkpoints/mnist_*.json (metrics.drawn_digits)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    began = time.perf_counter()

    sources = writer_sources(args)
    models = {name: load_model(name) for name in MODEL_CHOICES}
    results, per_writer, per_class = measure(sources, models, args.seed)
    latency = {name: measure_latency(name) for name in MODEL_CHOICES}

    cards = {name: json.loads((ROOT / f"checkpoints/mnist_{name}.json").read_text()) for name in MODEL_CHOICES}
    mnist_rows = [row for row in ROWS if ROW_SETTINGS[row][1] == "mnist"]
    options = "".join(f" --{k.replace('_', '-')} {v}" for k, v in
                      (("seed", args.seed), ("limit", args.limit)) if v)
    lines = [
        "# Drawn digits: pen trajectories replayed on the sketchpad",
        "",
        f"Generated {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by "
        f"`python -m benchmarks.drawn_digits{options}` ({time.perf_counter() - began:.0f} s, "
        f"load average {os.getloadavg()[0]:.1f} on 2 cores, shared).",
        "",
        "Pen trajectories of two sources, replayed with a round brush on an 800 x 800 canvas and read through the",
        "app's preprocessing, in three styles (`mnist/strokes.py`, `STYLES`):",
        "",
        "- **UCI pendigits** (30 writers, one tablet, `pendigits-orig.tra`): split by id, held out =",
        f"  {sorted(HELD_OUT_WRITERS)} (never used in training); the other 20 are training writers.",
        "- **UJI Pen Characters v2** (60 writers, 20 digits each, two other tablets; Prat et al., UCI, CC BY 4.0,",
        "  doi:10.24432/C5FG8S): split by writer number (`mnist.strokes.uji2_group`): **validation** = W05, W10, ...,",
        "  W60 (12 writers, measured for the report only, never used to choose anything), **tune** = W02, W07, ...,",
        "  W57 (12 writers, measured while choosing the recipe), training = the other 36. Each UJI2 digit is",
        f"  replayed {args.uji2_replays} times per style.",
        "",
        "- **transparent**: transparent canvas, digit height 15-80 % of the canvas, random position, brush 8-40 px",
        "  (at most 1/4 of the digit height), six colours;",
        "- **browser (opaque white)**: what Chromium's Sketchpad sends: an opaque white RGBA canvas, brush 20-100 px",
        "  wide (Gradio's default size 36 is a radius: 72 px lines), the app's three brush colours, digit height",
        "  15-85 % (at least 4 brush widths);",
        "- **varied writers**: as *browser* (digits at least 3 brush widths tall), each trajectory changed as",
        "  another writer and pen would draw it: slant +-0.35, width x0.70-1.28, turn +-10 degrees, a smooth wobble,",
        "  pen speed (point spacing 1-11 % of the digit), overshooting or short stroke ends, loops left open or",
        "  closed past their start, a pen lifted mid-stroke, strokes a little apart, stray dots.",
        "",
        f"Drawing-style seed {args.seed}. The training writers' replays (in other draws of these styles) are part",
        "of the training data of the shipped checkpoints: see `data` in each card.",
        "",
        "| writers | digits | canvas, preprocessing | " + " | ".join(MODEL_CHOICES) + " |",
        "|---|---|---|" + "---|" * len(MODEL_CHOICES),
    ]
    for source, (digits, replays) in sources.items():
        for row in rows_for(source):
            lines.append(f"| {source} | {len(digits) * replays} | {row} | "
                         + " | ".join(f"{results[(source, row, n)]:.2%}" for n in MODEL_CHOICES) + " |")
    lines += ["", "Per source: all drawings and the worst writer (MNIST-style preprocessing, as in the app):", "",
              "| writers | canvas | " + " | ".join(f"{n}: all | {n}: worst writer" for n in MODEL_CHOICES) + " |",
              "|---|---|" + "---|---|" * len(MODEL_CHOICES)]
    for source in sources:
        for row in mnist_rows:
            if (source, row, MODEL_CHOICES[0]) not in per_writer:
                continue
            cells = []
            for n in MODEL_CHOICES:
                writer, worst = worst_writer(per_writer[(source, row, n)])
                cells += [f"{results[(source, row, n)]:.2%}", f"{worst:.1%} ({writer})"]
            lines.append(f"| {source} | {row.split(',')[0]} | " + " | ".join(cells) + " |")
    columns = [(row, n) for row in mnist_rows for n in MODEL_CHOICES]
    header = "| {} | " + " | ".join(f"{n}, {row.split(',')[0]}" for row, n in columns) + " |"
    rule = "|---|" + "---|" * len(columns)
    for source in sources:
        if (source, mnist_rows[0], MODEL_CHOICES[0]) not in per_writer:
            continue
        lines += ["", f"Per writer, {source} (MNIST-style preprocessing):", "", header.format("writer"), rule]
        for writer in per_writer[(source, mnist_rows[0], MODEL_CHOICES[0])]:
            lines.append(f"| {writer} | " + " | ".join(f"{per_writer[(source, *c)][writer]:.1%}" for c in columns) + " |")
        lines += ["", f"Per digit, {source} (MNIST-style preprocessing):", "", header.format("digit"), rule]
        for digit in range(10):
            lines.append(f"| {digit} | " + " | ".join(f"{per_class[(source, *c)][digit]:.1%}" for c in columns) + " |")
    lines += ["", "Checkpoints:", ""]
    for name, card in cards.items():
        lines.append(f"- `{name}`: MNIST test {card['metrics']['mnist_test_accuracy']:.2%}, "
                     f"{card['training']['epochs']} epochs, seed {card['training']['seed']}, "
                     f"trained in {card['training']['wall_time_minutes']:.1f} min with `{card['train_command']}`; "
                     f"pen data: {card['data']['pen_digits']}; UJI2: {card['data'].get('uji2_digits', 'none')}.")
    lines += ["", "`read_digit` latency (800 x 800 RGBA canvas, preprocessing + model, median of 50, "
              f"{torch.get_num_threads()} torch threads, shared 2-core CPU): "
              + ", ".join(f"{n} {ms:.1f} ms" for n, ms in latency.items()) + ".", ""]
    if args.update_cards:
        for name, card in cards.items():
            card["metrics"]["drawn_digits"] = drawn_metrics(name, sources, results, per_writer, args.seed)
            (ROOT / f"checkpoints/mnist_{name}.json").write_text(json.dumps(card, indent=2) + "\n")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


def drawn_metrics(name: str, sources: dict, results: dict, per_writer: dict, seed: int) -> dict:
    """What --update-cards records in a card (metrics.drawn_digits). Only the card changes; the weights (and
    the sha256 the card holds for them) stay as they are."""
    metrics = {
        "held_out_writers_mnist_style": round(results[(HELD_OUT, ROWS[0], name)], 5),
        "held_out_writers_browser": round(results[(HELD_OUT, ROWS[1], name)], 5),
        "held_out_writers_varied": round(results[(HELD_OUT, ROWS[2], name)], 5),
        "held_out_writers_naive_resize": round(results[(HELD_OUT, ROWS[3], name)], 5),
        "training_writers_mnist_style": round(results[(TRAINING, ROWS[0], name)], 5),
        "held_out_writers": sorted(HELD_OUT_WRITERS), "digits": len(sources[HELD_OUT][0]),
    }
    for group in ("tune", "validation"):
        source = f"UJI2 {group} writers"
        if source not in sources:
            continue
        for row, key in zip(ROWS[:3], ("mnist_style", "browser", "varied")):
            writer, worst = worst_writer(per_writer[(source, row, name)])
            metrics[f"uji2_{group}_{key}"] = round(results[(source, row, name)], 5)
            metrics[f"uji2_{group}_{key}_worst_writer"] = {"writer": writer, "accuracy": round(worst, 4)}
    return {**metrics, "style_seed": seed, "command": "python -m benchmarks.drawn_digits --update-cards"}


if __name__ == "__main__":
    main()
