"""Files people (and attackers) upload, made on the fly: the bad-input matrix both demos are tested on.

Each maker writes one file into a folder and returns its path. `BAD_UPLOADS` names those that must be
refused with a clear message; `ODD_BUT_FINE` names those that must be read and give an answer.
"""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def hand_like_photo(width: int = 640, height: int = 480) -> Image.Image:
    """A plain RGB photo-sized image with some structure (not a real hand)."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.stack([x * 255 // width, y * 255 // height, np.full_like(x, 128)], axis=-1)
    pixels = np.clip(pixels + rng.integers(-20, 20, pixels.shape), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels)


def empty_file(folder: Path) -> Path:
    path = folder / "empty.png"
    path.write_bytes(b"")
    return path


def text_named_png(folder: Path) -> Path:
    path = folder / "notes.png"
    path.write_text("this is not an image, just text with a .png name\n")
    return path


def truncated_jpeg(folder: Path) -> Path:
    buffer = io.BytesIO()
    hand_like_photo().save(buffer, "JPEG", quality=90)
    path = folder / "truncated.jpg"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 3])
    return path


def decompression_bomb(folder: Path) -> Path:
    """A tiny PNG whose header claims 40000 x 40000 pixels (1.6 gigapixels)."""
    width = height = 40_000

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    row = b"\x00" + b"\x00" * width
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(64)) + compressor.flush()
    path = folder / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return path


def one_pixel(folder: Path) -> Path:
    path = folder / "one.png"
    Image.new("RGB", (1, 1), (200, 150, 120)).save(path)
    return path


def huge_photo(folder: Path) -> Path:
    """8000 x 6000, a 48-megapixel phone photo (JPEG, so the file itself is small)."""
    path = folder / "huge.jpg"
    hand_like_photo(800, 600).resize((8000, 6000), Image.Resampling.NEAREST).save(path, "JPEG", quality=70)
    return path


def cmyk_jpeg(folder: Path) -> Path:
    path = folder / "cmyk.jpg"
    hand_like_photo().convert("CMYK").save(path, "JPEG")
    return path


def sixteen_bit_png(folder: Path) -> Path:
    path = folder / "deep.png"
    values = (np.linspace(0, 65535, 320 * 240).reshape(240, 320)).astype(np.uint16)
    Image.fromarray(values).save(path)
    return path


def transparent_rgba(folder: Path) -> Path:
    path = folder / "rgba.png"
    image = hand_like_photo().convert("RGBA")
    alpha = np.zeros((480, 640), np.uint8)
    alpha[100:380, 200:440] = 255
    image.putalpha(Image.fromarray(alpha))
    image.save(path)
    return path


def palette_png(folder: Path) -> Path:
    path = folder / "palette.png"
    hand_like_photo().convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(path)
    return path


def animated_gif(folder: Path) -> Path:
    path = folder / "animated.gif"
    frames = [hand_like_photo(), Image.new("RGB", (640, 480), (0, 0, 0)), Image.new("RGB", (640, 480), (255, 0, 0))]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path


def exif_rotated_jpeg(folder: Path) -> Path:
    """Stored 640 wide x 480 high, with EXIF orientation 6: shown upright it is 480 wide x 640 high."""
    path = folder / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    hand_like_photo().save(path, "JPEG", exif=exif.tobytes())
    return path


BAD_UPLOADS = {
    "empty file": empty_file,
    "text named .png": text_named_png,
    "truncated JPEG": truncated_jpeg,
    "decompression bomb": decompression_bomb,
}

ODD_BUT_FINE = {
    "1x1": one_pixel,
    "8000x6000": huge_photo,
    "CMYK JPEG": cmyk_jpeg,
    "16-bit PNG": sixteen_bit_png,
    "transparent RGBA": transparent_rgba,
    "palette PNG": palette_png,
    "animated GIF": animated_gif,
    "EXIF-rotated JPEG": exif_rotated_jpeg,
}
