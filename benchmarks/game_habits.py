"""How the computer of the rock / paper / scissors game does against scripted players with habits.

    python -m benchmarks.game_habits                    # writes benchmarks/results/game_habits.md
    python -m benchmarks.game_habits --rounds 60 --games 200 --no-write

Each scripted player plays `--games` games of `--rounds` rounds against a fresh `rps.game.Game` (as a visitor
would: a new page is a new game). Reported: the computer's win / loss / draw shares over all rounds, and a 95 %
interval of its win share. Targets: clearly more than a third of wins against every habit, and against a random
player no more losses than chance (a third). Random mode is measured too, as the baseline.
"""
from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

from rps.game import BEATEN_BY, LOSE, THROWS, WIN, Game

RESULTS = Path(__file__).resolve().parent / "results" / "game_habits.md"
CYCLE = ("rock", "paper", "scissors")


class Player:
    """A scripted player: `throw()` then `saw(own, computer, result)` after each round."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.last: tuple[str, str, str] | None = None

    def throw(self) -> str:
        raise NotImplementedError

    def saw(self, own: str, computer: str, result: str) -> None:
        self.last = (own, computer, result)


class AlwaysRock(Player):
    def throw(self):
        return "rock"


class Cycle(Player):
    """rock, paper, scissors, rock, ... from a random start."""

    def __init__(self, rng):
        super().__init__(rng)
        self.index = rng.randrange(3)

    def throw(self):
        self.index += 1
        return CYCLE[self.index % 3]


class ReverseCycle(Cycle):
    def throw(self):
        self.index -= 1
        return CYCLE[self.index % 3]


class WinStayLoseShift(Player):
    """Keep a winning throw; after a loss or draw switch to what would have beaten the computer's throw."""

    def throw(self):
        if self.last is None:
            return self.rng.choice(THROWS)
        own, computer, result = self.last
        return own if result == WIN else BEATEN_BY[computer]


class MostlyRock(Player):
    """A softer habit: rock half the time, otherwise at random."""

    def throw(self):
        return "rock" if self.rng.random() < 0.5 else self.rng.choice(THROWS)


class Random(Player):
    def throw(self):
        return self.rng.choice(THROWS)


PLAYERS = {"always rock": AlwaysRock, "cycle r→p→s": Cycle, "cycle s→p→r": ReverseCycle,
           "win-stay / lose-shift": WinStayLoseShift, "mostly rock (50 %)": MostlyRock, "random": Random}


def play(player_class, mode: str, games: int, rounds: int, seed: int) -> dict[str, int]:
    """The computer's tally over all rounds: {"win": n, "lose": n, "draw": n} from the computer's side."""
    tally = {"win": 0, "lose": 0, "draw": 0}
    for index in range(games):
        rng = random.Random(seed * 100_003 + index)
        player, game = player_class(rng), Game(mode=mode, seed=rng.randrange(2**32))
        for _ in range(rounds):
            own = player.throw()
            round_ = game.play(own)
            player.saw(own, round_.computer, round_.result)
            computer_side = {WIN: "lose", LOSE: "win"}.get(round_.result, "draw")
            tally[computer_side] += 1
    return tally


def share_interval(count: int, total: int) -> tuple[float, float, float]:
    share = count / total
    half = 1.96 * math.sqrt(share * (1 - share) / total)
    return share, share - half, share + half


def run(games: int, rounds: int, seed: int) -> str:
    lines = [f"# The game's computer against scripted players ({games} games × {rounds} rounds each)", "",
             "Shares of all rounds, from the computer's side; 95 % interval of the win share in brackets.", "",
             "| player | mode | computer wins | computer loses | draws |", "|---|---|---|---|---|"]
    verdicts = []
    for name, player_class in PLAYERS.items():
        for mode in ("habits", "random"):
            tally = play(player_class, mode, games, rounds, seed)
            total = sum(tally.values())
            win, low, high = share_interval(tally["win"], total)
            lose = tally["lose"] / total
            lines.append(f"| {name} | {mode} | **{win:.3f}** [{low:.3f}, {high:.3f}] | {lose:.3f} | "
                         f"{tally['draw'] / total:.3f} |")
            if mode == "habits":
                if name == "random":
                    _, lose_low, _ = share_interval(tally["lose"], total)
                    ok = lose_low <= 1 / 3
                    verdicts.append(f"- against random: loses {lose:.3f} (chance 0.333): "
                                    f"{'no more than chance' if ok else 'MORE than chance'}")
                else:
                    ok = low > 1 / 3 + 0.05
                    verdicts.append(f"- against {name}: wins {win:.3f}: "
                                    f"{'clearly more than a third' if ok else 'NOT clearly more than a third'}")
    lines += ["", "Verdicts (habits mode; 'clearly' = the whole 95 % interval above 0.383):", "", *verdicts, "",
              f"Command: `python -m benchmarks.game_habits --games {games} --rounds {rounds} --seed {seed}`"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=30, help="rounds a game (a visitor's sitting)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    report = run(args.games, args.rounds, args.seed)
    print(report)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(report)


if __name__ == "__main__":
    main()
