"""Batched augmentation of digit images, on whole tensors (cheap on a CPU: no per-image Python).

One `grid_sample` call applies a random affine map (rotation, scale, aspect, shear, shift) plus an
elastic distortion (a smooth random displacement field) to every image of a batch; a 3x3 max-pool or
min-pool then thickens or thins the strokes of some images (people draw with any brush width).

    transform = make_batch_transform("strokes")      # or "none": only scaling and normalisation
    images, labels = transform(uint8_images, labels) # N x 1 x 28 x 28 uint8 -> normalised float
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from mnist.data import normalise


@dataclass
class AugmentConfig:
    max_rotation_degrees: float = 12.0
    scale_range: tuple[float, float] = (0.85, 1.1)
    max_aspect_log: float = 0.12     # width/height ratio changes by up to exp(+-0.12) ~ 13 %
    max_shear: float = 0.2
    max_shift: float = 0.12          # fraction of half the image (0.12 ~ 1.7 px at 28 px)
    elastic_strength: float = 0.04   # displacement in the same units; the field is smooth at ~4 px
    thicken_probability: float = 0.2
    thin_probability: float = 0.15
    keep_probability: float = 0.1    # some images pass untouched, so clean digits stay in the mix


def uniform(n: int, low: float, high: float) -> torch.Tensor:
    return torch.empty(n).uniform_(low, high)


def random_affine_matrices(n: int, config: AugmentConfig) -> torch.Tensor:
    """N x 2 x 3 matrices for F.affine_grid (they map output to input coordinates; random either way)."""
    angle = uniform(n, -1, 1) * math.radians(config.max_rotation_degrees)
    scale = uniform(n, *config.scale_range)
    aspect = torch.exp(uniform(n, -config.max_aspect_log, config.max_aspect_log))
    shear = uniform(n, -config.max_shear, config.max_shear)
    cos, sin = torch.cos(angle), torch.sin(angle)
    sx, sy = 1 / (scale * aspect.sqrt()), aspect.sqrt() / scale
    matrices = torch.zeros(n, 2, 3)
    # rotation @ shear @ diag(sx, sy)
    matrices[:, 0, 0] = cos * sx
    matrices[:, 0, 1] = (cos * shear - sin) * sy
    matrices[:, 1, 0] = sin * sx
    matrices[:, 1, 1] = (sin * shear + cos) * sy
    matrices[:, :, 2] = uniform(2 * n, -config.max_shift, config.max_shift).view(n, 2)
    return matrices


def elastic_field(n: int, size: int, strength: float) -> torch.Tensor:
    """N x size x size x 2 smooth random displacements: random values on a 7x7 grid, upsampled bicubically."""
    coarse = torch.randn(n, 2, 7, 7) * strength
    return F.interpolate(coarse, size=(size, size), mode="bicubic", align_corners=False).permute(0, 2, 3, 1)


def change_stroke_width(images: torch.Tensor, config: AugmentConfig) -> torch.Tensor:
    n = images.shape[0]
    choice = torch.rand(n, 1, 1, 1)
    thick = F.max_pool2d(images, 3, stride=1, padding=1)
    thin = -F.max_pool2d(-images, 3, stride=1, padding=1)
    # A full 3x3 dilation doubles a 2 px stroke; blending halfway gives the in-between widths too.
    mix = torch.rand(n, 1, 1, 1) * 0.5 + 0.5
    images = torch.where(choice < config.thicken_probability, images + mix * (thick - images), images)
    thin_band = (choice >= config.thicken_probability) & (choice < config.thicken_probability + config.thin_probability)
    return torch.where(thin_band, images + mix * (thin - images), images)


def augment_batch(images: torch.Tensor, config: AugmentConfig = AugmentConfig()) -> torch.Tensor:
    """Random affine + elastic + stroke width on float images in 0..1, N x 1 x H x W."""
    n, _, height, width = images.shape
    grid = F.affine_grid(random_affine_matrices(n, config), list(images.shape), align_corners=False)
    grid = grid + elastic_field(n, height, config.elastic_strength)
    warped = F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    warped = change_stroke_width(warped, config)
    keep = torch.rand(n, 1, 1, 1) < config.keep_probability
    return torch.where(keep, images, warped)


def make_batch_transform(kind: str, config: AugmentConfig = AugmentConfig()):
    """`batch_transform` for common.training.fit: uint8 images -> (augmented) normalised floats."""
    if kind not in ("none", "strokes"):
        raise ValueError(f"unknown augmentation {kind!r}; choose 'none' or 'strokes'")

    def transform(images: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        images = images.float().div_(255.0)
        if kind == "strokes":
            images = augment_batch(images, config)
        return normalise(images), labels

    return transform
