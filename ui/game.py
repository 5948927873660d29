"""The game against the computer on the Rock / paper / scissors tab: Play and its countdown right beside the
camera (ui/camera.py), then the throw the camera holds at "Shoot!", a photo, or a click; the rules and the
computer's strategies live in rps/game.py."""
from __future__ import annotations

import time
from typing import NamedTuple

import gradio as gr

from common.runtime import one_torch_thread
from rps import game as rps_game
from rps import live
from ui import camera
from ui.errors import friendly_errors, uploaded

SHOOT_SECONDS = 0.6  # between the countdown's words, and after "Shoot!" before the throw is read
HELP = """## Ready?
Start the camera, press *Play* and show your throw at **Shoot!** No camera? Play a photo below, or click a
throw."""


class GameParts(NamedTuple):
    """The game's components that the photo section's "Play this photo" also uses."""
    mode: gr.Radio
    state: gr.State
    round: gr.JSON
    board: gr.Markdown
    history: gr.Markdown


def countdown():
    for word in rps_game.COUNTDOWN:
        yield f"## {word}"
        time.sleep(SHOOT_SECONDS)


def game_answer(game, throw, sentence):
    """Play `throw` (None: not scored) -> (the round as JSON for the API, the game state, the board text)."""
    answer, board = rps_game.play_answer(game, throw, sentence)
    return answer, game, board


def shoot_live(game, mode, camera_id):
    """The throw the camera `camera_id` holds at "Shoot!" -> (the round, the game state, the board)."""
    game.set_mode(mode)
    answer = camera.held_answer(camera_id, fresh_seconds=2 * SHOOT_SECONDS)
    if answer is None:
        return game_answer(game, None, camera.NO_CAMERA_SENTENCE)
    return game_answer(game, answer.throw, answer.sentence if answer.throw is None else f"Read {answer.throw} live.")


@friendly_errors
def play_photo(image, mode, game):
    """Photo -> (the round: your throw, the computer's, the result, the score and history; [state]; board)."""
    game.set_mode(mode)
    if image is None:
        return game_answer(game, None, "Take a photo with the camera or upload one first.")
    with one_torch_thread():  # common/runtime.py
        throw, sentence = live.throw_from_photo(uploaded(image))
    return game_answer(game, throw, sentence)


def play_click(throw):
    def play(mode, game):
        game.set_mode(mode)
        return game_answer(game, throw, f"You clicked {throw}.")
    return play


def fresh_game():
    return rps_game.Game()


def set_game_mode(mode, game):
    game.set_mode(mode)
    return game, rps_game.history_markdown(game)


def new_game(mode):
    game = rps_game.Game(mode=mode)
    return game, "## New game", rps_game.history_markdown(game)


def game_section() -> GameParts:
    """Play, the board and the clicked throws; beside the camera, so that on a phone they share its screen."""
    with gr.Group(elem_id="rps-game"):
        play_live = gr.Button("Play", variant="primary", size="lg", elem_id="rps-play-live")
        board = gr.Markdown(HELP, elem_id="rps-game-board")
    with gr.Row():
        throws = {throw: gr.Button(throw.capitalize(), size="sm", min_width=60,
                                   elem_id=f"rps-throw-{throw}") for throw in rps_game.THROWS}
    mode = gr.Radio([(label, key) for key, label in rps_game.MODE_LABELS.items()], value="habits",
                    label="The computer", elem_id="rps-game-mode")
    history = gr.Markdown(rps_game.history_markdown(rps_game.Game()), elem_id="rps-game-history")
    reset = gr.Button("New game", size="sm", elem_id="rps-game-reset")
    round_json = gr.JSON(visible=False)
    camera_id = gr.Textbox(visible=False)
    game = gr.State(fresh_game, time_to_live=3600)  # a callable: a fresh game (and dice) per visitor
    shown = dict(api_visibility="private", show_progress="hidden", queue=False)
    play_live.click(countdown, None, board, api_visibility="private", show_progress="hidden",
                    concurrency_limit=None,
                    ).then(shoot_live, [game, mode, camera_id], [round_json, game, board], js=camera.CAMERA_ID_JS,
                           **shown,
                    ).then(rps_game.history_markdown, game, history, **shown)
    for throw, button in throws.items():
        button.click(play_click(throw), [mode, game], [round_json, game, board], **shown,
                     ).then(rps_game.history_markdown, game, history, **shown)
    reset.click(new_game, mode, [game, board, history], **shown)
    mode.change(set_game_mode, [mode, game], [game, history], **shown)
    return GameParts(mode, game, round_json, board, history)


def play_photo_button(button: gr.Button, photo, game: GameParts) -> None:
    """"Play this photo" (the play_rps API endpoint): the photo section's button plays into the same game."""
    button.click(play_photo, [photo, game.mode, game.state], [game.round, game.state, game.board],
                 api_name="play_rps", preprocess=False, concurrency_limit=2, concurrency_id="models",
                 ).then(rps_game.history_markdown, game.state, game.history, api_visibility="private",
                        show_progress="hidden", queue=False)
