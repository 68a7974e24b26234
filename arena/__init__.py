"""The arena: fair tournaments between agents of every kind, scored with honest statistics.

The names below are the public API, kept stable: write an agent or a game against them
(``from arena import Agent, SeatView``) and run it with ``play`` / ``run_match`` or the
``arena`` command. Everything else lives in sub-packages by layer (see docs/architecture.md):
``arena.core`` (protocols, specs, registry), ``arena.play`` (one game), ``arena.stats``
(statistics and ratings), ``arena.store`` (the result store), ``arena.report`` (tables and
files), ``arena.testing`` (the conformance checker) and ``arena.cli`` (the command).
"""

from arena.core.version import VERSION as __version__

from arena.core.agent import Agent, BestMovesAgent, SeatView
from arena.core.errors import ArenaError, IllegalActionError
from arena.core.game import CHANCE, TERMINAL, Game, GameInfo, MetricSpec, Outcome, State
from arena.core.params import param
from arena.core.registry import make_agent, make_game, register_agent, register_game
from arena.play.match import GameJob, GameRecord, play, run_match

__all__ = [
    "CHANCE", "TERMINAL", "Agent", "ArenaError", "BestMovesAgent", "Game", "GameInfo", "GameJob",
    "GameRecord", "IllegalActionError", "MetricSpec", "Outcome", "SeatView", "State",
    "make_agent", "make_game", "param", "play", "register_agent", "register_game", "run_match",
    "__version__",
]
