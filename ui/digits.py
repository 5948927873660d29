"""The Digits tab: a sketchpad, the prediction, and what the model saw; the `classify_digit` API endpoint.

The drawing is read by `mnist.predict.read_digit`; this module only connects the page to it.
"""
from __future__ import annotations

import gradio as gr

from mnist import predict as digits
from ui import canvas_guard
from ui.errors import friendly_errors, uploaded
from ui.flagging import flag_controls

# Each visitor's last "what the model saw" picture is kept on the server (gr.State); without an expiry a
# long-running Space would keep one per session ever opened.
PICTURE_TTL_SECONDS = 600

HELP = """**How it works.** Your drawing is cropped to the ink, scaled so its longer side is 20 px and centred
by its centre of mass in a 28 × 28 square — exactly how the MNIST digits were prepared — and a CNN
trained on MNIST reads it. The small image on the right is what the network actually sees."""

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


# The endpoint returns the label and a sentence; the picture of what the model saw goes to a gr.State (kept on
# the server, not part of the API answer) and a chained UI-only step shows it. A picture in the answer would
# cost every API caller a second HTTP request to fetch it (~60 ms with gradio_client).
@friendly_errors
def classify_digit(sketch):
    """Sketchpad value -> ({"0": p, ..., "9": p} or None, a sentence, [state] what the model saw)."""
    reading = digits.read_digit(uploaded_sketch(sketch))
    seen = reading.model_input if reading.probabilities is not None else None  # no black square for nothing
    return reading.probabilities, reading.message, seen


def clear_digit():
    return None, digits.EMPTY_MESSAGE, None


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


def digits_tab() -> None:
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
    flag_controls("digits", [seen, label], [str(digit) for digit in range(10)])
    gr.Markdown(HELP)
    # The API endpoint: called by clients only, never by the page (its picture goes to a State nobody shows).
    gr.on([], classify_digit, sketch, [label, message, gr.State(time_to_live=PICTURE_TTL_SECONDS)],
          api_name="classify_digit", preprocess=False, concurrency_limit=2, concurrency_id="models")
    # The page: each read carries the version of the canvas it read, and its answer is shown only while the
    # canvas is still that version (ui/canvas_guard.py explains why Gradio alone shows stale answers).
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
