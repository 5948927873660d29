"""Rock / paper / scissors against the computer: the rules, the score, and a computer that learns your habits.

    from rps.game import Game
    game = Game(mode="habits")          # or "random"
    round_ = game.play("rock")          # -> Round(player="rock", computer="paper", result="lose")
    game.score                          # {"win": 0, "lose": 1, "draw": 0}
    game.history[-5:]                   # the last rounds, oldest first

"habits" mode predicts your next throw and plays what beats it. Several small predictors look at your
history, each in its own way:
  - frequency: the throw you make most (catches "always rock");
  - Markov order 1 and 2: what followed your last one / two throws (catches cycles);
  - after outcome: what you did after your last throw *and* how that round ended (catches win-stay / lose-shift);
  - anti-counter: what beats the computer's last throw (catches players who copy-beat the computer).
Every predictor is scored on every round (decayed, so a player who changes habits is followed), and the computer
follows the best one, but only while it predicts better than chance; otherwise it plays at random, so a random
player cannot be beaten or exploited and the computer itself is hard to read.

A Game is small plain data (it deepcopies), so the app keeps one per visitor in a gr.State.
`python -m benchmarks.game_habits` measures it against scripted players.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

THROWS = ("rock", "paper", "scissors")
BEATS = {"rock": "scissors", "paper": "rock", "scissors": "paper"}       # key beats value
BEATEN_BY = {loser: winner for winner, loser in BEATS.items()}          # what beats the key
MODES = ("habits", "random")
WIN, LOSE, DRAW = "win", "lose", "draw"                                 # from the player's side
MEMORY = 200          # rounds the predictors learn from (the page shows fewer)
DECAY = 0.9           # weight of a predictor's past hits per round: recent rounds count most
CHANCE_MARGIN = 0.05  # a predictor is followed only while its (decayed) hit rate beats 1/3 by this much


def check_throw(throw: str) -> str:
    if throw not in THROWS:
        raise ValueError(f"{throw!r} is not a throw; choose one of {', '.join(THROWS)}")
    return throw


def outcome(player: str, computer: str) -> str:
    """The round's result for the player: "win", "lose" or "draw"."""
    check_throw(player), check_throw(computer)
    if player == computer:
        return DRAW
    return WIN if BEATS[player] == computer else LOSE


@dataclass
class Round:
    player: str
    computer: str
    result: str          # for the player
    predicted: str | None = None  # what the computer expected (None: it played at random)


# ------------------------------------------------------------------------------------------------ predictors
def _most_common(throws: list[str]) -> str | None:
    if not throws:
        return None
    counts = {t: throws.count(t) for t in THROWS}
    best = max(counts.values())
    # ties go to the most recent of the tied throws, which follows a player who is changing habits
    return next(t for t in reversed(throws) if counts[t] == best)


def predict_frequency(history: list[Round]) -> str | None:
    return _most_common([r.player for r in history[-30:]])


def _after(history: list[Round], key) -> str | None:
    """The player's most common next throw after rounds that match the last round by `key`."""
    if len(history) < 2:
        return None
    target = key(history, len(history))
    if target is None:
        return None
    following = [history[i].player for i in range(1, len(history)) if key(history, i) == target]
    return _most_common(following)


def predict_markov1(history: list[Round]) -> str | None:
    return _after(history, lambda h, i: h[i - 1].player)


def predict_markov2(history: list[Round]) -> str | None:
    return _after(history, lambda h, i: (h[i - 2].player, h[i - 1].player) if i >= 2 else None)


def predict_after_outcome(history: list[Round]) -> str | None:
    return _after(history, lambda h, i: (h[i - 1].player, h[i - 1].result))


def predict_beat_computer(history: list[Round]) -> str | None:
    return BEATEN_BY[history[-1].computer] if history else None


PREDICTORS = {"frequency": predict_frequency, "markov1": predict_markov1, "markov2": predict_markov2,
              "after outcome": predict_after_outcome, "beat the computer": predict_beat_computer}


# ------------------------------------------------------------------------------------------------ the game
@dataclass
class Game:
    mode: str = "habits"
    seed: int | None = None
    history: list[Round] = field(default_factory=list)
    score: dict[str, int] = field(default_factory=lambda: {WIN: 0, LOSE: 0, DRAW: 0})
    # per predictor: decayed count of hits and of predictions made
    hits: dict[str, float] = field(default_factory=lambda: {name: 0.0 for name in PREDICTORS})
    tries: dict[str, float] = field(default_factory=lambda: {name: 0.0 for name in PREDICTORS})
    _rng: random.Random = field(default=None, repr=False)

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; choose one of {', '.join(MODES)}")
        if self._rng is None:
            self._rng = random.Random(self.seed)

    def predictions(self) -> dict[str, str | None]:
        recent = self.history[-MEMORY:]
        return {name: predict(recent) for name, predict in PREDICTORS.items()}

    def best_guess(self, predictions: dict[str, str | None]) -> str | None:
        """The prediction of the predictor with the best decayed hit rate, if that rate beats chance."""
        rates = {name: (self.hits[name] + 1 / 3) / (self.tries[name] + 1)   # one prior "chance" try each
                 for name, guess in predictions.items() if guess is not None}
        if not rates:
            return None
        best = max(rates, key=rates.get)
        return predictions[best] if rates[best] > 1 / 3 + CHANCE_MARGIN else None

    def choose(self, predictions: dict[str, str | None] | None = None) -> tuple[str, str | None]:
        """(the computer's throw, the player's throw it expects or None when it plays at random)."""
        if self.mode != "habits":
            return self._rng.choice(THROWS), None
        expected = self.best_guess(self.predictions() if predictions is None else predictions)
        if expected is None:
            return self._rng.choice(THROWS), None
        return BEATEN_BY[expected], expected

    def play(self, player: str) -> Round:
        """One round: the computer chooses without looking at `player`, then both are compared and scored."""
        check_throw(player)
        predictions = self.predictions()
        computer, expected = self.choose(predictions)
        round_ = Round(player, computer, outcome(player, computer), expected)
        self.learn(predictions, player)
        self.history.append(round_)
        del self.history[:-MEMORY]
        self.score[round_.result] += 1
        return round_

    def learn(self, predictions: dict[str, str | None], player: str) -> None:
        for name, guess in predictions.items():
            self.hits[name] *= DECAY
            self.tries[name] *= DECAY
            if guess is not None:
                self.tries[name] += 1
                self.hits[name] += guess == player

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        self.mode = mode

    def reset(self) -> None:
        self.history.clear()
        self.score = {WIN: 0, LOSE: 0, DRAW: 0}
        self.hits = {name: 0.0 for name in PREDICTORS}
        self.tries = {name: 0.0 for name in PREDICTORS}

    @property
    def rounds(self) -> int:
        return sum(self.score.values())

    def score_line(self) -> str:
        if not self.rounds:
            return "No rounds yet."
        wins, losses, draws = self.score[WIN], self.score[LOSE], self.score[DRAW]
        return f"You {wins} · computer {losses} · draws {draws} ({self.rounds} rounds)"

    def state(self) -> dict:
        """The score and the recent rounds as plain JSON (for the API)."""
        return {"mode": self.mode, "score": dict(self.score), "rounds": self.rounds,
                "history": [{"you": r.player, "computer": r.computer, "result": r.result}
                            for r in self.history[-10:]]}


# ------------------------------------------------------------------------------------------------ in words
MODE_LABELS = {"habits": "tries to beat your habits", "random": "plays at random"}
RESULT_WORDS = {WIN: "You win!", LOSE: "The computer wins.", DRAW: "Draw."}
COUNTDOWN = ("Rock…", "Paper…", "Scissors…", "Shoot!")


def play_answer(game: Game, throw: str | None, sentence: str) -> tuple[dict, str]:
    """Play `throw` in `game` (None: a throw that could not be read, not scored) -> (the round as the API answers
    it: your throw, the computer's, the result, `sentence`, the score and history; the board's Markdown)."""
    if throw is None:
        answer = {"you": None, "computer": None, "result": "not scored", "message": sentence, **game.state()}
        return answer, f"## Show it again\n{sentence}"
    round_ = game.play(throw)
    answer = {"you": round_.player, "computer": round_.computer, "result": round_.result,
              "message": sentence, **game.state()}
    return answer, f"## {RESULT_WORDS[round_.result]}\n{round_sentence(round_)}"


def round_sentence(round_: Round) -> str:
    return f"You: {round_.player} · computer: {round_.computer} → **{RESULT_WORDS[round_.result]}**"


def history_markdown(game: Game, rows: int = 5) -> str:
    """The score, the mode, and the last rounds (newest first) as Markdown."""
    lines = [f"**Score** — {game.score_line()}  ", f"The computer {MODE_LABELS[game.mode]}."]
    if game.history:
        lines += ["", "| # | you | computer | result |", "|---|---|---|---|"]
        for number, round_ in zip(range(game.rounds, 0, -1), reversed(game.history[-rows:])):
            lines.append(f"| {number} | {round_.player} | {round_.computer} | {round_.result} |")
    return "\n".join(lines)
