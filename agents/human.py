"""A person at the terminal: sees their seat's text, picks a numbered move (any game)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from arena.core.agent import Agent, SeatView
from arena.core.game import Outcome


class QuitGame(KeyboardInterrupt):
    """The person typed q."""


class HumanAgent(Agent):
    """You, at the terminal: moves are numbered, hidden cards stay hidden."""

    name = "human"
    interactive = True

    def __init__(self, params, game):
        super().__init__(params, game)
        self.ask: Callable[[str], str] = input
        self.say: Callable[[str], None] = lambda text: print(text, file=sys.stdout, flush=True)

    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        self.say("\n" + "-" * 72 + "\n" + view.text())
        names = [view.action_name(a) for a in legal]
        for i, name in enumerate(names, 1):
            self.say(f"  {i:>2}. {name}")
        while True:
            try:
                answer = self.ask(f"Your move [1-{len(legal)}, q to quit]: ").strip()
            except EOFError:
                raise QuitGame() from None
            if answer.lower() in ("q", "quit", "exit"):
                raise QuitGame()
            if answer.isdigit() and 1 <= int(answer) <= len(legal):
                return legal[int(answer) - 1]
            lowered = [n.lower() for n in names]
            if answer.lower() in lowered:
                return legal[lowered.index(answer.lower())]
            self.say(f"'{answer}' is not a move here: type a number from 1 to {len(legal)}.")

    def talk(self, view: SeatView, action: int) -> str | None:
        """After a statement: free text for the others to read (empty: none)."""
        try:
            text = self.ask("Add words to your statement (Enter for none): ").strip()
        except EOFError:
            raise QuitGame() from None
        return text or None

    def finish(self, view: SeatView, outcome: Outcome) -> None:
        self.say("\n" + "=" * 72 + "\n" + view.text())
        me = view.seat
        if outcome.teams is not None:
            mine = outcome.teams[me]
            verdict = ("A draw." if outcome.team is None else
                       f"Your team ({mine}) won!" if outcome.team == mine else
                       f"Your team ({mine}) lost; {outcome.team} won.")
        elif me in outcome.winners:
            verdict = "You won!" if len(outcome.winners) == 1 else "You tied for first."
        else:
            verdict = f"You finished in place {outcome.ranks[me] + 1}."
        self.say(f"\nGame over. {verdict} Payoffs by seat: "
                 + ", ".join(f"{s}: {r:+g}" for s, r in enumerate(outcome.returns)))
