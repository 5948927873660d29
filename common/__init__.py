"""Code both demos share: checkpoint I/O, the training loop, safe image decoding and plots.

Written once here so that `mnist/` and `rps/` stay small and read alike.
"""
