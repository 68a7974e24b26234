"""Agents that misbehave, for the runner tests: importable in any worker process (spawn,
Ray), where the test module that registers them is not."""

from __future__ import annotations

import time

from arena.core.agent import Agent


def _spin(seconds: float) -> None:
    """Busy for ``seconds`` (bounded, so a run without a working timer ends, slowly)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


class Fragile(Agent):
    """Spins on its first move ever; an object reused after being interrupted raises."""

    name = "fragile"

    def __init__(self, params, game):
        super().__init__(params, game)
        self.busy = False
        self.fresh = True

    def act(self, view, legal):
        if self.busy:
            raise RuntimeError("reused after an interrupted move")
        self.busy = True
        if self.fresh:
            self.fresh = False
            _spin(3.0)
        self.busy = False
        return legal[0]


class Raiser(Agent):
    name = "raiser"

    def act(self, view, legal):
        raise ValueError("broken agent")


class HangStart(Agent):
    name = "hang_start"

    def start(self, seat, rng):
        super().start(seat, rng)
        _spin(2.0)

    def act(self, view, legal):
        return legal[0]


class HangFinish(Agent):
    name = "hang_finish"

    def act(self, view, legal):
        return legal[0]

    def finish(self, view, outcome):
        _spin(2.0)


AGENTS = {"fragile": Fragile, "raiser": Raiser, "hang_start": HangStart,
          "hang_finish": HangFinish}


def register() -> None:
    """Register these agents by ``"module:Class"`` target (what workers can import)."""
    from arena.core.registry import register_agent

    for name, cls in AGENTS.items():
        register_agent(name, f"{__name__}:{cls.__name__}")
