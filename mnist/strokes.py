"""Pen trajectories: parse the UCI pendigits and UJI Pen Characters v2 digits and replay a digit on a
sketchpad-sized canvas.

Pendigits (see ../shared/README.md): `.SEGMENT DIGIT n ? "8"`, `.COMMENT label writer index`, then
strokes of `x y` lines between `.PEN_DOWN` and `.PEN_UP`. Tablet y points up, so it is flipped here.
UJI2 (../shared/data/digits/uji2/README.md): JSON lines, 60 writers on two tablets, y already points down
(not flipped); its writers are split into training, tuning and validation groups by id (`uji2_group`).
Points are sparse (one per 100 ms), so a replay draws connected lines with round caps and joints,
like a browser sketchpad brush.

    digits = parse_pendigits(PENDIGITS)           # ../shared/data/digits/pendigits/pendigits-orig.tra
    canvas = draw_digit(digits[0].strokes, canvas_size=800, height_fraction=0.5, centre=(400, 400),
                        brush_width=20, colour=(0, 0, 0, 255))       # 800 x 800 x 4 uint8, transparent
    python -m mnist.strokes --out artifacts/pen_samples.png           # a sheet of random replays
    python -m mnist.strokes --style varied --out artifacts/varied.png  # ... as other writers, in the browser
    python -m mnist.strokes --source uji2 --style browser --out artifacts/uji2.png   # UJI2 writers
"""
from __future__ import annotations

import argparse
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from common.paths import SHARED_DATA

PENDIGITS = SHARED_DATA / "digits" / "pendigits" / "pendigits-orig.tra"
# Writers 1-30 are split by id: every third writer is held out for the drawn-digits benchmark and never
# used in training; the other 20 may be replayed into the training set (`python -m mnist.train --pen-writers`).
HELD_OUT_WRITERS = frozenset(range(3, 31, 3))
UJI2 = SHARED_DATA / "digits" / "uji2" / "uji2_digits.jsonl"
# UJI2's 60 writers (UJI_W01-W16 and UPV_W17-W60) are split by number so both tablets are in every group:
# numbers divisible by 5 are the validation group, measured only for the final report and never used to
# choose anything; numbers 2, 7, 12, ... are the tuning group, measured while choosing the recipe; the other
# 36 may be replayed into the training set (`python -m mnist.train --uji2 ...`).
UJI2_GROUPS = ("train", "tune", "validation")
Stroke = np.ndarray  # K x 2 float (x, y) with y pointing down, in any units


@dataclass
class PenDigit:
    label: int
    writer: int | str   # pendigits: 1-30; UJI2: "UJI_W01" ... "UPV_W60"
    strokes: list[Stroke]


def uji2_group(writer: str) -> str:
    """"train", "tune" or "validation": the UJI2 group of a writer id like "UPV_W23" (see UJI2_GROUPS)."""
    number = int(writer.rsplit("W", 1)[1])
    return "validation" if number % 5 == 0 else "tune" if number % 5 == 2 else "train"


def parse_uji2(path: str | Path, group: str | None = None) -> list[PenDigit]:
    """The UJI2 digits (of one writer group if given), y down as recorded: UJI2 needs no flip."""
    digits = []
    for line in Path(path).read_text().splitlines():
        record = json.loads(line)
        if group is None or uji2_group(record["writer"]) == group:
            digits.append(PenDigit(record["label"], record["writer"],
                                   [np.array(s, dtype=np.float32) for s in record["strokes"] if s]))
    return digits


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
    """The digit as a person might draw it on a transparent sketchpad: varied size, place, brush and colour.

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


def browser_drawing(strokes: list[Stroke], rng: random.Random, canvas_size: int = 800,
                    brushes_tall: float = 4) -> np.ndarray:
    """The digit as the app's Sketchpad sends it from a browser: an opaque white RGBA canvas, a round brush
    20-100 px wide (Gradio's brush size is a radius: the default 36 paints 72 px lines), one of the app's
    three brush colours. Bigger brushes go with bigger digits (at least `brushes_tall` strokes tall)."""
    unit = canvas_size / 800
    brush = rng.uniform(20, 100)
    height = rng.uniform(min(0.85, max(0.15, brushes_tall * brush / 800)), 0.85)
    centre = (rng.uniform(0.2, 0.8) * canvas_size, rng.uniform(0.2, 0.8) * canvas_size)
    colour = rng.choice(BROWSER_BRUSH_COLOURS)
    return draw_digit(strokes, canvas_size, height, centre, brush * unit, colour, background=(255, 255, 255, 255))


# The Sketchpad's brush colours in app.py (#000000, #1f4fd6, #c0392b).
BROWSER_BRUSH_COLOURS = [(0, 0, 0, 255), (31, 79, 214, 255), (192, 57, 43, 255)]


def vary_strokes(strokes: list[Stroke], rng: random.Random) -> list[Stroke]:
    """The same digit as another writer with another pen might draw it: slanted, wider or narrower, turned,
    wobbly, with overshooting or short stroke ends, loops left open or closed further, a pen lifted
    mid-stroke (a broken stroke), strokes drawn a little apart, and sampled densely (a slow pen, a mouse) or
    sparsely (a fast pen, a slow tablet: straight segments). Keeps the digit's identity; used to make
    training replays and the benchmark's "varied" rendering look like many more writers than the data has."""
    points = np.concatenate(strokes)
    low, high = points.min(0), points.max(0)
    size = float(max(high[1] - low[1], high[0] - low[0], 1e-6))
    centre = (low + high) / 2
    slant, aspect, turn = rng.uniform(-0.35, 0.35), math.exp(rng.uniform(-0.35, 0.25)), math.radians(rng.uniform(-10, 10))
    # Shear (slant), stretch (aspect), then turn; all about the digit's centre.
    matrix = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]]) @ \
        np.array([[aspect, slant], [0.0, 1.0]])
    wobble = _smooth_wobble(rng, amplitude=rng.uniform(0, 0.04) * size)
    varied: list[Stroke] = []
    for stroke in strokes:
        spacing = rng.uniform(0.01, 0.11) * size
        path = _resample(stroke, spacing)
        if len(path) > 1 and rng.random() < 0.3:   # overshoot or stop short at either end
            path = _extend_ends(path, rng.uniform(-0.06, 0.06) * size, rng.uniform(-0.06, 0.06) * size)
        if len(path) > 3 and _is_loop(path, size) and rng.random() < 0.3:
            # A loop (0, 6, 8, 9) that one writer leaves open and another closes with a tail past its start.
            path = _extend_ends(path, 0.0, rng.uniform(-0.15, 0.1) * size)
        path = path + wobble(path / size) + np.array([rng.gauss(0, 0.015), rng.gauss(0, 0.015)]) * size
        tremor = np.random.default_rng(rng.getrandbits(32)).normal(0, 0.1, path.shape) * min(spacing, 0.03 * size)
        path = path + tremor
        if len(path) > 6 and rng.random() < 0.15:   # the pen lifted for a moment: a gap in the stroke
            cut = rng.randrange(2, len(path) - 3)
            gap = max(1, round(len(path) * rng.uniform(0.02, 0.1)))
            varied += [path[:cut], path[cut + gap:]]
        else:
            varied.append(path)
    varied = [((s - centre) @ matrix.T + centre).astype(np.float32) for s in varied if len(s)]
    if rng.random() < 0.05:   # a stray tap of the pen near the digit
        spot = centre + np.array([rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.6)]) * size
        varied.append(np.array([spot], np.float32))
    return varied


def vary_one_flag(strokes: list[Stroke], rng: random.Random) -> list[Stroke]:
    """A "1" whose lead-in flag (the first stroke's path up to its top point) is turned towards the
    horizontal by 0-25 degrees and made 0.8-1.4 times as long. Many people write the European 1 with a long,
    flat flag that MNIST (American 1s, barred 7s) never shows; the held-out pendigits writers' flagged 1s
    were the drawn-digits benchmark's commonest misreads (read as 7). Only for 1s: a 7's bar bent this way
    would look like a 1."""
    first = np.asarray(strokes[0], np.float64)
    top = int(np.argmin(first[:, 1]))
    if top == 0:
        return strokes
    pivot = first[top]
    lead = first[:top] - pivot
    angle = np.arctan2(lead[:, 1], lead[:, 0])
    # y points down: a flag going down-left from the top has an angle in (90, 180) degrees; 180 is flat.
    turn = math.radians(rng.uniform(0, 25))
    new_angle = np.minimum(angle + turn, math.radians(172)) if np.median(lead[:, 0]) < 0 else angle
    length = np.linalg.norm(lead, axis=1) * rng.uniform(0.8, 1.4)
    lead = np.stack([np.cos(new_angle), np.sin(new_angle)], axis=1) * length[:, None]
    return [np.vstack([lead + pivot, first[top:]]).astype(np.float32), *strokes[1:]]


def cross_seven(strokes: list[Stroke], rng: random.Random) -> list[Stroke]:
    """A "7" with the continental cross-bar: a short, nearly level stroke through the stem at 45-65 % of the
    digit's height, 35-65 % of its width long. MNIST has few crossed 7s; many European writers cross them."""
    points = np.concatenate(strokes)
    low, high = points.min(0), points.max(0)
    y = low[1] + rng.uniform(0.45, 0.65) * (high[1] - low[1])
    middle_x = _crossing_x(strokes, y)
    half = rng.uniform(0.35, 0.65) * (high[0] - low[0]) / 2
    tilt = rng.uniform(-0.08, 0.08) * half
    bar = np.linspace([middle_x - half, y + tilt], [middle_x + half, y - tilt], 8).astype(np.float32)
    return [*strokes, bar]


def vary_by_label(label: int, strokes: list[Stroke], rng: random.Random, one_flags: float = 0.0,
                  crossed_sevens: float = 0.0) -> list[Stroke]:
    """Habits of some writers that belong to one digit: a share `one_flags` of the 1s get a flatter, longer
    up-stroke flag (vary_one_flag), a share `crossed_sevens` of the 7s a cross-bar (cross_seven)."""
    if label == 1 and one_flags and rng.random() < one_flags:
        return vary_one_flag(strokes, rng)
    if label == 7 and crossed_sevens and rng.random() < crossed_sevens:
        return cross_seven(strokes, rng)
    return strokes


def _crossing_x(strokes: list[Stroke], y: float) -> float:
    """x where the ink last crosses the level y (a 7's stem, drawn after its bar); the nearest point if none."""
    crossings = []
    for stroke in strokes:
        for (x0, y0), (x1, y1) in zip(stroke[:-1].tolist(), stroke[1:].tolist()):
            if min(y0, y1) <= y <= max(y0, y1) and y0 != y1:
                crossings.append(x0 + (y - y0) / (y1 - y0) * (x1 - x0))
    if crossings:
        return float(crossings[-1])
    points = np.concatenate(strokes)
    return float(points[np.argmin(np.abs(points[:, 1] - y)), 0])


def _is_loop(path: np.ndarray, size: float) -> bool:
    """Does the stroke end near where it started, after going around (a loop, not a short dash)?"""
    length = float(np.linalg.norm(np.diff(path, axis=0), axis=1).sum())
    return length > 1.5 * size and float(np.linalg.norm(path[-1] - path[0])) < 0.3 * size


def _resample(stroke: Stroke, spacing: float) -> Stroke:
    """Points every `spacing` along the stroke (a fast pen leaves few points, a slow one many)."""
    if len(stroke) < 2:
        return stroke.astype(np.float64)
    lengths = np.r_[0, np.cumsum(np.linalg.norm(np.diff(stroke, axis=0), axis=1))]
    if lengths[-1] < 1e-6:
        return stroke[:1].astype(np.float64)
    at = np.linspace(0, lengths[-1], max(2, int(lengths[-1] / spacing) + 1))
    return np.stack([np.interp(at, lengths, stroke[:, 0]), np.interp(at, lengths, stroke[:, 1])], axis=1)


def _extend_ends(path: np.ndarray, start: float, end: float) -> np.ndarray:
    """Lengthen (positive) or shorten (negative) a path at its start and end by the given distances."""
    def move(points: np.ndarray, by: float) -> np.ndarray:   # acts on the first point of `points`
        direction = points[0] - points[1]
        norm = np.linalg.norm(direction)
        if norm < 1e-6:
            return points
        if by >= 0:
            return np.vstack([points[0] + direction / norm * by, points])
        lengths = np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))
        keep = int(np.searchsorted(lengths, -by))
        return points[min(keep, len(points) - 2):]
    path = move(path, start)
    return move(path[::-1], end)[::-1] if len(path) > 1 else path


def _smooth_wobble(rng: random.Random, amplitude: float):
    """A smooth random displacement field over the digit (sums of a few low-frequency waves)."""
    waves = [(rng.uniform(0.5, 2.0), rng.uniform(0.5, 2.0), rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi))
             for _ in range(4)]

    def field(unit_points: np.ndarray) -> np.ndarray:
        x, y = unit_points[:, 0], unit_points[:, 1]
        dx = sum(math.sqrt(0.5) * np.sin(2 * math.pi * (fx * x + fy * y) + px) for fx, fy, px, _ in waves[:2])
        dy = sum(math.sqrt(0.5) * np.sin(2 * math.pi * (fx * x + fy * y) + py) for fx, fy, _, py in waves[2:])
        return amplitude * np.stack([dx, dy], axis=1)
    return field


STYLES = {
    # name: (vary the trajectory like another writer?, how it is drawn)
    "sketchpad": (False, random_drawing),   # the original benchmark: transparent canvas, brush 8-40 px
    "browser": (False, browser_drawing),    # what Chromium sends: opaque white, brush 20-100 px
    # other writers and pens (vary_strokes), drawn as in the browser, thick brushes allowed on smaller digits
    "varied": (True, lambda strokes, rng, canvas_size: browser_drawing(strokes, rng, canvas_size, brushes_tall=3)),
}


def styled_drawing(strokes: list[Stroke], rng: random.Random, style: str, canvas_size: int = 800) -> np.ndarray:
    """One replay of `strokes` in a named style (STYLES), or "mixed": a random one of them per drawing."""
    if style == "mixed":
        style = rng.choice(list(STYLES))
    vary, draw = STYLES[style]
    return draw(vary_strokes(strokes, rng) if vary else strokes, rng, canvas_size)


def replay_set(digits: list[PenDigit], seed: int, canvas_size: int = 800, variants: int = 1,
               style: str = "sketchpad", one_flags: float = 0.0, crossed_sevens: float = 0.0):
    """Yield (label, RGBA canvas) for each digit `variants` times, drawn in `style` with a seeded generator;
    shares of the 1s and 7s get a writer's habit first (vary_by_label; for training only)."""
    rng = random.Random(seed)
    for _ in range(variants):
        for digit in digits:
            strokes = vary_by_label(digit.label, digit.strokes, rng, one_flags, crossed_sevens)
            yield digit.label, styled_drawing(strokes, rng, style, canvas_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pendigits", default=str(PENDIGITS),
                        help="a pendigits-orig file")
    parser.add_argument("--source", choices=["pendigits", "uji2"], default="pendigits", help="which pen trajectories")
    parser.add_argument("--uji2", default=str(UJI2), help="the UJI2 digits file")
    parser.add_argument("--digit", type=int, default=None, help="only this digit")
    parser.add_argument("--one-flags", type=float, default=0.0, help="share of 1s with a flatter, longer flag")
    parser.add_argument("--crossed-sevens", type=float, default=0.0, help="share of 7s with a cross-bar")
    parser.add_argument("--out", default="artifacts/pen_samples.png", help="where to write the sample sheet")
    parser.add_argument("--count", type=int, default=16, help="how many replays")
    parser.add_argument("--seed", type=int, default=0, help="random seed for choice and style")
    parser.add_argument("--style", choices=[*STYLES, "mixed"], default="sketchpad", help="how the digits are drawn")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    digits = parse_pendigits(args.pendigits) if args.source == "pendigits" else parse_uji2(args.uji2)
    digits = [d for d in digits if args.digit is None or d.label == args.digit]
    print(f"{len(digits)} digits from {len({d.writer for d in digits})} writers")
    tiles = []
    for digit in rng.sample(digits, args.count):
        strokes = vary_by_label(digit.label, digit.strokes, rng, args.one_flags, args.crossed_sevens)
        canvas = Image.fromarray(styled_drawing(strokes, rng, args.style, 400))
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
