"""The app with two no-op endpoints beside it, so benchmarks can subtract Gradio's own overhead.

`noop_digit` and `noop_rps` take the same inputs as `classify_digit` and `classify_rps` and return
nothing, through the same server and queue settings: the difference between the two is what the
models and preprocessing cost. Used by benchmarks/api_latency.py and benchmarks/load.py.

    python -m benchmarks.bench_app          # serve it on GRADIO_SERVER_PORT (default 7860)
"""
from __future__ import annotations

import gradio as gr

import app


def noop(*_inputs):
    return None, None, ""


def build_bench_demo() -> gr.Blocks:
    with gr.Blocks(analytics_enabled=False) as bench:
        app.demo.render()
        with gr.Row(visible=False):
            sketch = gr.Sketchpad(type="numpy")
            photo = gr.Image(type="filepath")
            mask = gr.Checkbox(value=True)
            model = gr.Textbox()
            label, seen, message = gr.Label(), gr.Image(), gr.Markdown()
            digit_button, rps_button = gr.Button(), gr.Button()
        digit_button.click(noop, sketch, [label, seen, message], api_name="noop_digit", preprocess=False,
                           concurrency_limit=2, concurrency_id="noop")
        rps_button.click(noop, [photo, mask, model], [label, seen, message], api_name="noop_rps",
                         preprocess=False, concurrency_limit=2, concurrency_id="noop")
    bench.queue(max_size=app.QUEUE_SIZE, default_concurrency_limit=2)
    return bench


if __name__ == "__main__":
    build_bench_demo().launch(max_file_size=app.MAX_UPLOAD)
