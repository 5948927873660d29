"""Find hands with Google's MediaPipe Hand Landmarker (Tasks API, IMAGE mode, CPU): 21 landmarks per hand.

    from rps.hands import find_hands
    found = find_hands(rgb_uint8)          # -> HandSearch(hands=[Hand, ...] largest first, image_size)
    found = find_hands_twice(rgb_uint8)    # what the app does: retries (the last one: MediaPipe's landmark
                                           # network alone, rps.landmark_net), then a second look at a smoothed
                                           # copy (and a bigger hand around a hand that look does not confirm);
                                           # last, a "hand" that network does not see again where its landmarks
                                           # lie is dropped.
                                           # No hand found: the app says "no hand".
    found.hands[0].points                  # 21 x 3 pixel coordinates (x, y, z~x-scale)

The model file (Google's `hand_landmarker.task`, Apache-2.0, 7.8 MB) ships in checkpoints/ with a card beside
it (`hand_landmarker.json`). It is looked up in this order, and its sha256 is always checked before a byte of
it is used:
  1. the env var HAND_LANDMARKER_PATH;
  2. checkpoints/hand_landmarker.task, the shipped copy;
  3. a cached download in the user cache dir (~/.cache/rps-demo/, or $XDG_CACHE_HOME);
  4. a fresh download of the official file, when online (only if the shipped copy was deleted).
A wrong or missing file raises ModelFileError that says what to do.

Run `python -m rps.hands IMAGE...` to print what is found in some images.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from common.errors import ModelFileError

MODEL_URL = ("https://storage.googleapis.com/mediapipe-models/hand_landmarker/hand_landmarker/"
             "float16/1/hand_landmarker.task")
MODEL_SHA256 = "fbc2a30080c3c557093b5ddfc334698132eb341044ccee322ccf8bcf3607cde1"
MODEL_NAME = "hand_landmarker.task"
# The palm detector works on a 192 px square; giving it more than this only costs time.
DETECT_SIDE = 480

# The 21 landmarks: wrist, then 4 per finger from the palm outwards (thumb, index, middle, ring, pinky).
WRIST = 0
FINGERS = {"thumb": (1, 2, 3, 4), "index": (5, 6, 7, 8), "middle": (9, 10, 11, 12),
           "ring": (13, 14, 15, 16), "pinky": (17, 18, 19, 20)}
BONES = [(0, 1), (0, 5), (0, 17), (5, 9), (9, 13), (13, 17)] + [
    (a, b) for chain in FINGERS.values() for a, b in zip(chain[:-1], chain[1:])] + [(0, 1)]


@dataclass
class Hand:
    points: np.ndarray   # 21 x 3 float32: x, y in pixels of the searched image; z in (roughly) x pixels
    handedness: str      # "Left" or "Right" as MediaPipe reports it (for a mirrored selfie image)
    score: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        x0, y0 = self.points[:, :2].min(0)
        x1, y1 = self.points[:, :2].max(0)
        return float(x0), float(y0), float(x1), float(y1)

    @property
    def size(self) -> float:
        x0, y0, x1, y1 = self.box
        return max(x1 - x0, y1 - y0)


@dataclass
class HandSearch:
    hands: list[Hand]            # largest first
    image_size: tuple[int, int]  # (width, height) of the image searched
    # The largest hand's landmarks as found again in another view of the image (find_hands_twice), in the
    # same coordinates; None when not looked for or not found. A second opinion for the landmarks model.
    second_look: np.ndarray | None = None

    @property
    def message(self) -> str:
        if not self.hands:
            return "No hand found"
        if len(self.hands) == 1:
            return "1 hand found"
        return f"{len(self.hands)} hands found: using the larger"


# ---------------------------------------------------------------- the model file

def sha256_of_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rps-demo"


def shipped_model_path() -> Path:
    """The copy committed in the project's checkpoints/ (HAND_LANDMARKER_PATH points elsewhere if needed)."""
    return Path(__file__).resolve().parents[1] / "checkpoints" / MODEL_NAME


def _verified(path: Path, where: str) -> bytes:
    data = path.read_bytes()
    if sha256_of_bytes(data) != MODEL_SHA256:
        raise ModelFileError(
            f"The hand landmarker model {path} ({where}) is corrupt or not the expected file: its sha256 "
            f"does not match {MODEL_SHA256}. Delete it, or point HAND_LANDMARKER_PATH at a good copy "
            f"(download: {MODEL_URL}), or restore checkpoints/{MODEL_NAME} with `git checkout checkpoints/{MODEL_NAME}`.")
    return data


def _download(target: Path) -> bytes:
    try:
        with urllib.request.urlopen(MODEL_URL, timeout=30) as response:
            data = response.read()
    except OSError as error:
        raise ModelFileError(
            f"The hand landmarker model checkpoints/{MODEL_NAME} is missing and could not be downloaded ({error}). "
            f"Restore it with `git checkout checkpoints/{MODEL_NAME}`, or download {MODEL_URL} and set "
            f"HAND_LANDMARKER_PATH to it.") from error
    if sha256_of_bytes(data) != MODEL_SHA256:
        raise ModelFileError(f"The downloaded {MODEL_URL} does not have the expected sha256; not using it.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:  # atomic: no half-written cache
        tmp.write(data)
    os.replace(tmp.name, target)
    return data


def load_model_bytes() -> tuple[bytes, str]:
    """Return (verified model bytes, where they came from). Bytes, not a path: what is checked is what is used."""
    env = os.environ.get("HAND_LANDMARKER_PATH")
    if env:
        path = Path(env)
        if not path.is_file():
            raise ModelFileError(f"HAND_LANDMARKER_PATH points at {path}, which does not exist.")
        return _verified(path, "from HAND_LANDMARKER_PATH"), str(path)
    shipped = shipped_model_path()
    if shipped.is_file():
        return _verified(shipped, "shipped in checkpoints/"), str(shipped)
    cached = cache_dir() / MODEL_NAME
    if cached.is_file():
        return _verified(cached, "cached download"), str(cached)
    return _download(cached), MODEL_URL


# ---------------------------------------------------------------- the landmarker

_lock = threading.Lock()
_landmarker = None


def create_landmarker(model_bytes: bytes, min_confidence: float = 0.3, video: bool = False, num_hands: int = 2):
    """A MediaPipe hand landmarker on the CPU: IMAGE mode (each picture on its own), or VIDEO mode (tracks the
    hand from frame to frame, far cheaper per frame: the live camera, one per visitor)."""
    from mediapipe.tasks.python import vision
    from mediapipe.tasks.python.core.base_options import BaseOptions

    options = vision.HandLandmarkerOptions(
        base_options=BaseOptions(model_asset_buffer=model_bytes, delegate=BaseOptions.Delegate.CPU),
        running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
        num_hands=num_hands,
        # Lower than the default 0.5: a hand in a dim room is still better found than not.
        min_hand_detection_confidence=min_confidence,
        min_hand_presence_confidence=min_confidence,
        min_tracking_confidence=min_confidence,
    )
    return vision.HandLandmarker.create_from_options(options)


def get_landmarker():
    """The one shared landmarker, created on first use."""
    global _landmarker
    with _lock:
        if _landmarker is None:
            data, _ = load_model_bytes()
            _landmarker = create_landmarker(data)
        return _landmarker


def downscale(rgb: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    """(the image with its longer side at most `side`, the scale applied): the detector gains nothing from more."""
    import cv2

    height, width = rgb.shape[:2]
    scale = min(1.0, side / max(height, width))
    if scale < 1.0:
        rgb = cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    return rgb, scale


def find_hands(rgb: np.ndarray, detect_side: int = DETECT_SIDE, landmarker=None) -> HandSearch:
    """Landmarks of up to two hands in an RGB uint8 image, in its own pixel coordinates, largest hand first."""
    import mediapipe as mp

    small, scale = downscale(np.ascontiguousarray(rgb[:, :, :3]), detect_side)
    landmarker = landmarker or get_landmarker()
    image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(small))
    with _lock:  # MediaPipe graphs are not safe to call from several threads at once
        result = landmarker.detect(image)
    hands = hands_from_result(result, small.shape, scale)
    hands.sort(key=lambda hand: hand.size, reverse=True)
    return HandSearch(hands, (rgb.shape[1], rgb.shape[0]))


def hands_from_result(result, searched_shape: tuple[int, ...], scale: float) -> list[Hand]:
    """MediaPipe's answer for an image of `searched_shape` (the original shrunk by `scale`) as Hands in the
    original's pixel coordinates."""
    height, width = searched_shape[:2]
    hands = []
    for landmarks, handedness in zip(result.hand_landmarks, result.handedness):
        points = np.array([[p.x * width, p.y * height, p.z * width] for p in landmarks], np.float32) / scale
        category = handedness[0]
        hands.append(Hand(points, category.category_name, float(category.score)))
    return hands


def padded(rgb: np.ndarray, fraction: float, border: str = "edge") -> tuple[np.ndarray, int]:
    """The image with `fraction` of its longer side added on every side: its edge pixels repeated ("edge"),
    or a black frame ("black")."""
    import cv2

    pad = round(fraction * max(rgb.shape[:2]))
    rgb = np.ascontiguousarray(rgb[:, :, :3])
    if border == "black":
        return cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(0, 0, 0)), pad
    return cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REPLICATE), pad


def centre_inside(hand: Hand, width: int, height: int) -> bool:
    """Is the hand's centre inside the picture? A padded copy can show a "hand" in its border that is not in the
    picture. Measured on the hard families: this drops 4 such "hands" in the 240 pictures without one, and 3 hands
    cut by the frame edge, 2 of which the image model still reads (letting the centre lie up to a quarter of the
    hand's size outside kept those and the 4 false ones)."""
    x, y = hand.points[:, :2].mean(0)
    return 0 <= x < width and 0 <= y < height


def brightened(rgb: np.ndarray) -> np.ndarray:
    """Contrast-stretched and gamma-lifted copy (CLAHE on the lightness): for dim rooms and under-exposed frames."""
    import cv2

    lab = cv2.cvtColor(np.ascontiguousarray(rgb[:, :, :3]), cv2.COLOR_RGB2LAB)
    lightness = lab[:, :, 0].astype(np.float32) / 255
    mean = float(lightness.mean()) or 1e-3
    gamma = float(np.clip(np.log(0.5) / np.log(min(max(mean, 1e-3), 0.999)), 0.3, 1.0))  # lift the mean towards mid-grey
    lifted = np.clip(255 * lightness ** gamma, 0, 255).astype(np.uint8)
    lab[:, :, 0] = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 4)).apply(lifted)
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def mean_lightness(rgb: np.ndarray) -> float:
    """The picture's mean lightness (CIELAB L), 0 = black to 1 = white."""
    import cv2

    return float(cv2.cvtColor(np.ascontiguousarray(rgb[:, :, :3]), cv2.COLOR_RGB2LAB)[:, :, 0].mean()) / 255


# Below this mean lightness a frame counts as dim (the "dark" family keeps 12-30 % of a photo's light; 25 of the 240
# pictures without a hand lie below it): the image models read a dim hand's crop brightened (rps.masking.well_lit).
DIM = 0.25


def is_dim(rgb: np.ndarray) -> bool:
    """Is the frame's mean lightness below DIM?"""
    return mean_lightness(rgb) < DIM


class RetryStep(NamedTuple):
    name: str
    change: str | None     # "brighten", or None for the image as it is
    pad: float             # border added on every side, as a fraction of the longer side
    border: str = "edge"   # "edge": the edge pixels repeated; "black": a black frame
    finder: str = "palm"   # "palm": the whole landmarker (palm detector first); "landmarks": rps.landmark_net alone


def changed_copy(rgb: np.ndarray, change: str | None) -> np.ndarray:
    """The copy a retry step searches (the same size as `rgb`)."""
    return brightened(rgb) if change == "brighten" else rgb


# What `find_hands_or_retry` tries, in order, until a hand is found. Measured on the hard families by
# `python -m rps.evaluate` (benchmarks/results/rps_hard.md): each step runs only when every earlier one found nothing.
RETRY_STEPS = [
    # MediaPipe's palm detector wants the whole palm with room around it; a hand entering from the border
    # or filling the frame is often found once the border is extended.
    RetryStep("pad", None, 0.3),
    # Dark or flat frames: the detector's confidence drops below the threshold; lift them.
    RetryStep("brighten", "brighten", 0.3),
    # Very close to the camera: zoom out further.
    RetryStep("zoom out", None, 1.0),
    # A hand overflowing the frame on every side: repeated edge pixels smear its skin outwards into a blob, where
    # a black frame shows the detector a whole (if cut) hand. In the close-up family it found 59 of the 76 hands
    # the steps above missed. In 5 of the 240 pictures without one it finds a "hand", 4 of them with their centre
    # in the black border, which `centre_inside` drops (rps_hard.md has the counts).
    RetryStep("zoom out on black", None, 1.0, "black"),
    # A hand filling the frame: no framing shows the palm detector a palm it knows, but MediaPipe's landmark
    # network, given the whole picture (with 30 % of room around it) as the hand's square, still draws the hand
    # and says it is there (rps.landmark_net; its presence score decides, at MediaPipe's default 0.5). It found
    # 4 hands of tune people that every step above missed, and 1 "hand" in 202 real photos without one (the
    # rocket; docs/rps_real_people.md); on the hard families, 20 of the 39 hands every palm-detector step missed
    # (17 read right) and no "hand" in 236 pictures without one (benchmarks/results/rps_search_variants.md,
    # "30% frame alone", measured when the removed steps below still ran before it). It costs a frame without a
    # hand one run of the network, about 8 ms (LiteRT).
    RetryStep("landmark network", None, 0.3, finder="landmarks"),
]
# Removed (issue 20): "denoise dim" (dim frames denoised, brightened, zoomed out; also their second look),
# "zoom out far on black" (a 300 % black frame) and "landmark network zoomed out" (the network on a 100 % frame).
# Each was added for SubhiH's synthetic dark and close-up families and found no hand of any real person.


# The names `find_hands_or_retry` reports, in the order it tries them (RETRY_STEPS[k] is SEARCH_ORDER[k + 1]).
SEARCH_ORDER = ["first look"] + [step.name for step in RETRY_STEPS]


def hands_in_framed_copy(rgb: np.ndarray, copy: np.ndarray, fraction: float, border: str = "edge",
                         detect_side: int = DETECT_SIDE, landmarker=None) -> list[Hand]:
    """The hands MediaPipe finds in `copy` (a changed copy of `rgb`, the same size) framed by `fraction` of its side,
    in the coordinates of `rgb`, largest first; a "hand" whose centre lies outside `rgb` is dropped."""
    framed, pad = padded(copy, fraction, border) if fraction else (copy, 0)
    hands = find_hands(framed, detect_side, landmarker).hands
    for hand in hands:
        hand.points[:, :2] -= pad
    return [hand for hand in hands if centre_inside(hand, rgb.shape[1], rgb.shape[0])]


def hand_without_palm(rgb: np.ndarray, fraction: float) -> list[Hand]:
    """[the hand MediaPipe's landmark network draws over the whole picture framed by `fraction`] when it says a hand
    is there and the hand's centre lies inside the picture, else []."""
    from rps.landmark_net import hand_in_frame

    hand = hand_in_frame(rgb, fraction)
    return [hand] if hand is not None and centre_inside(hand, rgb.shape[1], rgb.shape[0]) else []


def find_hands_or_retry(rgb: np.ndarray, detect_side: int = DETECT_SIDE, steps=None, landmarker=None,
                        report: dict | None = None) -> HandSearch:
    """`find_hands`, and while nothing is found, again on changed copies of the image (`RETRY_STEPS`).

    Points come back in the coordinates of `rgb`. `report`, when given, gets "step" (the name of the step
    that found the hand: "first look", a RETRY_STEPS name, or None) and "tries" (how many detector runs).
    """
    steps = RETRY_STEPS if steps is None else steps
    found = find_hands(rgb, detect_side, landmarker)
    tries, step = 1, "first look" if found.hands else None
    for name, change, fraction, border, finder in steps:
        if found.hands:
            break
        if finder == "landmarks":
            hands = hand_without_palm(rgb, fraction)
        else:
            hands = hands_in_framed_copy(rgb, changed_copy(rgb, change), fraction, border, detect_side, landmarker)
        tries += 1
        found = HandSearch(hands, (rgb.shape[1], rgb.shape[0]))
        step = name if found.hands else None
    if report is not None:
        report.update(step=step, tries=tries)
    return found


# Blur (Gaussian sigma, in pixels of the image the detector sees) of the second look. Heavy JPEG blocks, sensor
# noise and motion smear throw single landmarks off; on a smoothed copy they land elsewhere, and the landmarks
# model's answers on both views average out. Measured on the hard families (python -m rps.evaluate): the
# second look found 23 more hands in 180 heavily compressed pictures, 18 in close-ups and 10 in dim ones, and
# the ensemble went from 0.984 to 0.991 on the plain SubhiH photos. Blurring alone does worse on clean photos.
SECOND_LOOK_SIGMA = 3.0


def smoothed(rgb: np.ndarray, detect_side: int = DETECT_SIDE) -> tuple[np.ndarray, float]:
    """(a blurred copy of the image at the detector's size, the scale applied)."""
    import cv2

    small, scale = downscale(np.ascontiguousarray(rgb[:, :, :3]), detect_side)
    return cv2.GaussianBlur(small, (0, 0), SECOND_LOOK_SIGMA), scale


def centre_in_box(points: np.ndarray, other: np.ndarray) -> bool:
    """Is the centre of one set of landmarks inside the box of another?"""
    x, y = points[:, :2].mean(0)
    (x0, y0), (x1, y1) = other[:, :2].min(0), other[:, :2].max(0)
    return bool(x0 <= x <= x1 and y0 <= y <= y1)


def same_hand(a: np.ndarray, b: np.ndarray) -> bool:
    """Do two sets of landmarks belong to one hand (the centre of each inside the other's box)?"""
    return centre_in_box(a, b) and centre_in_box(b, a)


# A finger can pass for a whole hand: on a blocky or noisy frame the palm detector sometimes fires on one finger or
# a thumb tip, and MediaPipe draws a tiny hand there, curled like a fist. The second look rarely finds such a
# "hand" again, so when it does not confirm the hand, the framing retries look for a hand around it at least
# BIGGER times its size (rps_hard.md, column "bigger hand").
BIGGER = 1.5


def bigger_hand_around(rgb: np.ndarray, hand: Hand, found_by: str = "first look", detect_side: int = DETECT_SIDE,
                       landmarker=None) -> tuple[Hand | None, str | None, int]:
    """(the first hand the framing retries (RETRY_STEPS that do not change the picture) find around `hand`, at least
    BIGGER times its size, or None; the step that found it; how many detector runs it took).

    Only the steps after `found_by`, the one that found `hand`, run: each step before it found nothing in this
    picture, and `hand` is the largest that step found."""
    later = RETRY_STEPS[SEARCH_ORDER.index(found_by):] if found_by in SEARCH_ORDER else RETRY_STEPS
    tries = 0
    for step in later:
        # Cleanings help find a hand at all, and here one is found already; the landmark network alone draws
        # one hand over the whole picture, not a hand around this one.
        if step.change is not None or step.finder != "palm":
            continue
        tries += 1
        for candidate in hands_in_framed_copy(rgb, rgb, step.pad, step.border, detect_side, landmarker):
            if candidate.size >= BIGGER * hand.size and centre_in_box(hand.points, candidate.points):
                return candidate, step.name, tries
    return None, None, tries


def look_again(rgb: np.ndarray, detect_side: int = DETECT_SIDE, landmarker=None,
               report: dict | None = None) -> Hand | None:
    """The largest hand in a second view of the picture, a smoothed copy (`smoothed`, with the "pad" retry), in the
    picture's coordinates, or None. `report["tries"]` counts the detector runs."""
    report = {"tries": 0} if report is None else report
    image, scale = smoothed(rgb, detect_side)
    looked: dict = {}
    again = find_hands_or_retry(image, detect_side, steps=RETRY_STEPS[:1], landmarker=landmarker, report=looked)
    report["tries"] += looked["tries"]
    if not again.hands:
        return None
    hand = again.hands[0]
    return Hand(hand.points / scale, hand.handedness, hand.score)


def seen_again_only(rgb: np.ndarray, found: HandSearch, report: dict) -> HandSearch:
    """`found` without the hands MediaPipe's landmark network does not see again where their landmarks lie (one
    step of MediaPipe's own tracking, rps.landmark_net.seen_again). A "hand" the palm detector made of an ear, a
    collar or a rocket mostly vanishes there: on the real photos without a hand it drops 5 of the 13 "hands" (4 of
    the 7 named a gesture), and no hand of a tune or validation person (their lowest presence there: 0.63 and
    0.85; the threshold is MediaPipe's default, 0.5); docs/rps_real_people.md, "A face is not a hand". It looks at
    the search's final hands: a finger the first look took for a hand vanishes too, and is only dropped after the
    bigger hand around it has replaced it. On the synthetic hard families (rps.hard) it drops 34 of the 1,063 hands
    found (13 read right before, 16 "not sure", 5 wrong; most in close-ups, JPEG and cut frames) and 6 of the 9
    "hands" in the 240 pictures without one. Costs one run of the network (about 8 ms in LiteRT) per hand found.
    `report["step"]` becomes None when no hand is left; `report["unseen"]` counts the hands dropped."""
    from rps.landmark_net import seen_again

    kept = [hand for hand in found.hands if seen_again(rgb, hand.points)]
    report["unseen"] = len(found.hands) - len(kept)
    if found.hands and not kept:
        report["step"] = None
    # The second look's landmarks belong to the largest hand: kept only with it.
    second = found.second_look if kept and kept[0] is found.hands[0] else None
    return HandSearch(kept, found.image_size, second)


def find_hands_twice(rgb: np.ndarray, detect_side: int = DETECT_SIDE, landmarker=None,
                     report: dict | None = None) -> HandSearch:
    """What the app runs: `looked_twice`, then only the hands the landmark network sees again (`seen_again_only`).
    `report` gets what `looked_twice` reports, and "unseen" (hands dropped; "step" becomes None when none is
    left)."""
    report = {} if report is None else report
    return seen_again_only(rgb, looked_twice(rgb, detect_side, landmarker, report), report)


def looked_twice(rgb: np.ndarray, detect_side: int = DETECT_SIDE, landmarker=None,
                 report: dict | None = None) -> HandSearch:
    """`find_hands_or_retry`, then, when it found a hand, a second look (`look_again`) at a smoothed copy of the
    picture. When both find the hand, its second landmarks go to `second_look`; when the second look does not
    confirm the hand, `bigger_hand_around` may replace it. Costs one or two detector runs more (about 25 ms each),
    up to three more for an unconfirmed hand. `report` gets the first search's "step", "second" (did the
    second look find a hand), "bigger" (the step that found a bigger hand around the first one, or None) and
    "tries" (every detector run)."""
    report = {} if report is None else report
    first = find_hands_or_retry(rgb, detect_side, landmarker=landmarker, report=report)
    report["second"], report["bigger"] = False, None
    if not first.hands:
        # A "hand" that only the smoothed second look finds is rarely one: on real people (rps.people) it found
        # 1 hand in 1,685 photos, and 14 of the 27 "hands" in 202 real photos without one (faces, a cat, a temple);
        # benchmarks/results/rps_people.md. So no second look when the search found nothing.
        return first
    again = look_again(rgb, detect_side, landmarker, report)
    report["second"] = again is not None
    second = again.points if again is not None else None
    if second is not None and same_hand(first.hands[0].points, second):
        first.second_look = second
        return first
    bigger, step, tries = bigger_hand_around(rgb, first.hands[0], report["step"], detect_side, landmarker)
    report["tries"] += tries
    if bigger is not None:
        report["bigger"] = step
        first.hands[0] = bigger
        if second is not None and same_hand(bigger.points, second):
            first.second_look = second
    return first


def main() -> None:
    parser = argparse.ArgumentParser(description="Print the hands MediaPipe finds in some images.")
    parser.add_argument("images", nargs="+", help="image files")
    args = parser.parse_args()
    from common.images import flatten_alpha, open_image

    for path in args.images:
        rgb = np.asarray(flatten_alpha(open_image(path)))
        found = find_hands_twice(rgb)
        print(path, found.message, [(h.handedness, round(h.score, 2), round(h.size)) for h in found.hands])


if __name__ == "__main__":
    main()
