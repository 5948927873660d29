"""The real app in headless Chromium, driven like a person: draw digits with the mouse, upload and photograph hands.

    .venv/bin/python -m pytest -m browser tests/test_browser.py        # ~4 min on 2 quiet cores, 7 at load 14

A session fixture starts `python app.py` on a free loopback port; each test opens a page with Playwright (sync API)
on Debian's /usr/bin/chromium (Playwright cannot download its own browser here). Screenshots of every step, the
server's log and, on failure, `...FAILED-<step>.png` land in artifacts/browser/.

Digits are replayed from UCI pen trajectories (../shared/data, the first sample of each chosen class) as real mouse
strokes on the drawing pad (ui/digit_pad.py), with benchmarks/browser_digits.DigitsPage: the test waits until the
page shows the answer for the canvas as it is (the pad's data-shown-version equals its data-version) and reads the
top class. A misread digit fails the test: that is the app's real behaviour. People draw fast, press Clear while an
answer is on its way, click twice, switch tabs and draw with a finger on a phone: each of those is a test.
Hand photos come from ../shared/data/rps/subhih; the webcam test feeds one to Chromium's fake camera.
"""
from __future__ import annotations

import io
import os

import numpy as np
import pytest

from browser_helpers import (CHROMIUM, FAKE_CAMERA_ARGS, ROOT, AppServer, first_of_class, fit_strokes,
                             launch_chromium, load_pen_digits, step, write_y4m)
from conftest import shared_path

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (requirements-dev.txt)")

# Screenshots of the rock / paper / scissors tests are taken at this size; the Digits tests use the benchmark's page.
VIEWPORT = {"width": 800, "height": 900}
DEVICE_SCALE = 0.5
TIMEOUT_MS = 60_000   # page actions and expect(): the first photo loads the models, on a busy machine
sync_api.expect.set_options(timeout=TIMEOUT_MS)
# Digits to draw: the first trajectory of each class in pendigits-orig.tra among the writers held out from
# training (mnist.strokes.HELD_OUT_WRITERS); a 7 in two strokes, a 3 and a 5 in one.
DIGITS = [7, 3, 5]
# Hand photos: a fixed file of a class the models read correctly.
HAND = ("rps/subhih/paper", "test__16_pic00032__33_159.jpg", "paper")
CLASSES_RPS = {"rock", "paper", "scissors"}


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def app_url():
    """`python app.py` (or $BROWSER_TEST_APP) in a subprocess on a free loopback port, for the whole session."""
    script = os.environ.get("BROWSER_TEST_APP", str(ROOT / "app.py"))
    server = AppServer(script, timeout=60)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(playwright):
    browser = launch_chromium(playwright)
    yield browser
    browser.close()


def open_app(browser, url, **context_options):
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=DEVICE_SCALE, **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#digit-pad canvas")
    return page


@pytest.fixture
def page(browser, app_url):
    page = open_app(browser, app_url)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def digits_page(browser, app_url):
    """One page for the Digits tests (each starts from a cleared pad): loading a page costs seconds here."""
    from benchmarks.browser_digits import open_digits_page
    pad = open_digits_page(browser, app_url)
    yield pad
    pad.page.context.close()


@pytest.fixture(scope="session")
def pen_digits():
    return load_pen_digits(shared_path("digits", "pendigits", "pendigits-orig.tra"))


# ------------------------------------------------------------------------------------------------ page helpers
def top_class(page, elem_id: str) -> str | None:
    value = page.locator(f"#{elem_id} [data-testid='label-output-value']")
    return value.inner_text().strip() if value.count() else None


def image_bytes(page, elem_id: str) -> tuple[str, bytes]:
    src = page.get_attribute(f"#{elem_id} img", "src")
    response = page.request.get(src)
    assert response.ok, f"{src}: HTTP {response.status}"
    return src, response.body()


def pixels(data: bytes) -> np.ndarray:
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB").resize((128, 128)), dtype=np.float32)


def expect_draw_a_digit(pad) -> None:
    sync_api.expect(pad.page.locator("#digit-message")).to_have_text("Draw a digit.")
    assert pad.top_class() is None and pad.model_saw() is None


def held_out(pen_digits, digit: int):
    from mnist.strokes import HELD_OUT_WRITERS
    return first_of_class(pen_digits, digit, writers=HELD_OUT_WRITERS)


def centred(strokes, fill: float = 0.55):
    """Strokes (any units) in the pad's area units, scaled into the middle of the drawing area."""
    from benchmarks.browser_digits import AREA
    return fit_strokes(strokes, AREA, fill)


def fresh(pad) -> None:
    """A cleared pad, whatever the previous test left."""
    pad.clear()
    expect_draw_a_digit(pad)


# ------------------------------------------------------------------------------------------------ digits
def test_empty_canvas_asks_for_a_digit(digits_page):
    """Before anything is drawn: the message asks for a digit, there is no prediction and no ink."""
    with step(digits_page.page, "loaded", "digits-empty"):
        expect_draw_a_digit(digits_page)
        assert digits_page.ink() < 0.001


@pytest.mark.parametrize("digit", DIGITS)
def test_drawn_digit_is_read_and_clear_resets(digits_page, pen_digits, digit):
    """Draw the digit with the mouse, read the label and what the model saw; Clear empties the pad and the page
    asks for a digit again, straight away (no answer needed from the server)."""
    pad, name = digits_page, f"digits-{digit}"
    strokes = held_out(pen_digits, digit)
    fresh(pad)
    with step(pad.page, f"drawn-{digit}", name):
        pad.draw(centred(strokes), pace_ms=10)
        assert pad.wait_for_answer(30) is not None, "no answer for the drawing"
        assert pad.top_class() == str(digit), f"drew a {digit} ({len(strokes)} strokes), the page says {pad.top_class()!r}"
        assert pad.model_saw().shape == (28, 28)
        sync_api.expect(pad.page.locator("#digit-message")).to_contain_text(f"a {digit}")
        assert pad.ink() > 0.01, "the drawing is not visible on the canvas"
    with step(pad.page, "clear", name):
        pad.clear()
        expect_draw_a_digit(pad)
        assert pad.ink() < 0.001, "Clear left ink on the canvas"
        pad.page.wait_for_timeout(1000)
        expect_draw_a_digit(pad)   # and stays so: no late answer comes back


def test_the_answer_updates_while_a_stroke_is_drawn(digits_page, pen_digits):
    """One long stroke drawn at a person's pace, the button held down all the time: the page shows answers
    before the stroke ends, several a second."""
    pad = digits_page
    fresh(pad)
    left, top, scale = pad.area()
    stroke = max(centred(held_out(pen_digits, 3)), key=len)   # the 3 is one stroke
    with step(pad.page, "mid-stroke", "digits-live"):
        pad.page.mouse.move(*(stroke[0] * scale + (left, top)))
        pad.page.mouse.down()
        began = pad.page.evaluate("Date.now()")
        for point in stroke[1:]:
            pad.page.mouse.move(*(point * scale + (left, top)), steps=2)
            pad.page.wait_for_timeout(60)
        while pad.page.evaluate("Date.now()") - began < 1500:   # a slow hand: still pressing
            pad.page.wait_for_timeout(100)
        held = (pad.page.evaluate("Date.now()") - began) / 1000
        shown = pad.answers_between(began, began + held * 1000)
        assert pad.top_class() is not None, "no answer on the page while the stroke is drawn"
        pad.page.mouse.up()
    # The issue asks for >= 3 a second (benchmarks/browser_digits.py measures it); 2 leaves room for a busy CI.
    assert shown / held >= 2, f"only {shown} answers in {held:.1f} s of drawing"
    assert pad.wait_for_answer(30) is not None


def test_clear_right_after_drawing_never_brings_the_old_answer_back(digits_page, pen_digits):
    """A person lifts the pen and presses Clear at once (twice, as people do), while the answer is on its way:
    the page must stay empty, and the next digit must be read as itself."""
    pad = digits_page
    for digit, next_digit in ((7, 5), (3, 7)):
        fresh(pad)
        with step(pad.page, f"clear-at-once-{digit}", "digits-clear-in-flight"):
            pad.draw(centred(held_out(pen_digits, digit)), pace_ms=5)
            pad.page.dblclick("#digit-clear")
            pad.page.wait_for_timeout(1500)   # longer than any answer takes
            expect_draw_a_digit(pad)
        with step(pad.page, f"next-{next_digit}", "digits-clear-in-flight"):
            pad.draw(centred(held_out(pen_digits, next_digit)), pace_ms=5)
            assert pad.wait_for_answer(30) is not None
            assert pad.top_class() == str(next_digit)


def test_an_example_clicked_twice_is_read(digits_page):
    """Clicking an example (twice) puts it on the pad and reads it."""
    pad = digits_page
    fresh(pad)
    example = pad.page.locator("#digit-examples button").first
    digit = next(c for c in example.get_attribute("data-src").rsplit("/", 1)[-1] if c.isdigit())
    with step(pad.page, "example", "digits-example"):
        example.dblclick()
        assert pad.wait_for_answer(30) is not None
        assert pad.top_class() == digit and pad.ink() > 0.005


def test_switching_tabs_keeps_the_drawing_and_its_answer(digits_page, pen_digits):
    pad = digits_page
    fresh(pad)
    pad.draw(centred(held_out(pen_digits, 5)), pace_ms=5)
    assert pad.wait_for_answer(30) is not None and pad.top_class() == "5"
    with step(pad.page, "back-from-rps", "digits-tabs"):
        pad.page.get_by_role("tab", name="Rock / paper / scissors").click()
        pad.page.wait_for_selector("#rps-photo", state="visible")
        pad.page.get_by_role("tab", name="Digits").click()
        pad.page.wait_for_selector("#digit-pad canvas", state="visible")
        assert pad.top_class() == "5" and pad.ink() > 0.01
        pad.clear()
        pad.draw(centred(held_out(pen_digits, 7)), pace_ms=5)   # and the pad still draws and reads
        assert pad.wait_for_answer(30) is not None and pad.top_class() == "7"


# ------------------------------------------------------------------------------------------------ rock / paper / scissors
def open_rps_tab(page) -> None:
    page.get_by_role("tab", name="Rock / paper / scissors").click()
    page.wait_for_selector("#rps-photo", state="visible")


def test_uploaded_photo_is_read_and_mask_changes_the_crop(page):
    name = "rps-upload"
    folder, filename, truth = HAND
    photo = shared_path(*folder.split("/"), filename)
    with step(page, "tab", name):
        open_rps_tab(page)
        sync_api.expect(page.locator("#rps-message")).to_contain_text("or upload one")
    with step(page, "uploaded", name):
        page.locator("#rps-photo input[type='file']").set_input_files(str(photo))
        sync_api.expect(page.locator("#rps-seen img")).to_have_count(1)
        sync_api.expect(page.locator("#rps-label [data-testid='label-output-value']")).to_have_count(1)
        assert page.is_checked("#rps-mask input[type='checkbox']"), "masking should be on by default"
        assert top_class(page, "rps-label") == truth
        masked_src, masked = image_bytes(page, "rps-seen")
    with step(page, "mask-off", name):
        page.click("#rps-mask input[type='checkbox']")
        page.wait_for_function("src => { const img = document.querySelector('#rps-seen img');"
                               " return img && img.src !== src; }", arg=masked_src)
        unmasked_src, unmasked = image_bytes(page, "rps-seen")
        difference = np.abs(pixels(masked) - pixels(unmasked)).mean()
        assert difference > 5, f"masking on/off shows nearly the same crop (mean |diff| {difference:.1f})"
        # Without the mask the room is in the crop too and the models are less sure (this photo: paper at about 0.7,
        # near the "not sure" threshold), so either answer is the page's honest one.
        sync_api.expect(page.locator("#rps-message")).to_contain_text("masking off")
        assert top_class(page, "rps-label") in CLASSES_RPS | {"not sure"}


def test_webcam_snapshot_is_read(playwright, app_url, tmp_path):
    name = "rps-webcam"
    folder, filename, truth = HAND
    clip = write_y4m(shared_path(*folder.split("/"), filename), tmp_path / "hand.y4m")
    camera_browser = launch_chromium(playwright, [*FAKE_CAMERA_ARGS, f"--use-file-for-fake-video-capture={clip}"])
    try:
        page = open_app(camera_browser, app_url, permissions=["camera"])
        with step(page, "tab", name):
            open_rps_tab(page)
        with step(page, "camera-on", name):
            page.get_by_role("button", name="Start the camera").click()   # the tab's one camera
            page.wait_for_function("() => window.rpsCamera && window.rpsCamera.on()")
        with step(page, "snapshot", name):
            page.click("#rps-snap")
            sync_api.expect(page.locator("#rps-photo img")).to_have_count(1)
            sync_api.expect(page.locator("#rps-label [data-testid='label-output-value']")).to_have_count(1)
            sync_api.expect(page.locator("#rps-seen img")).to_have_count(1)
            assert top_class(page, "rps-label") == truth
    finally:
        camera_browser.close()


def test_a_blank_photo_says_no_hand(page, tmp_path):
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.fromarray(np.zeros((480, 640, 3), np.uint8)).save(blank)
    with step(page, "uploaded-blank", "rps-no-hand"):
        open_rps_tab(page)
        page.locator("#rps-photo input[type='file']").set_input_files(str(blank))
        sync_api.expect(page.locator("#rps-message")).to_contain_text("No hand found")
        assert top_class(page, "rps-label") == "no hand"


@pytest.mark.parametrize("label, name, seed", [("rock", "train__26_pic00008__66_176.jpg", 0)])
def test_a_photo_from_a_dim_noisy_room_is_read(page, tmp_path, label, name, seed):
    # The "dark" family's recipe on a real fist (tests/test_rps_hard.py): the hand is found at once; the image
    # model before real hands read its dark crop "paper" and only the brightened one "rock" (the page said "not
    # sure (best guess: paper, 60%)" before the brightening). Saved as PNG so the page sends these pixels.
    from PIL import Image

    from rps import hard

    photo = shared_path("rps", "subhih", label, name)
    dim = tmp_path / "dim.png"
    Image.fromarray(hard.dark(hard.read_rgb(str(photo)), None, np.random.default_rng(seed))).save(dim)
    with step(page, "uploaded-dim", f"rps-dim-{label}"):
        open_rps_tab(page)
        page.locator("#rps-photo input[type='file']").set_input_files(str(dim))
        sync_api.expect(page.locator("#rps-message")).to_contain_text("1 hand found")
        assert top_class(page, "rps-label") == label


def test_a_heavily_compressed_photo_is_read_from_the_whole_hand_not_one_finger(page, tmp_path):
    # Half size, JPEG quality 10: MediaPipe first takes one finger for a tiny hand, which reads "rock"; the search
    # then finds the open hand around it (tests/test_rps_hard.py). Saved as PNG so the page sends these pixels.
    from PIL import Image

    from rps import hard

    photo = shared_path("rps", "subhih", "paper", "train__2_pic00013__177_86.jpg")
    blocky = tmp_path / "blocky.png"
    Image.fromarray(hard.compressed(hard.read_rgb(str(photo)), 10)).save(blocky)
    with step(page, "uploaded-blocky", "rps-blocky"):
        open_rps_tab(page)
        page.locator("#rps-photo input[type='file']").set_input_files(str(blocky))
        sync_api.expect(page.locator("#rps-message")).to_contain_text("1 hand found")
        assert top_class(page, "rps-label") == "paper"


# ------------------------------------------------------------------------------------------------ like a person
def test_digits_drawn_fast_with_clear_between_are_never_stale_or_lost(browser, app_url, pen_digits):
    """The short version of benchmarks/browser_digits.py: 8 held-out digits at varied size, place, brush and
    colour, drawn fast; after each answer press Clear and draw the next straight away. Every answer must belong to
    the drawing on the canvas (judged from "What the model saw" against a screenshot of the canvas and of the
    previous drawing), none may be missing, and at most one may be misread."""
    from benchmarks.browser_digits import draw_like_a_person, open_digits_page, plan_drawings, summarise
    from mnist.strokes import HELD_OUT_WRITERS
    plan = plan_drawings(pen_digits, 8, seed=1, writers=HELD_OUT_WRITERS)
    pad = open_digits_page(browser, app_url)
    try:
        with step(pad.page, "drawn", "digits-like-a-person"):
            outcomes = draw_like_a_person(pad, plan, timeout_s=30, pace_ms=10)
    finally:
        pad.page.context.close()
    report = [(o.drawing.label, o.shown, o.seconds, round(o.match_now, 2), round(o.match_before, 2)) for o in outcomes]
    summary = summarise(outcomes)
    assert summary["lost"] == 0, f"answers missing: (drew, shown, s, match now, match before) {report}"
    assert summary["stale"] == 0, f"answers for another canvas: (drew, shown, s, match now, match before) {report}"
    assert summary["correct"] >= 7, f"misread: {report}"


def test_touch_drawing_on_a_phone_fills_the_width_and_shows_the_answer(browser, app_url, pen_digits):
    """At 390 x 844 with a touch screen: the drawing area spans at least 90 % of the page, a digit drawn with
    a finger (Chromium touch input) is read, the page does not scroll, and the answer's sentence is on screen."""
    from benchmarks.browser_digits import AREA, open_digits_page, place_strokes, plan_drawings
    from mnist.strokes import HELD_OUT_WRITERS
    phone = {"width": 390, "height": 844}
    drawing = plan_drawings(pen_digits, 1, seed=3, writers=HELD_OUT_WRITERS)[0]
    pad = open_digits_page(browser, app_url, viewport=phone, device_scale_factor=1, has_touch=True, is_mobile=True)
    page = pad.page
    try:
        with step(page, "loaded", "digits-phone"):
            left, top, scale = pad.area()
            side = AREA * scale
            assert side >= 0.9 * phone["width"], f"drawing area {side:.0f} px of {phone['width']}"
            assert left >= 0 and left + side <= phone["width"], "the drawing area runs off the screen"
            assert page.evaluate("document.documentElement.scrollWidth") <= phone["width"], "the page scrolls sideways"
        with step(page, "drawn", "digits-phone"):
            pad.draw(place_strokes(drawing), pace_ms=20, touch=True)
            assert pad.wait_for_answer(30) is not None, "no answer to a digit drawn with touch"
            assert pad.top_class() == str(drawing.label)
            assert page.evaluate("window.scrollY") == 0, "drawing with a finger scrolled the page"
            message = page.locator("#digit-message").bounding_box()
            assert message["y"] + message["height"] <= phone["height"], f"the answer is below the screen: {message}"
            sync_api.expect(page.locator("#digit-message")).to_contain_text(f"Looks like a {drawing.label}")
    finally:
        page.context.close()


def test_a_hand_filling_the_frame_is_read_and_a_blank_frame_after_it_says_no_hand(page, tmp_path):
    # A close-up where the hand overflows every side: no framing shows MediaPipe's palm detector a palm, and the
    # page used to say "no hand"; MediaPipe's landmark network alone finds it (the first case of
    # tests/test_rps_hard.py's landmark-network test). Then a blank frame uploaded over it says "no hand".
    # (This was a fist, test__3_pic00055 at 0.6 of the hand's size, until issue 20 removed the step that found it,
    # the landmark network on a 100 % frame: the page now says "no hand" for it.)
    from PIL import Image

    from rps import hard
    from rps.hands import find_hands_or_retry

    rgb = hard.read_rgb(str(shared_path("rps", "subhih", "scissors", "train__5_pic00024__549_67.jpg")))
    x0, y0, x1, y1 = find_hands_or_retry(rgb).hands[0].box
    close = tmp_path / "close.png"
    Image.fromarray(hard.square_window(rgb, (x0 + x1) / 2, (y0 + y1) / 2, 0.65 * max(x1 - x0, y1 - y0))).save(close)
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((480, 640, 3), 200, np.uint8)).save(blank)
    with step(page, "uploaded-closeup", "rps-closeup"):
        open_rps_tab(page)
        page.locator("#rps-photo input[type='file']").set_input_files(str(close))
        sync_api.expect(page.locator("#rps-message")).to_contain_text("1 hand found")
        assert top_class(page, "rps-label") == "scissors"
    with step(page, "uploaded-blank-after-closeup", "rps-closeup"):
        page.locator("#rps-photo input[type='file']").set_input_files(str(blank))
        sync_api.expect(page.locator("#rps-message")).to_contain_text("No hand found")
        assert top_class(page, "rps-label") == "no hand"


def test_a_correction_of_a_drawn_digit_is_saved_when_flagging_is_on(browser, pen_digits, tmp_path, monkeypatch):
    """With DEMO_FLAGGING=1, "Wrong? Correct it" saves what the model saw (28 x 28) and the prediction on the pad,
    with the person's answer, and `python -m ui.flagging` turns it into a training image."""
    from PIL import Image

    from benchmarks.browser_digits import DigitsPage
    from ui import flagging
    monkeypatch.setenv("DEMO_FLAGGING", "1")
    monkeypatch.setenv("DEMO_FLAGGING_DIR", str(tmp_path / "flagged"))
    server = AppServer(timeout=60, log_path=tmp_path / "server.log")
    page = open_app(browser, server.url)
    try:
        pad = DigitsPage(page)
        with step(page, "saved", "digits-flag"):
            pad.draw(centred(held_out(pen_digits, 7)), pace_ms=5)
            assert pad.wait_for_answer(30) is not None and pad.top_class() == "7"
            page.click("#digits-flag")
            page.locator("#digits-flag-answer input").fill("1")
            page.keyboard.press("Enter")
            page.click("#digits-flag-save")
            sync_api.expect(page.get_by_text("Saved. Thank you!")).to_be_visible()
    finally:
        page.context.close()
        server.stop()
    rows = (tmp_path / "flagged" / "digits" / "dataset1.csv").read_text(encoding="utf-8")
    assert '""label"": ""7""' in rows
    assert flagging.export(tmp_path / "flagged", tmp_path / "data") == {"digits": 1}
    (saved,) = (tmp_path / "data" / "digits" / "1").iterdir()
    assert np.asarray(Image.open(saved)).max() > 200   # the white-on-black digit the model read
