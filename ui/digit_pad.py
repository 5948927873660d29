"""The Digits tab's drawing pad: a <canvas> of the project's own that reads the digit while you draw.

    pad = digit_pad()          # inside a gr.Blocks: canvas, brush sizes, three colours, Clear, the answer

A Gradio 6 custom HTML component (`gr.HTML` with `html_template`, `css_template` and `js_on_load`), its
template, script and style in ui/static/digit_pad.{html,js,css}. It replaces Gradio's Sketchpad on the page,
whose answer came ~2.3 s after the pen was lifted (docs/digits_latency.md): the Sketchpad uploads three
800 x 800 PNGs in several rounds before the read even joins the queue. Here the page sends one small PNG of
the canvas (SEND_SIDE px, ~2-6 kB, as a data URL) straight to `read_drawing`, a server function of the
component (one POST to /component_server, no upload, no queue), while a stroke is drawn (every
SEND_EVERY_MS, one read at a time) and at once when the pen is lifted; the answer is drawn by the page.

Stale answers are impossible by construction: each snapshot carries a version number, Clear takes a new one,
and the page draws an answer only if its version is still the newest (ui/static/digit_pad.js).

The public API endpoint `classify_digit` (ui/digits.py) is unchanged: it still takes a Sketchpad-style value.
"""
from __future__ import annotations

import base64
import binascii
import io
import logging
import threading
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from common.errors import ModelFileError, UserInputError
from common.runtime import one_torch_thread
from mnist import predict as digits

STATIC = Path(__file__).resolve().parent / "static"
CANVAS_SIDE = 560          # the canvas's own pixels (it is shown at any size, always square)
SEND_SIDE = 224            # the snapshot sent to the server: benchmarks/pad_resolution.py shows no loss here
SEND_EVERY_MS = 150        # while drawing; a read takes ~5 ms on the server, ~100 ms there and back
MAX_DATA_URL = 2_000_000   # characters: a 224 px PNG is a few kB; anything this big is not from the pad
# Brush line widths as fractions of the canvas side; "dot" is the size of the button's dot in px.
BRUSHES = [{"name": "Thin", "size": 0.03, "dot": 8}, {"name": "Medium", "size": 0.055, "dot": 14},
           {"name": "Thick", "size": 0.09, "dot": 22}]
COLOURS = [{"name": "Black", "hex": "#000000"}, {"name": "Blue", "hex": "#1f4fd6"}, {"name": "Red", "hex": "#c0392b"}]
# Reads run outside Gradio's queue (server functions); two at a time, like the queued model events.
READ_SLOTS = threading.BoundedSemaphore(2)
FAILED = "Something went wrong on our side while reading that. Please draw again."
log = logging.getLogger(__name__)

gr.set_static_paths([digits.EXAMPLES])   # the example drawings are shown as thumbnails on the pad


def read_drawing(drawing: dict) -> dict:
    """{"version": n, "image": "data:image/png;base64,..."} -> {"version": n, "probabilities": {"0": p, ...}
    or None, "message": "Looks like a 7 (98%).", "seen": the 28 x 28 the model read as a PNG data URL}, or
    {"version": n, "error": words for a person}. Never raises: the page shows the words."""
    version = drawing.get("version") if isinstance(drawing, dict) else None
    try:
        image = decode_data_url(drawing.get("image") if isinstance(drawing, dict) else None)
        with READ_SLOTS, one_torch_thread():   # 2 OpenMP threads on a busy CPU: ~450 ms a read instead of ~25
            reading = digits.read_digit(image)
    except (UserInputError, ModelFileError) as error:
        return {"version": version, "error": str(error)}
    except Exception:  # a bug: keep serving, tell the person, keep the traceback for the log
        log.exception("unexpected failure reading a drawing")
        return {"version": version, "error": FAILED}
    seen = png_data_url(model_pixels(reading.model_input)) if reading.probabilities is not None else None
    return {"version": version, "probabilities": reading.probabilities, "message": reading.message, "seen": seen}


def decode_data_url(url) -> bytes:
    """The bytes of a base64 image data URL, or a UserInputError in words."""
    if not isinstance(url, str) or not url.startswith("data:image/") or ";base64," not in url[:40]:
        raise UserInputError("The drawing did not arrive as a picture. Please draw again.")
    if len(url) > MAX_DATA_URL:
        raise UserInputError("That drawing is far larger than the pad sends. Please draw again.")
    try:
        return base64.b64decode(url.partition(",")[2], validate=True)
    except (binascii.Error, ValueError):
        raise UserInputError("The drawing arrived damaged. Please draw again.") from None


def model_pixels(enlarged: np.ndarray) -> np.ndarray:
    """The 28 x 28 the model read, from read_digit's enlarged picture (each pixel an 8 x 8 block)."""
    step = enlarged.shape[0] // 28
    return enlarged[step // 2::step, step // 2::step][:28, :28]


def png_data_url(pixels: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def example_urls() -> list[str]:
    return [f"/gradio_api/file={path}" for path in digits.example_drawings()]


def digit_pad(**options) -> gr.HTML:
    """The pad (canvas, tools, Clear, the answer and what the model saw) as one gr.HTML component."""
    return gr.HTML(
        value=None,
        html_template=(STATIC / "digit_pad.html").read_text(),
        css_template=(STATIC / "digit_pad.css").read_text(),
        js_on_load=(STATIC / "digit_pad.js").read_text(),
        server_functions=[read_drawing],
        apply_default_css=False,
        canvas_side=CANVAS_SIDE, send_side=SEND_SIDE, send_every_ms=SEND_EVERY_MS,
        brushes=BRUSHES, colours=COLOURS, examples=example_urls(),
        elem_id="digit-pad",
        **options,
    )


# "Wrong? Correct it" (ui.flagging.flag_controls): the pad's last answer in place of a hidden Image and Label.
FLAG_JS = "(seen, label, correction) => window.digitPad ? window.digitPad.forFlagging(correction) : [null, null, correction]"
