"""Chroma keying and compositing of the green-screen training hands (rps.augment)."""
import numpy as np

from rps.augment import (background, chroma_mask, close_up, composite, composited_sample, masked_training_crop,
                         photometric)
from rps.masking import GREEN


def green_image_with_hand():
    rgb = np.zeros((120, 180, 3), np.uint8)
    rgb[:] = GREEN
    rgb[40:80, 60:180] = (210, 160, 130)  # a skin-coloured "arm" entering from the right
    return rgb


def test_chroma_mask_finds_exactly_the_hand():
    mask = chroma_mask(green_image_with_hand())
    assert mask.dtype == np.uint8 and set(np.unique(mask)) <= {0, 255}
    assert (mask[40:80, 60:180] == 255).mean() > 0.97
    outside = np.ones(mask.shape, bool)
    outside[38:82, 58:] = False
    assert (mask[outside] == 0).all()


def test_chroma_mask_removes_specks():
    rgb = green_image_with_hand()
    rgb[5:7, 5:7] = (200, 50, 50)  # a speck of dust on the screen
    assert chroma_mask(rgb)[5:7, 5:7].max() == 0


def test_backgrounds_and_composites_have_the_right_shapes_and_ranges():
    rng = np.random.default_rng(0)
    for _ in range(12):  # every background kind comes up
        back = background(rng, 50, 70)
        assert back.shape == (50, 70, 3) and back.dtype == np.uint8
    rgb = green_image_with_hand()
    mask = chroma_mask(rgb)
    out = composite(rgb, mask, background(rng, 120, 180))
    assert out.shape == rgb.shape and out.dtype == np.uint8
    assert np.abs(out[60, 120].astype(int) - (210, 160, 130)).max() < 3  # the hand is kept
    assert photometric(out, rng).shape == out.shape


def test_composited_sample_moves_points_with_the_image():
    rng = np.random.default_rng(1)
    rgb = green_image_with_hand()
    points = np.array([[100.0, 60.0, 0.0]] * 21, np.float32)
    image, moved, mask = composited_sample(rgb, rng, points)
    assert image.dtype == np.uint8 and image.shape[0] == rgb.shape[0] and image.shape[1] > rgb.shape[1]
    assert mask.shape == image.shape[:2] and moved.shape == points.shape
    x, y = np.round(moved[0, :2]).astype(int)
    assert mask[y, x] == 255  # the point on the hand is still on the hand


def test_masked_training_crop_is_a_square_with_green_outside_the_hand():
    rng = np.random.default_rng(2)
    rgb = green_image_with_hand()
    points = np.zeros((21, 3), np.float32)
    points[:, 0] = np.linspace(170, 70, 21)
    points[:, 1] = 60 + 10 * np.sin(np.arange(21))
    crop = masked_training_crop(rgb, chroma_mask(rgb), points, rng, side=96)
    assert crop.shape == (96, 96, 3) and crop.dtype == np.uint8
    assert (crop[0, 0] == GREEN).all()


def test_a_close_up_is_mostly_hand():
    """The hand seen from close by (a window at most 1.1 times the hand's size, centred on it): skin fills far more
    of the picture than before."""
    import cv2

    mask = cv2.circle(np.zeros((120, 180), np.uint8), (90, 60), 40, 255, -1)  # a round "fist"
    rng = np.random.default_rng(3)
    for _ in range(5):
        seen = close_up(np.repeat(mask[:, :, None], 3, axis=2), mask, rng)[:, :, 0]
        assert seen.shape == (320, 320)
        assert (seen > 127).mean() > 2 * (mask > 127).mean()
