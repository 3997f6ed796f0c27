"""``python -m tupli``: the ``tupli`` command."""

from tupli._cli import main

main()
