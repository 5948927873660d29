"""Overload says so, in words: a full queue, and the per-visitor session bound (the camera's own busy message is
checked in Chromium: tests/test_browser_live.py).

The queue test runs a tiny Blocks with the app's queue settings scaled down (max_size 1) on loopback, because
filling the real app's 64 places would take 66 slow requests; the words a person sees are the page's own
(Gradio's frontend maps the 503 of /queue/join to them), checked in the bundle the page loads.
"""
from __future__ import annotations

import datetime
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from benchmarks.page_client import Busy, PageVisitor
from ui.sessions import drop_idle_sessions

BUSY_WORDS = "This application is currently busy. Please try again."


@pytest.fixture
def tiny_queue():
    release = threading.Event()

    def slow(text):
        release.wait(30)
        return text

    with gr.Blocks(analytics_enabled=False) as demo:
        box = gr.Textbox()
        gr.Button().click(slow, box, box, api_name="slow", concurrency_limit=1)
    demo.queue(max_size=1)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True)
    try:
        yield url
    finally:
        release.set()
        demo.close()


def test_a_full_queue_turns_the_next_person_away_with_words(tiny_queue):
    visitors = [PageVisitor(tiny_queue) for _ in range(3)]
    try:
        for visitor in visitors:
            visitor.open_page()
        visitors[0].join("slow", ["running"])       # takes the worker
        time.sleep(0.5)
        visitors[1].join("slow", ["waiting"])       # takes the one place in the queue
        with pytest.raises(Busy, match="Queue is full"):
            visitors[2].join("slow", ["turned away"])
    finally:
        for visitor in visitors:
            visitor.close()
    bundles = Path(gr.__file__).parent.glob("templates/frontend/assets/index-*.js")
    assert any(BUSY_WORDS in path.read_text(errors="ignore") and "503" in path.read_text(errors="ignore")
               for path in bundles), "the page no longer words a full queue as 'currently busy, try again'"


def test_the_app_queue_is_bounded():
    import app
    assert app.demo._queue.max_size == app.QUEUE_SIZE


def test_idle_sessions_are_dropped_and_the_rest_bounded():
    now = datetime.datetime.now()
    holder = SimpleNamespace(lock=threading.Lock(), session_data={}, time_last_used={}, deleted=[])
    holder.delete_state = holder.deleted.append
    for k, minutes_ago in enumerate([90, 40, 5, 3, 1]):
        holder.session_data[f"s{k}"] = object()
        holder.time_last_used[f"s{k}"] = now - datetime.timedelta(minutes=minutes_ago)
    removed = drop_idle_sessions(holder, idle_seconds=30 * 60, most=2)
    assert removed == 3 and set(holder.session_data) == {"s3", "s4"} and set(holder.time_last_used) == {"s3", "s4"}
    assert sorted(holder.deleted) == ["s0", "s1", "s2"]
