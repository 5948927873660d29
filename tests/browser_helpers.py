"""Helpers for the real-browser tests (tests/test_browser.py) and the load script (benchmarks/load.py).

    server = AppServer()                      # `python app.py` (or another script) on a free loopback port
    browser = launch_chromium(playwright)     # Debian's /usr/bin/chromium, headless
    with step(page, "draw-3"): ...            # screenshot after the step, or FAILED-<step>.png when it raises
    digits = load_pen_digits(path)            # UCI pendigits trajectories, parsed by mnist.strokes
    write_y4m(image_path, out)                # a short clip for Chromium's fake webcam

Screenshots and the server log go to artifacts/browser/ (git-ignored).
"""
from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
FAKE_CAMERA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


# --------------------------------------------------------------------------------------------- the app server
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with code {process.returncode} before listening on {port}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.25)
    raise TimeoutError(f"the app did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


class AppServer:
    """A Gradio app in a subprocess on loopback; `url`, `pid`, `log_path`; `stop()` terminates it."""

    def __init__(self, script: Path | str = ROOT / "app.py", port: int | None = None,
                 log_path: Path | None = None, timeout: float = 60.0, extra_args=()):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path or ARTIFACTS / "server.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, GRADIO_SERVER_PORT=str(self.port), GRADIO_SERVER_NAME="127.0.0.1",
                   GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1")
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen([sys.executable, str(script), *extra_args], cwd=ROOT, env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        try:
            wait_for_port(self.port, self.process, timeout)
        except Exception as error:
            self.stop()
            raise RuntimeError(f"{script} did not start: {error}\n--- its log ({self.log_path}):\n"
                               f"{self.log_tail()}") from None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()


# --------------------------------------------------------------------------------------------- the browser
def launch_chromium(playwright, extra_args=()):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=[*CHROMIUM_ARGS, *extra_args])


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


@contextlib.contextmanager
def step(page, name: str, prefix: str = ""):
    """Run one step of a browser test; screenshot it after success, or as FAILED-<name> when it raises."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    base = f"{_safe(prefix)}--" if prefix else ""
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(ARTIFACTS / f"{base}FAILED-{_safe(name)}.png"), full_page=True)
        raise
    page.screenshot(path=str(ARTIFACTS / f"{base}{_safe(name)}.png"))


# --------------------------------------------------------------------------------------------- pen digits
def load_pen_digits(path: Path):
    """The UCI pendigits trajectories, parsed by the project's own `mnist.strokes` (y already points down)."""
    from mnist.strokes import parse_pendigits
    return parse_pendigits(path)


def first_of_class(digits, label: int, writers=None):
    """The strokes of the first `label` in file order, optionally only among `writers` (ids)."""
    for digit in digits:
        if digit.label == label and (writers is None or digit.writer in writers):
            return digit.strokes
    raise LookupError(f"no pen trajectory of a {label}")


def fit_strokes(strokes, side: float, fill: float = 0.6):
    """Scale a digit (y down) so its longer side is `fill` x `side`, centred in a `side` x `side` square."""
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    scale = fill * side / max(float((high - low).max()), 1.0)
    centre = (low + high) / 2
    return [(stroke - centre) * scale + side / 2 for stroke in strokes]


# --------------------------------------------------------------------------------------------- fake webcam
def write_y4m(image_path: Path, out: Path, width: int = 640, height: int = 480, frames: int = 5) -> Path:
    """A few identical frames of `image_path` (fitted on grey) as a Y4M clip for Chromium's fake camera."""
    from PIL import Image
    photo = Image.open(image_path).convert("RGB")
    photo.thumbnail((width, height))
    canvas = Image.new("RGB", (width, height), (128, 128, 128))
    canvas.paste(photo, ((width - photo.width) // 2, (height - photo.height) // 2))
    ycbcr = np.asarray(canvas.convert("YCbCr"))
    half = (width // 2, height // 2)
    y = np.ascontiguousarray(ycbcr[..., 0])
    u = np.asarray(Image.fromarray(ycbcr[..., 1]).resize(half, Image.Resampling.BILINEAR))
    v = np.asarray(Image.fromarray(ycbcr[..., 2]).resize(half, Image.Resampling.BILINEAR))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n")
            f.write(y.tobytes())
            f.write(u.tobytes())
            f.write(v.tobytes())
    return out
