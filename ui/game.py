"""The game against the computer on the Rock / paper / scissors tab: a countdown, then the throw held by the
live camera, a photo, or a click; the rules and the computer's strategies live in rps/game.py."""
from __future__ import annotations

import time

import gradio as gr

from rps import game as rps_game
from rps import live
from ui.errors import friendly_errors, uploaded
from ui.live import latest_answer

SHOOT_SECONDS = 0.6  # between the countdown's words, and after "Shoot!" before the throw is read
HELP = """## Ready?
Start the live camera above, press *Play* and show your throw at **Shoot!** No webcam? Take or upload a photo
at the top and press *Play the photo above*, or click a throw."""


def countdown():
    for word in rps_game.COUNTDOWN:
        yield f"## {word}", f"## {word}"
        time.sleep(SHOOT_SECONDS)


def game_answer(game, throw, sentence):
    """Play `throw` (None: not scored) -> (the round as JSON for the API, the game state, the board text)."""
    answer, board = rps_game.play_answer(game, throw, sentence)
    return answer, game, board


def shoot_live(game, mode, request: gr.Request):
    """The throw held at "Shoot!" -> (the round, the game state, the board, the same beside the camera)."""
    game.set_mode(mode)
    answer = latest_answer(request)
    if answer is None or time.monotonic() - answer.at > 2 * SHOOT_SECONDS:
        played = game_answer(game, None, "The live camera is off: start it above, or play a photo or click a throw.")
    else:
        played = game_answer(game, answer.throw,
                             answer.sentence if answer.throw is None else f"Read {answer.throw} live.")
    return *played, played[-1]


@friendly_errors
def play_photo(image, mode, game):
    """Photo -> (the round: your throw, the computer's, the result, the score and history; [state]; board)."""
    game.set_mode(mode)
    if image is None:
        return game_answer(game, None, "Take a photo with the webcam or upload one first.")
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


def game_section(photo, by_camera) -> None:
    with gr.Accordion("Play against the computer", open=True, elem_id="rps-game"):
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                mode = gr.Radio([(label, key) for key, label in rps_game.MODE_LABELS.items()], value="habits",
                                label="The computer", elem_id="rps-game-mode")
                with gr.Row():
                    play_live = gr.Button("Play (live camera)", variant="primary", elem_id="rps-play-live")
                    play_picture = gr.Button("Play the photo above", elem_id="rps-play-photo")
                with gr.Row():
                    throws = {throw: gr.Button(throw.capitalize(), size="sm",
                                               elem_id=f"rps-throw-{throw}") for throw in rps_game.THROWS}
                reset = gr.Button("New game", size="sm", elem_id="rps-game-reset")
            with gr.Column(scale=2):
                board = gr.Markdown(HELP, elem_id="rps-game-board")
                history = gr.Markdown(rps_game.history_markdown(rps_game.Game()), elem_id="rps-game-history")
                round_json = gr.JSON(visible=False)
    game = gr.State(fresh_game, time_to_live=3600)  # a callable: a fresh game (and dice) per visitor
    shown = dict(api_visibility="private", show_progress="hidden", queue=False)
    play_live.click(countdown, None, [board, by_camera], api_visibility="private", show_progress="hidden",
                    concurrency_limit=None,
                    ).then(shoot_live, [game, mode], [round_json, game, board, by_camera], api_visibility="private",
                           show_progress="hidden", concurrency_limit=None,
                    ).then(rps_game.history_markdown, game, history, **shown)
    play_picture.click(play_photo, [photo, mode, game], [round_json, game, board], api_name="play_rps",
                       preprocess=False, concurrency_limit=2, concurrency_id="models",
                       ).then(rps_game.history_markdown, game, history, **shown)
    for throw, button in throws.items():
        button.click(play_click(throw), [mode, game], [round_json, game, board], **shown,
                     ).then(rps_game.history_markdown, game, history, **shown)
    reset.click(new_game, mode, [game, board, history], **shown)
    mode.change(set_game_mode, [mode, game], [game, history], **shown)
