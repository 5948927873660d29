"""Safe decoding of uploads (common/images.py) on the whole bad-input matrix of tests/bad_inputs.py."""
import numpy as np
import pytest

from bad_inputs import BAD_UPLOADS, ODD_BUT_FINE, exif_rotated_jpeg, sixteen_bit_png, transparent_rgba
from common.errors import UserInputError
from common.images import WORKING_SIDE, flatten_alpha, open_image


@pytest.mark.parametrize("name", list(BAD_UPLOADS))
def test_unusable_files_are_refused_in_plain_words(name, tmp_path):
    path = BAD_UPLOADS[name](tmp_path)
    with pytest.raises(UserInputError) as refusal:
        open_image(str(path))
    message = str(refusal.value)
    assert len(message) > 15 and "Traceback" not in message and "PIL" not in message


@pytest.mark.parametrize("name", list(ODD_BUT_FINE))
def test_odd_but_valid_files_become_8bit_rgb_or_rgba(name, tmp_path):
    image = open_image(str(ODD_BUT_FINE[name](tmp_path)))
    assert image.mode in ("RGB", "RGBA")
    assert max(image.size) <= WORKING_SIDE
    assert np.asarray(flatten_alpha(image)).dtype == np.uint8


def test_exif_rotated_photo_is_turned_upright(tmp_path):
    assert open_image(str(exif_rotated_jpeg(tmp_path))).size == (480, 640)


def test_sixteen_bit_greys_keep_their_range(tmp_path):
    pixels = np.asarray(open_image(str(sixteen_bit_png(tmp_path))).convert("L"))
    assert pixels.min() <= 2 and pixels.max() >= 253


def test_transparency_is_kept_then_flattened_onto_the_background(tmp_path):
    image = open_image(str(transparent_rgba(tmp_path)))
    assert image.mode == "RGBA"
    flat = np.asarray(flatten_alpha(image, background=(0, 255, 0)))
    assert tuple(flat[10, 10]) == (0, 255, 0)


def test_huge_photo_is_shrunk_before_use(tmp_path):
    from bad_inputs import huge_photo
    assert max(open_image(str(huge_photo(tmp_path))).size) == WORKING_SIDE


def test_arrays_and_bytes_are_accepted(tmp_path):
    assert open_image(np.zeros((20, 30), np.uint8)).size == (30, 20)
    assert open_image(np.zeros((20, 30, 4), np.uint8)).mode == "RGBA"
    transparent_rgba(tmp_path)
    assert open_image((tmp_path / "rgba.png").read_bytes()).mode == "RGBA"
    with pytest.raises(UserInputError):
        open_image(np.zeros((0, 0, 3), np.uint8))
    with pytest.raises(UserInputError):
        open_image(None)
