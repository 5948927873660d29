"""The app with two no-op endpoints beside it, so benchmarks can subtract Gradio's own overhead.

`noop_digit` and `noop_rps` take the same inputs and have the same outputs as `classify_digit` and
`classify_rps`, but return nothing, through the same server and queue settings: the difference between
the two is what the models and preprocessing cost. Used by benchmarks/api_latency.py and benchmarks/load.py.

    python -m benchmarks.bench_app          # serve it on GRADIO_SERVER_PORT (default 7860)
"""
from __future__ import annotations

import socket
import subprocess
import time

import gradio as gr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, server: subprocess.Popen, timeout: float, poll: float = 0.25) -> bool:
    """True once 127.0.0.1:port accepts connections; False if `server` exits or `timeout` passes first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(poll)
    return False


def noop(*_inputs):
    return None, "", None


def build_bench_demo() -> gr.Blocks:
    from ui.sessions import expire_idle_sessions
    import app  # here, not at the top: load clients import free_port from this module without the models

    with gr.Blocks(analytics_enabled=False) as bench:
        app.demo.render()
        with gr.Row(visible=False):
            sketch = gr.Sketchpad(type="numpy")
            photo = gr.Image(type="filepath")
            mask = gr.Checkbox(value=True)
            model = gr.Textbox()
            label, message, seen_picture = gr.Label(), gr.Markdown(), gr.State()
            digit_button, rps_button = gr.Button(), gr.Button()
        digit_button.click(noop, sketch, [label, message, seen_picture], api_name="noop_digit", preprocess=False,
                           concurrency_limit=2, concurrency_id="noop")
        rps_button.click(noop, [photo, mask, model], [label, message, seen_picture], api_name="noop_rps",
                         preprocess=False, concurrency_limit=2, concurrency_id="noop")
    bench.queue(max_size=app.QUEUE_SIZE, default_concurrency_limit=2)
    expire_idle_sessions(bench)  # bench is the launched Blocks, not app.demo
    return bench


if __name__ == "__main__":
    from app import MAX_UPLOAD

    build_bench_demo().launch(max_file_size=MAX_UPLOAD)
