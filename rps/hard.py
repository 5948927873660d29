"""Hard validation families made from the SubhiH real-room photos, plus pictures with no hand at all.

    python -m rps.hard                   # build every family, run the app's hand search on it (cached in runs/),
                                         # print which retry step found each hand and the median time
    python -m rps.hard --show 3          # also write a few examples of each family to artifacts/rps_hard/

Accuracy per family and model: `python -m rps.evaluate` (benchmarks/results/rps_hard.md).

Every family is built deterministically (fixed seeds) from a class-balanced pick of SubhiH photos, which
are never trained on; nothing here comes from any held-out check set. The families follow the failure
modes seen on real webcam photos:

    cut        the frame edge cuts 10-50 % of the hand away, at any of the four edges
    closeup    the camera so close that the hand overflows the frame (a square of 55-80 % of the hand's size)
    blur       motion blur: a line kernel 6-14 % of the picture long, any direction
    dark       a dim room: brightness x0.12-0.3, then sensor noise (sigma 4-10) and JPEG
    jpeg       a heavily compressed frame: half size, JPEG quality 5-12
    rotate     the hand at any angle (the canvas grows, the new corners repeat the edge pixels)
    no hand    blank frames (black, white, grey, colours), noise, procedural rooms (rps.augment.background,
               some with skin-coloured blobs), and SubhiH photos with the hand painted out (cv2.inpaint over
               the landmark mask) or only a hand-free strip of the photo kept

Where the hand is (for cut / closeup / painting it out) comes from the SubhiH landmark cache (rps.cache);
photos without landmarks use the whole photo as the hand's box. What MediaPipe finds in each picture is
cached per family under runs/ (`rps_hard_<family>.npz`), since it costs 50-75 ms a picture.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from rps.cache import DEFAULT_CACHE, load_cache
from rps.data import CLASSES

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ["cut", "closeup", "blur", "dark", "jpeg", "rotate"]
NO_HAND = "no hand"
PER_CLASS = 60          # photos of each class per hard family: 180 a family
NO_HAND_COUNT = 240
VERSION = 12            # bump when a family's recipe or the hand search changes: the caches are keyed on it
SEED = 1                # the families' random draws (VERSION 1 used it too: the hand families are unchanged)
FRAME_SIDE = 480        # the families' pictures are scaled so their longer side is about this (a webcam frame)


@dataclass
class HardSet:
    name: str
    images: list[np.ndarray]
    labels: np.ndarray          # class index, or -1 for the no-hand pictures
    sources: list[str]          # which SubhiH photo (or "synthetic: ...") each picture was made from


# ---------------------------------------------------------------- picking the photos

def pick_photos(val: dict, per_class: int = PER_CLASS, seed: int = 0) -> np.ndarray:
    """Indices of `per_class` SubhiH photos of each class, the same every time."""
    rng = np.random.default_rng(seed)
    picks = [rng.permutation(np.flatnonzero(val["labels"] == c))[:per_class] for c in range(len(CLASSES))]
    return np.sort(np.concatenate(picks))


def read_rgb(path: str) -> np.ndarray:
    from common.images import flatten_alpha, open_image

    return np.asarray(flatten_alpha(open_image(path)))


def hand_box(points: np.ndarray | None, shape) -> tuple[float, float, float, float]:
    height, width = shape[:2]
    if points is None:
        return 0.0, 0.0, float(width), float(height)
    x0, y0 = np.clip(points[:, :2].min(0), 0, [width, height])
    x1, y1 = np.clip(points[:, :2].max(0), 0, [width, height])
    return float(x0), float(y0), float(x1), float(y1)


def to_frame_size(rgb: np.ndarray, side: int = FRAME_SIDE) -> np.ndarray:
    scale = side / max(rgb.shape[:2])
    size = (max(8, round(rgb.shape[1] * scale)), max(8, round(rgb.shape[0] * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    return cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


# ---------------------------------------------------------------- the families

def cut(rgb, points, rng):
    """Keep the picture on one side of a line through the hand's box: 10-50 % of the hand is outside."""
    x0, y0, x1, y1 = hand_box(points, rgb.shape)
    fraction = rng.uniform(0.1, 0.5)
    edge = rng.integers(4)
    height, width = rgb.shape[:2]
    if edge == 0:    # left edge of the frame cuts the hand
        rgb = rgb[:, min(width - 8, int(x0 + fraction * (x1 - x0))):]
    elif edge == 1:  # right
        rgb = rgb[:, :max(8, int(x1 - fraction * (x1 - x0)))]
    elif edge == 2:  # top
        rgb = rgb[min(height - 8, int(y0 + fraction * (y1 - y0))):]
    else:            # bottom
        rgb = rgb[:max(8, int(y1 - fraction * (y1 - y0)))]
    return to_frame_size(rgb)


def closeup(rgb, points, rng):
    """A square window smaller than the hand, around its centre: the hand overflows every side a little."""
    x0, y0, x1, y1 = hand_box(points, rgb.shape)
    side = max(16, rng.uniform(0.55, 0.8) * max(x1 - x0, y1 - y0))
    cx = (x0 + x1) / 2 + rng.uniform(-0.1, 0.1) * side
    cy = (y0 + y1) / 2 + rng.uniform(-0.1, 0.1) * side
    return square_window(rgb, cx, cy, side)


def square_window(rgb: np.ndarray, cx: float, cy: float, side: float) -> np.ndarray:
    """The square of `side` pixels centred on (cx, cy), scaled to FRAME_SIDE: what a camera that close sees."""
    scale = FRAME_SIDE / side
    matrix = np.array([[scale, 0, FRAME_SIDE / 2 - scale * cx], [0, scale, FRAME_SIDE / 2 - scale * cy]])
    return cv2.warpAffine(rgb, matrix, (FRAME_SIDE, FRAME_SIDE), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def motion_blur(rgb, points, rng):
    rgb = to_frame_size(rgb)
    length = max(3, int(rng.uniform(0.06, 0.14) * max(rgb.shape[:2])))
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2] = 1
    rotation = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), float(rng.uniform(0, 180)), 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (length, length))
    return cv2.filter2D(rgb, -1, kernel / kernel.sum(), borderType=cv2.BORDER_REPLICATE)


def dark(rgb, points, rng):
    rgb = to_frame_size(rgb).astype(np.float32) * rng.uniform(0.12, 0.3)
    rgb += rng.standard_normal(rgb.shape[:2] + (1,), np.float32) * rng.uniform(2, 5)
    rgb += rng.standard_normal(rgb.shape, np.float32) * rng.uniform(2, 5)
    return jpeg(np.clip(rgb, 0, 255).astype(np.uint8), 70)


def compressed(rgb: np.ndarray, quality: int) -> np.ndarray:
    """A heavily compressed webcam frame: the photo at half the frame size, JPEG'd at `quality`, scaled back up."""
    return to_frame_size(jpeg(to_frame_size(rgb, FRAME_SIDE // 2), quality))


def heavy_jpeg(rgb, points, rng):
    return compressed(rgb, int(rng.integers(5, 13)))


def rotate(rgb, points, rng):
    rgb = to_frame_size(rgb)
    height, width = rgb.shape[:2]
    angle = float(rng.uniform(30, 330))
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    return cv2.warpAffine(rgb, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


MAKERS = {"cut": cut, "closeup": closeup, "blur": motion_blur, "dark": dark, "jpeg": heavy_jpeg, "rotate": rotate}


def hand_family(name: str, val: dict, per_class: int = PER_CLASS) -> HardSet:
    picks = pick_photos(val, per_class)
    rng = np.random.default_rng([SEED, FAMILIES.index(name)])
    images, sources = [], []
    for i in picks:
        points = val["points"][i] if val["found"][i] else None
        images.append(MAKERS[name](read_rgb(str(val["paths"][i])), points, rng))
        sources.append(Path(str(val["paths"][i])).name)
    return HardSet(name, images, val["labels"][picks].astype(np.int64), sources)


# ---------------------------------------------------------------- pictures with no hand

def blank_frames(rng, count: int) -> list[tuple[np.ndarray, str]]:
    colours = [(0, 0, 0), (255, 255, 255), (128, 128, 128), (30, 30, 30), (225, 225, 225),
               (37, 137, 47), (200, 170, 140), (60, 80, 140)]
    out = []
    for k in range(count):
        colour = colours[k % len(colours)]
        frame = np.full((360, 480, 3), colour, np.float32)
        frame += rng.standard_normal((360, 480, 1), np.float32) * (0 if k < len(colours) else rng.uniform(1, 4))
        out.append((np.clip(frame, 0, 255).astype(np.uint8), f"synthetic: blank {colour}"))
    return out


def noise_frames(rng, count: int) -> list[tuple[np.ndarray, str]]:
    out = []
    for k in range(count):
        if k % 2:
            frame = rng.integers(0, 256, (360, 480, 3), dtype=np.uint8)
        else:
            frame = np.clip(rng.normal(rng.uniform(40, 200), rng.uniform(10, 60), (360, 480, 3)), 0, 255)
        out.append((frame.astype(np.uint8), "synthetic: noise"))
    return out


def room_frames(rng, count: int) -> list[tuple[np.ndarray, str]]:
    from rps.augment import background

    return [(background(rng, 360, 480), "synthetic: procedural room") for _ in range(count)]


# Painted-out pictures that still show a hand, found by looking at all 120 of VERSION 1 (contact sheet:
# `python -m rps.hard --show-no-hand`): a second hand or a fist the landmark mask did not cover. They are not
# "no hand" pictures; MediaPipe rightly found a hand in some of them. Left out, the next photos take their place.
STILL_SHOWS_A_HAND = {
    ("train__2_pic00355__362_159.jpg", "hand inpainted"),       # a "V" hand beside the painted-out one
    ("train__25_pic00011__503_69.jpg", "hand inpainted"),       # the fist and fingers left whole
    ("train__46_pic00024__132_192.jpg", "hand inpainted"),      # a fist below the painted area
    ("test__996_pic00087__31_284.jpg", "hand inpainted"),       # a fist below the painted area
    ("train__2_pic00333__500_193.jpg", "hand inpainted"),       # a raised thumb
    ("train__2_pic00337__477_291.jpg", "hand inpainted"),       # a raised finger
    ("train__996_pic00031__565_264.jpg", "hand-free strip"),    # a fist in the strip
    ("train__26_pic00046__65_122.jpg", "hand-free strip"),      # a fist in the strip
    # Found by looking at the pictures MediaPipe finds a "hand" in (VERSION 6):
    ("test__46_pic00046__437_269.jpg", "hand-free strip"),      # a raised finger in front of the chin
}


def hand_painted_out(val: dict, picks: np.ndarray, rng) -> list[tuple[np.ndarray, str]]:
    """SubhiH photos with the hand removed: inpainted over a generous landmark mask, or a hand-free strip kept."""
    from rps.masking import landmark_mask, palm_length

    out = []
    for k, i in enumerate(picks):
        name = Path(str(val["paths"][i])).name
        if (name, "hand inpainted" if k % 2 == 0 else "hand-free strip") in STILL_SHOWS_A_HAND:
            continue
        rgb = read_rgb(str(val["paths"][i]))
        points = val["points"][i]
        height, width = rgb.shape[:2]
        if k % 2 == 0:
            mask = landmark_mask(points, rgb.shape)
            grow = max(3, round(0.35 * palm_length(points)))
            mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
            if mask.mean() / 255 > 0.85:  # nothing left to paint from
                continue
            painted = cv2.inpaint(rgb, mask, 5, cv2.INPAINT_TELEA)
            out.append((to_frame_size(painted), f"{Path(str(val['paths'][i])).name}: hand inpainted"))
        else:
            x0, y0, x1, y1 = hand_box(points, rgb.shape)
            margin = 0.15 * max(x1 - x0, y1 - y0)
            strips = [(x0 - margin, rgb[:, : max(0, int(x0 - margin))]),
                      (width - x1 - margin, rgb[:, min(width, int(x1 + margin)):]),
                      (y0 - margin, rgb[: max(0, int(y0 - margin))]),
                      (height - y1 - margin, rgb[min(height, int(y1 + margin)):])]
            size, strip = max(strips, key=lambda s: s[1].shape[0] * s[1].shape[1] if s[1].size else 0)
            if strip.size == 0 or min(strip.shape[:2]) < 24:
                continue
            out.append((to_frame_size(strip), f"{Path(str(val['paths'][i])).name}: hand-free strip"))
    return out


def no_hand_set(val: dict, count: int = NO_HAND_COUNT) -> HardSet:
    rng = np.random.default_rng([SEED, 99])
    found = np.flatnonzero(val["found"])
    painted = hand_painted_out(val, rng.permutation(found)[: count // 2 + count // 6], rng)[: count // 2]
    rest = count - len(painted)
    pictures = (blank_frames(rng, rest // 4) + noise_frames(rng, rest // 4)
                + room_frames(rng, rest - 2 * (rest // 4)) + painted)
    return HardSet(NO_HAND, [p for p, _ in pictures], np.full(len(pictures), -1, np.int64), [s for _, s in pictures])


def build(name: str, cache_path: str | Path = DEFAULT_CACHE) -> HardSet:
    val = load_cache(cache_path)["val"]
    return no_hand_set(val) if name == NO_HAND else hand_family(name, val)


# ---------------------------------------------------------------- what MediaPipe finds (cached)

def search_cache_path(name: str, work_dir: Path = ROOT / "runs") -> Path:
    return work_dir / f"rps_hard_{name.replace(' ', '_')}_v{VERSION}.npz"


def search_family(hard: HardSet, work_dir: Path = ROOT / "runs", verbose: bool = True) -> dict[str, np.ndarray]:
    """Landmarks of the largest hand in every picture (the app's search: retries and a second look at a smoothed
    copy), which step found it, which step found a bigger hand around it ("" if none did), and the second look's
    landmarks of the same hand (NaN where there is none)."""
    from rps.hands import find_hands_twice

    path = search_cache_path(hard.name, work_dir)
    if path.exists():
        with np.load(path) as data:
            if len(data["found"]) == len(hard.images):
                return {key: data[key] for key in data.files}
    found, points, looks, steps, bigger, tries, seconds = [], [], [], [], [], [], []
    began = time.perf_counter()
    for rgb in hard.images:
        report: dict = {}
        start = time.perf_counter()
        search = find_hands_twice(rgb, report=report)
        seconds.append(time.perf_counter() - start)
        hand = search.hands[0] if search.hands else None
        found.append(hand is not None)
        points.append(hand.points if hand is not None else np.zeros((21, 3), np.float32))
        looks.append(search.second_look if search.second_look is not None else np.full((21, 3), np.nan, np.float32))
        steps.append(report["step"] or "")
        bigger.append(report["bigger"] or "")
        tries.append(report["tries"])
    result = {"found": np.array(found), "points": np.stack(points), "second_look": np.stack(looks),
              "step": np.array(steps), "bigger": np.array(bigger),
              "tries": np.array(tries), "seconds": np.array(seconds)}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **result)
    if verbose:
        print(f"{hard.name}: hands in {sum(found)}/{len(found)} ({time.perf_counter() - began:.0f}s)", flush=True)
    return result


def no_hand_sheet(hard: HardSet, path: Path, columns: int = 10, side: int = 128) -> Path:
    """The painted-out no-hand pictures (not the synthetic ones) in a numbered grid."""
    tiles = []
    for number, k in enumerate(k for k, source in enumerate(hard.sources) if not source.startswith("synthetic")):
        tile = cv2.resize(hard.images[k], (side, side), interpolation=cv2.INTER_AREA).copy()
        cv2.putText(tile, str(number), (3, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 0, 0), 2)
        tiles.append(tile)
    tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % columns)
    sheet = np.vstack([np.hstack(tiles[r:r + columns]) for r in range(0, len(tiles), columns)])
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    return path


def second_looks(search: dict[str, np.ndarray]) -> list[np.ndarray | None]:
    """The cached second looks of `search_family` as HandSearch.second_look has them: None where there is none."""
    return [None if np.isnan(p).any() else p for p in search["second_look"]]


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the hard RPS validation families and cache MediaPipe on them.")
    parser.add_argument("--show", type=int, default=0, help="write this many examples per family to artifacts/rps_hard/")
    parser.add_argument("--show-no-hand", action="store_true",
                        help="write a numbered contact sheet of the painted-out no-hand pictures to artifacts/rps_hard/ "
                             "(to check by eye that none still shows a hand)")
    parser.add_argument("--cache", default=str(DEFAULT_CACHE))
    args = parser.parse_args()
    if args.show_no_hand:
        print("wrote", no_hand_sheet(build(NO_HAND, args.cache), ROOT / "artifacts" / "rps_hard" / "no_hand_sheet.jpg"))
    for name in FAMILIES + [NO_HAND]:
        hard = build(name, args.cache)
        search = search_family(hard)
        counts = {step: int((search["step"] == step).sum()) for step in np.unique(search["step"])}
        print(f"{name}: {len(hard.images)} pictures, found by step {counts}, "
              f"median {1000 * np.median(search['seconds']):.0f} ms")
        if args.show:
            out = ROOT / "artifacts" / "rps_hard"
            out.mkdir(parents=True, exist_ok=True)
            for k in range(min(args.show, len(hard.images))):
                index = k * len(hard.images) // args.show
                cv2.imwrite(str(out / f"{name.replace(' ', '_')}_{k}.jpg"), cv2.cvtColor(hard.images[index], cv2.COLOR_RGB2BGR))


if __name__ == "__main__":
    main()


# ---------------------------------------------------------------- reading the families with the app's code

PLAIN = "plain"


def plain_set(cache_path: str | Path = DEFAULT_CACHE) -> tuple[HardSet, dict[str, np.ndarray]]:
    """All SubhiH photos as they are, searched the app's way (cached in runs/ like a family)."""
    val = load_cache(cache_path)["val"]
    images = [read_rgb(str(p)) for p in val["paths"]]
    hard = HardSet(PLAIN, images, val["labels"].astype(np.int64), [Path(str(p)).name for p in val["paths"]])
    return hard, search_family(hard)


def family_with_search(name: str) -> tuple[HardSet, dict[str, np.ndarray]]:
    """A hard family (or the plain set) and its hand search, from the caches in runs/ when they are there."""
    if name == PLAIN:
        return plain_set()
    hard = build(name)
    return hard, search_family(hard, verbose=False)


@dataclass
class FamilyReading:
    member_probs: dict[str, np.ndarray]   # model name -> N x 3 (NaN rows: landmarks without a hand)
    found: np.ndarray                     # the hand search found a hand
    labels: np.ndarray                    # class index, -1 for no hand
    fit_split: np.ndarray                 # True: used to fit calibration/thresholds (SubhiH "train" split)


# The FamilyReading arrays besides member_probs, as stored in the readings cache.
READING_FIELDS = ["found", "labels", "fit_split"]


def read_family(hard: HardSet, search: dict[str, np.ndarray], members=("landmarks", "efficientnet_lite0", "lenet")
                ) -> FamilyReading:
    """Every member model's probabilities on every picture, through the app's own masking and models."""
    from rps.hands import Hand
    from rps.masking import mask_hand
    from rps.predict import member_probabilities

    crops, points = [], []
    looks = second_looks(search)
    for rgb, has_hand, hand_points in zip(hard.images, search["found"], search["points"]):
        hand = Hand(hand_points, "", 1.0) if has_hand else None
        view = mask_hand(rgb, hand)
        crops.append(view.crop)
        points.append(hand_points if has_hand else None)
    probs = {name: member_probabilities(name, crops, points, looks) for name in members}
    return FamilyReading(probs, np.asarray(search["found"], bool), hard.labels, fit_split(hard.sources))


def fit_split(sources: list[str]) -> np.ndarray:
    """Which pictures may be used to fit calibration and thresholds: those made from SubhiH's own "train"
    split (and every other synthetic picture); the rest ("test" split) is only reported on."""
    synthetic = [k for k, s in enumerate(sources) if s.startswith("synthetic")]
    out = np.array([s.startswith("train__") for s in sources])
    out[synthetic[::2]] = True
    return out


def checkpoints_digest(names=("landmarks", "efficientnet_lite0", "lenet")) -> str:
    """Short digest of the model files the readings depend on (a new model means new readings)."""
    import hashlib
    import json

    from rps.predict import CHECKPOINTS

    digest = hashlib.sha256()
    for name in names:
        path = CHECKPOINTS / f"rps_{name}.json"
        if path.exists():
            digest.update(json.loads(path.read_text())["weights"]["sha256"].encode())
    return digest.hexdigest()[:12]


def read_all(cache_path: str | Path = DEFAULT_CACHE, verbose: bool = True,
             work_dir: Path = ROOT / "runs") -> dict[str, FamilyReading]:
    """The plain SubhiH set, every hard family and the no-hand pictures, read by every member model.
    Kept in runs/ per set of model files, so `rps.calibrate` and `rps.evaluate` read the pictures once."""
    path = work_dir / f"rps_readings_{checkpoints_digest()}_v{VERSION}.npz"
    if path.exists():
        return load_readings(path)
    readings = _read_all(cache_path, verbose)
    arrays = {}
    for name, reading in readings.items():
        for member, probs in reading.member_probs.items():
            arrays[f"{name}/probs/{member}"] = probs
        for field in READING_FIELDS:
            arrays[f"{name}/{field}"] = getattr(reading, field)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return readings


def load_readings(path: Path) -> dict[str, FamilyReading]:
    with np.load(path) as data:
        names = sorted({key.split("/")[0] for key in data.files if "/" in key})
        out = {}
        for name in names:
            probs = {key.split("/")[2]: data[key] for key in data.files if key.startswith(f"{name}/probs/")}
            fields = {field: data[f"{name}/{field}"] for field in READING_FIELDS}
            out[name] = FamilyReading(probs, **fields)
    return out


def _read_all(cache_path: str | Path, verbose: bool) -> dict[str, FamilyReading]:
    readings = {}
    began = time.perf_counter()
    plain, search = plain_set(cache_path)
    readings[PLAIN] = read_family(plain, search)
    for name in FAMILIES + [NO_HAND]:
        hard = build(name, cache_path)
        readings[name] = read_family(hard, search_family(hard, verbose=verbose))
        if verbose:
            print(f"read {name} ({time.perf_counter() - began:.0f}s)", flush=True)
    return readings
