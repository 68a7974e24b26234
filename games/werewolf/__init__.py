"""Werewolf, 5-12 players, the village against a pack of werewolves with hidden roles;
rules page: docs/rules/werewolf.md; implemented in game.py (rules and views) and text.py
(the text view).

Version history: 1 - first version, presets standard / small.
"""

from .game import (
    Ballot,
    Death,
    Statement,
    WerewolfGame,
    WerewolfObservation,
    WerewolfRules,
    WerewolfState,
    WolfNight,
)

__all__ = ["Ballot", "Death", "Statement", "WerewolfGame", "WerewolfObservation",
           "WerewolfRules", "WerewolfState", "WolfNight"]
