"""The live camera and the game in headless Chromium, with the fake webcam playing a clip the test writes.

    .venv/bin/python -m pytest -m browser tests/test_browser_live.py     # ~1-2 minutes on 2 busy cores

The clip is made by benchmarks/webcam_clip.py from SubhiH photos (a hand drifting in a room: no hand, rock, paper,
scissors); Chromium plays it in a loop as its camera. The tests start the live stream as a person does (open the
camera, press Record) and read the page: the held gesture must follow the clip, and a whole game round (Play,
the countdown, the throw read at "Shoot!", the score) must work. Screenshots (desktop and 390 x 844 phone) go to
artifacts/browser/live--*.png.
"""
from __future__ import annotations

import time

import pytest

from browser_helpers import CHROMIUM, FAKE_CAMERA_ARGS, ROOT, AppServer, launch_chromium, step
from conftest import shared_path

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (requirements-dev.txt)")

TIMEOUT_MS = 60_000
NO_HAND_SENTENCE = "Show your hand to the camera."
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Every text the game board shows, in order, recorded in the page as it changes.
RECORD_BOARD_JS = """() => {
    window.__board = [];
    const board = document.querySelector('#rps-game-board');
    const note = () => { const t = board.innerText.trim(); if (window.__board.at(-1) !== t) window.__board.push(t); };
    new MutationObserver(note).observe(board, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def app_url():
    server = AppServer(ROOT / "app.py", timeout=60, log_path=ROOT / "artifacts" / "browser" / "live-server.log")
    try:
        yield server.url
    finally:
        server.stop()


def camera_clip(tmp_path_factory, segments, name):
    shared_path("rps", "subhih")
    from benchmarks.webcam_clip import make_clip, write_clip_y4m
    return write_clip_y4m(make_clip(fps=10, segments=segments), tmp_path_factory.mktemp("clips") / name, fps=10)


def open_rps(browser, url, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, permissions=["camera"])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    page.get_by_role("tab", name="Rock / paper / scissors").click()
    page.locator("#rps-live-camera").wait_for()
    return page


def start_live_camera(page):
    page.locator("#rps-live-camera").get_by_text("Click to Access Webcam").click()
    page.wait_for_function("() => { const v = document.querySelector('#rps-live-camera video');"
                           " return v && v.readyState >= 2 && v.videoWidth > 0; }")
    page.click("#rps-live-camera button[aria-label='capture photo']")   # the webcam's Record button


def held(page) -> str:
    values = page.locator("#rps-live-label [data-testid='label-output-value']")
    return values.first.inner_text().strip().lower() if values.count() else ""


def test_live_label_follows_the_clip(playwright, app_url, tmp_path_factory):
    clip = camera_clip(tmp_path_factory, (("no hand", 1.0), ("rock", 2.0), ("paper", 2.0), ("scissors", 2.0)),
                       "gestures.y4m")
    browser = launch_chromium(playwright, [*FAKE_CAMERA_ARGS, f"--use-file-for-fake-video-capture={clip}"])
    try:
        page = open_rps(browser, app_url)
        with step(page, "live-camera-on", "live"):
            start_live_camera(page)
        seen, sentences, pictures = [], set(), 0
        with step(page, "live-follows", "live"):
            deadline = time.monotonic() + 45
            while time.monotonic() < deadline and not (_cycle_seen(seen) and NO_HAND_SENTENCE in sentences):
                label = held(page)
                if label and (not seen or seen[-1] != label):
                    seen.append(label)
                sentences.update(page.locator("#rps-live-message").inner_text().split("\n"))
                pictures += page.locator("#rps-live-seen img[src^='data:image/jpeg']").count()
                page.wait_for_timeout(100)
            assert _cycle_seen(seen), f"held gestures seen in order: {seen}"
            assert NO_HAND_SENTENCE in sentences, sentences
            assert pictures > 0, "what the model saw (the crop with landmarks) never showed"
        with step(page, "live-phone", "live"):
            page.set_viewport_size(PHONE)
            page.locator("#rps-live").scroll_into_view_if_needed()
    finally:
        browser.close()


def _cycle_seen(seen: list[str]) -> bool:
    """rock, paper, scissors one after another, as the clip plays them (it loops, so start anywhere)."""
    order = ["rock", "paper", "scissors"]
    return any(seen[i:i + 3] == order for i in range(len(seen)))


def test_one_round_against_the_computer(playwright, app_url, tmp_path_factory):
    clip = camera_clip(tmp_path_factory, (("paper", 3.0),), "paper.y4m")
    browser = launch_chromium(playwright, [*FAKE_CAMERA_ARGS, f"--use-file-for-fake-video-capture={clip}"])
    try:
        page = open_rps(browser, app_url)
        with step(page, "game-ready", "live"):
            sync_api.expect(page.locator("#rps-game-history")).to_contain_text("tries to beat your habits")
            page.evaluate(RECORD_BOARD_JS)
            page.click("#rps-play-live")        # no camera yet: the round is not scored
            sync_api.expect(page.locator("#rps-game-board")).to_contain_text("Show it again")
            sync_api.expect(page.locator("#rps-game-history")).to_contain_text("No rounds yet")
        with step(page, "game-live-round", "live"):
            start_live_camera(page)
            page.wait_for_function("() => (document.querySelector('#rps-live-label')?.innerText || '')"
                                   ".toLowerCase().includes('paper')")
            page.evaluate("() => { window.__board = []; }")
            page.click("#rps-play-live")
            sync_api.expect(page.locator("#rps-game-board")).to_contain_text("You: paper")
            sync_api.expect(page.locator("#rps-live-game")).to_contain_text("You: paper")  # beside the camera too
            board = page.evaluate("() => window.__board")
            words = [w for w in ("Rock…", "Paper…", "Scissors…", "Shoot!") if any(t.startswith(w) for t in board)]
            assert words == ["Rock…", "Paper…", "Scissors…", "Shoot!"], board
            assert any(r in board[-1] for r in ("You win!", "The computer wins.", "Draw.")), board
            sync_api.expect(page.locator("#rps-game-history")).to_contain_text("(1 rounds)")
            sync_api.expect(page.locator("#rps-game-history table")).to_contain_text("paper")
        with step(page, "game-click-and-mode", "live"):
            page.get_by_label("plays at random").check()
            sync_api.expect(page.locator("#rps-game-history")).to_contain_text("plays at random")
            page.click("#rps-throw-scissors")
            sync_api.expect(page.locator("#rps-game-board")).to_contain_text("You: scissors")
            sync_api.expect(page.locator("#rps-game-history")).to_contain_text("(2 rounds)")
        with step(page, "game-phone", "live"):
            page.set_viewport_size(PHONE)
            page.locator("#rps-game").scroll_into_view_if_needed()
    finally:
        browser.close()
