"""The ``tupli`` script: the command line, run in this process by the Rust core."""

import signal
import sys

from tupli._tupli import cli_main


def main() -> None:
    """Runs ``tupli`` with ``sys.argv`` and exits with its exit code."""
    # As the standalone command: Ctrl-C ends it at once (commands that must
    # clean up first install their own handler), instead of waiting for
    # Python's handler to run after the command returns.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(cli_main())
