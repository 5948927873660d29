"""The demo's web app: a Digits tab and a Rock / paper / scissors tab, wired to `mnist/` and `rps/`.

Run it:    python app.py       (http://127.0.0.1:7860; GRADIO_SERVER_NAME / GRADIO_SERVER_PORT override)
Its API:   classify_digit(sketch), classify_rps(image, mask=True, model="...") and play_rps(image, mode) — see
           README.md. The live camera (rps/live.py) and the game (rps/game.py) are on the Rock / paper / scissors tab.

This file only lays out the page and connects it to functions the packages expose; all model logic
lives in the packages. Errors meant for people become `gr.Error` pop-ups; the server keeps serving.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import logging
import os
import tempfile
import threading
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry; must be set before importing gradio

import gradio as gr

from common import flagging, report
from common.errors import ModelFileError, UserInputError
from common.runtime import limit_malloc_arenas
from mnist import predict as digits
from rps import game as rps_game
from rps import live
from rps import personal as personal_reader
from rps import predict as hands
from ui.digit_pad import FLAG_JS as DIGIT_FLAG_JS, digit_pad

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

RPS_HELP = """**How it works.** MediaPipe finds your hand and its 21 landmarks (if it misses, it looks again
zoomed out, brightened, and for a hand filling the frame; if there is still none, the answer is *no hand*).
With *mask the background* on, everything but the hand is replaced by the plain green of the studio photos the
networks were trained on, so your room does not confuse them; in a dim room the hand is brightened first, as
studio light would. The landmark model reads only the hand's shape (its 21 points)."""


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


def uploaded_sketch(payload):
    """A Sketchpad-style value from an API caller ({background, layers, composite} of file payloads) -> the
    same dict of stored files (anything else as `uploaded` reads it)."""
    if not isinstance(payload, dict):
        return uploaded(payload)
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
def classify_rps(image, mask: bool = True, model: str = hands.DEFAULT_MODEL, personal=None):
    """Photo -> (label, a sentence, [state] what the model saw). The label is {"rock": p, "paper": p, "scissors": p}
    when the model is sure, else the words "not sure" (the sentence gives the best guess) or "no hand".

    model "personal" uses the examples this visitor taught (`personal`, a session gr.State; see teach_section)."""
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


def digits_tab():
    digit_pad()   # the page's own drawing pad; it reads the drawing through its own server function
    # Corrections: the pad hands over what the model saw and the prediction in place of these two.
    flag_controls("digits", [gr.Image(label="What the model saw (28 × 28)", visible=False),
                            gr.Label(label="Prediction", visible=False)], [str(digit) for digit in range(10)],
                  js=DIGIT_FLAG_JS)
    gr.Markdown(DIGITS_HELP)
    # The public API endpoint, for clients only (the page never calls it): a Sketchpad-style value in, the
    # label and a sentence out (the picture goes to a State nobody shows).
    sketch = gr.Sketchpad(type="numpy", image_mode="RGBA", visible=False)
    label, message = gr.Label(visible=False), gr.Markdown(visible=False)
    gr.on([], classify_digit, sketch, [label, message, gr.State(time_to_live=PICTURE_TTL_SECONDS)],
          api_name="classify_digit", preprocess=False, concurrency_limit=2, concurrency_id="models")


def rps_tab():
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
    gr.Markdown(RPS_HELP)
    game_board_by_camera = live_section(mask)
    game_section(photo, game_board_by_camera)
    personal = teach_section(photo)
    seen_picture = gr.State(time_to_live=PICTURE_TTL_SECONDS)
    inputs, outputs = [photo, mask, model, personal], [label, message, seen_picture]
    for control in (photo, mask, model):
        # Only the photo's event is the public endpoint; changing the toggle or the model re-reads the photo.
        api = {"api_name": "classify_rps"} if control is photo else {"api_visibility": "private"}
        control.change(classify_rps, inputs, outputs, trigger_mode="always_last", preprocess=False,
                       concurrency_limit=2, concurrency_id="models", **api,
                       ).success(show_picture, seen_picture, seen, api_visibility="private", queue=False)


# ------------------------------------------------------------------------------ live camera and the game
# One tracking landmarker per visitor (rps/live.py), freed when the page unloads or after a minute without frames.
LIVE_READERS = live.LiveReaders()
LIVE_FRAME_SECONDS = 0.07  # the page sends a frame this often; the server reads the newest and drops the rest
LIVE_TIME_LIMIT = 600      # a stream holds a worker; after 10 minutes the camera must be started again
LIVE_STREAMS = LIVE_READERS.capacity  # visitors streaming at once (8); more wait in the queue
SHOOT_SECONDS = 0.6        # between the countdown's words, and after "Shoot!" before the throw is read
GAME_HELP = """## Ready?
Start the live camera above, press *Play* and show your throw at **Shoot!** No webcam? Take or upload a photo
at the top and press *Play the photo above*, or click a throw."""
LIVE_HELP = """**Live.** Start the camera: the hand is tracked from frame to frame and read by the landmarks model
(the fastest; about 1 ms after MediaPipe's ~12 ms a frame). A gesture is named only once it is held steady."""


@friendly_errors
def read_live_frame(frame, mask: bool, request: gr.Request):
    """One webcam frame -> (held gesture or None, a sentence, what the model saw); frames that come while the
    previous one is read are skipped."""
    if frame is None:
        return gr.skip(), gr.skip(), gr.skip()
    answer = LIVE_READERS.read_frame(request.session_hash, frame, mask=mask)
    if answer is None:
        return gr.skip(), gr.skip(), gr.skip()
    sentence = answer.sentence
    if answer.probabilities:
        sentence += "  \nThis frame: " + " · ".join(f"{k} {v:.2f}" for k, v in answer.probabilities.items())
    return answer.throw, sentence, live.picture_html(answer.shown_image)


def release_live_camera(request: gr.Request):
    LIVE_READERS.release(request.session_hash)


def live_section(mask):
    with gr.Accordion("Live camera", open=True, elem_id="rps-live"):
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                camera = gr.Image(label="Live camera", sources=["webcam"], streaming=True, type="numpy",
                                  height=320, elem_id="rps-live-camera")
            with gr.Column(scale=2):
                # the game's countdown and result, also here so that a player sees them beside the camera
                by_camera = gr.Markdown("", elem_id="rps-live-game")
                held = gr.Label(label="Held gesture", elem_id="rps-live-label")
                sentence = gr.Markdown("Start the camera and show your hand.", elem_id="rps-live-message")
                seen = gr.HTML(live.picture_html(None), label="What the model saw", elem_id="rps-live-seen")
        gr.Markdown(LIVE_HELP)
    camera.stream(read_live_frame, [camera, mask], [held, sentence, seen], stream_every=LIVE_FRAME_SECONDS,
                  time_limit=LIVE_TIME_LIMIT, concurrency_limit=LIVE_STREAMS, concurrency_id="live",
                  show_progress="hidden", api_visibility="private")
    return by_camera


def countdown():
    for word in rps_game.COUNTDOWN:
        yield f"## {word}", f"## {word}"
        time.sleep(SHOOT_SECONDS)


def game_answer(game, throw, sentence):
    """Play `throw` (None: not scored) -> (the round as JSON for the API, the game state, the board text)."""
    answer, board = rps_game.play_answer(game, throw, sentence)
    return answer, game, board


def shoot_live(game, mode, request: gr.Request):
    """The throw held at "Shoot!" -> (the round, the game state, the board, the same beside the camera)."""
    game.set_mode(mode)
    answer = LIVE_READERS.latest(request.session_hash)
    if answer is None or time.monotonic() - answer.at > 2 * SHOOT_SECONDS:
        played = game_answer(game, None, "The live camera is off: start it above, or play a photo or click a throw.")
    else:
        played = game_answer(game, answer.throw,
                             answer.sentence if answer.throw is None else f"Read {answer.throw} live.")
    return *played, played[-1]


@friendly_errors
def play_photo(image, mode, game):
    """Photo -> (the round: your throw, the computer's, the result, the score and history; [state]; board)."""
    game.set_mode(mode)
    if image is None:
        return game_answer(game, None, "Take a photo with the webcam or upload one first.")
    throw, sentence = live.throw_from_photo(uploaded(image))
    return game_answer(game, throw, sentence)


def play_click(throw):
    def play(mode, game):
        game.set_mode(mode)
        return game_answer(game, throw, f"You clicked {throw}.")
    return play


def fresh_game():
    return rps_game.Game()


def set_game_mode(mode, game):
    game.set_mode(mode)
    return game, rps_game.history_markdown(game)


def new_game(mode):
    game = rps_game.Game(mode=mode)
    return game, "## New game", rps_game.history_markdown(game)


def game_section(photo, by_camera):
    with gr.Accordion("Play against the computer", open=True, elem_id="rps-game"):
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                mode = gr.Radio([(label, key) for key, label in rps_game.MODE_LABELS.items()], value="habits",
                                label="The computer", elem_id="rps-game-mode")
                with gr.Row():
                    play_live = gr.Button("Play (live camera)", variant="primary", elem_id="rps-play-live")
                    play_picture = gr.Button("Play the photo above", elem_id="rps-play-photo")
                with gr.Row():
                    throws = {throw: gr.Button(throw.capitalize(), size="sm",
                                               elem_id=f"rps-throw-{throw}") for throw in rps_game.THROWS}
                reset = gr.Button("New game", size="sm", elem_id="rps-game-reset")
            with gr.Column(scale=2):
                board = gr.Markdown(GAME_HELP, elem_id="rps-game-board")
                history = gr.Markdown(rps_game.history_markdown(rps_game.Game()), elem_id="rps-game-history")
                round_json = gr.JSON(visible=False)
    game = gr.State(fresh_game, time_to_live=3600)  # a callable: a fresh game (and dice) per visitor
    shown = dict(api_visibility="private", show_progress="hidden", queue=False)
    play_live.click(countdown, None, [board, by_camera], api_visibility="private", show_progress="hidden",
                    concurrency_limit=None,
                    ).then(shoot_live, [game, mode], [round_json, game, board, by_camera], api_visibility="private",
                           show_progress="hidden", concurrency_limit=None,
                    ).then(rps_game.history_markdown, game, history, **shown)
    play_picture.click(play_photo, [photo, mode, game], [round_json, game, board], api_name="play_rps",
                       preprocess=False, concurrency_limit=2, concurrency_id="models",
                       ).then(rps_game.history_markdown, game, history, **shown)
    for throw, button in throws.items():
        button.click(play_click(throw), [mode, game], [round_json, game, board], **shown,
                     ).then(rps_game.history_markdown, game, history, **shown)
    reset.click(new_game, mode, [game, board, history], **shown)
    mode.change(set_game_mode, [mode, game], [game, history], **shown)
# ---------------------------------------------------------------- teach it your hand (rps/personal.py)

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
    """"Teach it your hand": add the current photo as an example of a gesture (a new name is a new gesture)."""
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


# ---------------------------------------------------------------- "Wrong? Correct it" (common/flagging.py)

def flag_controls(task: str, components: list, choices: list[str], js: str | None = None) -> None:
    """Lets a person save the right answer for what is on screen, through Gradio's CSVLogger; only when it is on.
    `js` may fill the inputs in the page (the digit pad hands over its last answer that way)."""
    if not flagging.flagging_enabled():
        return
    with gr.Accordion("Wrong? Correct it", open=False, elem_id=f"{task}-flag"):
        gr.Markdown(f"Saving corrections is **on** on this server: the {'photo' if task == 'rps' else 'drawing as the model saw it'}, "
                    "the prediction and your answer are kept to train the next models.")
        with gr.Row():
            correction = gr.Dropdown(choices, value=None, allow_custom_value=True, label=flagging.CORRECTION_LABEL,
                                     elem_id=f"{task}-flag-answer")
            save = gr.Button("Save the correction", elem_id=f"{task}-flag-save")
    logger = flagging.make_logger(components + [correction], task)

    def save_correction(*values):
        if not values[0] or not values[-1]:
            raise gr.Error("Nothing to save yet: there must be an input and your answer.", print_exception=False)
        with stored_files(values) as stored:
            logger.flag(stored)
        gr.Info("Saved. Thank you!")

    save.click(save_correction, components + [correction], None, js=js, preprocess=False, api_visibility="private")


@contextlib.contextmanager
def stored_files(values):
    """The values with any file payload the page sent as a data URL written to a temporary file (CSVLogger copies
    files by path), removed afterwards."""
    written, stored = [], []
    for value in values:
        if isinstance(value, dict) and not value.get("path") and str(value.get("url", "")).startswith("data:"):
            with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as file:
                file.write(uploaded(value))
            written.append(file.name)
            value = {"path": file.name, "meta": {"_type": "gradio.FileData"}}
        stored.append(value)
    try:
        yield stored
    finally:
        for path in written:
            os.remove(path)


# ---------------------------------------------------------------- "How it was made" (common/report.py)

def results_tab() -> None:
    """Tables and figures the project's own commands wrote (benchmarks/results/), each with its command."""
    gr.HTML(RESULTS_CSS, padding=False)
    for block in report.results_page():
        if block.image is None:
            gr.Markdown(block.text, elem_classes=["results-text"])
        else:
            with gr.Group():
                gr.Image(block.image, show_label=False, interactive=False, buttons=["fullscreen"],
                         height=360, elem_classes=["results-figure"])
                gr.Markdown(f"<small>{block.text}</small>", elem_classes=["results-caption"])


# Wide tables scroll sideways on a phone instead of squeezing every column to a few letters.
RESULTS_CSS = """<style>
.results-text table { display: block; overflow-x: auto; white-space: nowrap; }
.results-figure img { object-fit: contain; }
</style>"""


# On a phone the title takes two lines, not three, so the drawing pad and its answer fit on the first screen.
PAGE_CSS = """
@media (max-width: 640px) {
  .gradio-container { overflow-x: clip; }
  #intro h1 { font-size: 1.25rem !important; margin-bottom: 0.4rem; }
}
"""


def build_demo() -> gr.Blocks:
    # Uploads live only in Gradio's temporary cache, and files older than an hour are deleted from it.
    with gr.Blocks(title="Digits and rock / paper / scissors", analytics_enabled=False,
                   delete_cache=(600, 3600)) as demo:
        gr.Markdown(INTRO, elem_id="intro")
        with gr.Tabs(overflow_behavior="wrap"):  # on a phone the third tab wraps instead of hiding behind "..."
            with gr.Tab("Digits", id="digits"):
                digits_tab()
            with gr.Tab("Rock / paper / scissors", id="rps"):
                rps_tab()
            with gr.Tab("How it was made", id="results"):
                results_tab()
        demo.unload(release_live_camera)
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
    demo.launch(max_file_size=MAX_UPLOAD, css=PAGE_CSS,
                server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
