"""A recorded-webcam stand-in: a 640x480 clip of a hand moving and changing gesture, made from SubhiH photos.

    from benchmarks.webcam_clip import make_clip, write_clip_y4m
    clip = make_clip()                    # Clip(frames=[...], truth=["no hand", ..., "rock", ...], fps=30)
    write_clip_y4m(clip, "hand.y4m")      # for Chromium's --use-file-for-fake-video-capture

SubhiH's photos (real rooms, other people than the training set, Apache-2.0) are square crops around a hand. Each
segment takes one photo of its gesture, scales it to about half the frame height and lays it, with a feathered
edge, on a room (`rps.augment.background`, fixed seed), drifting and breathing in size as a held hand does in
front of a webcam. Segments: no hand, then rock, paper, scissors, rock. The photo for each gesture is the first,
in file order, that the landmarks model reads right in the first frame of its segment, so the clip tests the live
path (tracking, stability, dropping), not whether one photo is hard. Needs ../shared/data (SubhiH).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

WIDTH, HEIGHT = 640, 480
SEGMENTS = (("no hand", 1.0), ("rock", 2.0), ("paper", 2.0), ("scissors", 2.0), ("rock", 2.0))
HAND_SIDE = 250


@dataclass
class Clip:
    frames: list[np.ndarray]   # RGB uint8, HEIGHT x WIDTH
    truth: list[str]           # per frame: a class or "no hand"
    fps: float

    @property
    def seconds(self) -> float:
        return len(self.frames) / self.fps


def room() -> np.ndarray:
    from rps.augment import background
    return background(np.random.default_rng(5), HEIGHT, WIDTH)


def paste(frame: np.ndarray, photo: np.ndarray, centre: tuple[float, float], side: int) -> np.ndarray:
    hand = cv2.resize(photo, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
    feather = max(2, side // 10)
    ramp = np.minimum(np.arange(side), np.arange(side)[::-1]).astype(np.float32) / feather
    alpha = np.clip(np.minimum(ramp[:, None], ramp[None, :]), 0, 1)[..., None]
    x0, y0 = round(centre[0] - side / 2), round(centre[1] - side / 2)
    out = frame.astype(np.float32)
    region = out[y0:y0 + side, x0:x0 + side]
    out[y0:y0 + side, x0:x0 + side] = alpha * hand + (1 - alpha) * region
    return out.astype(np.uint8)


def hand_frame(backdrop: np.ndarray, photo: np.ndarray, t: float) -> np.ndarray:
    """The hand at time t (seconds into its segment): slow drift and a little change of size."""
    side = round(HAND_SIDE * (1 + 0.06 * np.sin(2 * np.pi * t / 1.7)))
    centre = (WIDTH / 2 + 60 * np.sin(2 * np.pi * t / 2.3), HEIGHT / 2 + 25 * np.sin(2 * np.pi * t / 1.3))
    return paste(backdrop, photo, centre, side)


def photo_for(gesture: str, backdrop: np.ndarray, skip: int = 0) -> np.ndarray:
    """The first SubhiH photo of `gesture` (after `skip` good ones) that the landmarks model reads right."""
    from common.images import flatten_alpha, open_image
    from rps.data import validation_dir
    from rps.predict import classify_hand

    folder = validation_dir() / gesture
    photos = sorted(folder.glob("*.jpg"))
    if not photos:
        raise FileNotFoundError(f"no SubhiH photos in {folder} (needs ../shared/data)")
    for path in photos:
        photo = np.asarray(flatten_alpha(open_image(path)))
        reading = classify_hand(hand_frame(backdrop, photo, 0.0), model_name="landmarks")
        if max(reading.probabilities, key=reading.probabilities.get) == gesture and \
                reading.probabilities[gesture] > 0.8 and reading.message.startswith("1 hand"):
            if skip == 0:
                return photo
            skip -= 1
    raise LookupError(f"no {gesture} photo read right")


def make_clip(fps: float = 30.0, segments=SEGMENTS) -> Clip:
    backdrop = room()
    photos: dict[str, np.ndarray] = {}
    frames, truth = [], []
    for gesture, seconds in segments:
        if gesture != "no hand" and gesture not in photos:
            photos[gesture] = photo_for(gesture, backdrop)
        for index in range(round(seconds * fps)):
            t = index / fps
            frames.append(backdrop.copy() if gesture == "no hand" else hand_frame(backdrop, photos[gesture], t))
            truth.append(gesture)
    return Clip(frames, truth, fps)


def write_clip_y4m(clip: Clip, out: Path | str, fps: int | None = None) -> Path:
    """The clip as a Y4M file (YUV 4:2:0) for Chromium's fake camera, which plays it in a loop at `fps`."""
    fps = fps or round(clip.fps)
    step = clip.fps / fps
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        f.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for k in range(int(len(clip.frames) / step)):
            yuv = cv2.cvtColor(clip.frames[int(k * step)], cv2.COLOR_RGB2YUV_I420)
            f.write(b"FRAME\n")
            f.write(yuv.tobytes())
    return out


if __name__ == "__main__":
    import sys
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "artifacts/webcam_clip.y4m")
    made = make_clip()
    print(write_clip_y4m(made, target, fps=10), f"{made.seconds:.1f} s")
