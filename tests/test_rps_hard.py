"""The hard validation families (rps.hard), the hard-case training crops (rps.augment), the hand search's
retries (rps.hands) and the calibration maths (rps.calibrate)."""
import numpy as np
import pytest

from conftest import shared_path
from rps import hard
from rps.augment import cut_by_frame, hard_training_crop, motion_blur
from rps.calibrate import choose_not_sure, expected_calibration_error, fit_temperature
from rps.data import CLASSES
from rps.hands import (BIGGER, RETRY_STEPS, SEARCH_ORDER, HandSearch, brightened, centre_in_box, find_hands_or_retry,
                       find_hands_twice, look_again, same_hand)
from rps.masking import mask_hand, well_lit
from rps.predict import calibrated, classify_hand, member_probabilities, read_hand


def small_val(per_class=2):
    """A few SubhiH photos with their landmarks, found the app's way (no cache file needed)."""
    root = shared_path("rps", "subhih")
    paths, labels, found, points = [], [], [], []
    for label, name in enumerate(["rock", "paper", "scissors"]):
        for path in sorted((root / name).glob("*.jpg"))[:per_class]:
            search = find_hands_or_retry(hard.read_rgb(str(path)))
            paths.append(str(path))
            labels.append(label)
            found.append(bool(search.hands))
            points.append(search.hands[0].points if search.hands else np.zeros((21, 3), np.float32))
    return {"paths": np.array(paths), "labels": np.array(labels), "found": np.array(found), "points": np.stack(points)}


def subhih_photo(label: str, name: str) -> np.ndarray:
    """One named SubhiH photo as RGB, or skip the test if this copy of SubhiH does not have it."""
    path = shared_path("rps", "subhih", label) / name
    if not path.exists():
        pytest.skip(f"{path} is not in this copy of SubhiH")
    return hard.read_rgb(str(path))


def test_families_are_deterministic_and_change_the_photos():
    val = small_val()
    for name in hard.FAMILIES:
        first, again = hard.hand_family(name, val, per_class=2), hard.hand_family(name, val, per_class=2)
        assert len(first.images) == 6 and list(first.labels) == [0, 0, 1, 1, 2, 2]
        for a, b in zip(first.images, again.images):
            assert a.dtype == np.uint8 and a.ndim == 3 and np.array_equal(a, b), name
    cut = hard.hand_family("cut", val, per_class=2)
    originals = [hard.read_rgb(str(p)) for p in val["paths"]]
    assert all(c.shape != o.shape for c, o in zip(cut.images, originals))  # something was cut away
    dark = hard.hand_family("dark", val, per_class=2)
    assert np.mean([d.mean() for d in dark.images]) < 0.4 * np.mean([o.mean() for o in originals])


def test_no_hand_pictures_hold_no_hand_landmarks():
    val = small_val(per_class=3)
    pictures = hard.no_hand_set(val, count=24)
    assert (pictures.labels == -1).all() and len(pictures.images) >= 20
    assert any("inpainted" in s for s in pictures.sources) and any("blank" in s for s in pictures.sources)
    found = [bool(find_hands_or_retry(p).hands) for p in pictures.images[:8]]
    assert sum(found) <= 1


def test_painting_out_skips_the_photos_that_still_show_a_hand():
    # The photos that still showed a hand once painted out (checked by eye, rps.hard.STILL_SHOWS_A_HAND),
    # each painted out both ways (inpainted, strip): only the way that still showed a hand is left out.
    root = shared_path("rps", "subhih")
    names = sorted({name for name, _ in hard.STILL_SHOWS_A_HAND})
    paths = [next(root.glob(f"*/{name}")) for name in names]
    val = {"paths": np.array([str(p) for p in paths + paths]), "points": []}
    for path in paths:
        search = find_hands_or_retry(hard.read_rgb(str(path)))
        val["points"].append(search.hands[0].points if search.hands else np.zeros((21, 3), np.float32))
    val["points"] = np.stack(val["points"] * 2)
    # Even positions are inpainted, odd ones cut to a strip: each photo goes both ways.
    picks = np.stack([np.arange(len(paths)), np.arange(len(paths)) + len(paths)], axis=1).ravel()
    made = {tuple(source.split(": ", 1)) for _, source in hard.hand_painted_out(val, picks, np.random.default_rng(0))}
    assert made and not made & hard.STILL_SHOWS_A_HAND


def test_second_look_agrees_on_a_clean_photo():
    path = sorted(shared_path("rps", "subhih", "paper").glob("*.jpg"))[0]
    rgb = hard.read_rgb(str(path))
    report = {}
    search = find_hands_twice(rgb, report=report)
    assert search.hands and search.second_look is not None and report["second"]
    assert report["bigger"] is None and report["tries"] == 2  # a confirmed hand costs no more detector runs
    first = search.hands[0]
    assert same_hand(first.points, search.second_look)
    assert np.abs(first.points[:, :2] - search.second_look[:, :2]).mean() < 0.1 * first.size


@pytest.mark.parametrize("label, name", [("scissors", "test__3_1528505750.77_pic00049__590_75.jpg"),
                                         ("rock", "test__2_pic00503__282_132.jpg")])
def test_second_look_finds_the_hand_in_a_heavily_compressed_frame(label, name):
    # Half size, JPEG quality 6 (as the "jpeg" family): every palm-detector retry misses this hand, and the second
    # look at a smoothed copy finds it. (In the app the landmark network, the first search's last step, now finds
    # it first.)
    compressed = hard.compressed(subhih_photo(label, name), 6)
    assert not find_hands_or_retry(compressed, steps=[step for step in RETRY_STEPS if step.finder == "palm"]).hands
    assert look_again(compressed) is not None
    reading = classify_hand(compressed)
    assert reading.hand_found and reading.label == label


@pytest.mark.parametrize("label, name, quality", [("paper", "train__2_pic00013__177_86.jpg", 10),
                                                  ("scissors", "train__3_pic00009__176_287.jpg", 7),
                                                  ("rock", "train__46_pic00024__132_192.jpg", 10)])
def test_a_finger_taken_for_a_hand_gives_way_to_the_hand_around_it(label, name, quality):
    # Half size and heavy JPEG (as the "jpeg" family): the first search finds a tiny "hand" on one finger, which
    # does not read right for sure (wrong, or "not sure": the fist's finger is a 54 % rock), and the second look
    # does not confirm it; the framing retries find the whole hand around it.
    compressed = hard.compressed(subhih_photo(label, name), quality)
    finger = find_hands_or_retry(compressed).hands[0]
    on_the_finger = read_hand(compressed, HandSearch([finger], compressed.shape[1::-1]))
    assert not (on_the_finger.sure and on_the_finger.label == label)
    report = {}
    hand = find_hands_twice(compressed, report=report).hands[0]
    # Only the framing retries after the one that found the finger run again: the ones before it found nothing.
    assert SEARCH_ORDER.index(report["bigger"]) > SEARCH_ORDER.index(report["step"])
    assert hand.size >= BIGGER * finger.size and centre_in_box(finger.points, hand.points)
    reading = classify_hand(compressed)
    assert reading.hand_found and reading.label == label


@pytest.mark.parametrize("label, name", [("rock", "test__16_pic00008__136_190.jpg"),
                                         ("scissors", "test__2_pic00281__307_52.jpg")])
def test_a_hand_overflowing_the_frame_is_found_in_a_black_frame(label, name):
    # The camera so close that the hand overflows every side (as the "closeup" family): padding with the
    # edge pixels smears the skin outwards and every such retry misses; a black frame around it finds the hand.
    rgb = subhih_photo(label, name)
    x0, y0, x1, y1 = find_hands_or_retry(rgb).hands[0].box
    close = hard.square_window(rgb, (x0 + x1) / 2, (y0 + y1) / 2, 0.65 * max(x1 - x0, y1 - y0))
    assert_found_first_by("zoom out on black", close, label)


def assert_found_first_by(step: str, picture: np.ndarray, label: str) -> None:
    """Every retry before `step` misses the hand in `picture`, `step` finds it, and the app reads it right."""
    before = RETRY_STEPS[:[s.name for s in RETRY_STEPS].index(step)]
    assert not find_hands_or_retry(picture, steps=before).hands
    report = {}
    assert find_hands_or_retry(picture, report=report).hands and report["step"] == step
    reading = classify_hand(picture)
    assert reading.hand_found and reading.label == label


@pytest.mark.parametrize("label, name, seed", [("rock", "test__46_pic00032__565_253.jpg", 1)])
def test_the_image_model_reads_a_dim_hand_brightened(label, name, seed, monkeypatch):
    # On the dark crop of this fist EfficientNet-Lite0 reads "paper", on the brightened crop (what mask_hand makes of
    # a dim frame) "rock". (Since it learned from real hands it reads the dark crop of train__26_pic00008 right too.)
    dim = hard.dark(subhih_photo(label, name), None, np.random.default_rng(seed))
    hand = find_hands_twice(dim).hands[0]
    lit_crop = mask_hand(dim, hand).crop
    assert lit_crop.mean() > mask_hand(dim, None).crop.mean()
    monkeypatch.setattr("rps.masking.well_lit", lambda rgb: rgb)  # the crop as it was before brightening
    dark_crop = mask_hand(dim, hand).crop
    probs = member_probabilities("efficientnet_lite0", [lit_crop, dark_crop], [None, None])
    assert CLASSES[probs[0].argmax()] == label != CLASSES[probs[1].argmax()]


def test_well_lit_brightens_only_dim_frames():
    bright = np.full((120, 160, 3), 200, np.uint8)
    assert well_lit(bright) is bright
    dim = np.random.default_rng(0).integers(0, 40, (120, 160, 3), dtype=np.uint8)
    assert well_lit(dim).mean() > 2 * dim.mean()


@pytest.mark.parametrize("label, name, side", [("scissors", "train__5_pic00024__549_67.jpg", 0.65),
                                               ("paper", "train__Hand_0000002__299_143.jpg", 0.55),
                                               ("scissors", "test__2_pic00544__208_281.jpg", 0.65)])
def test_a_hand_filling_the_frame_is_found_by_the_landmark_network(label, name, side):
    # No framing shows the palm detector a palm it knows; MediaPipe's landmark network, given the whole picture,
    # still draws the hand. The first close-up used to get "no hand"; the other two the removed 300 % black frame
    # found first.
    rgb = subhih_photo(label, name)
    x0, y0, x1, y1 = find_hands_or_retry(rgb).hands[0].box
    close = hard.square_window(rgb, (x0 + x1) / 2, (y0 + y1) / 2, side * max(x1 - x0, y1 - y0))
    assert_found_first_by("landmark network", close, label)


def test_fit_split_keeps_subhih_test_photos_out():
    split = hard.fit_split(["train__a.jpg", "test__b.jpg", "synthetic: blank", "synthetic: noise", "train__c.jpg: strip"])
    assert list(split) == [True, False, True, False, True]


def test_retry_steps_find_a_dark_hand_the_first_look_misses():
    # A real open hand, darkened until the first look misses it: the retries must find it again.
    path = sorted(shared_path("rps", "subhih", "paper").glob("*.jpg"))[3]
    rgb = hard.read_rgb(str(path))
    for factor in (0.12, 0.08, 0.05):
        dark = (rgb * factor).astype(np.uint8)
        report = {}
        found = find_hands_or_retry(dark, report=report)
        if report["step"] != "first look":
            break
    assert found.hands and report["step"] in [step.name for step in RETRY_STEPS], report
    assert brightened(dark).mean() > 2 * dark.mean()


def test_hard_training_crops_and_cut():
    rng = np.random.default_rng(0)
    rgb = np.full((200, 300, 3), (37, 137, 47), np.uint8)
    rgb[60:140, 100:220] = (200, 160, 140)
    mask = np.zeros((200, 300), np.uint8)
    mask[60:140, 100:220] = 255
    points = np.zeros((21, 3), np.float32)
    points[:, 0] = np.linspace(100, 220, 21)
    points[:, 1] = np.linspace(140, 60, 21)
    cut_rgb, cut_mask, moved = cut_by_frame(rgb, mask, points, rng)
    assert cut_rgb.shape[:2] == cut_mask.shape and cut_rgb.size < rgb.size
    assert (moved[:, :2].min(0) < 0).any() or (moved[:, 0].max() > cut_rgb.shape[1]) or (moved[:, 1].max() > cut_rgb.shape[0])
    for _ in range(5):
        crop = hard_training_crop(rgb, mask, points, rng, 96)
        assert crop.shape == (96, 96, 3) and crop.dtype == np.uint8
    blurred = motion_blur(rgb, rng)
    assert blurred.shape == rgb.shape and not np.array_equal(blurred, rgb)


def test_temperature_scaling_recovers_a_known_temperature():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (4000, 3))
    labels = np.array([rng.choice(3, p=np.exp(row) / np.exp(row).sum()) for row in logits])
    overconfident = np.exp(2 * logits) / np.exp(2 * logits).sum(1, keepdims=True)  # T = 2 undoes this
    temperature = fit_temperature(overconfident, labels)
    assert temperature == pytest.approx(2.0, rel=0.1)
    fixed = calibrated("ensemble", overconfident, temperature)
    before = expected_calibration_error(overconfident.max(1), overconfident.argmax(1) == labels)
    after = expected_calibration_error(fixed.max(1), fixed.argmax(1) == labels)
    assert after < before / 2


def test_not_sure_threshold_keeps_the_coverage_asked_for():
    confidence = np.linspace(0.34, 1.0, 1000)
    threshold = choose_not_sure(confidence, 0.9)
    assert (confidence >= threshold).mean() >= 0.9 and (confidence >= threshold + 0.02).mean() < 0.9


def made_up_reading(rng, count: int, no_hand: bool = False) -> hard.FamilyReading:
    """Readings of `count` pictures as the models might give them: mostly right, a few hands missed, a few "hands"
    found where there is none."""
    labels = np.full(count, -1) if no_hand else rng.integers(0, 3, count)
    found = rng.random(count) < (0.03 if no_hand else 0.95)
    probs = {}
    for name in ["landmarks", "efficientnet_lite0", "lenet"]:
        logits = rng.normal(0, 1, (count, 3))
        logits[np.arange(count), np.maximum(labels, 0)] += 0 if no_hand else 3
        p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
        if name == "landmarks":
            p[~found] = np.nan
        probs[name] = p.astype(np.float32)
    return hard.FamilyReading(probs, found, labels, rng.random(count) < 0.5)


def test_calibration_fits_and_reports_every_set():
    from rps.calibrate import fit, no_hand_named

    rng = np.random.default_rng(0)
    readings = {name: made_up_reading(rng, 400) for name in [hard.PLAIN, *hard.FAMILIES]}
    readings[hard.NO_HAND] = made_up_reading(rng, 240, no_hand=True)
    card, text = fit(readings, 0.97)
    assert set(card["models"]) == {"ensemble", "landmarks", "efficientnet_lite0", "lenet"}
    assert all(model["temperature"] > 0 and 0 <= model["not_sure_below"] < 1 for model in card["models"].values())
    named = no_hand_named(readings[hard.NO_HAND], split=False)
    assert 0 < named < 0.1 and f"**{named:.3f}** of the test half" in text and "| rotate |" in text


def test_calibration_was_fitted_on_the_shipped_models():
    # A retrained model without `python -m rps.calibrate` would keep another model's temperature and thresholds.
    import json

    from rps.predict import CHECKPOINTS, MODEL_CHOICES

    card = json.loads((CHECKPOINTS / "rps_calibration.json").read_text())
    assert card["checkpoints"] == hard.checkpoints_digest()
    assert set(card["models"]) == set(MODEL_CHOICES)


def test_a_hand_whose_centre_lies_outside_the_picture_is_not_taken():
    # Landmarks of a real hand, moved left until their centre is just inside the picture (a hand cut by the
    # frame edge: taken) or just outside it (a "hand" in a padded copy's border: not taken).
    from rps.hands import Hand, centre_inside

    path = sorted(shared_path("rps", "subhih", "paper").glob("*.jpg"))[0]
    rgb = hard.read_rgb(str(path))
    hand = find_hands_or_retry(rgb).hands[0]
    height, width = rgb.shape[:2]
    assert centre_inside(hand, width, height)

    def moved_to(x: float) -> Hand:
        shift = np.array([x - hand.points[:, 0].mean(), 0, 0], np.float32)
        return Hand(hand.points + shift, hand.handedness, hand.score)

    assert centre_inside(moved_to(2.0), width, height)
    assert not centre_inside(moved_to(-2.0), width, height)
    assert not centre_inside(moved_to(width + 2.0), width, height)
