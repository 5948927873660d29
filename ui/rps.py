"""The Rock / paper / scissors tab: a photo and its reading (the `classify_rps` API endpoint), then the live
camera, the game and "teach it your hand" (ui/live.py, ui/game.py, ui/teach.py). Model logic: rps/."""
from __future__ import annotations

import gradio as gr

from rps import personal as personal_reader
from rps import predict as hands
from ui.errors import friendly_errors, uploaded
from ui.flagging import flag_controls
from ui.game import game_section
from ui.live import live_section
from ui.teach import teach_section

PICTURE_TTL_SECONDS = 600  # each visitor's last "what the model saw" picture is dropped after this
HELP = """**How it works.** MediaPipe finds your hand and its 21 landmarks (if it misses, it looks again
zoomed out, brightened, and for a hand filling the frame; if there is still none, the answer is *no hand*).
With *mask the background* on, everything but the hand is replaced by the plain green of the studio photos the
networks were trained on, so your room does not confuse them; in a dim room the hand is brightened first, as
studio light would. The landmark model reads only the hand's shape (its 21 points)."""


@friendly_errors
def classify_rps(image, mask: bool = True, model: str = hands.DEFAULT_MODEL, personal=None):
    """Photo -> (label, a sentence, [state] what the model saw). The label is {"rock": p, "paper": p, "scissors": p}
    when the model is sure, else the words "not sure" (the sentence gives the best guess) or "no hand".

    model "personal" uses the examples this visitor taught (`personal`, a session gr.State; see ui/teach.py)."""
    if image is None:
        return None, "Take a photo with the webcam or upload one.", None
    if model == personal_reader.MODEL_NAME:
        reading = personal_reader.classify_personal(uploaded(image), mask=mask, reader=personal)
    else:
        reading = hands.classify_hand(uploaded(image), mask=mask, model_name=model)
    label = reading.probabilities if reading.outcome == reading.label else reading.outcome
    return label, reading.message, reading.shown_image


def show_picture(picture):
    return picture


def rps_tab() -> None:
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            photo = gr.Image(label="Your hand", sources=["webcam", "upload", "clipboard"], type="filepath",
                             height=420, elem_id="rps-photo")
            with gr.Row():
                mask = gr.Checkbox(value=True, label="Mask the background", elem_id="rps-mask")
                model = gr.Dropdown(hands.MODEL_CHOICES + [personal_reader.MODEL_NAME], value=hands.DEFAULT_MODEL,
                                    label="Model", elem_id="rps-model")
        with gr.Column(scale=2):
            label = gr.Label(label="Gesture", num_top_classes=3, elem_id="rps-label")
            message = gr.Markdown("Take a photo with the webcam or upload one.", elem_id="rps-message")
            seen = gr.Image(label="What the model saw", interactive=False, height=260, elem_id="rps-seen")
    flag_controls("rps", [photo, label], ["rock", "paper", "scissors"])
    gr.Markdown(HELP)
    by_camera = live_section(mask)
    game_section(photo, by_camera)
    personal = teach_section(photo)
    seen_picture = gr.State(time_to_live=PICTURE_TTL_SECONDS)
    inputs, outputs = [photo, mask, model, personal], [label, message, seen_picture]
    for control in (photo, mask, model):
        # Only the photo's event is the public endpoint; changing the toggle or the model re-reads the photo.
        api = {"api_name": "classify_rps"} if control is photo else {"api_visibility": "private"}
        control.change(classify_rps, inputs, outputs, trigger_mode="always_last", preprocess=False,
                       concurrency_limit=2, concurrency_id="models", **api,
                       ).success(show_picture, seen_picture, seen, api_visibility="private", queue=False)
