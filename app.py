"""The demo's web app: a Digits tab, a Rock / paper / scissors tab and a "How it was made" tab.

Run it:    python app.py       (http://127.0.0.1:7860; GRADIO_SERVER_NAME / GRADIO_SERVER_PORT override)
Its API:   classify_digit(sketch), classify_rps(image, mask=True, model="..."), play_rps(image, mode),
           teach_rps(image, label) — see README.md.

This file only assembles the page: each tab is a module of `ui/` (ui/digits.py, ui/rps.py, ui/results.py), and
all model logic lives in `mnist/` and `rps/`.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry; must be set before importing gradio

import gradio as gr

from common.runtime import limit_malloc_arenas, release_free_memory
from ui.sessions import expire_idle_sessions
from mnist import predict as digits
from rps import predict as hands
from ui import digits as digits_page
from ui import rps as rps_page
from ui.results import results_tab

MAX_UPLOAD = "10mb"
QUEUE_SIZE = 64
PAGE_CSS = Path(__file__).parent / "ui" / "static" / "page.css"
INTRO = """# Digits and rock / paper / scissors, read by small CNNs
Draw a digit, or show your hand to the camera. Everything runs on a CPU; see *How it works* in each tab."""
log = logging.getLogger("app")


def build_demo() -> gr.Blocks:
    # Uploads live only in Gradio's temporary cache, and files older than an hour are deleted from it.
    with gr.Blocks(title="Digits and rock / paper / scissors", analytics_enabled=False,
                   delete_cache=(600, 3600)) as demo:
        gr.Markdown(INTRO, elem_id="intro")
        with gr.Tabs(overflow_behavior="wrap"):  # on a phone the third tab wraps instead of hiding behind "..."
            with gr.Tab("Digits", id="digits"):
                digits_page.digits_tab()
            with gr.Tab("Rock / paper / scissors", id="rps"):
                rps_page.rps_tab()
            with gr.Tab("How it was made", id="results"):
                results_tab()
    # The model endpoints share two CPU-bound workers; the queue caps waiting requests instead of piling up.
    demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=2)
    # Gradio never frees a session (~180 KB each); glibc keeps freed heap pages unless asked (common/runtime.py).
    expire_idle_sessions(demo, also=[release_free_memory])
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
    demo.launch(max_file_size=MAX_UPLOAD, css_paths=[PAGE_CSS],
                server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
