"""Training images that look like the real world: chroma-keyed hands on made-up rooms, turned and re-lit.

    mask = chroma_mask(rgb)                           # exact hand mask of a drgfreeman image (green -> 0)
    out = composite(rgb, mask, background(rng, h, w)) # the hand on another background
    out, points = random_pose(out, rng, points)       # rotate / flip / scale (landmarks follow)
    out = photometric(out, rng)                       # colour jitter, blur, noise, JPEG-like softness

Backgrounds are procedural (flat colours, gradients, noise, smooth "wall" textures, rectangles like doors,
shelves and posters, skin-coloured blobs like faces and arms): no downloaded images. Everything works on
RGB uint8 numpy arrays and a `numpy.random.Generator`, so a run is reproducible from its seed.
"""
from __future__ import annotations

import cv2
import numpy as np

from rps.masking import GREEN, crop_transform, landmark_mask


def chroma_mask(rgb: np.ndarray) -> np.ndarray:
    """0/255 mask of everything that is not chroma green, cleaned (holes filled, specks removed, largest blob)."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    hue, sat, val = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    # OpenCV hue is 0..179; the drgfreeman green sits at 51..71 with saturation > 100.
    green = (hue >= 40) & (hue <= 85) & (sat >= 70) & (val >= 40)
    mask = np.where(green, 0, 255).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    if count > 1:
        biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        mask = np.where(labels == biggest, 255, 0).astype(np.uint8)
    return mask


def despill(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Remove the green cast the chroma screen leaves on hand edges: cap G at max(R, B) near the border."""
    out = rgb.copy()
    edge = cv2.dilate(mask, np.ones((7, 7), np.uint8)) & ~cv2.erode(mask, np.ones((7, 7), np.uint8))
    r, g, b = out[:, :, 0].astype(np.int16), out[:, :, 1].astype(np.int16), out[:, :, 2].astype(np.int16)
    capped = np.minimum(g, np.maximum(r, b))
    out[:, :, 1] = np.where(edge > 0, capped, g).astype(np.uint8)
    return out


# ---------------------------------------------------------------- procedural backgrounds

def _smooth_noise(rng, height, width, cells) -> np.ndarray:
    small = rng.random((max(2, height // cells), max(2, width // cells))).astype(np.float32)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def _room_colour(rng) -> np.ndarray:
    """Walls, furniture, clothes: mostly muted, sometimes bright."""
    if rng.random() < 0.7:
        base = rng.uniform(60, 235)
        return np.clip(base + rng.normal(0, 25, 3), 0, 255)
    return rng.uniform(0, 255, 3)


def background(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """One random background image, RGB uint8."""
    kind = rng.integers(0, 5)
    if kind == 0:  # flat colour
        image = np.ones((height, width, 3), np.float32) * _room_colour(rng)
    elif kind == 1:  # gradient between two colours (light falling on a wall)
        t = np.linspace(0, 1, width if rng.random() < 0.5 else height, dtype=np.float32)
        t = t[None, :, None] if t.size == width else t[:, None, None]
        image = (1 - t) * _room_colour(rng) + t * _room_colour(rng)
        image = np.broadcast_to(image, (height, width, 3)).copy()
    elif kind == 2:  # coloured noise at some scale (carpets, brick, foliage)
        cells = int(rng.choice([2, 6, 16, 40]))
        image = np.stack([_smooth_noise(rng, height, width, cells) for _ in range(3)], -1) * 255
        image = 0.5 * image + 0.5 * _room_colour(rng)
    else:  # a room: a wall with rectangles (doors, shelves, screens, posters) and maybe a person-like blob
        image = np.ones((height, width, 3), np.float32) * _room_colour(rng)
        image *= (0.8 + 0.4 * _smooth_noise(rng, height, width, 60))[:, :, None]
        for _ in range(rng.integers(1, 6)):
            x0, y0 = rng.integers(0, width), rng.integers(0, height)
            x1, y1 = x0 + rng.integers(width // 10, width), y0 + rng.integers(height // 10, height)
            cv2.rectangle(image, (int(x0), int(y0)), (int(x1), int(y1)), _room_colour(rng).tolist(), -1)
        if rng.random() < 0.5:  # a face / arm in skin tones: the hard case for skin-colour masking
            skin = np.array([rng.uniform(90, 240), 0, 0])
            skin[1], skin[2] = skin[0] * rng.uniform(0.65, 0.8), skin[0] * rng.uniform(0.5, 0.7)
            centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            axes = (int(rng.integers(width // 8, width // 3)), int(rng.integers(height // 6, height // 2)))
            cv2.ellipse(image, centre, axes, float(rng.uniform(0, 180)), 0, 360, skin.tolist(), -1)
    image = image.astype(np.float32) + rng.standard_normal((height, width, 1), np.float32) * rng.uniform(0, 8)
    return np.clip(image, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- compositing and geometry

def composite(rgb: np.ndarray, mask: np.ndarray, backdrop: np.ndarray, feather: int = 3) -> np.ndarray:
    """Hand pixels of `rgb` (where `mask`) over `backdrop`, with a soft edge like a real photo's."""
    alpha = mask.astype(np.float32) / 255
    if feather:
        alpha = cv2.GaussianBlur(alpha, (2 * feather + 1, 2 * feather + 1), 0)
    alpha = alpha[:, :, None]
    return (alpha * rgb + (1 - alpha) * backdrop).astype(np.uint8)


def random_pose(rgb: np.ndarray, rng: np.random.Generator, points: np.ndarray | None = None,
                mask: np.ndarray | None = None, max_degrees: float = 180.0, scale=(0.8, 1.15)):
    """Rotate about the centre (any angle: hands point up, sideways, down), scale, maybe flip left/right.

    Returns (image, points, mask) with the landmarks and mask moved the same way (None stays None).
    """
    height, width = rgb.shape[:2]
    angle = float(rng.uniform(-max_degrees, max_degrees))
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, float(rng.uniform(*scale)))
    if rng.random() < 0.5:
        matrix = np.array([[-1, 0, width - 1], [0, 1, 0], [0, 0, 1]], np.float64)[:2] @ np.vstack([matrix, [0, 0, 1]])
    out = cv2.warpAffine(rgb, matrix, (width, height), borderMode=cv2.BORDER_CONSTANT)
    moved_mask = None if mask is None else cv2.warpAffine(mask, matrix, (width, height), flags=cv2.INTER_NEAREST)
    moved = None
    if points is not None:
        moved = points.copy()
        moved[:, :2] = points[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    return out, moved, moved_mask


def photometric(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Brightness, contrast, colour cast (white balance), blur and sensor noise."""
    image = rgb.astype(np.float32)
    image = image * rng.uniform(0.6, 1.3) + rng.uniform(-30, 30)
    image = image * rng.uniform(0.8, 1.2, 3).astype(np.float32)  # white balance
    grey = image.mean(2, keepdims=True)
    image = grey + (image - grey) * rng.uniform(0.5, 1.3)        # saturation
    if rng.random() < 0.3:
        sigma = float(rng.uniform(0.5, 1.8))
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    image = image + rng.standard_normal(image.shape, np.float32) * rng.uniform(0, 6)
    return np.clip(image, 0, 255).astype(np.uint8)


def darken_skin(rgb: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The training hands are all light-skinned; vary the skin tone inside the mask (darker, warmer)."""
    factor = rng.uniform(0.35, 1.05)
    tint = np.array([1.0, rng.uniform(0.85, 1.0), rng.uniform(0.75, 1.0)]) * factor
    inside = (mask > 127)[:, :, None]
    return np.where(inside, np.clip(rgb * tint, 0, 255), rgb).astype(np.uint8)


def extend_arm(rgb: np.ndarray, mask: np.ndarray, points: np.ndarray | None = None, fraction: float = 0.5):
    """Continue the forearm past the right edge (drgfreeman hands enter from the right) by repeating the
    edge column, so that after a rotation the arm still reaches out of the picture instead of ending mid-air."""
    pad = round(fraction * rgb.shape[1])
    rgb = cv2.copyMakeBorder(rgb, 0, 0, 0, pad, cv2.BORDER_REPLICATE)
    mask = cv2.copyMakeBorder(mask, 0, 0, 0, pad, cv2.BORDER_REPLICATE)
    return rgb, mask, points


def composited_sample(rgb: np.ndarray, rng: np.random.Generator, points: np.ndarray | None = None,
                      mask: np.ndarray | None = None):
    """A drgfreeman image -> the same hand on a random background, random pose and lighting.

    Returns (image, points, mask) where `points`/`mask` follow the pose (or are None). The image is
    wider than the input (the arm is extended, see `extend_arm`).
    """
    mask = chroma_mask(rgb) if mask is None else mask
    hand = despill(rgb, mask)
    if rng.random() < 0.5:
        hand = darken_skin(hand, mask, rng)
    hand, mask, points = extend_arm(hand, mask, points)
    # Pose the cut-out hand first, then lay it on the background: no mirrored copies at the borders.
    hand, points, mask = random_pose(hand, rng, points, mask)
    image = composite(hand, mask, background(rng, *hand.shape[:2]))
    return photometric(image, rng), points, mask


def masked_training_crop(rgb: np.ndarray, mask: np.ndarray, points: np.ndarray, rng: np.random.Generator,
                         side: int = 160, background_colour=GREEN, after=()) -> np.ndarray:
    """What rps.masking.mask_hand makes of a real photo, made from a green-screen one, directly at crop size.

    `after`: functions applied to the composited crop before the mask (see `hard_training_crop`).
    The crop is upright and thumb-right whatever the pose, so rotating the whole photo first would be wasted
    work: only a small jitter of the crop (angle, scale, shift) is added. The hand lands on a random background
    (the landmark mask keeps a rim of it, as on real photos), is re-lit, and the rest becomes chroma green.
    """
    matrix = np.vstack([crop_transform(points, side), [0, 0, 1]])
    jitter = cv2.getRotationMatrix2D((side / 2, side / 2), float(rng.uniform(-15, 15)), float(rng.uniform(0.9, 1.1)))
    jitter[:, 2] += rng.uniform(-0.05, 0.05, 2) * side
    matrix = (np.vstack([jitter, [0, 0, 1]]) @ matrix)[:2]
    hand = despill(rgb, mask)
    if rng.random() < 0.5:
        hand = darken_skin(hand, mask, rng)
    # Replicated borders continue the forearm out of the crop, as a real arm would.
    hand = cv2.warpAffine(hand, matrix, (side, side), borderMode=cv2.BORDER_REPLICATE)
    hand_mask = cv2.warpAffine(mask, matrix, (side, side), flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_REPLICATE)
    image = photometric(composite(hand, hand_mask, background(rng, side, side), feather=1), rng)
    for change in after:  # what the camera does to the whole picture (blur, noise, JPEG), before masking
        image = change(image)
    moved = points.copy()
    moved[:, :2] = points[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    keep = landmark_mask(moved, (side, side)) > 127
    return np.where(keep[:, :, None], image, np.array(background_colour, np.uint8)).astype(np.uint8)


# ---------------------------------------------------------------- the hard cases (rps.hard names the families)

def motion_blur(rgb: np.ndarray, rng: np.random.Generator, longest: float = 0.2) -> np.ndarray:
    """A hand moving while the frame is grabbed: a line kernel up to `longest` of the picture, any direction."""
    length = max(3, int(rng.uniform(0.04, longest) * max(rgb.shape[:2])))
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2] = 1
    turn = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), float(rng.uniform(0, 180)), 1.0)
    kernel = cv2.warpAffine(kernel, turn, (length, length))
    return cv2.filter2D(rgb, -1, kernel / kernel.sum(), borderType=cv2.BORDER_REPLICATE)


def low_light(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A dim room: much darker, then sensor noise (grain and colour speckle) on top."""
    image = rgb.astype(np.float32) * rng.uniform(0.1, 0.4)
    image += rng.standard_normal(image.shape[:2] + (1,), np.float32) * rng.uniform(1, 6)
    image += rng.standard_normal(image.shape, np.float32) * rng.uniform(1, 6)
    return np.clip(image, 0, 255).astype(np.uint8)


def jpeg_artefacts(rgb: np.ndarray, rng: np.random.Generator, worst: int = 5, best: int = 40) -> np.ndarray:
    quality = int(rng.integers(worst, best))
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def close_up(rgb: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Part of the picture around the hand, as when the hand is close to the camera or cut by the frame."""
    ys, xs = np.nonzero(mask > 127)
    if len(xs) < 10:
        return rgb
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    side = max(16, rng.uniform(0.5, 1.1) * max(x1 - x0, y1 - y0))
    cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
    scale = 320 / side
    matrix = np.array([[scale, 0, 160 - scale * cx], [0, scale, 160 - scale * cy]])
    return cv2.warpAffine(rgb, matrix, (320, 320), borderMode=cv2.BORDER_REPLICATE)


def cut_by_frame(rgb: np.ndarray, mask: np.ndarray, points: np.ndarray, rng: np.random.Generator):
    """The frame's edge cuts 10-50 % of the hand away at a random side. The landmarks stay whole (MediaPipe
    guesses the points it cannot see), in the cut image's coordinates: (rgb, mask, points)."""
    x0, y0 = points[:, :2].min(0)
    x1, y1 = points[:, :2].max(0)
    fraction = rng.uniform(0.1, 0.5)
    height, width = rgb.shape[:2]
    moved = points.copy()
    side = rng.integers(4)
    if side == 0:
        left = int(np.clip(x0 + fraction * (x1 - x0), 0, width - 8))
        rgb, mask = rgb[:, left:], mask[:, left:]
        moved[:, 0] -= left
    elif side == 1:
        right = int(np.clip(x1 - fraction * (x1 - x0), 8, width))
        rgb, mask = rgb[:, :right], mask[:, :right]
    elif side == 2:
        top = int(np.clip(y0 + fraction * (y1 - y0), 0, height - 8))
        rgb, mask = rgb[top:], mask[top:]
        moved[:, 1] -= top
    else:
        bottom = int(np.clip(y1 - fraction * (y1 - y0), 8, height))
        rgb, mask = rgb[:bottom], mask[:bottom]
    return np.ascontiguousarray(rgb), np.ascontiguousarray(mask), moved


def hard_training_crop(rgb: np.ndarray, mask: np.ndarray, points: np.ndarray, rng: np.random.Generator,
                       side: int = 160, background_colour=GREEN) -> np.ndarray:
    """`masked_training_crop` with one of the hard cases of real webcams: the hand cut by the frame edge,
    motion blur, a dim noisy room, or heavy JPEG (or two of them)."""
    kinds = rng.choice(["cut", "blur", "dark", "jpeg"], size=1 + int(rng.random() < 0.3), replace=False)
    if "cut" in kinds:
        rgb, mask, points = cut_by_frame(rgb, mask, points, rng)
    after = []
    if "blur" in kinds:
        after.append(lambda image: motion_blur(image, rng))
    if "dark" in kinds:
        after.append(lambda image: low_light(image, rng))
    if "jpeg" in kinds:
        after.append(lambda image: jpeg_artefacts(image, rng))
    return masked_training_crop(rgb, mask, points, rng, side, background_colour, after=after)


# ---------------------------------------------------------------- real photos (hands MediaPipe found in real rooms)

def foreshortened(rgb: np.ndarray, points: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The hand seen from another angle: a random perspective warp around it, squeezed across (a palm seen
    edge-on) or along the fingers (a V pointing at the camera). Landmarks follow. (rgb, points)"""
    height, width = rgb.shape[:2]
    centre = points[:, :2].mean(0)
    along = points[9, :2] - points[0, :2]   # wrist -> middle knuckle
    angle = np.arctan2(along[1], along[0])
    squeeze = rng.uniform(0.35, 0.8)
    # Squeeze along the fingers or across them, in the hand's own frame.
    turn = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    scale = np.diag([squeeze, 1.0] if rng.random() < 0.5 else [1.0, squeeze])
    linear = turn.T @ scale @ turn
    matrix = np.eye(3)
    matrix[:2, :2] = linear
    matrix[:2, 2] = centre - linear @ centre
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    moved = (corners + rng.uniform(-0.12, 0.12, (4, 2)) * [width, height]).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(corners, moved) @ matrix
    out = cv2.warpPerspective(rgb, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
    warped = points.copy()
    warped[:, :2] = cv2.perspectiveTransform(points[None, :, :2].astype(np.float64), matrix)[0]
    warped[:, 2] *= np.sqrt(abs(np.linalg.det(linear)))
    return out, warped


def cut_at_top(rgb: np.ndarray, points: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A close-up: the fingertips leave the top of the frame and the forearm enters from the bottom (the frame
    ends a little below the wrist). (rgb, points in the cut frame's coordinates)"""
    height = rgb.shape[0]
    y0, y1 = points[:, 1].min(), points[:, 1].max()
    top = int(np.clip(y0 + rng.uniform(0.05, 0.3) * (y1 - y0), 0, height - 16))
    bottom = int(np.clip(points[0, 1] + rng.uniform(0.0, 0.3) * (y1 - y0), top + 16, height))
    moved = points.copy()
    moved[:, 1] -= top
    return np.ascontiguousarray(rgb[top:bottom]), moved


def low_resolution(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 224 px (or smaller) frame scaled back up, as a small upload or a low-res webcam gives it."""
    longest = max(rgb.shape[:2])
    factor = min(1.0, rng.uniform(100, 224) / longest)
    small = cv2.resize(rgb, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_LINEAR)


REAL_FAMILIES = ["as it is", "motion blur", "cut at the top", "foreshortened", "low resolution"]


def real_photo_variant(rgb: np.ndarray, points: np.ndarray, rng: np.random.Generator,
                       kind: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A real photo with MediaPipe's landmarks of its hand, changed the way the issue's failures look: motion
    blur along any direction, fingertips cut at the top, another viewing angle, a low-resolution frame; or left
    as it is. Landmarks follow the change. (rgb, points)"""
    kind = kind or REAL_FAMILIES[rng.integers(len(REAL_FAMILIES))]
    if kind == "motion blur":
        return motion_blur(rgb, rng, 0.15), points
    if kind == "cut at the top":
        return cut_at_top(rgb, points, rng)
    if kind == "foreshortened":
        return foreshortened(rgb, points, rng)
    if kind == "low resolution":
        return low_resolution(rgb, rng), points
    return rgb, points
