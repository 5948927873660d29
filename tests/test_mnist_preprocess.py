"""Sketch preprocessing, the MNIST way: centring, invariance to place/size/brush/colour, blanks, odd inputs.

Drawings are made here with mnist.strokes.draw_digit from typed stroke coordinates (the same replay the
benchmark uses), on 800 x 800 canvases like the app's sketchpad.
"""
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageFilter

from common.errors import UserInputError
from mnist.preprocess import naive_resize, prepare_digit
from mnist.strokes import draw_digit

TWO = [np.array([(22, 30), (30, 14), (50, 6), (70, 13), (78, 30), (72, 48), (55, 65), (36, 82), (20, 96),
                 (50, 95), (84, 95)], np.float32)]
FOUR = [np.array([(58, 4), (38, 38), (16, 66), (86, 66)], np.float32), np.array([(66, 30), (66, 100)], np.float32)]


def sketch(canvas) -> dict:
    return {"background": None, "layers": [], "composite": canvas}


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    weights = image.astype(np.float64)
    rows, cols = np.indices(image.shape)
    return (weights * rows).sum() / weights.sum(), (weights * cols).sum() / weights.sum()


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1])


def test_digit_is_scaled_to_20_px_and_centred_by_mass():
    canvas = draw_digit(TWO, 800, 0.3, (150, 620), 20)
    image = prepare_digit(sketch(canvas)).image
    assert image.shape == (28, 28) and image.dtype == np.uint8 and image.max() == 255
    rows, cols = np.nonzero(image)
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) + 1 in (19, 20, 21)
    cy, cx = centre_of_mass(image)
    assert abs(cy - 13.5) <= 0.75 and abs(cx - 13.5) <= 0.75


def test_same_digit_at_other_places_sizes_and_brushes_gives_nearly_the_same_input():
    reference = prepare_digit(sketch(draw_digit(FOUR, 800, 0.5, (400, 400), 24))).image
    for height, centre, brush in [(0.18, (120, 130), 10), (0.75, (420, 380), 36), (0.3, (650, 650), 16)]:
        other = prepare_digit(sketch(draw_digit(FOUR, 800, height, centre, brush))).image
        assert similarity(reference, other) > 0.85, (height, centre, brush)


def test_canvas_size_does_not_matter():
    big = prepare_digit(sketch(draw_digit(TWO, 800, 0.5, (400, 400), 24))).image
    small = prepare_digit(sketch(draw_digit(TWO, 200, 0.5, (100, 100), 6))).image
    assert similarity(big, small) > 0.9


def test_naive_resize_keeps_the_canvas_so_a_small_corner_digit_stays_small():
    canvas = draw_digit(TWO, 800, 0.2, (120, 120), 12)
    naive = naive_resize(sketch(canvas)).image
    rows, cols = np.nonzero(naive)
    assert rows.max() < 10 and cols.max() < 10
    assert naive_resize(sketch(np.zeros((800, 800, 4), np.uint8))).is_empty


@pytest.mark.parametrize("fill", [(0, 0, 0, 0), (255, 255, 255, 255), (0, 0, 0, 255), (90, 140, 200, 255)],
                         ids=["transparent", "white", "black", "coloured"])
def test_blank_canvases_are_empty(fill):
    prepared = prepare_digit(sketch(np.full((800, 800, 4), fill, np.uint8)))
    assert prepared.is_empty and prepared.tensor is None and prepared.image.shape == (28, 28)


def test_sketchpad_value_without_images_and_none_are_empty():
    assert prepare_digit({"background": None, "layers": [], "composite": None}).is_empty
    assert prepare_digit({}).is_empty
    assert prepare_digit(None).is_empty


def test_coloured_brush_on_transparent_equals_dark_ink_on_white():
    transparent = draw_digit(FOUR, 800, 0.5, (400, 400), 24, colour=(250, 200, 0, 255))
    white = draw_digit(FOUR, 800, 0.5, (400, 400), 24, colour=(20, 20, 20, 255), background=(255, 255, 255, 255))
    a, b = prepare_digit(sketch(transparent)), prepare_digit(sketch(white))
    assert similarity(a.image, b.image) > 0.97
    # the same on a white canvas flattened to RGB (no alpha at all)
    rgb = np.asarray(Image.fromarray(white).convert("RGB"))
    assert similarity(a.image, prepare_digit(rgb).image) > 0.97


def test_composite_only_background_only_and_layers_only_dicts_agree(tmp_path):
    canvas = draw_digit(TWO, 800, 0.4, (300, 500), 20)
    path = tmp_path / "drawing.png"
    Image.fromarray(canvas).save(path)
    reference = prepare_digit(sketch(canvas)).image
    for value in ({"background": str(path), "layers": [], "composite": None},
                  {"background": None, "layers": [canvas], "composite": None},
                  {"composite": Image.fromarray(canvas)},
                  str(path)):
        np.testing.assert_array_equal(prepare_digit(value).image, reference)


def test_photo_of_dark_ink_on_shaded_paper():
    """Paper with a shadow gradient and grain: the background must not become ink."""
    ink = draw_digit(FOUR, 1000, 0.45, (520, 480), 22)[:, :, 3].astype(np.float64) / 255
    rng = np.random.default_rng(0)
    rows, cols = np.indices((1000, 1000))
    paper = 215 - 70 * (cols / 1000) - 25 * (rows / 1000) + rng.normal(0, 6, (1000, 1000))   # shadow + grain
    photo = paper * (1 - 0.75 * ink)
    photo = np.stack([photo, photo * 0.97, photo * 0.9], axis=2).clip(0, 255).astype(np.uint8)
    photo = np.asarray(Image.fromarray(photo).filter(ImageFilter.GaussianBlur(1.5)))
    clean = prepare_digit(sketch(draw_digit(FOUR, 1000, 0.45, (520, 480), 22))).image
    assert similarity(prepare_digit(photo).image, clean) > 0.85


def test_a_speck_is_not_a_digit():
    canvas = np.zeros((800, 800, 4), np.uint8)
    canvas[400:402, 400:402] = 255
    assert prepare_digit(sketch(canvas)).is_empty


def test_tiny_images_are_refused_in_words():
    with pytest.raises(UserInputError, match="pixels"):
        prepare_digit(sketch(np.zeros((4, 4, 4), np.uint8)))


def test_huge_canvas_is_handled():
    canvas = draw_digit(TWO, 4000, 0.5, (2000, 2000), 100)
    reference = prepare_digit(sketch(draw_digit(TWO, 800, 0.5, (400, 400), 20))).image
    assert similarity(prepare_digit(sketch(canvas)).image, reference) > 0.9


# A "2" and a "7" have no loops, so any enclosed background in their 28 x 28 is a hollowed stroke.
SEVEN = [np.array([(10, 5), (90, 5), (60, 50), (40, 100)], np.float32)]
CANVASES = {   # background, brush colour
    "transparent": ((0, 0, 0, 0), (20, 20, 20, 255)),
    "white": ((255, 255, 255, 255), (0, 0, 0, 255)),          # what Chromium's Sketchpad sends
    "black": ((0, 0, 0, 255), (255, 255, 255, 255)),
    "coloured": ((90, 140, 200, 255), (250, 200, 0, 255)),
}
STROKE_WIDTHS = [4, 10, 20, 40, 72, 100, 140, 200]   # px on an 800 px canvas; the browser's default is 72


def enclosed_background_pixels(image: np.ndarray) -> int:
    """Background pixels of a 28 x 28 that cannot be reached from the frame's edge (holes in the ink)."""
    background = image < 64
    reached = np.zeros_like(background)
    edge = [(r, c) for r in range(28) for c in (0, 27)] + [(r, c) for r in (0, 27) for c in range(28)]
    while edge:
        r, c = edge.pop()
        if 0 <= r < 28 and 0 <= c < 28 and background[r, c] and not reached[r, c]:
            reached[r, c] = True
            edge += [(r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)]
    return int((background & ~reached).sum())


@pytest.mark.parametrize("canvas", list(CANVASES))
@pytest.mark.parametrize("label, strokes", [(2, TWO), (7, SEVEN)], ids=["2", "7"])
def test_any_stroke_width_on_any_canvas_reads_the_same_without_holes(canvas, label, strokes):
    from mnist.predict import load_model

    background, colour = CANVASES[canvas]
    model = load_model("cnn")
    for width in STROKE_WIDTHS:
        drawing = draw_digit(strokes, 800, 0.75, (400, 400), width, colour=colour, background=background)
        prepared = prepare_digit(sketch(drawing))
        assert enclosed_background_pixels(prepared.image) == 0, (canvas, width)
        transparent = prepare_digit(sketch(draw_digit(strokes, 800, 0.75, (400, 400), width))).image
        assert similarity(prepared.image, transparent) > 0.97, (canvas, width)
        with torch.inference_mode():
            assert model(prepared.tensor).argmax().item() == label, (canvas, width)


def test_wide_strokes_on_an_opaque_white_canvas_fill_the_stroke():
    """The issue's case: the browser's opaque white canvas and a 100 px brush once gave a hollow ring."""
    drawing = draw_digit(FOUR, 800, 0.7, (400, 400), 100, background=(255, 255, 255, 255))
    ink = prepare_digit(sketch(drawing)).image
    reference = prepare_digit(sketch(draw_digit(FOUR, 800, 0.7, (400, 400), 100))).image
    np.testing.assert_allclose(ink.astype(int), reference.astype(int), atol=8)


def test_a_digit_touching_the_canvas_edge_is_still_read_against_the_canvas_colour():
    drawing = draw_digit(SEVEN, 800, 0.95, (400, 400), 90, colour=(31, 79, 214, 255), background=(255, 255, 255, 255))
    reference = draw_digit(SEVEN, 800, 0.95, (400, 400), 90)
    assert similarity(prepare_digit(sketch(drawing)).image, prepare_digit(sketch(reference)).image) > 0.97


@pytest.mark.parametrize("width", [22, 90, 160])
def test_photo_of_a_thick_digit_on_shaded_paper_keeps_its_strokes_full(width):
    """Photos take the smooth-paper path; a wide marker stroke must not be mistaken for paper either."""
    ink = draw_digit(TWO, 1000, 0.6, (520, 480), width)[:, :, 3].astype(np.float64) / 255
    rng = np.random.default_rng(1)
    rows, cols = np.indices((1000, 1000))
    paper = (220 - 60 * (cols / 1000) - 30 * (rows / 1000) + 30 * (cols / 1000 - 0.5) ** 2
             + rng.normal(0, 6, (1000, 1000)))   # uneven light, curved a little, and grain
    photo = paper * (1 - 0.7 * ink)
    photo = np.stack([photo, photo * 0.97, photo * 0.9], axis=2).clip(0, 255).astype(np.uint8)
    photo = np.asarray(Image.fromarray(photo).filter(ImageFilter.GaussianBlur(1.5)))
    image = prepare_digit(photo).image
    assert enclosed_background_pixels(image) == 0
    clean = prepare_digit(sketch(draw_digit(TWO, 1000, 0.6, (520, 480), width))).image
    assert similarity(image, clean) > 0.8


def test_a_jpeg_of_a_white_canvas_drawing_reads_like_the_png(tmp_path):
    drawing = draw_digit(SEVEN, 800, 0.6, (380, 420), 72, colour=(192, 57, 43, 255), background=(255, 255, 255, 255))
    path = tmp_path / "seven.jpg"
    Image.fromarray(drawing).convert("RGB").save(path, quality=70)
    image = prepare_digit(str(path)).image
    assert enclosed_background_pixels(image) == 0
    assert similarity(image, prepare_digit(sketch(drawing)).image) > 0.97


def test_a_composite_captured_from_chromium_reads_as_drawn():
    """tests/data/chromium_sketchpad_5.png is what the app's Sketchpad sent from headless Chromium (Playwright,
    mouse, default brush): an opaque white 800 x 800 RGBA canvas with a 72 px wide black "5"."""
    from mnist.predict import load_model

    composite = np.asarray(Image.open(Path(__file__).parent / "data" / "chromium_sketchpad_5.png"))
    assert composite.shape == (800, 800, 4) and composite[:, :, 3].min() == 255
    prepared = prepare_digit(sketch(composite))
    assert enclosed_background_pixels(prepared.image) == 0
    with torch.inference_mode():
        assert load_model("cnn")(prepared.tensor).argmax().item() == 5
