"""Pen trajectories: parse the UCI pendigits files and replay a digit on a sketchpad-sized canvas.

The file format (see ../shared/README.md): `.SEGMENT DIGIT n ? "8"`, `.COMMENT label writer index`, then
strokes of `x y` lines between `.PEN_DOWN` and `.PEN_UP`. Tablet y points up, so it is flipped here.
Points are sparse (one per 100 ms), so a replay draws connected lines with round caps and joints,
like a browser sketchpad brush.

    digits = parse_pendigits("../shared/data/digits/pendigits/pendigits-orig.tra")
    canvas = draw_digit(digits[0].strokes, canvas_size=800, height_fraction=0.5, centre=(400, 400),
                        brush_width=20, colour=(0, 0, 0, 255))       # 800 x 800 x 4 uint8, transparent
    python -m mnist.strokes --out artifacts/pen_samples.png           # a sheet of random replays
"""
from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

PENDIGITS_TRAIN = Path("digits/pendigits/pendigits-orig.tra")  # relative to the shared data folder
# Writers 1-30 are split by id: every third writer is held out for the drawn-digits benchmark and never
# used in training; the other 20 may be replayed into the training set (`python -m mnist.train --pen-writers`).
HELD_OUT_WRITERS = frozenset(range(3, 31, 3))
Stroke = np.ndarray  # K x 2 float (x, y) with y pointing down, in any units


@dataclass
class PenDigit:
    label: int
    writer: int
    strokes: list[Stroke]


def parse_pendigits(path: str | Path) -> list[PenDigit]:
    """All digits in a pendigits-orig file, y flipped to point down (image convention)."""
    digits: list[PenDigit] = []
    label = writer = None
    strokes: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] | None = None

    def finish() -> None:
        if label is not None and strokes:
            digits.append(PenDigit(label, writer, [np.array(s, dtype=np.float32) for s in strokes if s]))

    for line in Path(path).read_text().splitlines():
        parts = line.split()
        if not parts:
            continue
        keyword = parts[0]
        if keyword == ".SEGMENT":
            finish()
            label, writer, strokes, current = int(line.rsplit('"', 2)[-2]), None, [], None
        elif keyword == ".COMMENT":
            writer = int(parts[2])
        elif keyword == ".PEN_DOWN":
            current = []
        elif keyword == ".PEN_UP":
            if current is not None:
                strokes.append(current)
            current = None
        elif current is not None and keyword.lstrip("-").isdigit():
            current.append((float(parts[0]), float(parts[1])))
    finish()
    return [PenDigit(d.label, d.writer, _flip_digit(d.strokes)) for d in digits]


def _flip_digit(strokes: list[Stroke]) -> list[Stroke]:
    """Tablet y points up; images' y points down. Flip about the digit's top so all strokes stay aligned."""
    top = max(float(s[:, 1].max()) for s in strokes)
    return [np.stack([s[:, 0], top - s[:, 1]], axis=1) for s in strokes]


def split_writers(digits: list[PenDigit], held_out: set[int]) -> tuple[list[PenDigit], list[PenDigit]]:
    """(digits of writers not in `held_out`, digits of writers in `held_out`)."""
    return [d for d in digits if d.writer not in held_out], [d for d in digits if d.writer in held_out]


def draw_digit(strokes: list[Stroke], canvas_size: int = 800, height_fraction: float = 0.5,
               centre: tuple[float, float] | None = None, brush_width: float = 20,
               colour=(0, 0, 0, 255), background=(0, 0, 0, 0)) -> np.ndarray:
    """Replay `strokes` on a square RGBA canvas: the digit `height_fraction` of the canvas tall, centred at
    `centre` (kept inside the canvas), drawn with a round brush `brush_width` pixels wide."""
    points = np.concatenate(strokes)
    low, high = points.min(0), points.max(0)
    extent = np.maximum(high - low, 1e-6)
    scale = height_fraction * canvas_size / extent[1]
    # Very wide digits (a flat "7", a dash) must still fit: limit the width to 90 % of the canvas.
    scale = min(scale, 0.9 * canvas_size / extent[0])
    size = extent * scale
    margin = brush_width / 2 + 1
    if centre is None:
        centre = (canvas_size / 2, canvas_size / 2)
    cx = float(np.clip(centre[0], size[0] / 2 + margin, canvas_size - size[0] / 2 - margin)) if size[0] + 2 * margin < canvas_size else canvas_size / 2
    cy = float(np.clip(centre[1], size[1] / 2 + margin, canvas_size - size[1] / 2 - margin)) if size[1] + 2 * margin < canvas_size else canvas_size / 2
    offset = np.array([cx, cy]) - (low + extent / 2) * scale
    image = Image.new("RGBA", (canvas_size, canvas_size), tuple(background))
    pen = ImageDraw.Draw(image)
    radius = brush_width / 2
    for stroke in strokes:
        xy = [tuple(p) for p in (stroke * scale + offset).tolist()]
        if len(xy) > 1:
            pen.line(xy, fill=tuple(colour), width=max(1, round(brush_width)), joint="curve")
        for x, y in (xy if len(xy) <= 2 else (xy[0], xy[-1])):  # round caps at both ends
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=tuple(colour))
    return np.asarray(image)


def random_drawing(strokes: list[Stroke], rng: random.Random, canvas_size: int = 800) -> np.ndarray:
    """The digit as a person might draw it on the app's sketchpad: varied size, place, brush and colour.

    Sizes 15-80 % of the canvas height and brushes 8-40 px are for an 800 px canvas; smaller canvases
    scale both, so a 400 px replay looks like a half-size screenshot of an 800 px one.
    """
    unit = canvas_size / 800
    height = rng.uniform(0.15, 0.8)
    brush = rng.uniform(8, 40) * unit
    # A 40 px brush on a 120 px tall digit is a blot no one would draw: keep strokes under ~1/4 of the height.
    brush = min(brush, max(8 * unit, 0.25 * height * canvas_size))
    centre = (rng.uniform(0.2, 0.8) * canvas_size, rng.uniform(0.2, 0.8) * canvas_size)
    colour = rng.choice([(0, 0, 0, 255), (30, 30, 30, 255), (20, 60, 200, 255), (200, 30, 30, 255),
                         (255, 255, 255, 255), (250, 200, 0, 255)])
    return draw_digit(strokes, canvas_size, height, centre, brush, colour)


def replay_set(digits: list[PenDigit], seed: int, canvas_size: int = 800, variants: int = 1):
    """Yield (label, RGBA canvas) for each digit `variants` times, styled by a seeded `random_drawing`."""
    rng = random.Random(seed)
    for _ in range(variants):
        for digit in digits:
            yield digit.label, random_drawing(digit.strokes, rng, canvas_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pendigits", default="../shared/data/digits/pendigits/pendigits-orig.tra",
                        help="a pendigits-orig file")
    parser.add_argument("--out", default="artifacts/pen_samples.png", help="where to write the sample sheet")
    parser.add_argument("--count", type=int, default=16, help="how many replays")
    parser.add_argument("--seed", type=int, default=0, help="random seed for choice and style")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    digits = parse_pendigits(args.pendigits)
    print(f"{len(digits)} digits from {len({d.writer for d in digits})} writers")
    tiles = []
    for digit in rng.sample(digits, args.count):
        canvas = Image.fromarray(random_drawing(digit.strokes, rng, 400))
        tile = Image.new("RGB", canvas.size, (235, 235, 235))
        tile.paste(canvas, mask=canvas.getchannel("A"))
        tiles.append(tile)
    sheet = Image.new("RGB", (400 * 4, 400 * ((len(tiles) + 3) // 4)), "white")
    for index, tile in enumerate(tiles):
        sheet.paste(tile, (400 * (index % 4), 400 * (index // 4)))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
