"""ui/digit_pad.py: the drawing pad's reader, called as the page calls it (a POST to Gradio's /component_server)
and in-process. The page side (drawing, versions, Clear) runs in Chromium in tests/test_browser.py."""
import base64
import io

import numpy as np
import pytest
import requests
from PIL import Image, ImageDraw

from bad_inputs import BAD_UPLOADS
from ui import digit_pad


def data_url(image: Image.Image, kind: str = "PNG") -> str:
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return f"data:image/{kind.lower()};base64," + base64.b64encode(buffer.getvalue()).decode()


def drawn_one(side: int = digit_pad.SEND_SIDE, colour="#1f4fd6") -> Image.Image:
    """What the pad sends: an opaque white square with a stroke, at the size the page sends."""
    image = Image.new("RGB", (side, side), "white")
    ImageDraw.Draw(image).line([(0.55 * side, 0.15 * side), (0.5 * side, 0.85 * side)], fill=colour,
                               width=round(0.055 * side))
    return image


@pytest.fixture(scope="module")
def read_over_http(inprocess_url):
    """read_drawing through the running app, exactly as the page's `server.read_drawing(...)` sends it."""
    config = requests.get(inprocess_url + "config", timeout=30).json()
    pad_id = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "digit-pad")

    def read(drawing):
        response = requests.post(inprocess_url + "gradio_api/component_server/", timeout=30, json={
            "data": drawing, "component_id": pad_id, "fn_name": "read_drawing", "session_hash": "test-digit-pad"})
        assert response.status_code == 200, response.text
        return response.json()
    return read


def test_a_drawing_is_read_with_its_version_and_what_the_model_saw(read_over_http):
    answer = read_over_http({"version": 12, "image": data_url(drawn_one())})
    assert answer["version"] == 12
    assert max(answer["probabilities"], key=answer["probabilities"].get) == "1"
    assert answer["message"].startswith("Looks like a 1")
    seen = Image.open(io.BytesIO(base64.b64decode(answer["seen"].partition(",")[2])))
    assert seen.size == (28, 28) and np.asarray(seen).max() > 200


def test_a_blank_pad_asks_for_a_digit(read_over_http):
    answer = read_over_http({"version": 3, "image": data_url(Image.new("RGB", (224, 224), "white"))})
    assert answer == {"version": 3, "probabilities": None, "message": "Draw a digit.", "seen": None}


@pytest.mark.parametrize("drawing", [None, {}, {"version": 1}, {"version": 1, "image": 5},
                                     {"version": 1, "image": "https://example.com/x.png"},
                                     {"version": 1, "image": "data:image/png;base64,@@not base64@@"},
                                     {"version": 1, "image": "data:image/png;base64," + "A" * digit_pad.MAX_DATA_URL}],
                         ids=["none", "empty", "no-image", "number", "a-link", "broken-base64", "huge"])
def test_what_the_pad_never_sends_gets_words_not_a_traceback(read_over_http, drawing):
    answer = read_over_http(drawing)
    assert "probabilities" not in answer and len(answer["error"]) > 15


@pytest.mark.parametrize("name", list(BAD_UPLOADS))
def test_bad_image_bytes_get_our_words(tmp_path, name):
    bad = BAD_UPLOADS[name](tmp_path).read_bytes()
    url = "data:image/png;base64," + base64.b64encode(bad).decode()
    answer = digit_pad.read_drawing({"version": 7, "image": url})
    assert answer["version"] == 7 and len(answer["error"]) > 15 and "Traceback" not in answer["error"]


def test_the_size_the_pad_sends_reads_like_the_full_canvas():
    """The same stroke at 800 px (the Sketchpad's size) and at SEND_SIDE reads the same; the full check over
    thousands of drawn digits is benchmarks/pad_resolution.py."""
    big = digit_pad.read_drawing({"version": 1, "image": data_url(drawn_one(800))})
    small = digit_pad.read_drawing({"version": 1, "image": data_url(drawn_one())})
    assert max(big["probabilities"], key=big["probabilities"].get) == "1"
    assert max(small["probabilities"], key=small["probabilities"].get) == "1"
