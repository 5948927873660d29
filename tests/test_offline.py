"""No network at run time: with every socket blocked, the app imports and both endpoints answer.

Runs in a fresh interpreter so nothing is cached from other tests: the block is in place before
gradio, torch, mediapipe or the models are imported.
"""
import subprocess
import sys
import textwrap

from conftest import ROOT

SCRIPT = textwrap.dedent('''
    import socket

    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError(f"network blocked by test: {address}")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = lambda address, *a, **k: refuse(None, address)

    import numpy as np
    from PIL import Image, ImageDraw
    import app  # the whole page builds offline
    import ui.digits
    import ui.rps

    canvas = Image.new("RGBA", (800, 800), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).line([(400, 150), (400, 650)], fill=(0, 0, 0, 255), width=40)
    probabilities, seen, message = ui.digits.classify_digit({"background": None, "layers": [], "composite": np.asarray(canvas)})
    assert max(probabilities, key=probabilities.get) == "1", probabilities

    photo = np.full((480, 640, 3), 128, np.uint8)
    probabilities, seen, message = ui.rps.classify_rps(photo, True)
    assert probabilities == "no hand", probabilities  # a grey frame: every step of the search ran, offline
    print("connection attempts:", attempts)
    assert not attempts
''')


def test_both_endpoints_answer_with_all_sockets_blocked():
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "connection attempts: []" in result.stdout
