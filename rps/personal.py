"""A personal rock / paper / scissors reader: a visitor teaches a few photos of their own hand, new gestures too.

    reader = PersonalReader()
    teach(reader, "fist.jpg", "rock")                  # -> {"rock": 1, "paper": 0, "scissors": 0}
    teach(reader, "thumb.jpg", "thumbs up")            # a new gesture: any name
    reading = classify_personal("hand.jpg", mask=True, reader=reader)
    reading.probabilities   # {"rock": .., "paper": .., "scissors": .., "thumbs up": ..}

What it stores per example (`HandFeatures`): the hand's landmark features (rps.landmarks.landmark_features,
78 floats, when MediaPipe found a hand) and the shipped EfficientNet-Lite0's embedding of the masked crop
(its 1280 pooled features before the classifier, taken from whatever weights `rps.predict.get_model` loads).

How it reads a new photo: for every taught gesture, the distance d to its nearest taught example: a weighted
mean of the landmark and embedding distances (the embedding counts three times as much: on the train and tune people
of rps.people the landmarks alone make more mistakes), each divided by a typical distance between two *different*
gestures of one person (so d = 1 means "as far as another gesture"). Each gesture's score is

    log(p_shipped + FLOOR) - trust * (d^2 - 1) / WIDTH^2,      trust = n / (n + TRUST_HALF), n its examples

and the probabilities are the softmax of the scores. Examples nearer than another gesture usually is (d < 1)
raise their gesture, farther ones lower it, and an untaught gesture keeps the shipped model's score.

The taught examples may only *overrule* the shipped model when they are clearly nearer: the gesture they favour
must be nearer than MARGIN times the distance to the examples of the shipped model's answer (an untaught gesture
counts as d = 1). Otherwise the shipped probabilities stand. On the train and tune people, when the nearest
examples were of the wrong gesture, they were only a little nearer (0.94 - 1 times the right gesture's distance),
while 19 of 20 right answers were at least 2.06 times nearer; MARGIN = 0.49 is 1 / 2.06 (re-derived for each new
set of weights: 0.6 = 1 / 1.7 before the hard-photo training; benchmarks/personal_rps.py prints the figure). This is
what keeps a taught reader from reading a person worse than the shipped model. A new gesture has p_shipped = 0, so
it wins only when a photo is nearer its examples than NEW_GESTURE_MARGIN times the shipped answer's: the shipped
model knows nothing of it, so its answer is weaker evidence there (on the train and tune people, with a real gesture
hidden from the shipped model and taught under a new name, 0.6 read 91 - 96 % of the new gesture right, 0.8 to 1.0
all 94 - 100 %, the others unchanged; 0.8 is the most cautious of those).

Unless the shipped model is wrong for this person: when it misread one of the photos taught as rock, paper or
scissors (each example keeps the shipped model's guess from when it was taught), the examples have shown that
its answers do not hold here, and the nearer examples decide (margin 1). This costs nothing for a person the
shipped model reads right, since the cautious margin then stays. On rps.people's train and tune people it never
fires (the shipped model reads every one of their photos right); on the validation webcam person it reads
0.942 -> 0.961 with k = 5 (benchmarks/results/personal_rps.md). WIDTH, FLOOR, TRUST_HALF and SCALE were chosen
earlier on SubhiH sessions and kept; LANDMARK_WEIGHT, MARGIN and NEW_GESTURE_MARGIN on rps.people's train and tune
people (never on its validation people). The page says which of the two margins applies (`counts_sentence`).

State: `PersonalReader` lives in one visitor's session (app.py keeps it in a `gr.State` with a time to live),
and also expires by itself after `ttl_seconds` without use. Nothing is written to disk.

Measured by `python -m benchmarks.personal_rps` (benchmarks/results/personal_rps.md).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from common.errors import UserInputError
from common.images import flatten_alpha, open_image
from rps.data import CLASSES
from rps.hands import HandSearch, find_hands_twice
from rps.landmarks import landmark_features
from rps.masking import mask_hand, plain_view
from rps.predict import DEFAULT_MODEL, HandReading, image_embedding, read_hand

MODEL_NAME = "personal"
MAX_EXAMPLES = 60           # per session: enough for 10 gestures x 6 photos, bounded memory (~0.3 MB)
MAX_LABEL_LENGTH = 30
TTL_SECONDS = 3600
# Typical distance from a photo to the nearest photo of a *different* gesture of the same person, per feature
# space (SubhiH medians: landmarks 3.3, embedding 1.1; the same gesture: 0.36 and 0.42). Distances are divided
# by these, so the two spaces count alike.
SCALE = {"landmarks": 3.0, "embedding": 1.0}
LANDMARK_WEIGHT = 0.25      # of the scaled distance; the embedding gets the rest
MARGIN = 0.49               # taught examples overrule the shipped answer only when this much nearer (see above)
MARGIN_WHEN_MISREAD = 1.0   # ... or when nearer at all, once the shipped model misread a taught example (see above)
NEW_GESTURE_MARGIN = 0.8    # the same for a gesture the shipped model does not know (see above)
WIDTH = 0.3
FLOOR = 0.2
UNTAUGHT_DISTANCE = 1.0
TRUST_HALF = 2.0


@dataclass
class HandFeatures:
    landmarks: np.ndarray | None   # 78 floats, None when no hand was found
    embedding: np.ndarray          # unit-length image embedding of the crop the image models see
    shipped_guess: str | None = None  # the shipped model's best guess for the photo (kept for taught examples)


@dataclass
class PersonalReader:
    """One visitor's taught examples (in memory only)."""
    ttl_seconds: float = TTL_SECONDS
    labels: list[str] = field(default_factory=list)
    examples: list[HandFeatures] = field(default_factory=list)
    last_used: float = field(default_factory=time.monotonic)

    def expired(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) - self.last_used > self.ttl_seconds

    def _use(self) -> None:
        if self.expired():
            self.forget()
        self.last_used = time.monotonic()

    def forget(self) -> None:
        self.labels.clear()
        self.examples.clear()

    def add(self, label: str, features: HandFeatures) -> None:
        self._use()
        label = clean_label(label)
        if len(self.examples) >= MAX_EXAMPLES:
            raise UserInputError(f"You have taught {MAX_EXAMPLES} examples, the most one visit keeps. "
                                 "Press 'Forget my examples' to start again.")
        self.labels.append(label)
        self.examples.append(features)

    def counts(self) -> dict[str, int]:
        if self.expired():
            self.forget()
        counts = {name: 0 for name in CLASSES}
        for label in self.labels:
            counts[label] = counts.get(label, 0) + 1
        return counts

    def __len__(self) -> int:
        return 0 if self.expired() else len(self.examples)

    def misread_examples(self) -> int:
        """How many examples taught as rock, paper or scissors the shipped model read as another gesture."""
        return sum(example.shipped_guess is not None and label in CLASSES and example.shipped_guess != label
                   for label, example in zip(self.labels, self.examples))

    def read(self, features: HandFeatures, shipped: dict[str, float]) -> tuple[dict[str, float], str]:
        """Combine the shipped probabilities with the distances to the taught examples; also say what happened."""
        self._use()
        names = list(dict.fromkeys(list(CLASSES) + self.labels))
        if not self.examples:
            return {name: shipped.get(name, 0.0) for name in names}, "no examples taught yet: the shipped model answered"
        distances = class_distances(features, self.examples, self.labels)
        # Measured from "as far as another gesture usually is" (UNTAUGHT_DISTANCE): nearer examples raise a
        # gesture, farther ones lower it, and an untaught shipped gesture stays where the shipped model put it.
        nearest = np.array([distances.get(name, UNTAUGHT_DISTANCE) for name in names])
        prior = np.array([shipped.get(name, 0.0) for name in names])
        # One example says less than five: the distances count more as a gesture gets more examples.
        counts = self.counts()
        trust = np.array([counts.get(name, 0) / (counts.get(name, 0) + TRUST_HALF) for name in names])
        logits = np.log(prior + FLOOR) - trust * (nearest ** 2 - UNTAUGHT_DISTANCE ** 2) / WIDTH ** 2
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        closest = min(distances, key=distances.get)
        how = (f"nearest of your examples: {closest}, {likeness(distances[closest])} "
               f"(distance {distances[closest]:.2f}; another gesture is about 1)")
        favoured, answered = names[int(np.argmax(probs))], names[int(np.argmax(prior))]
        misread = self.misread_examples()
        if misread:
            how += f"; the shipped model misread {misread} of your examples, so the nearest examples decide"
        margin = MARGIN_WHEN_MISREAD if misread else MARGIN if favoured in CLASSES else NEW_GESTURE_MARGIN
        if favoured != answered and not clearly_nearer(distances.get(favoured, UNTAUGHT_DISTANCE),
                                                       distances.get(answered, UNTAUGHT_DISTANCE), margin):
            return ({name: shipped.get(name, 0.0) for name in names},
                    f"{how}; {favoured} is not clearly nearer than {answered} in your examples, "
                    "so the shipped model's answer stands")
        return dict(zip(names, probs.tolist())), how


def clearly_nearer(favoured: float, answered: float, margin: float = MARGIN) -> bool:
    """May examples at distance `favoured` overrule the shipped answer, whose examples are at `answered`?"""
    return favoured <= margin * answered


def clean_label(label) -> str:
    text = " ".join(str(label or "").split()).lower()
    if not text:
        raise UserInputError("Say which gesture the photo shows (rock, paper, scissors or a name of your own).")
    if len(text) > MAX_LABEL_LENGTH:
        raise UserInputError(f"Please use a gesture name of at most {MAX_LABEL_LENGTH} characters.")
    return text


def likeness(distance: float) -> str:
    if distance < 0.3:
        return "very like it"
    if distance < 0.6:
        return "like it"
    return "a little like it" if distance < 0.9 else "not much like any of them"


def feature_distance(a: HandFeatures, b: HandFeatures) -> float:
    """Weighted mean of the scaled landmark and embedding distances (the embedding alone without landmarks)."""
    embedding = float(np.linalg.norm(a.embedding - b.embedding)) / SCALE["embedding"]
    if a.landmarks is None or b.landmarks is None:
        return embedding
    landmarks = float(np.linalg.norm(a.landmarks - b.landmarks)) / SCALE["landmarks"]
    return LANDMARK_WEIGHT * landmarks + (1 - LANDMARK_WEIGHT) * embedding


def class_distances(query: HandFeatures, examples: list[HandFeatures], labels: list[str]) -> dict[str, float]:
    """For each taught class, the distance from `query` to its nearest example."""
    out: dict[str, float] = {}
    for example, label in zip(examples, labels):
        distance = feature_distance(query, example)
        out[label] = min(distance, out.get(label, np.inf))
    return out


# ---------------------------------------------------------------- features of a photo

def embedding_of(crop: np.ndarray) -> np.ndarray:
    """The image model's pooled features (before its classifier) of one crop, scaled to unit length."""
    pooled = image_embedding([crop])[0]
    return (pooled / (np.linalg.norm(pooled) + 1e-9)).astype(np.float32)


def hand_features(rgb: np.ndarray, search: HandSearch, mask: bool = True) -> HandFeatures:
    hand = search.hands[0] if search.hands else None
    view = mask_hand(rgb, hand) if mask else plain_view(rgb, hand=hand)
    points = landmark_features(hand.points) if hand is not None else None
    return HandFeatures(points, embedding_of(view.crop))


def example_features(rgb: np.ndarray, search: HandSearch) -> HandFeatures:
    """A taught example: its features and what the shipped model makes of it (masked, as the examples are)."""
    shipped = read_hand(rgb, search, mask=True, model_name=DEFAULT_MODEL)
    guess = max(shipped.probabilities, key=shipped.probabilities.get) if shipped.hand_found else None
    return replace(hand_features(rgb, search, mask=True), shipped_guess=guess)


def _rgb(image) -> np.ndarray:
    return np.asarray(flatten_alpha(open_image(image)))


def teach(reader: PersonalReader, image, label: str) -> dict[str, int]:
    """Add the photo `image` (path, PIL, numpy) as an example of `label`; return the counts per class."""
    label = clean_label(label)
    rgb = _rgb(image)
    reader.add(label, example_features(rgb, find_hands_twice(rgb)))
    return reader.counts()


def teach_frames(reader: PersonalReader, frames: list[np.ndarray], label: str) -> tuple[dict[str, int], int]:
    """Add the frames of a short camera burst that show a hand as examples of `label` -> (counts, frames taught).
    Frames without a hand are left out: a burst often starts before the hand is in view."""
    label = clean_label(label)
    taught = 0
    for rgb in frames:
        search = find_hands_twice(rgb)
        if search.hands:
            reader.add(label, example_features(rgb, search))
            taught += 1
    if not taught:
        raise UserInputError("No hand in the recorded frames: show your whole hand to the camera and record again.")
    return reader.counts(), taught


def classify_personal(image, mask: bool = True, reader: PersonalReader | None = None) -> HandReading:
    """Like rps.predict.classify_hand with the default model, then blended with `reader`'s examples.

    "No hand" stays "no hand"; otherwise the personal reader always names its best gesture (it has no
    validated "not sure" threshold of its own; its sentence says how like your examples the photo is)."""
    rgb = _rgb(image)
    search = find_hands_twice(rgb)
    shipped = read_hand(rgb, search, mask=mask, model_name=DEFAULT_MODEL)
    if shipped.label is None:
        return shipped
    if reader is None or not len(reader):
        return replace(shipped, message=shipped.message + "; you have not taught any examples yet, so the shipped "
                                                          "model answered")
    # The examples were taught from masked crops, so the photo is compared masked too, whatever `mask` says;
    # `mask` only changes what the shipped models see.
    probabilities, how = reader.read(hand_features(rgb, search, mask=True), shipped.probabilities)
    best = max(probabilities, key=probabilities.get)
    return HandReading(probabilities, shipped.shown_image, f"{shipped.message}; {how}", label=best, sure=True,
                       hand_found=shipped.hand_found)


def counts_sentence(counts: dict[str, int], misread: int = 0) -> str:
    """What the visitor has taught, and what the model *personal* will do with it (`misread`: how many of the
    rock / paper / scissors examples the shipped model read as another gesture, PersonalReader.misread_examples)."""
    total = sum(counts.values())
    if not total:
        return "No examples yet. Show a gesture to the camera, say which it is, and press *Record*."
    parts = ", ".join(f"{name} {count}" for name, count in counts.items())
    sentence = f"Your examples ({total}): {parts}. Choose the model *personal* to use them."
    if misread:
        return (f"{sentence} The shipped model reads {misread} of them as another gesture, so for you the nearest "
                "of your examples decide.")
    if any(counts.get(name) for name in CLASSES):
        return (f"{sentence} The shipped model reads your rock / paper / scissors examples right, so it keeps its "
                "answer unless a photo is clearly nearer your examples of another gesture.")
    return sentence


