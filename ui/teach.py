""""Teach it your hand" on the Rock / paper / scissors tab: a visitor's own examples, read by rps/personal.py."""
from __future__ import annotations

import gradio as gr

from rps import personal as personal_reader
from ui.errors import friendly_errors, uploaded

# A visitor's taught examples live in their session only; Gradio drops them this long after the last change.
PERSONAL_TTL_SECONDS = personal_reader.TTL_SECONDS


@friendly_errors
def teach_rps(image, label, personal=None):
    """Photo + gesture name -> ({gesture: examples taught}, a sentence, [state] the visitor's reader)."""
    if image is None:
        raise gr.Error("Take or upload a photo of your hand first, then say which gesture it shows.",
                       print_exception=False)
    personal = personal or personal_reader.PersonalReader()
    counts = personal_reader.teach(personal, uploaded(image), label)
    return counts, personal_reader.counts_sentence(counts), personal


def forget_rps(personal=None):
    """Forget this visitor's examples -> ({}, a sentence, [state] None)."""
    if personal is not None:
        personal.forget()
    counts = personal_reader.PersonalReader().counts()
    return counts, personal_reader.counts_sentence(counts), None


def teach_section(photo) -> gr.State:
    """Add the current photo as an example of a gesture (a new name is a new gesture); returns the reader's State."""
    personal = gr.State(None, time_to_live=PERSONAL_TTL_SECONDS)
    with gr.Accordion("Teach it your hand", open=False, elem_id="rps-teach"):
        gr.Markdown("Add a few photos of your own hand (3–5 of each gesture help most), then choose the model "
                    "*personal*. Type a new name to teach a new gesture, e.g. *thumbs up*. Your examples stay in "
                    "this browser session only and are forgotten after an hour.")
        with gr.Row():
            gesture = gr.Dropdown(["rock", "paper", "scissors"], value="rock", allow_custom_value=True,
                                  label="This photo shows", elem_id="rps-teach-label")
            add = gr.Button("Add as an example", variant="primary", elem_id="rps-teach-add")
            forget = gr.Button("Forget my examples", elem_id="rps-teach-forget")
        counts = gr.JSON(visible=False)
        summary = gr.Markdown(personal_reader.counts_sentence({}), elem_id="rps-teach-counts")
    add.click(teach_rps, [photo, gesture, personal], [counts, summary, personal], api_name="teach_rps",
              preprocess=False, concurrency_limit=2, concurrency_id="models")
    forget.click(forget_rps, personal, [counts, summary, personal], api_name="forget_rps", queue=False)
    return personal
