"""Teach it your hand and "How it was made", in the real app in headless Chromium, used like a person would.

    .venv/bin/python -m pytest -m browser tests/test_browser_teach.py     # ~1-2 minutes

A visitor starts the camera (Chromium's fake webcam plays three photos of one person's V sign in turn), names the
new gesture "peace" and presses *Record*: a short burst of camera frames becomes the examples. Then they pick the
model *personal*, upload another V sign and see "peace"; then open the results tab and see every committed
figure loaded. Also at phone width (390 x 844). Screenshots: artifacts/browser/teach--*.png.
"""
from __future__ import annotations

import json
import os

import pytest

from browser_helpers import CHROMIUM, FAKE_CAMERA_ARGS, ROOT, AppServer, launch_chromium, step
from conftest import session_photos

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (requirements-dev.txt)")
TIMEOUT_MS = 60_000
sync_api.expect.set_options(timeout=TIMEOUT_MS)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def v_signs(count: int) -> list[str]:
    """V signs of one person (SubhiH session 996), one per source picture."""
    return session_photos("scissors", count)


@pytest.fixture(scope="module")
def app_url():
    server = AppServer(os.environ.get("BROWSER_TEST_APP", str(ROOT / "app.py")), timeout=60)
    try:
        yield server.url
    finally:
        server.stop()


def v_sign_clip(paths: list[str], out) -> str:
    """A Y4M clip for the fake webcam: each photo, fitted on grey, for 0.4 s in turn (it loops)."""
    import numpy as np
    from PIL import Image

    from benchmarks.webcam_clip import HEIGHT, WIDTH, Clip, write_clip_y4m

    frames = []
    for path in paths:
        photo = Image.open(path).convert("RGB")
        photo.thumbnail((WIDTH, HEIGHT))
        canvas = Image.new("RGB", (WIDTH, HEIGHT), (128, 128, 128))
        canvas.paste(photo, ((WIDTH - photo.width) // 2, (HEIGHT - photo.height) // 2))
        frames += [np.asarray(canvas)] * 12
    return str(write_clip_y4m(Clip(frames, ["scissors"] * len(frames), 30.0), out, fps=30))


@pytest.fixture(scope="module")
def browser(playwright, tmp_path_factory):  # the session-wide Playwright of conftest.py
    clip = v_sign_clip(v_signs(3), tmp_path_factory.mktemp("clips") / "v-signs.y4m")
    browser = launch_chromium(playwright, [*FAKE_CAMERA_ARGS, f"--use-file-for-fake-video-capture={clip}"])
    yield browser
    browser.close()


def open_page(browser, url, viewport):
    context = browser.new_context(viewport=viewport, device_scale_factor=1, permissions=["camera"])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#digit-pad canvas", state="visible")
    return page


def top_class(page, elem_id: str) -> str | None:
    value = page.locator(f"#{elem_id} [data-testid='label-output-value']")
    return value.inner_text().strip() if value.count() else None


def upload(page, path: str) -> None:
    """Put a photo in the hand box, clearing the one before as a person would (the x on the image)."""
    clear = page.locator("#rps-photo button[aria-label='Clear']")
    if clear.count():
        clear.first.click()
    page.locator("#rps-photo input[type='file']").set_input_files(path)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_teach_a_new_gesture_from_the_camera_and_see_the_personal_reading(browser, app_url, viewport):
    name = f"teach-{viewport['width']}"
    page = open_page(browser, app_url, viewport)
    with step(page, "open-teach", name):
        page.get_by_role("tab", name="Rock / paper / scissors").click()
        page.get_by_text("Teach it your hand").click()
        sync_api.expect(page.locator("#rps-teach-counts")).to_contain_text("No examples yet")
    with step(page, "record-without-camera", name):     # a message in words, nothing taught
        page.click("#rps-teach-add")
        sync_api.expect(page.get_by_text("The camera is off").first).to_be_visible()
        sync_api.expect(page.locator("#rps-teach-counts")).to_contain_text("No examples yet")
    with step(page, "recorded", name):
        page.get_by_role("button", name="Start the camera").click()
        page.wait_for_function("() => window.rpsCamera && window.rpsCamera.on()")
        page.locator("#rps-teach-add").scroll_into_view_if_needed()
        gesture = page.locator("#rps-teach-label input")
        gesture.fill("peace")
        gesture.press("Enter")
        page.click("#rps-teach-add")
        sync_api.expect(page.locator("#rps-teach-counts")).to_contain_text("Your examples (")
        counts = page.locator("#rps-teach-counts").inner_text()
        assert "peace" in counts and "peace 0" not in counts, counts
    with step(page, "personal-reading", name):
        model = page.locator("#rps-model input")
        model.click()
        page.get_by_role("option", name="personal").click()
        upload(page, v_signs(4)[3])                       # a V sign the camera never showed
        sync_api.expect(page.locator("#rps-message")).to_contain_text("nearest of your examples: peace")
        assert top_class(page, "rps-label") == "peace"
    with step(page, "recorded-scissors", name):           # a gesture the shipped model knows and reads right
        gesture = page.locator("#rps-teach-label input")
        gesture.fill("scissors")
        gesture.press("Enter")
        page.click("#rps-teach-add")
        sync_api.expect(page.locator("#rps-teach-counts")).to_contain_text(
            "The shipped model reads your rock / paper / scissors examples right")
    with step(page, "forget", name):
        page.click("#rps-teach-forget")
        sync_api.expect(page.locator("#rps-teach-counts")).to_contain_text("No examples yet")
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_results_tab_shows_every_committed_figure(browser, app_url, viewport):
    name = f"results-{viewport['width']}"
    page = open_page(browser, app_url, viewport)
    expected = len(json.loads((ROOT / "benchmarks" / "results" / "figures" / "figures.json").read_text()))
    with step(page, "results", name):
        page.get_by_role("tab", name="How it was made").click()
        sync_api.expect(page.get_by_text("original project: LeNet").first).to_be_visible()
        figures = page.locator(".results-figure img")
        sync_api.expect(figures).to_have_count(expected)
        for index in range(expected):
            figures.nth(index).scroll_into_view_if_needed()
        page.wait_for_function(
            "n => [...document.querySelectorAll('.results-figure img')].filter(i => i.complete && i.naturalWidth > 100).length === n",
            arg=expected)
    page.screenshot(path=str(ROOT / "artifacts" / "browser" / f"{name}--full.png"), full_page=True)
    page.context.close()


def test_wrong_correct_it_saves_a_row_from_the_page(browser, tmp_path, monkeypatch):
    """With DEMO_FLAGGING=1 the page says saving is on; a correction becomes one CSV row with the photo."""
    monkeypatch.setenv("DEMO_FLAGGING", "1")
    monkeypatch.setenv("DEMO_FLAGGING_DIR", str(tmp_path / "flagged"))
    server = AppServer(ROOT / "app.py", timeout=60, log_path=ROOT / "artifacts" / "browser" / "server-flagging.log")
    try:
        page = open_page(browser, server.url, DESKTOP)
        name = "flagging"
        with step(page, "read", name):
            page.get_by_role("tab", name="Rock / paper / scissors").click()
            upload(page, v_signs(1)[0])
            sync_api.expect(page.locator("#rps-label [data-testid='label-output-value']")).to_have_count(1)
        with step(page, "saved", name):
            page.locator("#rps-flag").get_by_text("Wrong? Correct it").click()
            sync_api.expect(page.locator("#rps-flag")).to_contain_text("Saving corrections is on")
            answer = page.locator("#rps-flag-answer input")
            answer.fill("peace")
            answer.press("Enter")
            page.click("#rps-flag-save")
            sync_api.expect(page.get_by_text("Saved. Thank you!")).to_be_visible()
        import csv
        (table,) = list((tmp_path / "flagged" / "rps").glob("dataset*.csv"))
        rows = list(csv.DictReader(open(table, newline="", encoding="utf-8")))
        assert len(rows) == 1 and rows[0]["correct answer"] == "peace" and "scissors" in rows[0]["Gesture"]
        assert list((tmp_path / "flagged" / "rps").rglob("*.jpg")), "the photo was not copied beside the table"
        page.context.close()
    finally:
        server.stop()
