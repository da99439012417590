"""Subcommands of the ``corrector`` CLI, discovered by ``corrector.cli``."""
