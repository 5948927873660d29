"""The Rock / paper / scissors tab in headless Chromium: a picture with no hand says "no hand", not a gesture.

Uses the fixtures of tests/test_browser.py (the app in a subprocess, Chromium, a fresh page); screenshots of
each step go to artifacts/browser/.
"""
import numpy as np
import pytest
from PIL import Image

from browser_helpers import step
from test_browser import app_url, browser, open_rps_tab, page, sync_api, top_class  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_blank_photo_says_no_hand(page, tmp_path):  # noqa: F811
    blank = tmp_path / "blank.png"
    Image.fromarray(np.zeros((480, 640, 3), np.uint8)).save(blank)
    with step(page, "uploaded-blank", "rps-no-hand"):
        open_rps_tab(page)
        page.locator("#rps-photo input[type='file']").set_input_files(str(blank))
        sync_api.expect(page.locator("#rps-message")).to_contain_text("No hand found")
        assert top_class(page, "rps-label") == "no hand"
