"""Draw the example drawings the app offers (mnist/examples/*.png) from stroke coordinates written here.

No third-party data: each digit below is a few strokes typed by hand in a 100 x 100 box (y down),
replayed with a round brush on an 800 x 800 transparent canvas, like a person on the sketchpad.
The files are named after their digit (tests check the app reads each one as that digit).

    python -m mnist.examples            # rewrites mnist/examples/*.png
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from mnist.strokes import draw_digit

EXAMPLES = Path(__file__).resolve().parent / "examples"

# name: (strokes, height as a fraction of the canvas, centre (x, y), brush px, RGBA colour)
DRAWINGS = {
    "2_black": ([[(22, 30), (30, 14), (50, 6), (70, 13), (78, 30), (72, 48), (55, 65), (36, 82), (20, 96),
                  (50, 95), (84, 95)]], 0.55, (400, 400), 36, (0, 0, 0, 255)),
    "3_blue": ([[(22, 14), (42, 4), (64, 8), (74, 22), (66, 38), (46, 47), (66, 55), (78, 70), (72, 87), (52, 97),
                 (26, 92)]], 0.4, (560, 300), 28, (31, 79, 214, 255)),
    "4_red": ([[(58, 4), (38, 38), (16, 66), (86, 66)], [(66, 30), (66, 100)]], 0.3, (250, 560), 24,
              (192, 57, 43, 255)),
    "5_black": ([[(76, 8), (30, 8)], [(30, 8), (26, 46), (46, 40), (66, 46), (78, 63), (74, 83), (54, 96),
                                      (30, 95), (18, 85)]], 0.7, (420, 430), 40, (0, 0, 0, 255)),
    "7_blue": ([[(14, 10), (82, 10), (62, 42), (48, 72), (40, 98)]], 0.2, (300, 250), 16, (31, 79, 214, 255)),
}


def draw_example(name: str) -> np.ndarray:
    strokes, height, centre, brush, colour = DRAWINGS[name]
    return draw_digit([np.array(s, dtype=np.float32) for s in strokes], 800, height, centre, brush, colour)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(EXAMPLES), help="folder for the PNG files")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in DRAWINGS:
        path = out / f"{name}.png"
        Image.fromarray(draw_example(name)).save(path, optimize=True)
        print("wrote", path, f"{path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
