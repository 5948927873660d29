"""The app in-process, through its public API with gradio_client, as API callers and the page use it.

One server for the module (`demo.launch(prevent_thread_lock=True)` on a free port). Covers drawn digits,
the three shapes of Sketchpad value callers send, empty canvases, real hand photos, and the bad-input
matrix: each bad file gets our own words back (not Gradio's generic error) and the next request works.
"""
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image, ImageDraw

from bad_inputs import BAD_UPLOADS, ODD_BUT_FINE
from conftest import shared_path

GENERIC = "upstream app raised an exception"


@pytest.fixture(scope="module")
def client(inprocess_url):
    return Client(inprocess_url, verbose=False)


def drawn_one(folder, colour=(0, 0, 0, 255), transparent=True) -> str:
    """An upright stroke, off-centre and small, like a quick '1' in a corner of the sketchpad."""
    canvas = Image.new("RGBA", (800, 800), (0, 0, 0, 0) if transparent else (255, 255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    draw.line([(610, 90), (600, 330)], fill=colour, width=22)
    draw.line([(585, 120), (610, 90)], fill=colour, width=22)
    path = folder / f"one_{colour[0]}_{transparent}.png"
    canvas.save(path)
    return str(path)


def top(label: dict) -> str:
    return label["label"]


def test_example_drawings_are_read_as_their_digit(client):
    from mnist.predict import example_drawings
    for path in example_drawings():
        expected = next(c for c in Path(path).stem if c.isdigit())  # files are named after their digit
        label, message = client.predict({"background": None, "layers": [], "composite": handle_file(path)},
                                        api_name="/classify_digit")
        assert top(label) == expected, (path, label)
        assert len(label["confidences"]) >= 3 and f"a {expected}" in message


def test_the_page_also_gets_the_picture_the_model_saw(tmp_path):
    # The API answer is (label, sentence); the picture goes to the page through a gr.State (see app.py).
    import ui.digits
    probabilities, message, seen = ui.digits.classify_digit({"background": None, "layers": [], "composite": drawn_one(tmp_path)})
    assert max(probabilities, key=probabilities.get) == "1" and seen.shape[:2] == (224, 224)


@pytest.mark.parametrize("slot", ["composite", "background"])
def test_api_callers_may_send_only_composite_or_only_background(client, tmp_path, slot):
    value = {"background": None, "layers": [], "composite": None}
    value[slot] = handle_file(drawn_one(tmp_path))
    label, _ = client.predict(value, api_name="/classify_digit")
    assert top(label) == "1"


def test_the_api_still_takes_a_sketchpad_value(client):
    # The page draws on its own pad now (ui/digit_pad.py); API callers keep the Sketchpad's input.
    parameter = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/classify_digit"]["parameters"][0]
    assert {"background", "layers", "composite"} <= set(parameter["type"]["properties"])


def test_any_brush_colour_on_white_or_transparent(client, tmp_path):
    for colour, transparent in [((30, 80, 220, 255), True), ((0, 0, 0, 255), False)]:
        value = {"background": None, "layers": [], "composite": handle_file(drawn_one(tmp_path, colour, transparent))}
        assert top(client.predict(value, api_name="/classify_digit")[0]) == "1"


@pytest.mark.parametrize("fill", [(0, 0, 0, 0), (255, 255, 255, 255), (0, 0, 0, 255)], ids=["transparent", "white", "black"])
def test_blank_canvases_ask_for_a_digit_instead_of_guessing(client, tmp_path, fill):
    path = tmp_path / "blank.png"
    Image.new("RGBA", (800, 800), fill).save(path)
    label, message = client.predict({"background": None, "layers": [], "composite": handle_file(str(path))},
                                    api_name="/classify_digit")
    assert not (label or {}).get("label")
    assert "draw a digit" in message.lower()


def test_sketchpad_value_with_no_images(client):
    label, message = client.predict({"background": None, "layers": [], "composite": None}, api_name="/classify_digit")
    assert not (label or {}).get("label") and "draw a digit" in message.lower()


def test_real_hand_photos_are_named(client):
    photo = sorted(shared_path("rps", "subhih", "paper").glob("*.jpg"))[0]
    label, message = client.predict(handle_file(str(photo)), True, api_name="/classify_rps")
    assert {c["label"] for c in label["confidences"]} == {"rock", "paper", "scissors"}
    assert top(label) == "paper" and "hand" in message


@pytest.mark.parametrize("name", list(BAD_UPLOADS))
def test_bad_uploads_get_our_words_and_the_server_keeps_serving(client, tmp_path, name):
    bad = handle_file(str(BAD_UPLOADS[name](tmp_path)))
    for call in (lambda: client.predict(bad, True, api_name="/classify_rps"),
                 lambda: client.predict({"background": None, "layers": [], "composite": bad}, api_name="/classify_digit")):
        with pytest.raises(AppError) as refusal:
            call()
        assert GENERIC not in str(refusal.value) and len(str(refusal.value)) > 15
    value = {"background": None, "layers": [], "composite": handle_file(drawn_one(tmp_path))}
    assert top(client.predict(value, api_name="/classify_digit")[0]) == "1"


@pytest.mark.parametrize("name", list(ODD_BUT_FINE))
def test_odd_uploads_get_a_sensible_answer(client, tmp_path, name):
    label, message = client.predict(handle_file(str(ODD_BUT_FINE[name](tmp_path))), True, api_name="/classify_rps")
    if label["label"] in ("no hand", "not sure"):  # these pictures hold no hand: the answer may say so
        assert message.startswith("No hand found") or "not sure" in message
    else:
        assert {c["label"] for c in label["confidences"]} == {"rock", "paper", "scissors"}
    assert message


def test_unknown_model_name_is_refused_in_words(client, tmp_path):
    with pytest.raises(AppError, match="(?i)model"):
        client.predict(handle_file(str(ODD_BUT_FINE["1x1"](tmp_path))), True, "no-such-model", api_name="/classify_rps")
