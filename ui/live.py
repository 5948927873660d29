"""The live camera section of the Rock / paper / scissors tab: webcam frames streamed to the server, which
tracks the hand (rps/live.py) and names a gesture once it is held steady."""
from __future__ import annotations

import gradio as gr

from rps import live
from ui.errors import friendly_errors

# One tracking landmarker per visitor (rps/live.py), freed when the page unloads or after a minute without frames.
LIVE_READERS = live.LiveReaders()
LIVE_FRAME_SECONDS = 0.07  # the page sends a frame this often; the server reads the newest and drops the rest
LIVE_TIME_LIMIT = 600      # a stream holds a worker; after 10 minutes the camera must be started again
LIVE_STREAMS = LIVE_READERS.capacity  # visitors streaming at once (8); more are told so, each frame, until one stops
BUSY_MESSAGE = (f"**The live camera is busy**: {LIVE_STREAMS} people are using it on this server right now. "
                "Keep the camera on and it starts by itself as soon as one stops; meanwhile you can play with a photo.")
# Streams beyond the pool's capacity must reach the handler to be told "busy" rather than wait silently in the
# queue; the pool, not the queue, bounds the real work (a refused frame costs a JPEG decode).
LIVE_STREAM_SLOTS = 2 * LIVE_STREAMS
HELP = """**Live.** Start the camera: the hand is tracked from frame to frame and read by the landmarks model
(the fastest; about 1 ms after MediaPipe's ~12 ms a frame). A gesture is named only once it is held steady."""


@friendly_errors
def read_live_frame(frame, mask: bool, request: gr.Request):
    """One webcam frame -> (held gesture or None, a sentence, what the model saw); frames that come while the
    previous one is read are skipped."""
    if frame is None:
        return gr.skip(), gr.skip(), gr.skip()
    if not LIVE_READERS.has_room(request.session_hash):  # say so, rather than a camera that shows nothing
        return None, BUSY_MESSAGE, live.picture_html(None)
    answer = LIVE_READERS.read_frame(request.session_hash, frame, mask=mask)
    if answer is None:
        return gr.skip(), gr.skip(), gr.skip()
    sentence = answer.sentence
    if answer.probabilities:
        sentence += "  \nThis frame: " + " · ".join(f"{k} {v:.2f}" for k, v in answer.probabilities.items())
    return answer.throw, sentence, live.picture_html(answer.shown_image)


def release_live_camera(request: gr.Request):
    LIVE_READERS.release(request.session_hash)


def latest_answer(request: gr.Request):
    """The visitor's last live answer (rps.live.LiveAnswer), or None when their camera never sent a frame."""
    return LIVE_READERS.latest(request.session_hash)


def live_section(mask) -> gr.Markdown:
    """The camera and its answers; returns the Markdown beside the camera where the game shows its countdown."""
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
        gr.Markdown(HELP)
    camera.stream(read_live_frame, [camera, mask], [held, sentence, seen], stream_every=LIVE_FRAME_SECONDS,
                  time_limit=LIVE_TIME_LIMIT, concurrency_limit=LIVE_STREAM_SLOTS, concurrency_id="live",
                  show_progress="hidden", api_visibility="private")
    return by_camera
