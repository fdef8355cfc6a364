"""Errors a user can cause. The CLI prints their one-line message and exits 2, without a traceback."""


class ZerosumError(Exception):
    """Base of every error caused by input: the message says what was wrong and how to fix it."""


class ConfigError(ZerosumError):
    """A preset, a `--set` override or a config file is invalid."""


class DataError(ZerosumError):
    """A dataset cannot be found, or a file in it cannot be read."""


class CheckpointError(ZerosumError):
    """A run directory or checkpoint is missing, corrupt, or of another architecture."""


class DivergenceError(ZerosumError):
    """Training kept diverging after `train.divergence.max_recoveries` rollbacks."""


def one_line(text: str) -> str:
    """`text` with line breaks and other unprintable characters escaped: messages quote user input (keys, paths)
    that may hold them, and the CLI promises a one-line error."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
