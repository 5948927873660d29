"""The demo's web app: a Digits tab and a Rock / paper / scissors tab, wired to `mnist/` and `rps/`.

Run it:    python app.py       (http://127.0.0.1:7860; GRADIO_SERVER_NAME / GRADIO_SERVER_PORT override)
Its API:   classify_digit(sketch) and classify_rps(image, mask=True, model="...") — see README.md.

This file only lays out the page and connects it to functions the packages expose; all model logic
lives in the packages. Errors meant for people become `gr.Error` pop-ups; the server keeps serving.
"""
from __future__ import annotations

import base64
import functools
import logging
import os
import threading

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry; must be set before importing gradio

import gradio as gr

from common import canvas_guard
from common.errors import ModelFileError, UserInputError
from common.runtime import limit_malloc_arenas
from mnist import predict as digits
from rps import predict as hands

MAX_UPLOAD = "10mb"
QUEUE_SIZE = 64
# Each visitor's last "what the model saw" picture is kept on the server (gr.State); without an expiry a
# long-running Space would keep one per session ever opened.
PICTURE_TTL_SECONDS = 600
log = logging.getLogger("app")

INTRO = """# Digits and rock / paper / scissors, read by small CNNs
Draw a digit, or show your hand to the camera. Everything runs on a CPU; see *How it works* in each tab."""

DIGITS_HELP = """**How it works.** Your drawing is cropped to the ink, scaled so its longer side is 20 px and centred
by its centre of mass in a 28 × 28 square — exactly how the MNIST digits were prepared — and a CNN
trained on MNIST reads it. The small image on the right is what the network actually sees."""

RPS_HELP = """**How it works.** MediaPipe finds your hand and its 21 landmarks. With *mask the background* on, everything
but the hand is replaced by the plain green of the studio photos the networks were trained on, so your
room does not confuse them. The landmark model reads only the hand's shape (its 21 points)."""


def friendly_errors(fn):
    """Turn failures into messages a person understands; never show a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (UserInputError, ModelFileError) as error:
            raise gr.Error(str(error), print_exception=False) from None
        except gr.Error:
            raise
        except Exception:  # a bug: keep serving, tell the person, keep the traceback for the log
            log.exception("unexpected failure in %s", fn.__name__)
            raise gr.Error("Something went wrong on our side while reading that. Please try again.") from None

    return wrapper


# The events below use preprocess=False: Gradio hands over where it stored each upload, and the packages
# decode it with common.images, which refuses bombs and broken files in words instead of a stack trace.
def uploaded(payload):
    """The stored file (path or bytes) behind a Gradio file payload, or None."""
    if isinstance(payload, dict):
        url = payload.get("url") or ""
        if not payload.get("path") and url.startswith("data:"):
            return base64.b64decode(url.partition(",")[2])
        return payload.get("path")
    return payload


# In the browser, the Sketchpad first posts its PNGs to the component (`accept_blobs`) and then sends only
# {"id": ...}; Gradio's preprocess would look the id up, but these events skip it, so uploaded_sketch does.
# digits_tab() points the Sketchpad's store here; entries are taken once, and stale ones (from changes that
# `trigger_mode="always_last"` dropped) are evicted beyond a small bound.
SKETCH_BLOBS: dict = {}
MAX_PENDING_SKETCHES = 64


def uploaded_sketch(payload):
    if not isinstance(payload, dict):
        return uploaded(payload)
    stored = SKETCH_BLOBS.pop(payload["id"], None) if payload.get("id") else None
    while len(SKETCH_BLOBS) > MAX_PENDING_SKETCHES:
        SKETCH_BLOBS.pop(next(iter(SKETCH_BLOBS)), None)
    if stored is not None:
        return {"background": stored.background, "composite": stored.composite,
                "layers": [layer for layer in stored.layers if layer is not None]}
    return {"background": uploaded(payload.get("background")), "composite": uploaded(payload.get("composite")),
            "layers": [uploaded(layer) for layer in payload.get("layers") or []]}


# The endpoints return the label and a sentence; the picture of what the model saw goes to a gr.State
# (kept on the server, not part of the API answer) and a chained UI-only step shows it. A picture in the
# answer would cost every API caller a second HTTP request to fetch it (~60 ms with gradio_client).
@friendly_errors
def classify_digit(sketch):
    """Sketchpad value -> ({"0": p, ..., "9": p} or None, a sentence, [state] what the model saw)."""
    reading = digits.read_digit(uploaded_sketch(sketch))
    seen = reading.model_input if reading.probabilities is not None else None  # no black square for nothing
    return reading.probabilities, reading.message, seen


@friendly_errors
def classify_rps(image, mask: bool = True, model: str = hands.DEFAULT_MODEL):
    """Photo -> ({"rock": p, "paper": p, "scissors": p}, a sentence, [state] what the model saw)."""
    if image is None:
        return None, "Take a photo with the webcam or upload one.", None
    reading = hands.classify_hand(uploaded(image), mask=mask, model_name=model)
    return reading.probabilities, reading.message, reading.shown_image


def show_picture(picture):
    return picture


# Gradio's Sketchpad opens with no tool selected; pick the brush so people can draw straight away.
SELECT_BRUSH_JS = """() => {
    const pick = (tries) => {
        const brush = document.querySelector('#digit-sketchpad button[aria-label="Brush"]');
        if (brush) brush.click(); else if (tries > 0) setTimeout(() => pick(tries - 1), 250);
    };
    pick(40);
}"""
PAGE_LOAD_JS = "() => { (%s)(); (%s)(); }" % (canvas_guard.INSTALL_JS, SELECT_BRUSH_JS)

# Setting the Sketchpad's value to None from Python leaves Gradio 6's editor stuck (a spinner over it, no more
# change events, so nothing is read again); its own "Clear canvas" control resets it properly, so Clear
# presses that one in the browser, and the server clears the outputs.
CLEAR_SKETCH_JS = """() => {
    %s
    const pad = document.querySelector('#digit-sketchpad');
    const trash = pad && (pad.querySelector('button[aria-label="Clear canvas"]')
                          || [...pad.querySelectorAll('.top-panel button')].pop());
    if (trash) trash.click();
    setTimeout(() => (%s)(), 100);
}""" % (canvas_guard.CLEARED_JS, SELECT_BRUSH_JS)

# While the canvas is newer than the answer on the page, the answer is dimmed (common/canvas_guard.js).
# On a phone the drawing area spans the page: Gradio's editor keeps a 30 px grey border around the 800 x 800
# area and fits it into the element, so the element reaches past the page's side padding, is 60 px taller
# than wide, and the tools sit in a row under the area instead of over it (a touch that starts on them
# scrolls the page). The answer's sentence comes first in the result column, right under Clear.
DIGITS_CSS = """
#digit-result.digit-outdated #digit-label, #digit-result.digit-outdated #digit-seen { opacity: 0.35; }
#digit-result.digit-outdated #digit-message p::after { content: " Reading your drawing..."; opacity: 0.7; }
#digit-result > #digit-message { order: -1; }
@media (max-width: 640px) {
  .gradio-container { overflow-x: clip; }
  #digit-sketchpad { margin: 0 -54px !important; width: calc(100% + 108px) !important;
                     height: calc(100vw + 104px) !important; }
  #digit-sketchpad > label { left: 62px !important; }
  #digit-sketchpad .top-panel { right: 62px !important; }
  #digit-sketchpad .toolbar-wrap, #digit-sketchpad .toolbar-wrap .half-container { flex-direction: row !important; }
  #digit-sketchpad .toolbar-wrap { top: auto !important; bottom: 12px !important; left: 50% !important;
                                   width: auto !important; gap: 12px; transform: translateX(-50%); }
}
"""


def clear_digit():
    return None, digits.EMPTY_MESSAGE, None


def digits_tab():
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            sketch = gr.Sketchpad(
                label="Draw a digit (0–9)", type="numpy", image_mode="RGBA", canvas_size=(800, 800),
                fixed_canvas=True, layers=False, height=520,
                brush=gr.Brush(default_size=36, colors=["#000000", "#1f4fd6", "#c0392b"], color_mode="defaults"),
                elem_id="digit-sketchpad",
            )
            sketch.blob_storage = SKETCH_BLOBS  # see uploaded_sketch
            clear = gr.Button("Clear", elem_id="digit-clear")
        with gr.Column(scale=2, elem_id="digit-result"):
            label = gr.Label(label="Prediction", num_top_classes=3, elem_id="digit-label")
            message = gr.Markdown("Draw a digit.", elem_id="digit-message")
            seen = gr.Image(label="What the model saw (28 × 28)", interactive=False, height=224, width=224,
                            elem_id="digit-seen")
    gr.Examples(examples=digits.example_drawings(), inputs=sketch, label="Examples drawn by this project",
                elem_id="digit-examples")
    gr.Markdown(DIGITS_HELP)
    # The API endpoint: called by clients only, never by the page (its picture goes to a State nobody shows).
    gr.on([], classify_digit, sketch, [label, message, gr.State(time_to_live=PICTURE_TTL_SECONDS)],
          api_name="classify_digit", preprocess=False, concurrency_limit=2, concurrency_id="models")
    # The page: each read carries the version of the canvas it read, and its answer is shown only while the
    # canvas is still that version (common/canvas_guard.py explains why Gradio alone shows stale answers).
    answer = gr.State(time_to_live=PICTURE_TTL_SECONDS)
    version, shown_version = gr.Number(-1, visible=False), gr.Number(-1, visible=False)
    read = sketch.change(canvas_guard.versioned(classify_digit), [sketch, version], answer,
                         js=canvas_guard.TAG_READ_JS, api_visibility="private", show_progress="hidden", preprocess=False,
                         trigger_mode="always_last", concurrency_limit=2, concurrency_id="models")
    read.success(canvas_guard.show_if_current(3), [answer, version], [label, message, seen, shown_version],
                 js=canvas_guard.CURRENT_JS, api_visibility="private", show_progress="hidden", queue=False,
                 ).then(None, shown_version, None, js=canvas_guard.MARK_SHOWN_JS, api_visibility="private")
    clear.click(clear_digit, None, [label, message, seen], js=CLEAR_SKETCH_JS, cancels=[read],
                api_visibility="private", queue=False)


def rps_tab():
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            photo = gr.Image(label="Your hand", sources=["webcam", "upload", "clipboard"], type="filepath",
                             height=420, elem_id="rps-photo")
            with gr.Row():
                mask = gr.Checkbox(value=True, label="Mask the background", elem_id="rps-mask")
                model = gr.Dropdown(hands.MODEL_CHOICES, value=hands.DEFAULT_MODEL, label="Model",
                                    elem_id="rps-model")
        with gr.Column(scale=2):
            label = gr.Label(label="Gesture", num_top_classes=3, elem_id="rps-label")
            message = gr.Markdown("Take a photo with the webcam or upload one.", elem_id="rps-message")
            seen = gr.Image(label="What the model saw", interactive=False, height=260, elem_id="rps-seen")
    gr.Markdown(RPS_HELP)
    seen_picture = gr.State(time_to_live=PICTURE_TTL_SECONDS)
    inputs, outputs = [photo, mask, model], [label, message, seen_picture]
    for control in (photo, mask, model):
        # Only the photo's event is the public endpoint; changing the toggle or the model re-reads the photo.
        api = {"api_name": "classify_rps"} if control is photo else {"api_visibility": "private"}
        control.change(classify_rps, inputs, outputs, trigger_mode="always_last", preprocess=False,
                       concurrency_limit=2, concurrency_id="models", **api,
                       ).success(show_picture, seen_picture, seen, api_visibility="private", queue=False)


def build_demo() -> gr.Blocks:
    # Uploads live only in Gradio's temporary cache, and files older than an hour are deleted from it.
    with gr.Blocks(title="Digits and rock / paper / scissors", analytics_enabled=False,
                   delete_cache=(600, 3600)) as demo:
        gr.Markdown(INTRO)
        with gr.Tab("Digits", id="digits"):
            digits_tab()
        with gr.Tab("Rock / paper / scissors", id="rps"):
            rps_tab()
        demo.load(None, js=PAGE_LOAD_JS)
    # Both endpoints share two CPU-bound workers; the queue caps waiting requests instead of piling up.
    demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=2)
    return demo


def warm_up() -> None:
    """Load the models in the background so the first person does not wait for it."""
    try:
        digits.warm_up()
        hands.warm_up()
    except Exception:  # the page still serves; the first request reports the problem in words
        log.exception("warm-up failed")


limit_malloc_arenas()  # keeps memory flat under load; see common/runtime.py
demo = build_demo()

if __name__ == "__main__":
    threading.Thread(target=warm_up, daemon=True).start()
    demo.launch(max_file_size=MAX_UPLOAD, css=DIGITS_CSS,
                server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
