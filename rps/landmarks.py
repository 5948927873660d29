"""Hand landmarks as model input: a pose-independent frame, joint-angle features, augmentation, synthetic scissors.

    canon = normalise_landmarks(points)     # 21 x 3: wrist at 0, wrist->middle knuckle = 1 and pointing up,
                                            # thumb side always on the right (mirror-free)
    x = landmark_features(points)           # 63 coordinates + 15 joint bend cosines = 78 floats

Why this frame: the training hands enter from the right and show the back of the hand; webcam hands point
up and show the palm, either hand. Removing translation, scale, in-plane rotation and mirroring (left hand,
or palm vs back seen in 2D) leaves only the finger pose, which is what rock/paper/scissors is.
"""
from __future__ import annotations

import numpy as np

from rps.hands import FINGERS

MIDDLE_KNUCKLE = 9
INDEX_KNUCKLE, PINKY_KNUCKLE = 5, 17
FEATURE_SIZE = 21 * 3 + 15


def normalise_landmarks(points: np.ndarray) -> np.ndarray:
    """21 x 3 landmarks (any units, image y down) -> canonical 21 x 3 float32 (see module docstring)."""
    points = np.asarray(points, np.float64)[:, :3].copy()
    points -= points[0]
    axis = points[MIDDLE_KNUCKLE, :2]
    length = float(np.hypot(*axis))
    if length < 1e-9:
        length = float(np.abs(points[:, :2]).max()) or 1.0
        axis = np.array([0.0, -1.0])
    # Rotate in the image plane so that wrist -> middle knuckle points up (-y).
    angle = -np.arctan2(axis[0], -axis[1])
    cos, sin = np.cos(angle), np.sin(angle)
    x, y = points[:, 0].copy(), points[:, 1].copy()
    points[:, 0] = cos * x - sin * y
    points[:, 1] = sin * x + cos * y
    points /= length
    # Mirror so the index knuckle is right of the pinky knuckle: left/right hand, palm/back look alike.
    if points[INDEX_KNUCKLE, 0] < points[PINKY_KNUCKLE, 0]:
        points[:, 0] *= -1
    return points.astype(np.float32)


def bend_cosines(points: np.ndarray) -> np.ndarray:
    """Cosine of the angle at each of the 15 finger joints (1 = straight, -1 = folded back): pose-invariant."""
    points = np.asarray(points, np.float64)
    values = []
    for chain in FINGERS.values():
        joints = (0,) + chain
        for a, b, c in zip(joints[:-2], joints[1:-1], joints[2:]):
            u, v = points[b] - points[a], points[c] - points[b]
            values.append(float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9)))
    return np.array(values, np.float32)


def landmark_features(points: np.ndarray) -> np.ndarray:
    canon = normalise_landmarks(points)
    return np.concatenate([canon.reshape(-1), bend_cosines(canon)]).astype(np.float32)


# ---------------------------------------------------------------- augmentation (training only)

def random_view(points: np.ndarray, rng: np.random.Generator, max_tilt_deg: float = 35.0) -> np.ndarray:
    """Turn the 3-D hand a little out of the image plane and mirror it, as another camera would see it."""
    points = np.asarray(points, np.float64)
    centred = points - points.mean(0)
    a, b = np.deg2rad(rng.uniform(-max_tilt_deg, max_tilt_deg, size=2))
    around_x = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    around_y = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    turned = centred @ (around_x @ around_y).T
    if rng.random() < 0.5:  # the same pose seen from the palm side
        turned[:, 0] *= -1
        turned[:, 2] *= -1
    return turned


def jitter(points: np.ndarray, rng: np.random.Generator, scale: float = 0.03) -> np.ndarray:
    """Landmark noise relative to the hand size (MediaPipe is off by a few pixels on real photos)."""
    size = np.ptp(points[:, :2], axis=0).max() or 1.0
    return points + rng.normal(0, scale * size, size=points.shape)


def l_scissors(open_hand: np.ndarray, fist: np.ndarray) -> np.ndarray:
    """The "L" scissors (thumb + index out, the rest curled): thumb and index of an open hand on a fist.

    Both inputs are canonical (normalise_landmarks), so the palms line up; the fist's curled middle, ring
    and pinky are kept, its thumb and index are replaced by the open hand's.
    """
    out = fist.copy()
    for finger in ("thumb", "index"):
        chain = list(FINGERS[finger])
        out[chain] = open_hand[chain] - open_hand[chain[0]] + fist[chain[0]]
    return out


def v_scissors(open_hand: np.ndarray, fist: np.ndarray) -> np.ndarray:
    """Index + middle out from a fist: more V-sign variety (thumb tucked or not)."""
    out = fist.copy()
    for finger in ("index", "middle"):
        chain = list(FINGERS[finger])
        out[chain] = open_hand[chain] - open_hand[chain[0]] + fist[chain[0]]
    return out

