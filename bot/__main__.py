"""``python -m bot`` is the ``hgj`` command."""

from bot.cli import main

main()
