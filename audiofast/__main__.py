"""The ``audiofast`` command (also ``python -m audiofast``)."""
from __future__ import annotations

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


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
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
