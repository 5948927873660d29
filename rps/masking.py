"""Make a real photo look like the training data: cut the hand out, turn it upright, lay it on chroma green.

    view = mask_hand(rgb, hand)            # hand: rps.hands.Hand or None
    view.crop                              # CROP_SIDE^2 RGB uint8, what the image models see (resized by each)
    view.shown                             # the same with the landmarks drawn, for the UI
    view.message                           # what happened, in words

With a hand: a mask from the landmarks (convex hull of the palm + thick finger bones, dilated), a square
crop around it with a margin, rotated so that wrist -> middle knuckle points up and mirrored so that the
thumb side is on the right (the same frame as rps.landmarks), background replaced by the drgfreeman green.
Without a hand: skin-colour segmentation (YCrCb thresholds, largest blob), else the whole image centre-cropped.
With a hand, a dim frame is brightened first (`well_lit`): the models were trained on studio-lit hands.
`plain_view(rgb)` is the no-masking path: the centre square of the whole image, as the original project did.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from rps.hands import BONES, Hand, brightened, is_dim

# Median colour of the drgfreeman chroma background (measured on its corners).
GREEN = (37, 137, 47)
CROP_SIDE = 160
MARGIN = 0.25            # extra room around the landmarks' box, as a fraction of its size
BONE_WIDTH = 0.22        # finger thickness relative to the wrist -> middle knuckle length
DILATE = 0.08            # extra dilation of the mask, same unit


@dataclass
class HandView:
    crop: np.ndarray          # CROP_SIDE x CROP_SIDE x 3 uint8
    shown: np.ndarray         # crop with landmarks drawn
    message: str
    points: np.ndarray | None  # landmarks in crop pixels (None without a hand)


def palm_length(points: np.ndarray) -> float:
    return float(np.hypot(*(points[9, :2] - points[0, :2]))) or float(np.ptp(points[:, :2], 0).max()) or 1.0


def landmark_mask(points: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """uint8 0/255 mask of the hand drawn from its 21 landmarks (pixel coordinates of an image of `shape`)."""
    mask = np.zeros(shape[:2], np.uint8)
    xy = np.round(points[:, :2]).astype(np.int32)
    length = palm_length(points)
    palm = xy[[0, 1, 2, 5, 9, 13, 17]]
    cv2.fillConvexPoly(mask, cv2.convexHull(palm), 255)
    width = max(2, round(BONE_WIDTH * length))
    for a, b in BONES:
        cv2.line(mask, tuple(xy[a]), tuple(xy[b]), 255, width)
    for point in xy:
        cv2.circle(mask, tuple(point), width // 2, 255, -1)
    grow = max(1, round(DILATE * length))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
    return cv2.dilate(mask, kernel)


def crop_transform(points: np.ndarray, side: int = CROP_SIDE, margin: float = MARGIN) -> np.ndarray:
    """2x3 affine map from image pixels to an upright, thumb-right square crop around the hand."""
    vector = points[9, :2] - points[0, :2]
    angle = np.degrees(np.arctan2(vector[0], -vector[1]))  # how far the hand leans from "up"
    centre = (points[:, :2].min(0) + points[:, :2].max(0)) / 2
    rotation = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), float(angle), 1.0)
    turned = points[:, :2] @ rotation[:, :2].T + rotation[:, 2]
    mirror = turned[5, 0] < turned[17, 0]
    low, high = turned.min(0), turned.max(0)
    size = float((high - low).max()) * (1 + 2 * margin) or 1.0
    middle = (low + high) / 2
    scale = side / size
    # After rotating: mirror x if needed, scale, and move the box centre to the crop centre.
    flip = -1.0 if mirror else 1.0
    place = np.array([[flip * scale, 0, side / 2 - flip * scale * middle[0]],
                      [0, scale, side / 2 - scale * middle[1]],
                      [0, 0, 1]])
    return (place @ np.vstack([rotation, [0, 0, 1]]))[:2]


def _affine(matrix: np.ndarray) -> np.ndarray:
    return np.asarray(matrix, np.float64).reshape(2, 3)


def apply_affine(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    out = points.copy()
    out[:, :2] = points[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    return out


def well_lit(rgb: np.ndarray) -> np.ndarray:
    """A dim frame (mean lightness below rps.hands.DIM) brightened like the hand search's "brighten" retry, else the
    frame itself. The image models only saw studio-lit hands: on the dark family EfficientNet-Lite0 reading the
    brightened crop lifted the ensemble by 3 pictures (163 -> 166 of 180), closeup by 1, and changed nothing
    elsewhere (docs/rps.md, "Dim rooms").
    Only for a found hand: without one the app answers "no hand" and the fallback crop just shows the frame (when a
    presence head still judged that crop, brightening it named 3 more of the no-hand pictures)."""
    return brightened(rgb) if is_dim(rgb) else rgb


def mask_hand(rgb: np.ndarray, hand: Hand | None, side: int = CROP_SIDE, background=GREEN,
              mask: np.ndarray | None = None) -> HandView:
    """The masked, aligned crop of the hand, from the frame made `well_lit` (or a fallback when `hand` is None).
    `mask` overrides the landmark mask."""
    if hand is None:
        return fallback_view(rgb, side, background)
    rgb = well_lit(rgb)
    matrix = _affine(crop_transform(hand.points, side))
    hand_mask = landmark_mask(hand.points, rgb.shape) if mask is None else mask
    crop = cv2.warpAffine(rgb, matrix, (side, side), flags=cv2.INTER_AREA if _shrinks(matrix) else cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)
    crop_mask = cv2.warpAffine(hand_mask, matrix, (side, side), flags=cv2.INTER_NEAREST, borderValue=0)
    crop = np.where(crop_mask[:, :, None] > 127, crop, np.array(background, np.uint8)).astype(np.uint8)
    points = apply_affine(matrix, hand.points)
    return HandView(crop, draw_landmarks(crop, points), "hand masked", points)


def _shrinks(matrix: np.ndarray) -> bool:
    return abs(np.linalg.det(matrix[:, :2])) < 1.0


def plain_view(rgb: np.ndarray, side: int = CROP_SIDE, hand: Hand | None = None) -> HandView:
    """No masking: the centre square of the whole image (landmarks drawn if a hand is given)."""
    height, width = rgb.shape[:2]
    edge = min(height, width)
    top, left = (height - edge) // 2, (width - edge) // 2
    crop = cv2.resize(rgb[top:top + edge, left:left + edge], (side, side), interpolation=cv2.INTER_AREA)
    points = None
    if hand is not None:
        points = hand.points.copy()
        points[:, 0] = (points[:, 0] - left) * side / edge
        points[:, 1] = (points[:, 1] - top) * side / edge
    shown = draw_landmarks(crop, points) if points is not None else crop.copy()
    return HandView(crop, shown, "whole image, no masking", points)


def skin_mask(rgb: np.ndarray) -> np.ndarray:
    """0/255 mask of skin-coloured pixels (YCrCb box, the classic Chai & Ngan thresholds), largest blob only."""
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    cr, cb = ycrcb[:, :, 1], ycrcb[:, :, 2]
    mask = np.where((cr >= 133) & (cr <= 173) & (cb >= 77) & (cb <= 127), 255, 0).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    if count <= 1:
        return np.zeros_like(mask)
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return np.where(labels == biggest, 255, 0).astype(np.uint8)


def fallback_view(rgb: np.ndarray, side: int = CROP_SIDE, background=GREEN) -> HandView:
    """No landmarks: a skin-coloured blob if there is a plausible one, else the whole image."""
    skin = skin_mask(rgb)
    area = skin.mean() / 255
    if 0.03 < area < 0.8:
        ys, xs = np.nonzero(skin)
        x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
        size = max(x1 - x0, y1 - y0) * (1 + 2 * MARGIN)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        scale = side / size
        matrix = np.array([[scale, 0, side / 2 - scale * cx], [0, scale, side / 2 - scale * cy]])
        crop = cv2.warpAffine(rgb, matrix, (side, side), borderMode=cv2.BORDER_REPLICATE)
        crop_mask = cv2.warpAffine(skin, matrix, (side, side), flags=cv2.INTER_NEAREST)
        crop_mask = cv2.dilate(crop_mask, np.ones((7, 7), np.uint8))
        crop = np.where(crop_mask[:, :, None] > 127, crop, np.array(background, np.uint8)).astype(np.uint8)
        return HandView(crop, crop.copy(), "No hand found: using the skin-coloured area", None)
    view = plain_view(rgb, side)
    return HandView(view.crop, view.shown, "No hand found: using the whole image", None)


def draw_landmarks(rgb: np.ndarray, points: np.ndarray | None, scale_to: int = 256) -> np.ndarray:
    """A copy of `rgb` enlarged to `scale_to` with the 21 landmarks and bones drawn."""
    factor = scale_to / rgb.shape[0]
    shown = cv2.resize(rgb, (round(rgb.shape[1] * factor), scale_to), interpolation=cv2.INTER_LINEAR)
    if points is None:
        return shown
    xy = np.round(points[:, :2] * factor).astype(np.int32)
    for a, b in BONES:
        cv2.line(shown, tuple(xy[a]), tuple(xy[b]), (255, 255, 255), 2, cv2.LINE_AA)
    for point in xy:
        cv2.circle(shown, tuple(point), 3, (255, 60, 60), -1, cv2.LINE_AA)
    return shown
