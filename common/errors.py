"""Errors whose message is meant for the person using the demo.

Package code raises `UserInputError("words a person understands")`; the UI (app.py) turns it into a
`gr.Error` or `gr.Warning`. Anything else that escapes is a bug, and the UI says so without a traceback.
"""


class UserInputError(ValueError):
    """The input cannot be used; `str(error)` says why, in plain words."""


class ModelFileError(RuntimeError):
    """A model file is missing or corrupt; `str(error)` names the file and the command that rebuilds it."""
