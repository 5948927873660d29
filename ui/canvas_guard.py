"""Answers that belong to the drawing on screen: a late answer for an older canvas is dropped, never shown.

Why this is needed (Gradio 6.31's Sketchpad, measured in Chromium; see benchmarks/browser_digits.py):
- After each stroke the Sketchpad snapshots its canvas, posts three PNGs and fires `change` with `{"id": ...}`.
  The page reads the value lazily: every event that has the Sketchpad as input *or trigger* asks it for its
  value, gets that id once, and afterwards gets a fresh snapshot of the whole canvas, uploaded as files.
- With `trigger_mode="always_last"` a change during a read is re-sent when the read ends, with such a fresh
  snapshot. A snapshot taken just before Clear is uploaded and read after it, and nothing compared the answer
  with the canvas: Clear emptied the label, then the older drawing's answer and picture came back.

The cure is a version number for the canvas, kept in the page (ui/static/canvas_guard.js): bumped on every
pointer-down / pointer-up on the drawing canvas, on Clear and on picking an example, and attached to the
exact PNG bytes each snapshot produced. A read carries the version of the pixels it read; the step that puts
the answer on the page receives the page's version *now* and shows the answer only if the two are equal.
Clear also cancels the read in flight (`cancels=`), so the server does not spend a model run on it.

    read = sketch.change(read_versioned, [sketch, version_box], answer_state, js=TAG_READ_JS, ...)
    read.success(show_if_current(3), [answer_state, version_box], [..3 outputs.., shown_version], js=CURRENT_JS)
        .then(None, shown_version, None, js=MARK_SHOWN_JS)
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import gradio as gr

INSTALL_JS = (Path(__file__).parent / "static" / "canvas_guard.js").read_text()
# The read sends the version of the pixels it carries; the show step sends the version on screen now.
TAG_READ_JS = "(sketch, version) => [sketch, window.digitPad ? window.digitPad.versionOf(sketch) : -1]"
CURRENT_JS = "(answer, version) => [answer, window.digitPad ? window.digitPad.version : -1]"
MARK_SHOWN_JS = "(shown) => { if (window.digitPad) window.digitPad.markShown(shown); }"
CLEARED_JS = "window.digitPad && window.digitPad.cleared();"


@dataclass(frozen=True)
class VersionedAnswer:
    """What a read produced (a tuple of output values) and the canvas version it was computed from."""
    version: int
    values: tuple


def versioned(read: Callable[..., tuple]) -> Callable[[Any, Any], VersionedAnswer]:
    """Wrap `read(value) -> outputs` so it records the canvas version its input came with."""
    def read_versioned(value, version):
        return VersionedAnswer(_as_version(version), tuple(read(value)))
    read_versioned.__name__ = f"{read.__name__}_versioned"
    return read_versioned


def show_if_current(outputs: int) -> Callable[[VersionedAnswer | None, Any], tuple]:
    """A step returning an answer's `outputs` values and its version if it belongs to the canvas on screen
    now, and otherwise leaving all `outputs + 1` outputs as they are."""
    def show_current_answer(answer, version_now):
        if answer is None or answer.version < 0 or answer.version != _as_version(version_now):
            return tuple(gr.skip() for _ in range(outputs + 1))
        return (*answer.values, answer.version)
    return show_current_answer


def _as_version(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
