"""The public conformance checker: ``check_game`` runs every check a game must pass."""

from arena.testing.conformance import check_game, play_out, random_step

__all__ = ["check_game", "play_out", "random_step"]
