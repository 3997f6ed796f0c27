"""The ``tupli`` script: the command line, run in this process by the Rust core."""

import sys

from tupli._tupli import cli_main


def main() -> None:
    """Runs ``tupli`` with ``sys.argv`` and exits with its exit code."""
    sys.exit(cli_main())
