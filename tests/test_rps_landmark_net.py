"""MediaPipe's hand-landmark network run on its own, in LiteRT or OpenCV (rps.landmark_net): the hand search's last look."""
import numpy as np
import pytest
from PIL import Image

from conftest import shared_path
from rps import hard, landmark_net
from rps.augment import background
from rps.hands import find_hands
from rps.landmark_net import MIN_PRESENCE, framed_square, hand_in_frame, read_square


def test_the_network_draws_the_hand_mediapipe_draws():
    # The same network MediaPipe runs after its palm detector: given a square around a real hand, OpenCV's port
    # must put the 21 points where MediaPipe puts them (a wrong channel order or scale would not).
    for gesture in ["rock", "paper", "scissors"]:
        path = sorted(shared_path("rps", "subhih", gesture).glob("*.jpg"))[3]
        rgb = hard.read_rgb(str(path))
        hand = find_hands(rgb).hands[0]
        x0, y0, x1, y1 = hand.box
        side = 1.8 * max(x1 - x0, y1 - y0)
        square = hard.square_window(rgb, (x0 + x1) / 2, (y0 + y1) / 2, side)  # FRAME_SIDE px, hand centred
        drawn = hand_in_frame(square, pad=0.0)
        assert drawn is not None and drawn.score > 0.9, gesture
        scale = square.shape[0] / side
        expected = (hand.points[:, :2] - [(x0 + x1) / 2, (y0 + y1) / 2]) * scale + square.shape[0] / 2
        error = np.abs(drawn.points[:, :2] - expected).mean()
        assert error < 0.04 * scale * max(x1 - x0, y1 - y0), (gesture, error)


def test_no_hand_in_blank_frames_noise_or_empty_rooms():
    rng = np.random.default_rng(0)
    pictures = [np.full((480, 640, 3), value, np.uint8) for value in (0, 128, 255)]
    pictures.append(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8))
    pictures += [background(rng, 480, 640) for _ in range(4)]
    for picture in pictures:
        for pad in (0.3, 1.0):
            _, presence, _ = read_square(framed_square(picture, pad)[0])
            assert presence < MIN_PRESENCE and hand_in_frame(picture, pad) is None


def test_the_square_shows_the_whole_picture_centred():
    picture = np.zeros((100, 200, 3), np.uint8)
    picture[:, :100] = 255  # left half white
    square, matrix = framed_square(picture, 0.5)
    assert square.shape == (224, 224, 3)
    # The picture's centre lands on the square's centre, and its width on half the square (a 50 % frame each side).
    assert np.allclose(matrix @ [100, 50, 1], [112, 112])
    assert np.allclose(matrix @ [200, 50, 1] - matrix @ [0, 50, 1], [112, 0])
    assert square[112, 100].mean() > 200 and square[112, 124].mean() < 50


@pytest.mark.parametrize("bad", [np.zeros((1, 1, 3), np.uint8), np.zeros((3, 500, 3), np.uint8)])
def test_tiny_and_thin_pictures_do_not_break_it(bad):
    assert hand_in_frame(bad, 0.3) is None


def test_litert_and_opencv_read_a_real_hand_alike():
    """LiteRT runs the network where it installs, OpenCV's dnn module elsewhere: the same points and presence."""
    pytest.importorskip("ai_edge_litert", reason="LiteRT has no wheel for this platform")
    import io
    import zipfile

    from rps.hands import load_model_bytes

    data = zipfile.ZipFile(io.BytesIO(load_model_bytes()[0])).read(landmark_net.NETWORK_FILE)
    rgb = np.asarray(Image.open(sorted((shared_path("rps", "subhih") / "rock").glob("*.jpg"))[0]).convert("RGB"))
    squares = [landmark_net.framed_square(rgb, 0.3)[0],
               landmark_net.tracking_square(rgb, find_hands(rgb).hands[0].points)]
    for square in squares:
        x = square.astype(np.float32) / 255
        litert, opencv = landmark_net.litert_runner(data)(x), landmark_net.opencv_runner(data)(x)
        for a, b in zip(litert, opencv):
            np.testing.assert_allclose(a.ravel(), b.ravel(), atol=1e-3)
    assert litert[1].ravel()[0] > landmark_net.MIN_PRESENCE   # the tracking square of a found hand shows a hand
