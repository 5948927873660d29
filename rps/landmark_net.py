"""MediaPipe's hand-landmark network on its own, without the palm detector: the hand search's last look.

    from rps.landmark_net import hand_in_frame
    hand = hand_in_frame(rgb_uint8, pad=0.3)   # -> rps.hands.Hand, or None when the network sees no hand
    seen_again(rgb_uint8, hand.points)         # does the network still see a hand where these landmarks lie?

`hand_landmarker.task` (shipped in checkpoints/, sha256-checked by rps.hands) holds two networks: a palm detector,
which says where a hand is, and a landmark network, which draws 21 points in the square the detector found and
says how sure it is that a hand is there at all ("presence"). A hand that fills the frame has no palm the detector
can see whole, so MediaPipe finds nothing, however the frame is framed (rps.hands.RETRY_STEPS). Here the landmark
network gets the whole frame as its square instead. Its presence score then decides "hand" or "no hand", at
MediaPipe's own default threshold (0.5): on pictures without a hand it stays low, on close-ups it is high.
Measured on the hard families (SubhiH, never trained on; benchmarks/results/rps_hard.md): of the pictures every
palm-detector step misses it found a hand in all 10 close-ups (all then read right) and in 17 others (14 right),
and in none of the 233 pictures without a hand that reach it.

`seen_again` is one step of MediaPipe's own tracking: the square is cut where a hand's landmarks lie (as MediaPipe
cuts it for the next video frame) and the presence score says whether a hand is still there. The app's search
(rps.hands.find_hands_twice) drops a found "hand" that fails it: a hand is seen again, a face's ear, a rocket or a
white patch the palm detector took for a palm mostly is not (docs/rps_real_people.md, "A face is not a hand").

The network runs in LiteRT (`ai-edge-litert`, Google's runtime for .tflite files, the one MediaPipe is built on):
about 7 ms a look on one CPU thread. Where LiteRT has no wheel it runs in OpenCV's dnn module
(cv2.dnn.readNetFromTFLite), 17 ms on two threads; on 3,365 squares of real people's photos the two agree to 4e-6 in
presence and never differ on a decision. `python -m rps.landmark_net IMAGE...` prints the presence score of some images.
"""
from __future__ import annotations

import argparse
import io
import threading
import zipfile

import cv2
import numpy as np

NETWORK_FILE = "hand_landmarks_detector.tflite"   # inside hand_landmarker.task
INPUT_SIDE = 224                                    # the network reads a 224 x 224 RGB square, values 0-1
OUTPUTS = ["Identity", "Identity_1", "Identity_2"]  # 21 x (x, y, z) in input pixels; presence; right-handedness
# MediaPipe's default min_hand_presence_confidence: the network's own line between "a hand" and "no hand".
MIN_PRESENCE = 0.5

_lock = threading.Lock()
_network = None


def get_network():
    """The landmark network, read from the verified hand_landmarker.task on first use (one for the process): a
    function from an INPUT_SIDE square (float, 0-1, H x W x 3) to its OUTPUTS. LiteRT where it installs (Linux x86-64,
    Windows, macOS on Apple silicon), else OpenCV's dnn module (Linux on ARM, Intel Macs: 10 ms slower a look)."""
    global _network
    with _lock:
        if _network is None:
            from rps.hands import load_model_bytes

            task, _ = load_model_bytes()
            data = zipfile.ZipFile(io.BytesIO(task)).read(NETWORK_FILE)
            try:
                _network = litert_runner(data)
            except ImportError:
                _network = opencv_runner(data)
        return _network


def litert_runner(data: bytes):
    from ai_edge_litert.interpreter import Interpreter

    # One thread: the API serves several visitors at once on two cores, and MediaPipe's detector runs beside it.
    interpreter = Interpreter(model_content=data, num_threads=1)
    interpreter.allocate_tensors()
    source = interpreter.get_input_details()[0]["index"]
    by_name = {out["name"]: out["index"] for out in interpreter.get_output_details()}

    def run(square: np.ndarray) -> list[np.ndarray]:
        interpreter.set_tensor(source, square[None])
        interpreter.invoke()
        return [interpreter.get_tensor(by_name[name]) for name in OUTPUTS]
    return run


def opencv_runner(data: bytes):
    network = cv2.dnn.readNetFromTFLite(np.frombuffer(data, np.uint8))

    def run(square: np.ndarray) -> list[np.ndarray]:
        network.setInput(square.transpose(2, 0, 1)[None])
        return list(network.forward(OUTPUTS))
    return run


def square_around(rgb: np.ndarray, centre, side: float, degrees: float, flags: int,
                  border: int) -> tuple[np.ndarray, np.ndarray]:
    """(the INPUT_SIDE square showing the picture's `side` x `side` pixels around `centre`, turned by `degrees`; the
    2 x 3 map from picture pixels to square pixels)."""
    centre = (float(centre[0]), float(centre[1]))
    matrix = cv2.getRotationMatrix2D(centre, float(degrees), INPUT_SIDE / side)
    matrix[:, 2] += np.array([INPUT_SIDE / 2, INPUT_SIDE / 2]) - np.array(centre)
    square = cv2.warpAffine(np.ascontiguousarray(rgb[:, :, :3]), matrix, (INPUT_SIDE, INPUT_SIDE),
                            flags=flags, borderMode=border)
    return square, matrix


def framed_square(rgb: np.ndarray, pad: float) -> tuple[np.ndarray, np.ndarray]:
    """(the INPUT_SIDE square showing the whole picture centred, with `pad` of its longer side added on every side
    as repeated edge pixels; the 2 x 3 map from picture pixels to square pixels)."""
    height, width = rgb.shape[:2]
    return square_around(rgb, (width / 2, height / 2), max(height, width) * (1 + 2 * pad), 0.0,
                         cv2.INTER_AREA, cv2.BORDER_REPLICATE)


def read_square(square: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(21 x 3 landmarks in square pixels, presence 0-1, right-handedness 0-1) for an INPUT_SIDE RGB uint8 square."""
    network = get_network()
    with _lock:  # one network: its input and output tensors are shared, so one square at a time
        points, presence, right = network(np.ascontiguousarray(square, np.float32) / 255)
    return points.reshape(21, 3), float(presence.ravel()[0]), float(right.ravel()[0])


def hand_in_frame(rgb: np.ndarray, pad: float, min_presence: float = MIN_PRESENCE):
    """The hand the landmark network draws over the whole picture (framed by `pad`), in the picture's pixels, when
    its presence score is at least `min_presence`; else None."""
    from rps.hands import Hand

    square, matrix = framed_square(rgb, pad)
    points, presence, right = read_square(square)
    if presence < min_presence:
        return None
    return Hand(square_to_picture(points, matrix), "Right" if right > 0.5 else "Left", presence)


def square_to_picture(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """21 x 3 landmarks in square pixels -> the picture's pixels, given the 2 x 3 map from picture to square."""
    back = cv2.invertAffineTransform(matrix)
    points = points.copy()
    points[:, :2] = points[:, :2] @ back[:, :2].T + back[:, 2]
    points[:, 2] *= back[0, 0]  # z is in the square's x pixels, like x
    return points.astype(np.float32)


# MediaPipe's tracking square (HandLandmarksToRectCalculator, then its scale and shift): built on the wrist and the
# lower finger joints (the fingertips move too much), turned so the wrist -> middle-knuckle line points up, twice
# the joints' box, moved a tenth of its height towards the fingers.
ROI_LANDMARKS = [0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18]
ROI_SCALE, ROI_SHIFT = 2.0, -0.1


def tracking_square(rgb: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The INPUT_SIDE square MediaPipe's tracking would give the landmark network for a hand with these landmarks
    (21 x 2+ in picture pixels), upright; black outside the picture."""
    joints = points[ROI_LANDMARKS, :2].astype(np.float64)
    wrist = points[0, :2].astype(np.float64)
    knuckles = ((points[5, :2] + points[13, :2]) / 2 + points[9, :2]) / 2
    # The turn that makes the wrist -> knuckles line point up (MediaPipe's target angle: 90 degrees).
    rotation = np.pi / 2 - np.arctan2(-(knuckles[1] - wrist[1]), knuckles[0] - wrist[0])
    cos, sin = np.cos(rotation), np.sin(rotation)
    middle = (joints.max(0) + joints.min(0)) / 2
    offset = joints - middle
    across = offset[:, 0] * cos + offset[:, 1] * sin       # the joints in the turned frame
    along = -offset[:, 0] * sin + offset[:, 1] * cos
    width, height = np.ptp(across), np.ptp(along)
    centre_x = (across.max() + across.min()) / 2
    centre_y = (along.max() + along.min()) / 2 + ROI_SHIFT * height
    centre = middle + np.array([centre_x * cos - centre_y * sin, centre_x * sin + centre_y * cos])
    side = max(width, height, 1.0) * ROI_SCALE
    return square_around(rgb, centre, side, np.degrees(rotation), cv2.INTER_LINEAR, cv2.BORDER_CONSTANT)[0]


def seen_again(rgb: np.ndarray, points: np.ndarray, min_presence: float = MIN_PRESENCE) -> bool:
    """Does the landmark network, looking where these landmarks say the hand is (`tracking_square`), still see a
    hand (presence at least `min_presence`, MediaPipe's default)?"""
    return read_square(tracking_square(rgb, points))[1] >= min_presence


def main() -> None:
    parser = argparse.ArgumentParser(description="Print the landmark network's presence score for some images.")
    parser.add_argument("images", nargs="+", help="image files")
    parser.add_argument("--pad", type=float, default=0.3, help="border added on every side, fraction of the longer side")
    args = parser.parse_args()
    from common.images import flatten_alpha, open_image

    for path in args.images:
        rgb = np.asarray(flatten_alpha(open_image(path)))
        _, presence, _ = read_square(framed_square(rgb, args.pad)[0])
        print(f"{path}: presence {presence:.3f} ({'hand' if presence >= MIN_PRESENCE else 'no hand'})")


if __name__ == "__main__":
    main()
