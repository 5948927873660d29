"""ui/canvas_guard.py: an answer reaches the page only for the canvas version it was computed from.
(The page side, ui/static/canvas_guard.js, is exercised in Chromium by tests/test_browser.py.)"""
import gradio as gr
import numpy as np

import ui.digits
from ui import canvas_guard


def drawn_one() -> np.ndarray:
    canvas = np.full((800, 800, 4), 255, np.uint8)       # what the browser sends: opaque white
    canvas[150:650, 380:420, :3] = 0
    return canvas


def test_a_read_remembers_the_canvas_version_it_came_with():
    read = canvas_guard.versioned(ui.digits.classify_digit)
    answer = read({"background": None, "layers": [], "composite": drawn_one()}, 7)
    assert answer.version == 7
    probabilities, message, picture = answer.values
    assert max(probabilities, key=probabilities.get) == "1" and picture.shape == (224, 224)


def test_an_answer_is_shown_only_while_the_canvas_is_the_one_it_read():
    show = canvas_guard.show_if_current(3)
    answer = canvas_guard.VersionedAnswer(4, ({"1": 1.0}, "Looks like a 1 (100%).", None))
    assert show(answer, 4) == ({"1": 1.0}, "Looks like a 1 (100%).", None, 4)
    assert show(answer, 4.0)[-1] == 4                      # gr.Number sends floats
    for newer_or_unknown in (5, 6, None, "x"):
        assert show(answer, newer_or_unknown) == tuple(gr.skip() for _ in range(4))
    assert show(canvas_guard.VersionedAnswer(-1, answer.values), -1) == tuple(gr.skip() for _ in range(4))
    assert show(None, 4) == tuple(gr.skip() for _ in range(4))
