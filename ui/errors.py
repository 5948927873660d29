"""What every event handler of the page shares: failures as plain words, and Gradio's file payloads opened.

    from ui.errors import friendly_errors, uploaded
"""
from __future__ import annotations

import base64
import functools
import logging

import gradio as gr

from common.errors import ModelFileError, UserInputError

log = logging.getLogger("app")


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


# The events use preprocess=False: Gradio hands over where it stored each upload, and the packages decode it
# with common.images, which refuses bombs and broken files in words instead of a stack trace.
def uploaded(payload):
    """The stored file (path or bytes) behind a Gradio file payload, or None."""
    if isinstance(payload, dict):
        url = payload.get("url") or ""
        if not payload.get("path") and url.startswith("data:"):
            return base64.b64decode(url.partition(",")[2])
        return payload.get("path")
    return payload
