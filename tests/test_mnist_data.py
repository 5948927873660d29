"""MNIST loading: the IDX parser on tiny files written here (gzipped and raw), and the datasets/tensor path."""
import gzip
import struct

import numpy as np
import pytest
import torch

from mnist.data import load_mnist, load_mnist_tensors, normalise, read_idx, MEAN, STD
from conftest import shared_path
from mnist.strokes import parse_pendigits


def write_idx(path, array: np.ndarray, type_code: int = 0x08, gz: bool = False) -> None:
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    (gzip.open if gz else open)(path, "wb").write(data)


def write_mnist_folder(folder, rng, n_train=12, n_test=5, gz=True):
    suffix = ".gz" if gz else ""
    arrays = {}
    for split, stem, n in (("train", "train", n_train), ("test", "t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n).astype(np.uint8)
        write_idx(folder / f"{stem}-images-idx3-ubyte{suffix}", images, gz=gz)
        write_idx(folder / f"{stem}-labels-idx1-ubyte{suffix}", labels, gz=gz)
        arrays[split] = (images, labels)
    return arrays


@pytest.mark.parametrize("gz", [True, False], ids=["gzipped", "raw"])
def test_read_idx_round_trips_images_and_labels(tmp_path, gz):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (7, 28, 28), dtype=np.uint8)
    path = tmp_path / ("images.idx.gz" if gz else "images.idx")
    write_idx(path, images, gz=gz)
    parsed = read_idx(path)
    assert parsed.shape == (7, 28, 28) and parsed.dtype == np.uint8
    np.testing.assert_array_equal(parsed, images)


def test_read_idx_handles_big_endian_int32(tmp_path):
    values = np.array([[1, -2, 70000], [3, 4, -5]], dtype=np.int32)
    write_idx(tmp_path / "ints.idx", values, type_code=0x0C)
    np.testing.assert_array_equal(read_idx(tmp_path / "ints.idx"), values)


def test_read_idx_refuses_wrong_magic_and_truncated_files(tmp_path):
    (tmp_path / "bad.idx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(ValueError, match="magic"):
        read_idx(tmp_path / "bad.idx")
    write_idx(tmp_path / "short.idx", np.zeros((3, 28, 28), np.uint8))
    (tmp_path / "short.idx").write_bytes((tmp_path / "short.idx").read_bytes()[:-10])
    with pytest.raises(ValueError, match="bytes"):
        read_idx(tmp_path / "short.idx")


@pytest.mark.parametrize("gz", [True, False], ids=["gzipped", "raw"])
def test_local_folder_becomes_a_datasets_dict_like_the_hub(tmp_path, gz):
    arrays = write_mnist_folder(tmp_path, np.random.default_rng(1), gz=gz)
    dataset = load_mnist(tmp_path)
    assert set(dataset) == {"train", "test"} and len(dataset["train"]) == 12 and len(dataset["test"]) == 5
    assert dataset["train"].features["label"].names == [str(d) for d in range(10)]
    first = dataset["train"][0]
    np.testing.assert_array_equal(np.asarray(first["image"]), arrays["train"][0][0])
    assert first["label"] == arrays["train"][1][0]


def test_tensors_from_the_environment_variable_folder(tmp_path, monkeypatch):
    arrays = write_mnist_folder(tmp_path, np.random.default_rng(2))
    monkeypatch.setenv("MNIST_DIR", str(tmp_path))
    tensors = load_mnist_tensors(limit=4)
    images, labels = tensors["train"]
    assert images.shape == (4, 1, 28, 28) and images.dtype == torch.uint8
    np.testing.assert_array_equal(images[:, 0].numpy(), arrays["train"][0][:4])
    np.testing.assert_array_equal(labels.numpy(), arrays["train"][1][:4])


def test_normalise_uses_mnist_statistics():
    images = torch.tensor([0, 255], dtype=torch.uint8).view(2, 1, 1, 1)
    out = normalise(images).flatten()
    assert out[0].item() == pytest.approx(-MEAN / STD) and out[1].item() == pytest.approx((1 - MEAN) / STD)


def test_pendigits_parser_reads_labels_writers_strokes_and_flips_y(tmp_path):
    text = """.INCLUDE dene.doc
.LEXICON "0" "1"
.SEGMENT DIGIT    0 ? "7"
.COMMENT 7 12  224
.PEN_DOWN
 100  300
 200  300
 120  100
.PEN_UP
.DT 500
.SEGMENT DIGIT    1 ? "4"
.COMMENT 4 3  5
.PEN_DOWN
 10  50
 10  20
.PEN_UP
.PEN_DOWN
 30  60
 30  0
.PEN_UP
"""
    (tmp_path / "pen.tra").write_text(text)
    seven, four = parse_pendigits(tmp_path / "pen.tra")
    assert (seven.label, seven.writer, len(seven.strokes)) == (7, 12, 1)
    assert (four.label, four.writer, len(four.strokes)) == (4, 3, 2)
    # The 7's bar is drawn first at tablet y=300 (top, y up): after the flip it is at image y=0 (top).
    np.testing.assert_array_equal(seven.strokes[0][:, 1], [0, 0, 200])


def test_browser_style_replay_is_an_opaque_white_canvas_in_an_app_brush_colour():
    import random

    from mnist.strokes import BROWSER_BRUSH_COLOURS, browser_drawing

    seven = [np.array([(10, 5), (90, 5), (60, 50), (40, 100)], np.float32)]
    canvas = browser_drawing(seven, random.Random(0))
    assert canvas.shape == (800, 800, 4) and (canvas[:, :, 3] == 255).all()
    assert tuple(canvas[0, 0]) == (255, 255, 255, 255)
    painted = canvas[(canvas[:, :, :3] != 255).any(axis=2)]
    colours, counts = np.unique(painted.reshape(-1, 4), axis=0, return_counts=True)
    assert tuple(colours[counts.argmax()]) in BROWSER_BRUSH_COLOURS
    # Brushes are 20-100 px wide: the thickest run of ink across a row is at least 20 px.
    rows = (canvas[:, :, :3] != 255).any(axis=2)
    assert rows.sum(axis=1).max() >= 20


def test_varied_strokes_change_the_trajectory_but_keep_its_place_and_size():
    import random

    from mnist.strokes import vary_strokes

    two = [np.array([(22, 30), (30, 14), (50, 6), (70, 13), (78, 30), (72, 48), (55, 65), (36, 82), (20, 96),
                     (50, 95), (84, 95)], np.float32)]
    rng = random.Random(3)
    for _ in range(20):
        varied = vary_strokes(two, rng)
        points = np.concatenate(varied)
        assert points.dtype == np.float32 and len(points) >= 2
        assert not np.allclose(points[:len(two[0])], two[0])
        centre = (points.min(0) + points.max(0)) / 2
        assert np.abs(centre - (53, 50.5)).max() < 45     # the digit is still about where it was
        extent = points.max(0) - points.min(0)
        assert 40 < extent.max() < 160                      # ... and about as big (a stray dot may add a little)


def test_one_flag_variation_flattens_and_stretches_only_the_lead_in():
    import math
    import random

    from mnist.strokes import replay_set, vary_one_flag, PenDigit

    # A European "1": a flag up to the top (50, 0), then the stem straight down.
    one = [np.array([(30, 20), (40, 10), (50, 0), (50, 50), (50, 100)], np.float32)]
    rng = random.Random(0)
    for _ in range(20):
        varied = vary_one_flag(one, rng)[0]
        top = int(np.argmin(varied[:, 1]))
        assert np.allclose(varied[top:], one[0][2:])            # the stem is untouched
        flag = varied[0] - varied[top]
        angle = math.degrees(math.atan2(flag[1], flag[0]))     # 135 before; 180 is flat, never past 172
        assert 134 <= angle <= 172.5
        assert 0.79 * math.hypot(20, 20) <= math.hypot(*flag) <= 1.41 * math.hypot(20, 20)
    plain = [np.array([(50, 0), (50, 100)], np.float32)]      # no flag: nothing to change
    assert vary_one_flag(plain, rng)[0] is plain[0]
    # In a replay set only 1s are varied: the same seed gives the same 7 with and without the variation.
    seven = PenDigit(7, 1, [np.array([(0, 0), (60, 0), (20, 100)], np.float32)])
    with_flags = [canvas for _, canvas in replay_set([seven], 0, 200, one_flags=1.0)]
    without = [canvas for _, canvas in replay_set([seven], 0, 200)]
    assert np.array_equal(with_flags[0], without[0])


def test_uji2_writer_groups_are_disjoint_cover_both_tablets_and_split_every_writer():
    from mnist.strokes import UJI2_GROUPS, parse_uji2, uji2_group

    path = shared_path("digits", "uji2", "uji2_digits.jsonl")
    groups = {group: parse_uji2(path, group) for group in UJI2_GROUPS}
    writers = {group: {d.writer for d in digits} for group, digits in groups.items()}
    assert [len(writers[g]) for g in UJI2_GROUPS] == [36, 12, 12]
    assert not (writers["train"] & writers["tune"] or writers["train"] & writers["validation"]
                or writers["tune"] & writers["validation"])
    assert sum(len(digits) for digits in groups.values()) == len(parse_uji2(path)) == 1200
    for group in UJI2_GROUPS:   # both tablets (sites) in every group
        assert {w.split("_")[0] for w in writers[group]} == {"UJI", "UPV"}, group
        assert all(len([d for d in groups[group] if d.writer == w]) == 20 for w in writers[group])
    assert "UPV_W60" in writers["validation"] and "UJI_W02" in writers["tune"] and uji2_group("UJI_W01") == "train"


def test_uji2_y_points_down_as_recorded_a_seven_has_its_bar_at_the_top():
    from mnist.strokes import parse_uji2

    sevens = [d for d in parse_uji2(shared_path("digits", "uji2", "uji2_digits.jsonl")) if d.label == 7]
    bar_on_top = 0
    for seven in sevens:
        points = np.concatenate(seven.strokes)
        top, bottom = points[:, 1].min(), points[:, 1].max()
        height = bottom - top
        upper = points[points[:, 1] <= top + 0.2 * height]
        lower = points[points[:, 1] >= bottom - 0.2 * height]
        bar_on_top += np.ptp(upper[:, 0]) > 2 * np.ptp(lower[:, 0])   # wide bar above, narrow stem foot below
    # Flipped, the bar would be at the bottom for nearly all of them.
    assert bar_on_top >= 0.85 * len(sevens), (bar_on_top, len(sevens))


def test_crossed_seven_adds_a_level_bar_through_the_stem_below_the_top():
    import random

    from mnist.strokes import cross_seven, replay_set, PenDigit

    seven = [np.array([(0, 0), (60, 0), (20, 100)], np.float32)]
    rng = random.Random(0)
    for _ in range(20):
        crossed = cross_seven(seven, rng)
        assert len(crossed) == 2 and crossed[0] is seven[0]
        bar = crossed[1]
        assert 45 <= bar[:, 1].mean() <= 65 and np.ptp(bar[:, 1]) < 0.2 * np.ptp(bar[:, 0])
        stem_x = 60 - 40 * bar[:, 1].mean() / 100        # where the stem is at the bar's height
        assert bar[:, 0].min() < stem_x < bar[:, 0].max()
    # Only 7s get the bar: the same seed gives the same 1 with and without crossed sevens.
    one = PenDigit(1, 1, [np.array([(50, 0), (50, 100)], np.float32)])
    assert np.array_equal(next(replay_set([one], 0, 200, crossed_sevens=1.0))[1], next(replay_set([one], 0, 200))[1])


def test_varied_loops_are_left_open_or_closed_past_their_start():
    import math
    import random

    from mnist.strokes import _is_loop, vary_strokes

    circle = np.array([(50 + 40 * math.cos(a), 50 + 40 * math.sin(a)) for a in np.linspace(0, 2 * math.pi, 40)],
                      np.float32)
    assert _is_loop(circle, 80) and not _is_loop(np.array([(0, 0), (0, 80)], np.float32), 80)
    gaps = [float(np.linalg.norm(v[0][-1] - v[0][0])) for v in (vary_strokes([circle], random.Random(s))
                                                                 for s in range(200)) if len(v) == 1]
    assert max(gaps) > 8      # some left open by at least a tenth of the digit
    assert min(gaps) < 4      # most still closed
