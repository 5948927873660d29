"""The web page: one module per tab or section, wired by app.py. Model logic lives in `mnist/` and `rps/`."""
