"""Agents: one module per family; they depend on arena/ (and per-game heuristics on their game)."""
