from dataclasses import dataclass

from arena import Agent, param


class MyBot(Agent):
    """Plays the lowest-numbered legal action; a random one with probability `explore`."""

    @dataclass(frozen=True)
    class Params:
        explore: float = param(0.1, "chance of a random move instead")

    def act(self, view, legal):
        if self.rng.random() < self.params.explore:
            return self.rng.choice(legal)
        return min(legal)
