"""Train one rock/paper/scissors model on the green-screen hands, evaluate on the real-room photos.

    python -m rps.cache                                          # once: MediaPipe landmarks of all images
    python -m rps.train --model landmarks                        # -> checkpoints/rps_landmarks.*
    python -m rps.train --model lenet --epochs 12                # -> checkpoints/rps_lenet.*  (regime "masked")
    python -m rps.train --model efficientnet_lite0 --epochs 6    # -> checkpoints/rps_efficientnet_lite0.*
    python -m rps.train --model lenet --regime plain             # ablation -> runs/rps_lenet_plain.*
    python -m rps.train --model lenet --dry-run --limit 24       # CI smoke test: one batch, nothing kept

Regimes for the image models (what the model sees in training -> at test time):
    plain      the green-screen photo, centre square           -> the real photo, centre square
    composite  the hand on a made-up room, any pose/lighting   -> the real photo, centre square
    masked     composite, then the landmark mask + upright crop (rps.masking) -> the same on the real photo
The landmarks model sees landmarks only (plus synthetic "L" scissors, see rps.landmarks).
Validation: the SubhiH photos (people in rooms), never used for choosing anything but the regime.
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from common.checkpoint import save_checkpoint
from common.images import flatten_alpha, open_image
from common.training import fit, predict, set_seed
from rps.augment import chroma_mask, composited_sample, hard_training_crop, masked_training_crop
from rps.cache import DEFAULT_CACHE, load_cache
from rps.data import CLASSES
from rps.hands import Hand
from rps.landmarks import (jitter, l_scissors, landmark_features, normalise_landmarks, random_view,
                           v_scissors)
from rps.masking import CROP_SIDE, fallback_view, mask_hand, plain_view
from rps.model import PREPROCESSING, build_model, image_batch, load_pretrained_lite0
from rps.negatives import SOURCES as NEGATIVE_SOURCES

ROOT = Path(__file__).resolve().parents[1]
REGIMES = ["plain", "composite", "masked"]
EDGE_ON_TILT = 75.0


@dataclass
class TrainConfig:
    model: str = "lenet"
    regime: str = "masked"
    epochs: int = 10
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-4
    seed: int = 0
    threads: int = 2
    limit: int | None = None
    dry_run: bool = False
    cache: str = str(DEFAULT_CACHE)
    out: str | None = None
    work_dir: str = str(ROOT / "runs")   # where the crop and trunk-feature caches go
    samples_per_epoch: int = 0   # landmarks: how many synthetic-augmented samples make an epoch
    freeze_stages: int = 5       # efficientnet_lite0: keep the stem and this many early stages as pretrained
    variants: int = 3            # image models: augmented crops made per training image
    tilt: float = 35.0           # landmarks: largest out-of-plane turn (degrees) in augmentation
    hard: float = 0.0            # image models, masked: share of crops with a hard case (rps.augment.hard_training_crop)
    fallback: float = 0.0        # image models, masked: share of crops made as when MediaPipe misses the hand
    extra_dir: str | None = None  # landmarks: also learn from real photos in <dir>/{rock,paper,scissors}/ (corrections)
    people_cache: str | None = None  # real hands of the "train" people (python -m rps.people cache); the "tune"
                                     # people then replace SubhiH as the epochs' validation
    edge_on: float = 0.0         # landmarks: share of samples turned up to EDGE_ON_TILT (a palm or V seen edge-on)
    degraded_cache: str | None = None  # also learn from bad pictures (rps.people_families --train-cache): landmarks
                                       # models from MediaPipe's landmarks, image models from the app's crops
    negatives: str | None = None  # image models: non-hand crops (python -m rps.negatives), taught the uniform answer
    extra: dict = field(default_factory=dict)


def default_out(config: TrainConfig) -> Path:
    """Shipped models (the app's regime) go to checkpoints/; ablations to runs/ (git-ignored)."""
    if config.model == "landmarks" or config.regime == "masked":
        return ROOT / "checkpoints" / f"rps_{config.model}"
    return ROOT / "runs" / f"rps_{config.model}_{config.regime}"


# ---------------------------------------------------------------- images

def read_rgb(path: str) -> np.ndarray:
    return np.asarray(flatten_alpha(open_image(path)))


def test_view(rgb: np.ndarray, points: np.ndarray | None, regime: str) -> np.ndarray:
    """What a model of `regime` sees of a real photo (the same code the app runs)."""
    if regime == "masked":
        hand = Hand(points, "", 1.0) if points is not None else None
        return mask_hand(rgb, hand).crop
    return plain_view(rgb).crop


class GreenScreenImages:
    """drgfreeman images -> training crops of one regime (a fresh random variant on every call of `crop`)."""

    def __init__(self, images, masks, points, regime: str, seed: int, hard: float = 0.0, fallback: float = 0.0):
        self.images, self.masks, self.points = images, masks, points
        self.regime = regime
        self.rng = np.random.default_rng(seed)
        self.hard, self.fallback = hard, fallback

    def crop(self, index: int) -> np.ndarray:
        rgb, points = self.images[index], self.points[index]
        if self.regime == "plain":
            return plain_view(rgb[:, ::-1] if self.rng.random() < 0.5 else rgb).crop
        if self.regime == "masked":
            roll = self.rng.random()
            if roll < self.fallback:  # no landmarks: the app masks the skin-coloured blob, unturned
                image, _, _ = composited_sample(rgb, self.rng, points, self.masks[index])
                return fallback_view(image, CROP_SIDE).crop
            if roll < self.fallback + self.hard:
                return hard_training_crop(rgb, self.masks[index], points, self.rng, CROP_SIDE)
            return masked_training_crop(rgb, self.masks[index], points, self.rng, CROP_SIDE)
        image, _, _ = composited_sample(rgb, self.rng, points, self.masks[index])
        return plain_view(image).crop


def crops_path(kind: str, config: TrainConfig) -> Path:
    suffix = f"_limit{config.limit}" if config.limit else ""
    if config.hard or config.fallback:
        suffix += f"_hard{config.hard:g}_fb{config.fallback:g}"
    return Path(config.work_dir) / f"rps_crops_{kind}_{config.regime}_v{config.variants}_s{config.seed}{suffix}.npz"


def training_crops(config: TrainConfig, cache: dict) -> tuple[np.ndarray, np.ndarray]:
    """`variants` augmented crops of every training image, made once and cached under runs/.

    Making crops costs more CPU than training LeNet on them, and the machine is shared: a fixed set of
    variants, reused by every model and epoch, is the economical choice.
    """
    path = crops_path("train", config)
    if path.exists() and not config.dry_run:
        with np.load(path) as data:
            return data["crops"], data["labels"]
    train = cache["train"]
    keep = np.arange(len(train["labels"]))
    if config.regime == "masked":  # the masked crop needs landmarks; the few misses are left out
        keep = keep[train["found"][keep]]
    if config.limit:
        keep = np.random.default_rng(config.seed).permutation(keep)[: config.limit]
    images = [read_rgb(str(p)) for p in train["paths"][keep]]
    masks = [chroma_mask(rgb) for rgb in images]
    points = [train["points"][i] if train["found"][i] else None for i in keep]
    maker = GreenScreenImages(images, masks, points, config.regime, config.seed, config.hard, config.fallback)
    crops = np.stack([maker.crop(i) for _ in range(config.variants) for i in range(len(keep))])
    labels = np.tile(train["labels"][keep], config.variants)
    if not config.dry_run:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, crops=crops, labels=labels)
    return crops, labels


def validation_crops(config: TrainConfig, cache: dict) -> tuple[np.ndarray, np.ndarray]:
    """The real photos as a model of `config.regime` sees them (cached under runs/, shared by all runs)."""
    view = "masked" if config.regime == "masked" else "plain"
    limit = f"_limit{config.limit}" if config.limit else ""
    path = Path(config.work_dir) / f"rps_crops_val_{view}{limit}.npz"
    if path.exists() and not config.dry_run:
        with np.load(path) as data:
            return data["crops"], data["labels"]
    val = cache["val"]
    index = np.arange(len(val["labels"]))[: config.limit or None]
    crops = np.stack([test_view(read_rgb(str(val["paths"][i])), val["points"][i] if val["found"][i] else None,
                                view) for i in index])
    labels = val["labels"][index]
    if not config.dry_run:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, crops=crops, labels=labels)
    return crops, labels


def image_sets(config: TrainConfig, cache: dict):
    preprocessing = PREPROCESSING[config.model]
    train_crops, train_labels = training_crops(config, cache)
    if config.degraded_cache and config.regime == "masked":
        # What the app's own search and masking make of badly photographed training hands: crops masked by
        # landmarks that came out wrong, fallback crops where no hand was found. No recipe imitates those.
        degraded = load_cache(config.degraded_cache)["train"]
        train_crops = np.concatenate([train_crops, degraded["crops"]])
        train_labels = np.concatenate([train_labels, degraded["crop_labels"]])
        print(f"crops of badly photographed copies, as the app sees them: {len(degraded['crops'])}")
    if config.negatives:
        with np.load(config.negatives) as data:
            negatives = data["crops"]
        train_crops = np.concatenate([train_crops, negatives])
        train_labels = np.concatenate([train_labels, np.full(len(negatives), NOT_A_HAND)])
        print(f"crops of things that are not hands (outlier exposure): {len(negatives)}")
    val_crops, val_labels = validation_crops(config, cache)
    if config.people_cache and config.regime == "masked":
        real_crops, real_labels = real_training_crops(config)
        train_crops = np.concatenate([train_crops, real_crops])
        train_labels = np.concatenate([train_labels, real_labels])
        people = load_cache(config.people_cache)["hands"]
        val_crops, val_labels = people["crop"][people["role"] == "tune"], people["label"][people["role"] == "tune"]
        print(f"real crops of training people: {len(real_crops)}; validation: {len(val_crops)} photos of tune people")
    return (TensorDataset(image_batch(list(train_crops), preprocessing), torch.as_tensor(train_labels)),
            TensorDataset(image_batch(list(val_crops), preprocessing), torch.as_tensor(val_labels)))


def real_training_crops(config: TrainConfig) -> tuple[np.ndarray, np.ndarray]:
    """`variants` crops of every real photo of a training person whose hand MediaPipe found, each changed the way
    the issue's failures look (rps.augment.real_photo_variant) and masked by the app's code (cached in runs/)."""
    from rps.augment import real_photo_variant
    from rps.people import cached_photo, read_photo

    path = Path(config.work_dir) / f"rps_crops_people_v{config.variants}_s{config.seed}.npz"
    if path.exists() and not config.dry_run:
        with np.load(path) as data:
            return data["crops"], data["labels"]
    people = load_cache(config.people_cache)["hands"]
    keep = np.flatnonzero((people["role"] == "train") & people["found"])[: config.limit or None]
    rng = np.random.default_rng(config.seed)
    crops, labels = [], []
    for i in keep:
        rgb = read_photo(cached_photo(people, i))
        for _ in range(config.variants):
            image, points = real_photo_variant(rgb, people["points"][i], rng)
            crops.append(mask_hand(image, Hand(points.astype(np.float32), "", 1.0)).crop)
            labels.append(int(people["label"][i]))
    crops, labels = np.stack(crops), np.array(labels, np.int64)
    if not config.dry_run:
        np.savez(path, crops=crops, labels=labels)
    return crops, labels


def cached_trunk_features(model, images: torch.Tensor, config: TrainConfig, part: str) -> torch.Tensor:
    """trunk_features, kept in runs/ (safetensors) so that re-running the tail training skips the slow part."""
    from safetensors.torch import load_file, save_file

    limit = f"_limit{config.limit}" if config.limit else ""
    if part == "train" and (config.hard or config.fallback):
        limit += f"_hard{config.hard:g}_fb{config.fallback:g}"
    if part == "train" and config.degraded_cache:
        limit += "_" + Path(config.degraded_cache).stem
    if part == "train" and config.negatives:
        limit += "_" + Path(config.negatives).stem
    if config.people_cache:
        limit += "_people"
    name = f"rps_lite0_trunk{config.freeze_stages}_{part}_{config.regime}_v{config.variants}_s{config.seed}{limit}"
    path = Path(config.work_dir) / f"{name}.safetensors"
    if path.exists() and not config.dry_run:
        features = load_file(str(path))["features"]
        if len(features) == len(images):
            return features
    features = trunk_features(model, images, config.freeze_stages)
    if not config.dry_run:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_file({"features": features.contiguous()}, str(path))
    return features


class Lite0Tail(nn.Module):
    """The part of EfficientNet-Lite0 after the frozen stages: trained on cached trunk features."""

    def __init__(self, model, first_stage: int):
        super().__init__()
        self.model, self.first_stage = model, first_stage

    def forward(self, x):
        for block in self.model.blocks[self.first_stage:]:
            x = block(x)
        return self.model.forward_head(self.model.bn2(self.model.conv_head(x)))


@torch.no_grad()
def trunk_features(model, images: torch.Tensor, first_stage: int, batch: int = 64) -> torch.Tensor:
    """Output of the frozen stem + stages [0, first_stage) for a batch of normalised images."""
    model.eval()
    out = []
    for start in range(0, len(images), batch):
        x = model.bn1(model.conv_stem(images[start:start + batch]))
        for block in model.blocks[:first_stage]:
            x = block(x)
        out.append(x)
    return torch.cat(out)


# ---------------------------------------------------------------- landmarks

class LandmarkSamples(Dataset):
    """Real training landmarks plus synthetic scissors ("L" and V), each turned in 3-D and jittered."""

    def __init__(self, canon_by_class: list[np.ndarray], size: int, seed: int, tilt: float = 35.0,
                 edge_on: float = 0.0):
        self.canon = canon_by_class
        self.tilt, self.edge_on = tilt, edge_on
        self.size = size
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return self.size

    def sample(self, label: int) -> np.ndarray:
        rock, paper, scissors = self.canon
        pick = lambda group: group[self.rng.integers(len(group))]  # noqa: E731
        if label == 2:
            roll = self.rng.random()
            if roll < 0.4:
                return l_scissors(pick(paper), pick(rock))
            if roll < 0.55:
                return v_scissors(pick(paper), pick(rock))
            return pick(scissors)
        return pick(self.canon[label])

    def __getitem__(self, index):
        label = index % 3
        tilt = EDGE_ON_TILT if self.rng.random() < self.edge_on else self.tilt
        points = jitter(random_view(self.sample(label), self.rng, tilt), self.rng)
        return torch.from_numpy(landmark_features(points)), label


def extra_landmarks(folder: str | Path) -> list[list[np.ndarray]]:
    """Per class, the normalised landmarks of the hands in <folder>/<rock|paper|scissors>/*: real photos such as the
    corrections `python -m ui.flagging` exports to runs/flagged_data/rps. Other folders (a gesture a visitor
    named) are not rock, paper or scissors and are left out; photos without a hand are skipped."""
    from rps.hands import find_hands_or_retry

    found: list[list[np.ndarray]] = [[] for _ in CLASSES]
    for index, name in enumerate(CLASSES):
        for path in sorted((Path(folder) / name).glob("*")):
            rgb = np.asarray(flatten_alpha(open_image(path)))
            hands = find_hands_or_retry(rgb).hands
            if hands:
                found[index].append(normalise_landmarks(hands[0].points))
    return found


def landmark_sets(config: TrainConfig, cache: dict):
    train, val = cache["train"], cache["val"]
    found = train["found"]
    canon = [np.stack([normalise_landmarks(p) for p in train["points"][found & (train["labels"] == c)]])
             for c in range(len(CLASSES))]
    if config.extra_dir:
        extra = extra_landmarks(config.extra_dir)
        canon = [np.concatenate([group, np.stack(more)]) if more else group for group, more in zip(canon, extra)]
        print("extra photos with a hand:", {name: len(more) for name, more in zip(CLASSES, extra)})
    if config.degraded_cache:
        # MediaPipe's landmarks of the training hands in bad pictures: as wrong as they come out of a dim,
        # blurred or blocky webcam frame, so the model stops trusting a single finger's landmarks too much.
        degraded = load_cache(config.degraded_cache)["train"]
        canon = [np.concatenate([group, np.stack([normalise_landmarks(p) for p in
                                                  degraded["points"][degraded["labels"] == c]])])
                 for c, group in enumerate(canon)]
        print("landmarks from badly photographed copies:", {name: int((degraded["labels"] == c).sum())
                                                            for c, name in enumerate(CLASSES)})
    val_points, val_labels = val["points"][val["found"]], val["labels"][val["found"]]
    if config.people_cache:
        # Real hands of the training people, both looks of the app's search; the tune people validate.
        people = load_cache(config.people_cache)["hands"]
        looks = [(people["points"], people["found"]), (people["second"], ~np.isnan(people["second"]).any((1, 2)))]
        train_people = people["role"] == "train"
        canon = [np.concatenate([group] + [np.stack([normalise_landmarks(p) for p in points[seen & train_people
                                                     & (people["label"] == c)]]) for points, seen in looks])
                 for c, group in enumerate(canon)]
        tune = (people["role"] == "tune") & people["found"]
        val_points, val_labels = people["points"][tune], people["label"][tune]
        print("landmarks per class with the real training people:", [len(group) for group in canon])
    if config.limit:
        canon = [group[: max(2, config.limit // 3)] for group in canon]
    size = config.samples_per_epoch or (96 if config.dry_run else 9000)
    train_set = LandmarkSamples(canon, size, config.seed, config.tilt, config.edge_on)
    # Validation: photos where MediaPipe found a hand (the others are the image models' job).
    index = np.arange(len(val_labels))[: config.limit or None]
    features = torch.from_numpy(np.stack([landmark_features(val_points[i]) for i in index]))
    return train_set, TensorDataset(features, torch.as_tensor(val_labels[index]))


# ---------------------------------------------------------------- main

def freeze_early_layers(model, stages: int) -> None:
    """Edges and colour blobs from ImageNet serve hands as well; not training them halves the backward pass."""
    if stages <= 0:
        return
    for module in [model.conv_stem, model.bn1, *model.blocks[:stages]]:
        for parameter in module.parameters():
            parameter.requires_grad = False


# The label of a crop that shows no hand (rps.negatives): its target is the uniform answer.
NOT_A_HAND = -1


def uniform_for_negatives(images: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Class labels -> probability targets: one-hot for a gesture, uniform over the gestures for NOT_A_HAND
    (outlier exposure, Hendrycks et al. 2019: nothing should look like a gesture there)."""
    targets = torch.nn.functional.one_hot(labels.clamp(min=0), len(CLASSES)).float()
    targets[labels == NOT_A_HAND] = 1 / len(CLASSES)
    return images, targets


def train(config: TrainConfig) -> dict:
    set_seed(config.seed)
    torch.set_num_threads(config.threads)
    began = time.perf_counter()
    cache = load_cache(config.cache)
    if config.model == "landmarks":
        train_set, val_set = landmark_sets(config, cache)
        model = build_model("landmarks")
    else:
        train_set, val_set = image_sets(config, cache)
        if config.model == "efficientnet_lite0":
            model = load_pretrained_lite0(len(CLASSES))
            freeze_early_layers(model, config.freeze_stages)
            # The frozen trunk gives the same output every epoch: run it once, train the tail on its output.
            train_set = TensorDataset(cached_trunk_features(model, train_set.tensors[0], config, "train"),
                                      train_set.tensors[1])
            val_set = TensorDataset(cached_trunk_features(model, val_set.tensors[0], config, "val"),
                                    val_set.tensors[1])
            print(f"trunk features ready ({time.perf_counter() - began:.0f}s)")
        else:
            model = build_model("lenet")
    trained = Lite0Tail(model, config.freeze_stages) if config.model == "efficientnet_lite0" else model
    train_loader = DataLoader(train_set, batch_size=config.batch_size, shuffle=True, drop_last=True)
    val_loader = DataLoader(val_set, batch_size=128)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.lr, weight_decay=config.weight_decay)
    steps = config.epochs * max(1, len(train_loader))
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, total_steps=steps, pct_start=0.15)
    history = fit(trained, train_loader, val_loader, optimizer, config.epochs, scheduler=scheduler,
                  dry_run=config.dry_run, label_smoothing=0.1,
                  batch_transform=uniform_for_negatives if config.negatives else None)
    probs, labels = predict(trained, val_loader, dry_run=config.dry_run)
    seconds = time.perf_counter() - began
    accuracy = float((probs.argmax(1) == labels).float().mean())
    print(f"{config.model}/{config.regime}: {'tune people' if config.people_cache else 'subhih'} accuracy {accuracy:.4f} on {len(labels)} photos, {seconds:.0f}s")
    if config.dry_run:
        return {"accuracy": accuracy, "seconds": seconds}
    out = Path(config.out) if config.out else default_out(config)
    card = make_card(config, accuracy, len(labels), history, seconds)
    save_checkpoint(model, out, card)
    print("wrote", out.with_suffix(".safetensors"))
    return card


def degraded_description(config: TrainConfig) -> str:
    """What the card says of `--degraded-cache`: the file says what it holds (rps.people_families --train-cache);
    older files from `python -m rps.cache --degraded` do not."""
    if not config.degraded_cache:
        return "none"
    with np.load(config.degraded_cache) as data:   # only the description: training loads the crops themselves
        what = data["train/what"] if "train/what" in data.files else None
    kind = "MediaPipe landmarks" if config.model == "landmarks" else "the app's crops"
    if what is None:
        return f"{kind} of badly photographed drgfreeman copies ({config.degraded_cache}, python -m rps.cache --degraded)"
    return f"{kind} of {what}"


def make_card(config: TrainConfig, accuracy: float, count: int, history, seconds: float) -> dict:
    architecture = {"lenet": "LeNet-5 layout, colour input, BatchNorm (rps.model.LeNet)",
                    "efficientnet_lite0": "timm tf_efficientnet_lite0, ImageNet weights (efficientnet-lite0-"
                                          "pytorch-model 0.1.0, mapped by rps.model.map_lite0_state), 3-class head",
                    "landmarks": "MLP 78-128-128-3 on pose-free MediaPipe landmarks (rps.model.LandmarkMLP)"}
    command = f"python -m rps.train --model {config.model} --regime {config.regime} --epochs {config.epochs}"
    command += f" --batch-size {config.batch_size} --lr {config.lr} --seed {config.seed}"
    if config.model == "efficientnet_lite0":
        command += f" --freeze-stages {config.freeze_stages}"
    if config.model != "landmarks":
        command += f" --variants {config.variants}"
        if config.hard or config.fallback:
            command += f" --hard {config.hard:g} --fallback {config.fallback:g}"
    else:
        command += f" --tilt {config.tilt:g}"
    if config.degraded_cache:
        command += f" --degraded-cache {config.degraded_cache}"
    if config.people_cache:
        command += f" --people-cache {config.people_cache}"
    if config.negatives:
        command += f" --negatives {config.negatives}"
    if config.edge_on:
        command += f" --edge-on {config.edge_on:g}"
    return {
        "name": f"rps_{config.model}" + ("" if config.regime == "masked" else f"_{config.regime}"),
        "architecture": architecture[config.model],
        "classes": CLASSES,
        "preprocessing": PREPROCESSING[config.model],
        "masking": {"masked": "MediaPipe landmarks -> hand mask, upright thumb-right square crop on green "
                              f"{list(map(int, __import__('rps.masking', fromlist=['GREEN']).GREEN))}, "
                              f"crop side {CROP_SIDE} then resized (rps.masking.mask_hand)",
                    "plain": "none: centre square of the whole image",
                    "composite": "none at test time: centre square of the whole image"}[config.regime]
        if config.model != "landmarks" else "not applicable (landmarks)",
        "regime": config.regime,
        "metrics": {"validated_on": "rps.people 'tune' people" if config.people_cache else "SubhiH",
                    "subhih_accuracy" if not config.people_cache else "tune_people_accuracy": round(accuracy, 4),
                    "subhih_images" if not config.people_cache else "tune_people_images": count,
                    "history": [asdict(h) for h in history]},
        "data": {"train": "drgfreeman rps-cv green-screen hands (CC BY-SA 4.0), composited on procedural "
                          "backgrounds" if config.regime != "plain" else "drgfreeman rps-cv, as they are",
                 "validation": "rps.people 'tune' people (SubhiH sessions, Apache-2.0; Sign Language Digits Dataset "
                               "students, Apache-2.0)" if config.people_cache else "SubhiH HandsDataset crops (Apache-2.0)",
                 "extra": f"real photos from {config.extra_dir}" if config.extra_dir and config.model == "landmarks"
                 else "none",
                 "degraded": degraded_description(config),
                 "negatives": ("crops of the scikit-image sample photos " + ", ".join(NEGATIVE_SOURCES) +
                               " (public domain / CC0), masked by landmarks drawn over random squares "
                               "(rps.negatives), taught the uniform answer") if config.negatives else "none",
                 "real": ("hands of the rps.people 'train' people (SubhiH training sessions, Apache-2.0; Sign Language "
                          "Digits Dataset students, Apache-2.0), MediaPipe's landmarks" +
                          ("" if config.model == "landmarks" else ", crops changed by rps.augment.real_photo_variant") +
                          "; epochs validated on the 'tune' people") if config.people_cache else "none"},
        "epochs": config.epochs,
        "seed": config.seed,
        "train_command": command,
        "training_seconds": round(seconds),
    }


def parse_args(argv=None) -> TrainConfig:
    parser = argparse.ArgumentParser(description="Train a rock/paper/scissors model (see the module docstring).")
    parser.add_argument("--model", choices=["lenet", "efficientnet_lite0", "landmarks"], default="lenet")
    parser.add_argument("--regime", choices=REGIMES, default="masked", help="image models' training regime")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (one-cycle)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--limit", type=int, default=None, help="use only N images of each set (smoke tests)")
    parser.add_argument("--cache", default=str(DEFAULT_CACHE), help="landmark cache from `python -m rps.cache`")
    parser.add_argument("--out", default=None, help="checkpoint stem (default: see default_out)")
    parser.add_argument("--work-dir", default=str(ROOT / "runs"), help="folder for the crop and feature caches")
    parser.add_argument("--samples-per-epoch", type=int, default=0, help="landmarks model: samples per epoch")
    parser.add_argument("--freeze-stages", type=int, default=5, help="efficientnet_lite0: frozen early stages (0-6)")
    parser.add_argument("--variants", type=int, default=3, help="image models: augmented crops per training image")
    parser.add_argument("--tilt", type=float, default=35.0, help="landmarks: max out-of-plane turn, degrees")
    parser.add_argument("--hard", type=float, default=0.0, help="image models: share of hard-case crops (cut, blur, dark, JPEG)")
    parser.add_argument("--fallback", type=float, default=0.0, help="image models: share of crops as when no hand is found")
    parser.add_argument("--extra-dir", default=None, help="landmarks: also learn from the photos in "
                        "<dir>/{rock,paper,scissors}/, e.g. runs/flagged_data/rps from python -m ui.flagging")
    parser.add_argument("--degraded-cache", default=None, help="also learn from badly photographed training hands "
                        "(runs/rps_people_hard_train.npz from python -m rps.people_families --train-cache, or "
                        "runs/rps_landmarks_degraded.npz from python -m rps.cache --degraded 2): the landmarks model from "
                        "their landmarks, image models (masked) from the crops the app makes of them")
    parser.add_argument("--people-cache", default=None, help="also learn from the real hands of the rps.people "
                        "'train' people (runs/rps_people.npz from python -m rps.people cache); validate on 'tune' people")
    parser.add_argument("--negatives", default=None, help="image models: also learn to give the uniform answer on "
                        "crops of things that are not hands (runs/rps_negatives.npz from python -m rps.negatives)")
    parser.add_argument("--edge-on", type=float, default=0.0,
                        help=f"landmarks: share of samples turned up to {EDGE_ON_TILT:g} degrees out of the image plane")
    parser.add_argument("--dry-run", action="store_true", help="one batch of one epoch, write nothing")
    args = parser.parse_args(argv)
    return TrainConfig(model=args.model, regime=args.regime, epochs=args.epochs, batch_size=args.batch_size,
                       lr=args.lr, seed=args.seed, threads=args.threads, limit=args.limit, dry_run=args.dry_run,
                       cache=args.cache, out=args.out, work_dir=args.work_dir, samples_per_epoch=args.samples_per_epoch,
                       freeze_stages=args.freeze_stages, variants=args.variants, tilt=args.tilt,
                       hard=args.hard, fallback=args.fallback, extra_dir=args.extra_dir,
                       degraded_cache=args.degraded_cache, people_cache=args.people_cache, edge_on=args.edge_on,
                       negatives=args.negatives)


def main(argv=None) -> None:
    card = train(parse_args(argv))
    print(json.dumps({k: v for k, v in card.items() if k != "metrics"} if "name" in card else card, indent=1)[:400])


if __name__ == "__main__":
    main()
