"""The public conformance checker: check_game runs every check a game must pass."""
