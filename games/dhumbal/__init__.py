"""Dhumbal (Jhyap): rules in docs/rules/dhumbal.md, implemented in game.py.

Version history: 1 - first version, presets paper / standard / yaniv.
"""

from .game import DhumbalGame, DhumbalObservation, DhumbalRules, DhumbalState, RoundResult

__all__ = ["DhumbalGame", "DhumbalObservation", "DhumbalRules", "DhumbalState", "RoundResult"]
