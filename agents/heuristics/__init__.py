"""Hand-written heuristic agents, per game."""
