""""Teach it your hand" on the Rock / paper / scissors tab: a short burst of the camera becomes a visitor's own
examples, read by rps/personal.py. The API endpoint teach_rps takes a photo instead."""
from __future__ import annotations

import gradio as gr

from common.runtime import one_torch_thread
from rps import personal as personal_reader
from ui import camera
from ui.errors import friendly_errors, uploaded

# A visitor's taught examples live in their session only; Gradio drops them this long after the last change.
PERSONAL_TTL_SECONDS = personal_reader.TTL_SECONDS
BURST_FRAMES = 8  # at most this many frames of one burst are taught (the page records 6)


@friendly_errors
def teach_rps(image, label, personal=None):
    """API: photo + gesture name -> ({gesture: examples taught}, a sentence, [state] the visitor's reader)."""
    if image is None:
        raise gr.Error("Take or upload a photo of your hand first, then say which gesture it shows.",
                       print_exception=False)
    personal = personal or personal_reader.PersonalReader()
    with one_torch_thread():  # common/runtime.py
        counts = personal_reader.teach(personal, uploaded(image), label)
    return counts, personal_reader.counts_sentence(counts, personal.misread_examples()), personal


@friendly_errors
def teach_burst(label, personal, frames):
    """The page: a burst of camera frames + gesture name -> (counts, a sentence, [state] the visitor's reader)."""
    if not frames:
        raise gr.Error("The camera is off: press *Start the camera*, show the gesture, then record.",
                       print_exception=False)
    personal = personal or personal_reader.PersonalReader()
    with one_torch_thread():
        counts, taught = personal_reader.teach_frames(personal, camera.frames_from_page(frames, BURST_FRAMES), label)
    sentence = personal_reader.counts_sentence(counts, personal.misread_examples())
    if taught < len(frames):
        sentence = f"{taught} of {len(frames)} frames had a hand and were taught. " + sentence
    return counts, sentence, personal


def forget_rps(personal=None):
    """Forget this visitor's examples -> ({}, a sentence, [state] None)."""
    if personal is not None:
        personal.forget()
    counts = personal_reader.PersonalReader().counts()
    return counts, personal_reader.counts_sentence(counts), None


def teach_section() -> gr.State:
    """Record about a second of the camera as examples of a gesture (a new name is a new gesture); returns the
    reader's State."""
    personal = gr.State(None, time_to_live=PERSONAL_TTL_SECONDS)
    with gr.Accordion("Teach it your hand", open=False, elem_id="rps-teach"):
        gr.Markdown("Show a gesture to the camera and press *Record*: about a second of frames becomes examples "
                    "(two or three recordings of each gesture help most), then choose the model *personal* for a "
                    "photo. Type a new name to teach a new gesture, e.g. *thumbs up*. Your examples stay in this "
                    "browser session only and are forgotten after an hour.")
        with gr.Row():
            gesture = gr.Dropdown(["rock", "paper", "scissors"], value="rock", allow_custom_value=True,
                                  label="The camera shows", elem_id="rps-teach-label")
            add = gr.Button("Record", variant="primary", elem_id="rps-teach-add")
            forget = gr.Button("Forget my examples", elem_id="rps-teach-forget")
        counts = gr.JSON(visible=False)
        summary = gr.Markdown(personal_reader.counts_sentence({}), elem_id="rps-teach-counts")
        frames = camera.frame_box()
        photo = gr.Image(type="filepath", visible=False)  # the API's input only
    add.click(teach_burst, [gesture, personal, frames], [counts, summary, personal], js=camera.BURST_JS,
              api_visibility="private", concurrency_limit=2, concurrency_id="models")
    gr.on([], teach_rps, [photo, gesture, personal], [counts, summary, personal], api_name="teach_rps",
          preprocess=False, concurrency_limit=2, concurrency_id="models")
    forget.click(forget_rps, personal, [counts, summary, personal], api_name="forget_rps", queue=False)
    return personal
