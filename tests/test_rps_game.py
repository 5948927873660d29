"""The game's rules, scoring and the habit-learning computer (rps/game.py)."""
from __future__ import annotations

import copy
import random

import pytest

from rps.game import (BEATEN_BY, DRAW, LOSE, THROWS, WIN, Game, history_markdown, outcome, predict_after_outcome,
                      predict_frequency, predict_markov1, predict_markov2, Round)


def test_rules_every_pair():
    wins = {("rock", "scissors"), ("paper", "rock"), ("scissors", "paper")}
    for player in THROWS:
        for computer in THROWS:
            expected = DRAW if player == computer else WIN if (player, computer) in wins else LOSE
            assert outcome(player, computer) == expected
    assert {BEATEN_BY[t] for t in THROWS} == set(THROWS)
    for throw in THROWS:
        assert outcome(BEATEN_BY[throw], throw) == WIN


def test_unknown_throw_and_mode_are_refused():
    with pytest.raises(ValueError):
        outcome("lizard", "rock")
    with pytest.raises(ValueError):
        Game(mode="cheat")
    with pytest.raises(ValueError):
        Game().play("spock")


def test_score_and_history_follow_the_rounds():
    game = Game(mode="random", seed=3)
    rounds = [game.play(throw) for throw in ["rock", "paper", "scissors", "rock", "rock"]]
    assert [r.player for r in game.history] == ["rock", "paper", "scissors", "rock", "rock"]
    for result in (WIN, LOSE, DRAW):
        assert game.score[result] == sum(r.result == result for r in rounds)
    assert game.rounds == 5
    state = game.state()
    assert state["rounds"] == 5 and state["score"] == game.score and len(state["history"]) == 5
    assert "rounds" in game.score_line()
    table = history_markdown(game, rows=3)
    assert table.count("\n| ") == 4  # header + 3 rounds (newest first)
    assert "| 5 | rock |" in table
    game.reset()
    assert game.rounds == 0 and game.history == [] and game.score_line() == "No rounds yet."


def test_predictors_see_the_habits():
    def rounds(players, computers=None):
        computers = computers or ["rock"] * len(players)
        return [Round(p, c, outcome(p, c)) for p, c in zip(players, computers)]
    assert predict_frequency(rounds(["rock", "rock", "paper", "rock"])) == "rock"
    cycle = ["rock", "paper", "scissors"] * 3 + ["rock"]
    assert predict_markov1(rounds(cycle)) == "paper"
    assert predict_markov2(rounds(cycle)) == "paper"
    # after each win this player repeats; the last round was a win with paper (computer rock) -> paper again
    players, computers = ["paper", "paper", "scissors", "paper", "paper"], ["rock", "rock", "rock", "rock", "rock"]
    assert predict_after_outcome(rounds(players, computers)) == "paper"
    assert predict_frequency([]) is None and predict_markov1(rounds(["rock"])) is None


def test_habits_mode_beats_always_rock_and_a_cycle():
    for script in (lambda i: "rock", lambda i: THROWS[i % 3]):
        game = Game(mode="habits", seed=1)
        results = [game.play(script(i)).result for i in range(30)]
        assert results[10:].count(LOSE) >= 17, results  # the computer wins most rounds once it has seen 10


def test_random_player_is_not_beaten_more_than_chance():
    rng = random.Random(7)
    losses = total = 0
    for _ in range(40):
        game = Game(mode="habits", seed=rng.randrange(10**6))
        for _ in range(30):
            losses += game.play(rng.choice(THROWS)).result == LOSE
            total += 1
    assert losses / total < 0.40  # chance is 1/3; 1,200 rounds put chance's 97.5th percentile near 0.36


def test_random_mode_does_not_predict_and_games_are_independent():
    game = Game(mode="random", seed=5)
    assert all(game.play("rock").predicted is None for _ in range(20))
    other = copy.deepcopy(Game(mode="habits"))  # gr.State deep-copies its value
    other.play("paper")
    assert game.rounds == 20 and other.rounds == 1


# ------------------------------------------------------------------------------------------------ the API
def test_play_rps_api_scores_each_visitor_apart(inprocess_url, tmp_path):
    from gradio_client import Client, handle_file
    from PIL import Image

    from conftest import shared_path

    photo = handle_file(str(shared_path("rps", "subhih", "paper", "test__16_pic00032__33_159.jpg")))
    first, second = Client(inprocess_url, verbose=False), Client(inprocess_url, verbose=False)
    rounds = [first.predict(photo, "habits", api_name="/play_rps")[0] for _ in range(2)]
    assert [r["you"] for r in rounds] == ["paper", "paper"]
    assert all(r["computer"] in THROWS and r["result"] == outcome("paper", r["computer"]) for r in rounds)
    assert rounds[-1]["rounds"] == 2 and sum(rounds[-1]["score"].values()) == 2
    other = second.predict(photo, "random", api_name="/play_rps")[0]
    assert other["rounds"] == 1 and other["mode"] == "random"      # another visitor, another score

    Image.new("RGB", (320, 240), (90, 90, 90)).save(tmp_path / "wall.png")
    nothing = first.predict(handle_file(str(tmp_path / "wall.png")), "habits", api_name="/play_rps")[0]
    assert nothing["result"] == "not scored" and "show it again" in nothing["message"]
    assert nothing["rounds"] == 2                                    # not counted
