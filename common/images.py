"""Decode whatever a person uploads into a sane, upright 8-bit image, or say clearly why not.

    image = open_image(path_or_bytes_or_array_or_pil)        # PIL image, mode RGB or RGBA, upright
    rgb = flatten_alpha(image, background=(255, 255, 255))   # RGB, transparent parts on a background

Handles: EXIF rotation (phone photos), CMYK, 16-bit and 32-bit greyscale, palette and LA images,
animated files (first frame), and refuses files or pixel counts that are too large *before* decoding
them (decompression bombs), and files that are not images at all. Every refusal is a `UserInputError`
whose message can be shown to a person as it is.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from common.errors import UserInputError

MAX_FILE_BYTES = 25 * 1024 * 1024
# 8000 x 6000 (a 48-megapixel phone photo) is fine; a PNG claiming 40000 x 40000 is not.
MAX_PIXELS = 50_000_000
# Nothing downstream needs more than this; shrinking early keeps memory and time small.
WORKING_SIDE = 1600


def open_image(source, working_side: int = WORKING_SIDE) -> Image.Image:
    """Return an upright RGB or RGBA PIL image no larger than `working_side` on its longer side."""
    if source is None:
        raise UserInputError("No image was given.")
    if isinstance(source, Image.Image):
        image = source
    elif isinstance(source, np.ndarray):
        image = _image_from_array(source)
    else:
        image = _decode(source)
    image = _first_frame_upright(image)
    image = _to_8bit(image)
    if max(image.size) > working_side:
        image.thumbnail((working_side, working_side), Image.Resampling.LANCZOS)
    return image


def flatten_alpha(image: Image.Image, background=(255, 255, 255)) -> Image.Image:
    """RGB image with any transparent parts laid on `background`."""
    if image.mode == "RGB":
        return image
    canvas = Image.new("RGB", image.size, background)
    canvas.paste(image, mask=image.getchannel("A") if image.mode == "RGBA" else None)
    return canvas


def _decode(source) -> Image.Image:
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        if len(data) > MAX_FILE_BYTES:
            raise UserInputError(_too_big_file_message(len(data)))
        stream = io.BytesIO(data)
    else:
        path = Path(source)
        if not path.is_file():
            raise UserInputError("The uploaded file could not be found; please upload it again.")
        size = path.stat().st_size
        if size == 0:
            raise UserInputError("The uploaded file is empty.")
        if size > MAX_FILE_BYTES:
            raise UserInputError(_too_big_file_message(size))
        stream = io.BytesIO(path.read_bytes())
    try:
        image = Image.open(stream)  # reads the header only; pixels are decoded later
    except Image.DecompressionBombError:
        raise UserInputError(f"That image claims to be too large to open safely "
                             f"(the limit is {MAX_PIXELS // 1_000_000} megapixels).")
    except (UnidentifiedImageError, OSError, ValueError):
        raise UserInputError("That file is not an image I can read. Please upload a JPEG, PNG, WebP or GIF.")
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise UserInputError(
            f"That image claims to be {width:,} x {height:,} pixels, which is too large to open safely "
            f"(the limit is {MAX_PIXELS // 1_000_000} megapixels)."
        )
    if width < 1 or height < 1:
        raise UserInputError("That image has no pixels.")
    if image.format == "JPEG":
        image.draft("RGB", (WORKING_SIDE, WORKING_SIDE))  # let libjpeg decode at a reduced size: much faster
    try:
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise UserInputError("That image file is damaged or cut short, so it cannot be read. Please try another.")
    return image


def _too_big_file_message(size: int) -> str:
    return f"That file is {size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB."


def _first_frame_upright(image: Image.Image) -> Image.Image:
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
        image = image.copy()
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block should not cost the person their photo
        return image


def _to_8bit(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode in ("RGB", "RGBA"):
        return image
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        scale = 255.0 / 65535.0 if mode.startswith("I;16") or values.max() > 255 else 1.0
        if mode in ("I", "F") and values.max() > 65535:
            scale = 255.0 / values.max()
        return Image.fromarray(np.clip(values * scale, 0, 255).astype(np.uint8)).convert("RGB")
    has_alpha = mode in ("LA", "PA", "La") or (mode == "P" and "transparency" in image.info)
    return image.convert("RGBA" if has_alpha else "RGB")


def _image_from_array(array: np.ndarray) -> Image.Image:
    if array.size == 0:
        raise UserInputError("The image is empty.")
    if array.dtype != np.uint8:
        top = 65535.0 if array.dtype == np.uint16 else (1.0 if array.dtype.kind == "f" and array.max() <= 1.0 else 255.0)
        array = np.clip(array.astype(np.float64) * (255.0 / top), 0, 255).astype(np.uint8)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 2:
        return Image.fromarray(array).convert("RGB")
    if array.ndim == 3 and array.shape[2] in (3, 4):
        return Image.fromarray(array, "RGBA" if array.shape[2] == 4 else "RGB")
    raise UserInputError(f"An image array of shape {array.shape} is not something I can read.")
