"""The arena core: game and agent protocols, one-game play, registry, statistics.

Depends on nothing in games/, agents/ or tournaments/; those plug in through the registry.
"""

__version__ = "0.1.0"
