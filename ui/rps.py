"""The Rock / paper / scissors tab: the one camera with the game beside it (ui/camera.py, ui/game.py), a single
photo and its reading (the `classify_rps` API endpoint), and "teach it your hand" (ui/teach.py). Model logic: rps/."""
from __future__ import annotations

import gradio as gr

from common.runtime import one_torch_thread
from rps import personal as personal_reader
from rps import predict as hands
from ui import camera
from ui.errors import friendly_errors, uploaded
from ui.flagging import flag_controls
from ui.game import game_section, play_photo_button
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
        return None, "Take a photo with the camera or upload one.", None
    with one_torch_thread():  # see common/runtime.py: torch's second OpenMP thread spins against MediaPipe's
        if model == personal_reader.MODEL_NAME:
            reading = personal_reader.classify_personal(uploaded(image), mask=mask, reader=personal)
        else:
            reading = hands.classify_hand(uploaded(image), mask=mask, model_name=model)
    label = reading.probabilities if reading.outcome == reading.label else reading.outcome
    return label, reading.message, reading.shown_image


def show_picture(picture):
    return picture


@friendly_errors
def photo_from_camera(frame):
    """The camera's current frame (a JPEG data URL from the page) -> the photo box, which then reads it. With the
    camera off, a warning, and the photo already in the box stays."""
    if not frame:
        gr.Warning("The camera is off: press *Start the camera* first, or upload a photo.")
        return gr.skip()
    return camera.frames_from_page(frame, limit=1)[0]


def rps_tab() -> None:
    # The camera, the held gesture and Play first: on a phone they fit on one screen.
    with gr.Row(equal_height=False, elem_id="rps-live"):
        with gr.Column(scale=3, min_width=300):
            camera.camera_view()
            snap = gr.Button("Take a photo", size="sm", elem_id="rps-snap")
        with gr.Column(scale=2, min_width=260):
            game = game_section()
    gr.Markdown(camera.HELP)
    with gr.Accordion("A single photo", open=True, elem_id="rps-single"):
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                photo = gr.Image(label="Your hand: upload, paste, or *Take a photo* above",
                                 sources=["upload", "clipboard"], type="filepath", height=360, elem_id="rps-photo")
                with gr.Row():
                    mask = gr.Checkbox(value=True, label="Mask the background", elem_id="rps-mask")
                    model = gr.Dropdown(hands.MODEL_CHOICES + [personal_reader.MODEL_NAME],
                                        value=hands.DEFAULT_MODEL, label="Model", elem_id="rps-model")
            with gr.Column(scale=2):
                label = gr.Label(label="Gesture", num_top_classes=3, elem_id="rps-label")
                message = gr.Markdown("Take a photo with the camera or upload one.", elem_id="rps-message")
                seen = gr.Image(label="What the model saw", interactive=False, height=260, elem_id="rps-seen")
                play_picture = gr.Button("Play this photo", elem_id="rps-play-photo")
        flag_controls("rps", [photo, label], ["rock", "paper", "scissors"])
        gr.Markdown(HELP)
    personal = teach_section()
    # Queued (though quick): Gradio shows gr.Warning only for queued events.
    snap.click(photo_from_camera, camera.frame_box(), photo, js=camera.SNAPSHOT_JS, api_visibility="private",
               concurrency_limit=None)
    play_photo_button(play_picture, photo, game)
    seen_picture = gr.State(time_to_live=PICTURE_TTL_SECONDS)
    inputs, outputs = [photo, mask, model, personal], [label, message, seen_picture]
    for control in (photo, mask, model):
        # Only the photo's event is the public endpoint; changing the toggle or the model re-reads the photo.
        api = {"api_name": "classify_rps"} if control is photo else {"api_visibility": "private"}
        control.change(classify_rps, inputs, outputs, trigger_mode="always_last", preprocess=False,
                       concurrency_limit=2, concurrency_id="models", **api,
                       ).success(show_picture, seen_picture, seen, api_visibility="private", queue=False)
