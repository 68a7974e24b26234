"""The Resistance: Avalon, 5-10 players, good against evil with hidden roles;
rules page: docs/rules/avalon.md; implemented in game.py (rules and views) and text.py
(the text view).

Version history: 1 - first version, presets standard / avalonbench.
"""

from .game import (
    AvalonGame,
    AvalonObservation,
    AvalonRules,
    AvalonState,
    Proposal,
    QuestResult,
    Statement,
)

__all__ = ["AvalonGame", "AvalonObservation", "AvalonRules", "AvalonState", "Proposal",
           "QuestResult", "Statement"]
