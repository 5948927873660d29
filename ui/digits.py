"""The Digits tab: the drawing pad (ui/digit_pad.py: canvas, tools, the prediction and what the model saw, read
while you draw) and the `classify_digit` API endpoint.

The drawing is read by `mnist.predict.read_digit`; this module only connects the page to it.
"""
from __future__ import annotations

import gradio as gr

from mnist import predict as digits
from ui.digit_pad import FLAG_JS, digit_pad
from ui.errors import friendly_errors, uploaded
from ui.flagging import flag_controls

# Each visitor's last "what the model saw" picture is kept on the server (gr.State); without an expiry a
# long-running Space would keep one per session ever opened.
PICTURE_TTL_SECONDS = 600

HELP = """**How it works.** Your drawing is cropped to the ink, scaled so its longer side is 20 px and centred
by its centre of mass in a 28 × 28 square — exactly how the MNIST digits were prepared — and a CNN
trained on MNIST reads it. The small black picture is what the network actually sees."""


def uploaded_sketch(payload):
    """A Sketchpad-style value from an API caller ({background, layers, composite} of file payloads) -> the
    same dict of stored files (anything else as `uploaded` reads it)."""
    if not isinstance(payload, dict):
        return uploaded(payload)
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


def digits_tab() -> None:
    digit_pad()   # the page's own drawing pad; it reads the drawing through its own server function
    # Corrections: the pad hands over what the model saw and the prediction in place of these two.
    flag_controls("digits", [gr.Image(label="What the model saw (28 × 28)", visible=False),
                             gr.Label(label="Prediction", visible=False)], [str(digit) for digit in range(10)],
                  js=FLAG_JS)
    gr.Markdown(HELP)
    # The public API endpoint, for clients only (the page never calls it): a Sketchpad-style value in, the
    # label and a sentence out (the picture goes to a State nobody shows).
    sketch = gr.Sketchpad(type="numpy", image_mode="RGBA", visible=False)
    label, message = gr.Label(visible=False), gr.Markdown(visible=False)
    gr.on([], classify_digit, sketch, [label, message, gr.State(time_to_live=PICTURE_TTL_SECONDS)],
          api_name="classify_digit", preprocess=False, concurrency_limit=2, concurrency_id="models")
