"""A Kuhn poker agent that crashes whenever it holds the Jack, else plays uniformly at random.

For testing forfeits: ``arena match kuhn_poker --agents examples/agents/jack_crasher.py:JackCrasher,random``
forfeits about a third of its games (those where it is dealt the Jack and has to act).
"""

from arena import Agent


class JackCrasher(Agent):
    """Raises RuntimeError when its card is the Jack; otherwise a uniformly random move."""

    name = "jack_crasher"
    games = ("kuhn_poker",)

    def act(self, view, legal):
        if view.observation().hole == ("J",):
            raise RuntimeError("holding the Jack")
        return self.rng.choice(legal)

    def action_probabilities(self, view, legal):
        return {a: 1.0 / len(legal) for a in legal}
