"""The ``audiofast`` command (also ``python -m audiofast``)."""
from __future__ import annotations

import os
import sys

from ._version import __version__

USAGE = """usage: audiofast <command> [options]
       audiofast --version

commands:
  bench    time audiofast against numpy (and other peers), side by side, in one process
           (audiofast bench --help for its options)
  prepare  audio files or folders -> resampled, mono, trimmed or split files and a manifest,
           on every core or a Dask cluster (audiofast prepare --help)
  vad      speech segments of audio files: a table, JSON, or a plot (audiofast vad --help)

options:
  -h, --help  show this message and exit
  --version   print the version and exit
"""


# the exit status of a command whose reader went away (128 + SIGPIPE, as a shell reports it)
BROKEN_PIPE_STATUS = 141


def main(argv: list[str] | None = None) -> int:
    """Run the ``audiofast`` command with `argv` (default ``sys.argv[1:]``); the exit status.
    When the reader of its output goes away (``audiofast vad *.wav | head``), it stops quietly
    with status 141, as Unix tools stopped by SIGPIPE do, rather than with a traceback."""
    try:
        return _run(sys.argv[1:] if argv is None else list(argv))
    except BrokenPipeError:
        try:        # the interpreter's last flush of stdout would fail again: point it nowhere
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return BROKEN_PIPE_STATUS


def _run(args: list[str]) -> int:
    if not args or args[0] in ("-h", "--help"):
        print(USAGE, end="")
        return 0
    if args[0] == "--version":
        print(f"audiofast {__version__}")
        return 0
    if args[0] == "bench":
        from .bench import main as bench_main
        return bench_main(args[1:])
    if args[0] == "prepare":
        from .prepare import main as prepare_main
        return prepare_main(args[1:])
    if args[0] == "vad":
        from .vadcli import main as vad_main
        return vad_main(args[1:])
    print(f"audiofast: unknown command {args[0]!r}\n\n{USAGE}", end="", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
