"""Shared test fixtures: where the real data lives, and a skip marker for when it is absent.

Run the suite with `python -m pytest` from the project root. Tests that need `../shared/data` (MNIST,
pen trajectories, the hand photos) skip with a reason when it is not there, as on a user's machine.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common.paths import SHARED_DATA  # noqa: E402  (after the path is set)


def shared_path(*parts: str) -> Path:
    """Path under ../shared/data, or skip the test with a reason if it is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the project's shared data), which is not on this machine")
    return path


@pytest.fixture(scope="session")
def playwright():
    """One Playwright for all browser test files: a second sync_playwright() cannot start while one runs."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (requirements-dev.txt)")
    with sync_api.sync_playwright() as pw:
        yield pw


def session_photos(gesture: str, count: int, session: str = "996", skip_pictures=()) -> list[str]:
    """`count` SubhiH photos of one person (a recording session), one per source picture (a picture's several
    crops look alike), leaving out the pictures in `skip_pictures` (e.g. "996_pic00030")."""
    chosen, pictures = [], set(skip_pictures)
    for path in sorted(shared_path("rps", "subhih", gesture).glob(f"*__{session}_pic*.jpg")):
        picture = path.name.split("__")[1]
        if picture not in pictures:
            pictures.add(picture)
            chosen.append(str(path))
    return chosen[:count]


@pytest.fixture(scope="module")
def inprocess_url():
    """The app launched in this process on a free loopback port for one test module (its API, through
    gradio_client); closed after the module."""
    import app
    from browser_helpers import free_port

    port = free_port()
    app.demo.launch(server_port=port, prevent_thread_lock=True, quiet=True, max_file_size=app.MAX_UPLOAD)
    yield f"http://127.0.0.1:{port}/"
    app.demo.close()
