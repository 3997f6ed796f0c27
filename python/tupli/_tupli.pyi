"""The extension module built from the Rust crate in python/."""

__version__: str
"""The package's version (the Rust workspace's)."""

def cli_main() -> int:
    """Runs the ``tupli`` command line with ``sys.argv`` and answers its exit code.

    The GIL is released while it runs. Usage errors, ``--help`` and
    ``--version`` end the process as the command does. Once per process: the
    command sets its output mode and logging for the process's lifetime.
    """
