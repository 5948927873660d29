"""From a sketchpad drawing (or a photo of a digit on paper) to the 28x28 input the models expect.

The MNIST way (LeCun et al.): take the ink, crop it to its bounding box, scale the longer side to 20 px
keeping the aspect ratio (antialiased), and paste it into a 28x28 frame so that its centre of mass is in
the middle. Any canvas size, brush width, brush colour and position gives nearly the same 28x28 image.

Where the ink is, three cases:
  - transparent canvas: the alpha channel (any brush colour);
  - a plain canvas of one colour (what a browser's Sketchpad sends: opaque white; also black or any
    colour): the colour difference from that colour, the commonest one on the picture's border. Every
    pixel of a stroke differs from the canvas, so strokes of any width stay solid;
  - a photo of ink on paper (the border is not one colour): the difference from a smooth quadratic
    surface fitted to the paper, so shadows and grain stay out, and no stroke is wide enough to bend it.

One extra step beyond MNIST: stroke width is normalised at 4x the output size (thin brush strokes are
widened, very thick ones thinned), because a 8 px brush on a 600 px digit would otherwise vanish to a
faint hairline and a 40 px brush on a small digit to a blob; MNIST's pen strokes are 2-3 px wide.

    prepared = prepare_digit(sketch)          # sketch: Gradio Sketchpad dict, array, PIL image or path
    prepared.tensor                           # 1 x 1 x 28 x 28 float (normalised), None if nothing drawn
    prepared.image                            # 28 x 28 uint8, white digit on black
    naive_resize(sketch)                      # the whole canvas squashed to 28x28, for comparison
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageChops, ImageFilter

from common.errors import UserInputError
from common.images import open_image
from mnist.data import normalise

DIGIT_BOX = 20      # the longer side of the digit inside the frame, as in MNIST
FRAME = 28
# Stroke width is adjusted at this resolution (4x the digit box), where a max/min filter is cheap.
WORK_BOX = 4 * DIGIT_BOX
TARGET_STROKE = 4 * 2.6   # MNIST strokes are ~2.5-3 px at 20 px digit height
MIN_CONTRAST = 40         # of 255: a weaker difference from the background is not ink
MIN_SIDE = 8              # pixels; smaller images are refused
MIN_INK_PIXELS = 6        # fewer marked pixels than this is a speck, not a digit
UNIFORM_TOLERANCE = 12    # border pixels this close (of 255) to the commonest border colour are canvas ...
UNIFORM_SHARE = 0.5       # ... and when this share of the border is, the picture is a plain canvas, not a photo


@dataclass
class PreparedDigit:
    tensor: torch.Tensor | None   # 1 x 1 x 28 x 28 normalised model input, None when there is no ink
    image: np.ndarray             # 28 x 28 uint8, white digit on black (all zero when there is no ink)

    @property
    def is_empty(self) -> bool:
        return self.tensor is None


def sketch_to_image(sketch) -> Image.Image | None:
    """The picture in a Sketchpad value (dict with composite / background / layers), or any image input."""
    if sketch is None:
        return None
    if not isinstance(sketch, dict):
        return open_image(sketch)
    if sketch.get("composite") is not None:
        return open_image(sketch["composite"])
    image = open_image(sketch["background"]) if sketch.get("background") is not None else None
    for layer in sketch.get("layers") or []:
        if layer is None:
            continue
        layer = open_image(layer).convert("RGBA")
        if image is None:
            image = layer
        else:
            image = image.convert("RGBA")
            if layer.size != image.size:
                layer = layer.resize(image.size, Image.Resampling.BILINEAR)
            image = Image.alpha_composite(image, layer)
    return image


def ink_map(image: Image.Image) -> np.ndarray:
    """H x W uint8 ink strength (0 = no ink, 255 = full ink)."""
    if min(image.size) < MIN_SIDE:
        raise UserInputError(f"The image is only {image.size[0]} x {image.size[1]} pixels; "
                             f"please draw on a canvas at least {MIN_SIDE} pixels wide and tall.")
    if image.mode == "RGBA":
        alpha = np.asarray(image.getchannel("A"))
        if alpha.min() < 128:   # transparent parts exist: whatever is painted is ink, in any colour
            return _clean(alpha.copy())
    rgb = image.convert("RGB")
    pixels = np.asarray(rgb, dtype=np.int16)
    background = uniform_background(pixels)
    if background is not None:   # a canvas: ink is whatever differs from its one colour, however wide
        canvas = Image.new("RGB", rgb.size, tuple(int(v) for v in background))
        return _ink_from_difference(channel_max(np.asarray(ImageChops.difference(rgb, canvas))), noisy=False)
    return _ink_from_difference(channel_max(np.abs(pixels - paper_background(pixels))), noisy=True)


def channel_max(difference: np.ndarray) -> np.ndarray:
    """H x W: the largest of the three channel differences (any colour change counts, even hue alone)."""
    return np.maximum(np.maximum(difference[:, :, 0], difference[:, :, 1]), difference[:, :, 2])


def uniform_background(pixels: np.ndarray) -> np.ndarray | None:
    """The canvas colour (3 values) when the picture's border is mostly one colour, else None (a photo).

    The candidate is the commonest colour on the border (a stroke may touch the border but does not cover
    most of it); it is the canvas when at least UNIFORM_SHARE of the border is within UNIFORM_TOLERANCE of
    it. Paper in a photo changes too much along the border for that (light falls off, grain)."""
    height, width, _ = pixels.shape
    band = max(1, min(height, width) // 50)
    border = np.concatenate([pixels[:band].reshape(-1, 3), pixels[-band:].reshape(-1, 3),
                             pixels[:, :band].reshape(-1, 3), pixels[:, -band:].reshape(-1, 3)])
    packed = (border[:, 0].astype(np.int32) << 16) | (border[:, 1].astype(np.int32) << 8) | border[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    common = int(values[np.argmax(counts)])
    colour = np.array([common >> 16, (common >> 8) & 255, common & 255], np.int16)
    near = np.abs(border - colour).max(axis=1) <= UNIFORM_TOLERANCE
    return colour if near.mean() >= UNIFORM_SHARE else None


def paper_background(pixels: np.ndarray) -> np.ndarray:
    """H x W x 3 estimate of the paper in a photo: a smooth (quadratic) surface of light per colour channel,
    fitted to the pixels that are not ink. A quadratic follows shading and vignetting but cannot bend into
    a stroke, so the inside of a wide stroke is never taken for paper."""
    height, width, _ = pixels.shape
    step = max(1, round(max(height, width) / 96))   # fit on a ~96 px grid: plenty for a smooth surface
    sample = pixels[::step, ::step].reshape(-1, 3).astype(np.float64)
    rows, cols = np.mgrid[0:height:step, 0:width:step]
    terms = _quadratic_terms(rows.ravel() / height, cols.ravel() / width)
    paper = np.ones(len(sample), bool)
    for _ in range(3):   # fit, call the worst-fitting pixels ink, refit on the rest
        coefficients, *_ = np.linalg.lstsq(terms[paper], sample[paper], rcond=None)
        residual = np.abs(sample - terms @ coefficients).max(axis=1)
        paper = residual <= max(otsu_threshold(np.clip(residual, 0, 255).astype(np.uint8)), MIN_CONTRAST // 4)
    rows, cols = np.mgrid[0:height, 0:width]
    return (_quadratic_terms(rows.ravel() / height, cols.ravel() / width) @ coefficients).reshape(height, width, 3)


def _quadratic_terms(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=1)


def _ink_from_difference(difference: np.ndarray, noisy: bool) -> np.ndarray:
    """Colour difference from the background (H x W, 0..255) -> ink strength, full for a typical ink pixel.
    `noisy` (photos): a few outlying pixels (glare, dust) do not count as contrast."""
    difference = np.clip(difference, 0, 255).astype(np.uint8)
    contrast = np.percentile(difference, 99.9) if noisy and difference.size > 1000 else difference.max()
    if contrast < MIN_CONTRAST:
        return np.zeros(difference.shape, np.uint8)
    threshold = max(otsu_threshold(difference), MIN_CONTRAST // 2)
    # Scale so that the typical ink pixel is full strength, keep antialiased edges soft.
    ink_level = max(float(np.median(difference[difference > threshold])), 1.0)
    ink = np.clip(difference.astype(np.float32) * (255.0 / ink_level), 0, 255)
    ink[difference <= threshold // 2] = 0
    return _clean(ink.astype(np.uint8))


def _clean(ink: np.ndarray) -> np.ndarray:
    ink[ink < 24] = 0   # faint antialiasing haze and compression noise is not ink
    return ink


def otsu_threshold(values: np.ndarray) -> int:
    """Otsu's threshold of a uint8 array: the level that best splits it into two classes."""
    histogram = np.bincount(values.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256)
    weight_low = np.cumsum(histogram)
    weight_high = weight_low[-1] - weight_low
    mass_low = np.cumsum(histogram * levels)
    mean_low = mass_low / np.maximum(weight_low, 1)
    mean_high = (mass_low[-1] - mass_low) / np.maximum(weight_high, 1)
    between = weight_low * weight_high * (mean_low - mean_high) ** 2
    return int(np.argmax(between))


def crop_to_ink(ink: np.ndarray) -> np.ndarray | None:
    rows = np.flatnonzero(ink.max(axis=1))
    cols = np.flatnonzero(ink.max(axis=0))
    if len(rows) == 0 or np.count_nonzero(ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]) < MIN_INK_PIXELS:
        return None
    return ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def resize_longer_side(image: Image.Image, side: int) -> Image.Image:
    width, height = image.size
    scale = side / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # BOX averages every source pixel when shrinking (true antialiasing); BILINEAR when enlarging a speck.
    return image.resize(size, Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR)


def normalise_stroke_width(work: Image.Image) -> Image.Image:
    """Widen thin strokes / thin thick ones to about TARGET_STROKE px at the 80 px working size."""
    mask = np.asarray(work) > 96
    area = int(mask.sum())
    if area == 0:
        return work
    interior = mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    boundary = area - int(interior.sum())
    width = 2.0 * area / max(boundary, 1)   # a stroke of length L and width w: area L*w, boundary ~ 2L
    change = TARGET_STROKE - width
    if change >= 2:
        size = min(2 * round(change / 2) + 1, 9)
        return work.filter(ImageFilter.MaxFilter(size))
    if change <= -4:
        size = min(2 * round(-change / 4) + 1, 5)   # thin gently: erosion can break a stroke apart
        return work.filter(ImageFilter.MinFilter(size))
    return work


def centre_by_mass(digit: np.ndarray) -> np.ndarray:
    """Paste a (<= 20 x 20) digit into a 28 x 28 frame with its centre of mass at the frame's centre."""
    height, width = digit.shape
    weights = digit.astype(np.float64)
    total = weights.sum()
    cy = (weights.sum(axis=1) @ np.arange(height)) / total
    cx = (weights.sum(axis=0) @ np.arange(width)) / total
    top = int(np.clip(round((FRAME - 1) / 2 - cy), 0, FRAME - height))
    left = int(np.clip(round((FRAME - 1) / 2 - cx), 0, FRAME - width))
    frame = np.zeros((FRAME, FRAME), np.uint8)
    frame[top:top + height, left:left + width] = digit
    return frame


def mnist_style(ink: np.ndarray, stroke_width: bool = True) -> np.ndarray | None:
    """28 x 28 uint8 from an ink map, the MNIST way; None when there is no (or too little) ink."""
    crop = crop_to_ink(ink)
    if crop is None:
        return None
    work = resize_longer_side(Image.fromarray(crop), WORK_BOX)
    if stroke_width:
        work = normalise_stroke_width(work)
    digit = np.asarray(resize_longer_side(work, DIGIT_BOX))
    peak = int(digit.max())
    if peak == 0:
        return None
    # Stretch so the strongest stroke is full white, as in MNIST, whatever the ink's strength.
    digit = np.clip(digit.astype(np.float32) * (255.0 / peak), 0, 255).astype(np.uint8)
    return centre_by_mass(digit)


def to_model_input(image28: np.ndarray) -> torch.Tensor:
    return normalise(torch.from_numpy(np.array(image28, dtype=np.uint8)).view(1, 1, FRAME, FRAME))


def prepare_digit(sketch, stroke_width: bool = True) -> PreparedDigit:
    """The drawing as a model input, the MNIST way (see the module docstring)."""
    image = sketch_to_image(sketch)
    if image is None:
        return PreparedDigit(None, np.zeros((FRAME, FRAME), np.uint8))
    image28 = mnist_style(ink_map(image), stroke_width)
    if image28 is None:
        return PreparedDigit(None, np.zeros((FRAME, FRAME), np.uint8))
    return PreparedDigit(to_model_input(image28), image28)


def naive_resize(sketch) -> PreparedDigit:
    """The whole canvas resized to 28x28 (no crop, no centring): what a quick demo would do."""
    image = sketch_to_image(sketch)
    if image is None:
        return PreparedDigit(None, np.zeros((FRAME, FRAME), np.uint8))
    ink = ink_map(image)
    if crop_to_ink(ink) is None:
        return PreparedDigit(None, np.zeros((FRAME, FRAME), np.uint8))
    image28 = np.asarray(Image.fromarray(ink).resize((FRAME, FRAME), Image.Resampling.BOX))
    return PreparedDigit(to_model_input(image28), image28)
