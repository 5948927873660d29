"""The pose-free landmark frame and features (rps.landmarks): invariances and synthetic scissors."""
import numpy as np
import pytest

from rps.landmarks import FEATURE_SIZE, bend_cosines, l_scissors, landmark_features, normalise_landmarks


def hand(seed=0):
    """A plausible-ish 21-point hand: a wrist and five fingers fanning upwards, with some noise."""
    rng = np.random.default_rng(seed)
    points = [[0.0, 0.0, 0.0]]
    for finger, angle in enumerate(np.linspace(-0.9, 0.5, 5)):
        for joint in range(1, 5):
            radius = 40 + 25 * joint
            points.append([radius * np.sin(angle), -radius * np.cos(angle), -3.0 * joint])
    return np.array(points) + rng.normal(0, 2, (21, 3))


def rotate(points, degrees):
    a = np.deg2rad(degrees)
    out = points.copy()
    out[:, 0] = np.cos(a) * points[:, 0] - np.sin(a) * points[:, 1]
    out[:, 1] = np.sin(a) * points[:, 0] + np.cos(a) * points[:, 1]
    return out


def test_canonical_frame():
    canon = normalise_landmarks(hand())
    assert np.allclose(canon[0], 0)
    assert np.allclose(canon[9, :2], [0, -1], atol=1e-5)  # wrist -> middle knuckle points up, length 1
    assert canon[5, 0] > canon[17, 0]                      # thumb side on the right


@pytest.mark.parametrize("change", [
    lambda p: p + np.array([123.0, -45.0, 7.0]),             # translation
    lambda p: p * 3.7,                                        # scale
    lambda p: rotate(p, 90), lambda p: rotate(p, -135),       # in-plane rotation (hand pointing sideways, down)
    lambda p: p * np.array([-1.0, 1.0, 1.0]),                 # mirror: the other hand
])
def test_features_are_invariant(change):
    points = hand(1)
    assert np.allclose(landmark_features(points), landmark_features(change(points)), atol=1e-4)


def test_features_differ_between_poses():
    open_hand = hand(2)
    fist = open_hand.copy()
    fist[[3, 4, 7, 8, 11, 12, 15, 16, 19, 20]] = fist[[2, 2, 6, 6, 10, 10, 14, 14, 18, 18]] * 0.8
    assert np.abs(landmark_features(open_hand) - landmark_features(fist)).max() > 0.3
    assert landmark_features(open_hand).shape == (FEATURE_SIZE,)


def test_l_scissors_takes_thumb_and_index_from_the_open_hand():
    open_hand = normalise_landmarks(hand(3))
    fist = open_hand * 0.6
    mixed = l_scissors(open_hand, fist)
    assert np.allclose(mixed[9:], fist[9:])                   # middle, ring, pinky stay curled
    index_bend = bend_cosines(mixed)[3:6]
    assert (index_bend > 0.8).all()                           # the index finger is straight


def fold(points, chains):
    """Curl the given fingers back into the palm (in the canonical frame)."""
    canon = normalise_landmarks(points).copy()
    for chain in chains:
        canon[list(chain[1:])] = canon[chain[0]] + np.array([[0, 0.25, 0], [0, 0.45, 0], [0, 0.3, 0]])
    return canon


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("pose", ["as drawn", "pointing sideways", "other hand"])
def test_shipped_landmarks_model_reads_the_l_scissors_and_the_open_hand(seed, pose):
    import torch
    from rps.predict import get_model

    change = {"as drawn": lambda p: p, "pointing sideways": lambda p: rotate(p, 90),
              "other hand": lambda p: p * np.array([-1.0, 1.0, 1.0])}[pose]
    model, card = get_model("landmarks")
    open_hand = hand(seed)
    l_shape = fold(open_hand, [(9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20)])  # thumb + index stay out
    for points, expected in [(open_hand, "paper"), (l_shape, "scissors")]:
        features = torch.from_numpy(landmark_features(change(points).astype(np.float32)))[None]
        with torch.no_grad():
            probabilities = torch.softmax(model(features), 1)[0]
        assert card["classes"][int(probabilities.argmax())] == expected
