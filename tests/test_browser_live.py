"""The tab's one camera and the game in headless Chromium, with the fake webcam playing a clip the test writes.

    .venv/bin/python -m pytest -m browser tests/test_browser_live.py     # ~2-4 minutes on 2 busy cores

The clip is made by benchmarks/webcam_clip.py from SubhiH photos (a hand drifting in a room: no hand, rock, paper,
scissors); Chromium plays it in a loop as its camera. The tests use the page as a person does (press *Start the
camera*, Play, switch tabs, press twice) and read the page: MediaPipe runs in the page (WebAssembly) and draws
the landmarks, the server names the held gesture from them, and it must follow the clip; a game round must score
the gesture held at "Shoot!". One test checks that the landmarks the page sends are read as the Python MediaPipe
path reads the same frame, and one that without WebAssembly or a camera the page says so and photos still work.
Screenshots (1280 px and 390 x 844) go to artifacts/browser/live--*.png.
"""
from __future__ import annotations

import time

import numpy as np
import pytest

from browser_helpers import CHROMIUM, FAKE_CAMERA_ARGS, ROOT, AppServer, launch_chromium, step, write_y4m
from conftest import shared_path

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (requirements-dev.txt)")

TIMEOUT_MS = 90_000   # the first start loads 13 MB of WebAssembly and the model; the machine is shared
sync_api.expect.set_options(timeout=TIMEOUT_MS)
NO_HAND_SENTENCE = "Show your hand to the camera."
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PHOTO = ("paper", "test__16_pic00032__33_159.jpg")
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
    return write_clip_y4m(make_clip(fps=30, segments=segments), tmp_path_factory.mktemp("clips") / name, fps=30)


def open_rps(browser, url, viewport=DESKTOP, permissions=("camera",), init_script=None):
    context = browser.new_context(viewport=viewport, permissions=list(permissions))
    if init_script:
        context.add_init_script(init_script)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    page.get_by_role("tab", name="Rock / paper / scissors").click()
    page.locator("#rps-camera").wait_for()
    return page


def start_camera(page):
    page.get_by_role("button", name="Start the camera").click()
    page.wait_for_function("() => window.rpsCamera && window.rpsCamera.on() && window.rpsCamera.stats().drawn > 0")


def held(page) -> str:
    return page.locator("#rps-camera .rps-cam-word").inner_text().strip().lower()


def sentence(page) -> str:
    return page.locator("#rps-camera .rps-cam-sentence").inner_text().strip()


def landmarks_drawn(page) -> bool:
    """Some of the overlay's pixels are not transparent: the landmarks are drawn over the video."""
    return page.evaluate("""() => { const c = document.querySelector('#rps-camera .rps-cam-overlay');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; }""")


def on_one_screen(page, *selectors) -> bool:
    """Every element is entirely inside the viewport as it is now (no scrolling)."""
    height = page.viewport_size["height"]
    boxes = [page.locator(s).first.bounding_box() for s in selectors]
    return all(b is not None and b["height"] > 20 and b["y"] >= 0 and b["y"] + b["height"] <= height for b in boxes)


def test_held_gesture_follows_the_clip_and_landmarks_are_drawn(playwright, app_url, tmp_path_factory):
    clip = camera_clip(tmp_path_factory, (("no hand", 1.0), ("rock", 2.5), ("paper", 2.5), ("scissors", 2.5)),
                       "gestures.y4m")
    browser = launch_chromium(playwright, [*FAKE_CAMERA_ARGS, f"--use-file-for-fake-video-capture={clip}"])
    try:
        page = open_rps(browser, app_url)
        with step(page, "camera-off", "live"):
            assert held(page) == "–" and "Start the camera" in sentence(page)
        with step(page, "camera-on", "live"):
            start_camera(page)
        seen, sentences, drawn = [], set(), False
        with step(page, "live-follows", "live"):
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not (_cycle_seen(seen) and NO_HAND_SENTENCE in sentences and drawn):
                label = held(page)
                if label in ("rock", "paper", "scissors", "no hand") and (not seen or seen[-1] != label):
                    seen.append(label)
                sentences.add(sentence(page))
                drawn = drawn or (label in ("rock", "paper", "scissors") and landmarks_drawn(page))
                page.wait_for_timeout(100)
            assert _cycle_seen(seen), f"held gestures seen in order: {seen}"
            assert NO_HAND_SENTENCE in sentences, sentences
            assert drawn, "the landmarks were never drawn over the video"
            stats = page.evaluate("() => window.rpsCamera.stats()")
            assert stats["answers"] > 10 and stats["bytes"] / stats["sent"] < 1000, stats
        with step(page, "tabs-and-back", "live"):      # the camera keeps going across a tab switch
            page.get_by_role("tab", name="Digits").click()
            page.wait_for_timeout(500)
            page.get_by_role("tab", name="Rock / paper / scissors").click()
            before = page.evaluate("() => window.rpsCamera.stats().answers")
            page.wait_for_function("n => window.rpsCamera.stats().answers > n + 5", arg=before)
        with step(page, "phone", "live"):
            page.set_viewport_size(PHONE)
            page.evaluate("() => window.scrollTo(0, 0)")
            page.wait_for_timeout(300)
            assert on_one_screen(page, "#rps-camera .rps-cam-stage", "#rps-camera .rps-cam-held", "#rps-play-live")
            assert page.locator("#rps-camera .rps-cam-stage").bounding_box()["height"] > 200   # the video, not a sliver
        with step(page, "stopped", "live"):
            page.get_by_role("button", name="Stop the camera").click()
            sync_api.expect(page.get_by_role("button", name="Start the camera")).to_be_visible()
            assert held(page) == "–"
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
            sync_api.expect(page.locator("#rps-game-board")).to_contain_text("The camera is off")
            sync_api.expect(page.locator("#rps-game-history")).to_contain_text("No rounds yet")
        with step(page, "game-live-round", "live"):
            start_camera(page)
            page.wait_for_function("() => window.rpsCamera.held() === 'paper'")
            page.evaluate("() => { window.__board = []; }")
            page.click("#rps-play-live")
            sync_api.expect(page.locator("#rps-game-board")).to_contain_text("You: paper")
            board = page.evaluate("() => window.__board")
            words = [w for w in ("Rock…", "Paper…", "Scissors…", "Shoot!") if any(t.startswith(w) for t in board)]
            assert words == ["Rock…", "Paper…", "Scissors…", "Shoot!"], board
            assert any(r in board[-1] for r in ("You win!", "The computer wins.", "Draw.")), board
            sync_api.expect(page.locator("#rps-game-history")).to_contain_text("(1 rounds)")
            sync_api.expect(page.locator("#rps-game-history table")).to_contain_text("paper")
        with step(page, "play-twice", "live"):   # an impatient second press during the countdown: one round
            page.click("#rps-play-live")
            page.click("#rps-play-live")
            sync_api.expect(page.locator("#rps-game-history")).to_contain_text("(2 rounds)")
            page.wait_for_timeout(4000)
            sync_api.expect(page.locator("#rps-game-history")).to_contain_text("(2 rounds)")
        with step(page, "game-click-and-mode", "live"):
            page.get_by_label("plays at random").check()
            sync_api.expect(page.locator("#rps-game-history")).to_contain_text("plays at random")
            page.click("#rps-throw-scissors")
            sync_api.expect(page.locator("#rps-game-board")).to_contain_text("You: scissors")
            sync_api.expect(page.locator("#rps-game-history")).to_contain_text("(3 rounds)")
        with step(page, "game-phone", "live"):
            page.set_viewport_size(PHONE)
            page.evaluate("() => window.scrollTo(0, 0)")
    finally:
        browser.close()


@pytest.mark.parametrize("where", ["worker", "page"])
def test_browser_landmarks_read_like_the_python_path(playwright, app_url, tmp_path, where):
    """The page's MediaPipe (WebAssembly) and the server's (Python) on the same camera frame: the landmarks the
    page sends, scaled by the server (ui/camera.py), lie where the Python path puts them, and the landmarks model
    reads both the same. Both ways the page runs MediaPipe: in a worker (Chromium's way), and on the page's own
    thread, as browsers without OffscreenCanvas do (forced here with window.rpsCameraWorker = false)."""
    import cv2

    from rps.hands import find_hands
    from rps.live import read_points
    from ui.camera import points_from_payload

    clip = write_y4m(shared_path("rps", "subhih", *PHOTO), tmp_path / "photo.y4m")
    with open(clip, "rb") as f:             # the frame exactly as the fake camera plays it (YUV 4:2:0)
        f.readline(), f.readline()
        yuv = np.frombuffer(f.read(640 * 480 * 3 // 2), np.uint8).reshape(480 * 3 // 2, 640)
    frame = cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_I420)
    python_hand = find_hands(frame).hands[0]

    browser = launch_chromium(playwright, [*FAKE_CAMERA_ARGS, f"--use-file-for-fake-video-capture={clip}"])
    try:
        page = open_rps(browser, app_url,
                        init_script="window.rpsCameraWorker = false;" if where == "page" else None)
        with step(page, f"still-photo-{where}", "live-compare"):
            start_camera(page)
            page.wait_for_function("() => window.rpsCamera.held() === 'paper'")
            message = page.evaluate("() => window.rpsCamera.lastSent()")
            assert page.evaluate("() => window.rpsCamera.stats().tracker") == where
    finally:
        browser.close()
    _, browser_points = points_from_payload(message)
    size = python_hand.size
    gap = np.linalg.norm(browser_points[:, :2] - python_hand.points[:, :2], axis=1) / size
    assert np.median(gap) < 0.05 and gap.max() < 0.12, f"landmarks apart by {gap.round(3)} of the hand's size"
    from_browser, from_python = read_points(browser_points), read_points(python_hand.points)
    assert max(from_browser, key=from_browser.get) == max(from_python, key=from_python.get) == "paper"
    assert all(abs(from_browser[k] - from_python[k]) < 0.1 for k in from_python), (from_browser, from_python)


def test_without_webassembly_or_a_camera_the_page_says_so_and_photos_still_work(playwright, app_url, tmp_path):
    photo = shared_path("rps", "subhih", *PHOTO)
    clip = write_y4m(photo, tmp_path / "photo.y4m")
    no_wasm = launch_chromium(playwright, [*FAKE_CAMERA_ARGS, f"--use-file-for-fake-video-capture={clip}"])
    try:
        # A browser without WebAssembly (Chromium's --noexpose_wasm flag no longer hides it from pages).
        page = open_rps(no_wasm, app_url, init_script="delete window.WebAssembly;")
        with step(page, "no-webassembly", "live-fallback"):
            page.get_by_role("button", name="Start the camera").click()
            sync_api.expect(page.locator("#rps-camera .rps-cam-sentence")).to_contain_text("WebAssembly")
            sync_api.expect(page.locator("#rps-camera .rps-cam-sentence")).to_contain_text("upload a photo")
        with step(page, "photo-still-read", "live-fallback"):
            page.locator("#rps-photo input[type='file']").set_input_files(str(photo))
            sync_api.expect(page.locator("#rps-label [data-testid='label-output-value']")).to_have_text("paper")
            page.click("#rps-snap")               # the camera is off: a message, and the photo stays
            sync_api.expect(page.get_by_text("The camera is off").first).to_be_visible()
            sync_api.expect(page.locator("#rps-photo img")).to_have_count(1)
    finally:
        no_wasm.close()
    no_camera = launch_chromium(playwright)      # no fake camera, no permission: getUserMedia fails
    try:
        page = open_rps(no_camera, app_url, permissions=())
        with step(page, "no-camera", "live-fallback"):
            page.get_by_role("button", name="Start the camera").click()
            sync_api.expect(page.locator("#rps-camera .rps-cam-sentence")).to_contain_text("No camera")
            assert page.get_by_role("button", name="Start the camera").is_enabled()
    finally:
        no_camera.close()


def test_a_server_that_stops_answering_is_said_in_words(playwright, app_url, tmp_path_factory):
    """Overload: when the landmarks' answers stop coming (here every /component_server call is held back, as a
    swamped server would), the page says the server is busy instead of showing a frozen gesture without a word."""
    clip = camera_clip(tmp_path_factory, (("paper", 3.0),), "busy.y4m")
    browser = launch_chromium(playwright, [*FAKE_CAMERA_ARGS, f"--use-file-for-fake-video-capture={clip}"])
    try:
        page = open_rps(browser, app_url)
        start_camera(page)
        held_back = []
        page.route("**/component_server/**", lambda route: held_back.append(route))   # never answered
        with step(page, "server-busy", "live"):
            page.wait_for_function("() => document.querySelector('#rps-camera .rps-cam-sentence')"
                                   ".innerText.includes('busy')")
            assert held_back, "the page sent nothing while the camera ran"
            assert "server is busy" in sentence(page)
        page.unroute("**/component_server/**")   # the held-back calls go on to the server, as after a slow spell
        with step(page, "server-back", "live"):
            page.wait_for_function("() => !document.querySelector('#rps-camera .rps-cam-sentence')"
                                   ".innerText.includes('busy')")
    finally:
        browser.close()
