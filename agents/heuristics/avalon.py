"""A rule-based Avalon bot for every role, in the style of the AvalonBench baselines.

- Servant: weighs the evil sets it cannot rule out (its own role, every quest's Fail count;
  a set that puts fewer evil players on a quest than it had Fails is impossible) by how
  likely each makes the Fail counts (each evil member plays Fail with ``fail_belief``),
  proposes the team with itself that is most likely all good, and approves a team only if
  every member is among the ``good``-count least suspected seats.
- Merlin: proposes itself plus good players; rejects any team with an evil player.
- Evil: approves a team holding at least as many evil players as the quest needs Fails;
  proposes itself (and a second evil player where two Fails are needed) plus good players;
  on a quest the evil members in seat order play exactly the Fails needed, the rest Success.
- Every role: the leader approves its own proposal; under ``fifth_rejection=evil_wins``
  good approves the fifth proposal of a quest and evil rejects it.
- Assassin: ``smart`` names the good player whose votes, proposals and statements best
  track the evil players (early ones weigh more: then only Merlin can know); ``random`` a
  uniformly random good player, as the benchmark does.
- Talk: a Servant accuses the most suspected seat that went on a failed quest when it is
  suspected above the base rate; Merlin accuses only evil players that a failed quest has
  already implicated; evil players accuse a good player that went on a failed quest (as a
  Servant would); otherwise each says nothing.

Randomness (ties, Merlin's and evil's choice of good team mates) comes from ``self.rng``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import comb
from typing import Literal

from arena.core.agent import Agent, SeatView
from arena.core.params import param
from games.avalon.game import APPROVE, FAIL, REJECT, SAY_NOTHING, SUCCESS, AvalonObservation

EVIL_KNOWN = ("evil", "assassin", "minion")


@dataclass(frozen=True)
class AvalonBotParams:
    assassin: Literal["smart", "random"] = param(
        "smart", "the Assassin names the good player who best tracks evil (smart) or a "
        "random good player (random)")
    fail_belief: float = param(
        0.75, "the Servant's model: chance that an evil quest member plays Fail (weighs "
        "the evil sets consistent with the Fail counts)")
    talk: bool = param(True, "make statements (accuse); false: always say nothing")

    def __post_init__(self) -> None:
        if not 0.0 < self.fail_belief < 1.0:
            raise ValueError(f"fail_belief={self.fail_belief} must be between 0 and 1 "
                             "(exclusive)")


class AvalonBot(Agent):
    """Rule-based Avalon play for every role (see the module's description)."""

    name = "avalon_bot"
    games = ("avalon",)
    Params = AvalonBotParams

    def __init__(self, params, game):
        super().__init__(params, game)
        self.n = game.num_players
        self.evil_count = game.evil_count

    # -- what this seat believes --------------------------------------------------------
    def evil_weights(self, obs: AvalonObservation) -> list[tuple[int, float]]:
        """(evil set as a seat mask, weight) for every evil set this seat cannot rule out."""
        must = sum(1 << s for s, r in enumerate(obs.known_roles) if r in EVIL_KNOWN)
        if obs.role != "servant":
            return [(must, 1.0)]
        q = self.params.fail_belief
        quests = [(sum(1 << s for s in r.team), r.fails) for r in obs.quests]
        out = []
        for mask in self.game.evil_masks:
            if mask >> obs.seat & 1 or mask & must != must:
                continue
            w = 1.0
            for team, fails in quests:
                k = (mask & team).bit_count()
                if k < fails:
                    w = 0.0
                    break
                w *= comb(k, fails) * q ** fails * (1 - q) ** (k - fails)
            if w > 0.0:
                out.append((mask, w))
        return out

    def suspicion(self, obs: AvalonObservation,
                  weights: list[tuple[int, float]]) -> list[float]:
        """Per seat, the probability it is evil under ``weights``."""
        total = sum(w for _, w in weights)
        return [sum(w for m, w in weights if m >> s & 1) / total for s in range(self.n)]

    @staticmethod
    def evil_mask(obs: AvalonObservation) -> int:
        return sum(1 << s for s, r in enumerate(obs.known_roles) if r in EVIL_KNOWN)

    # -- decisions ------------------------------------------------------------------------
    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        obs = view.observation()
        phase = obs.phase
        if phase == "propose":
            return self.propose(obs, legal)
        if phase == "talk":
            return self.speak(obs, legal)
        if phase == "vote":
            return APPROVE if self.approve(obs) else REJECT
        if phase == "quest":
            return self.card(obs, legal)
        return self.assassinate(obs, legal)

    def propose(self, obs: AvalonObservation, legal: Sequence[int]) -> int:
        g, me, size = self.game, obs.seat, obs.team_size
        if obs.team == "good" and obs.role == "servant":
            weights = self.evil_weights(obs)
            best, best_p = [], -1.0
            for a in legal:
                team = g.team_masks[a - g.propose_base]
                if not team >> me & 1:
                    continue
                p = sum(w for m, w in weights if m & team == 0)
                if p > best_p * (1 + 1e-9):
                    best, best_p = [a], p
                elif p >= best_p * (1 - 1e-9):
                    best.append(a)
            return self.rng.choice(best)
        evil = self.evil_mask(obs)
        good = [s for s in range(self.n) if not evil >> s & 1 and s != me]
        team = [me]
        if obs.team == "evil":
            mates = [s for s in range(self.n) if evil >> s & 1 and s != me]
            extra = min(obs.fails_needed - 1, len(mates), size - 1)
            team += self.rng.sample(mates, extra)
        team += self.rng.sample(good, size - len(team))
        return g.propose(team)

    def approve(self, obs: AvalonObservation) -> bool:
        me, team = obs.seat, obs.proposal
        last = obs.attempt == 4 and self.game.rules.fifth_rejection == "evil_wins"
        if obs.team == "evil":
            if last:
                return False
            if obs.leader == me:
                return True
            evil = self.evil_mask(obs)
            return sum(evil >> s & 1 for s in team) >= obs.fails_needed
        if last or obs.leader == me:
            return True
        if obs.role == "merlin":
            evil = self.evil_mask(obs)
            return not any(evil >> s & 1 for s in team)
        sus = self.suspicion(obs, self.evil_weights(obs))
        cut = sorted(sus)[self.n - self.evil_count - 1] + 1e-9
        return all(sus[s] <= cut for s in team)

    def card(self, obs: AvalonObservation, legal: Sequence[int]) -> int:
        if FAIL not in legal:
            return SUCCESS
        evil = self.evil_mask(obs)
        members = sorted(s for s in obs.proposal if evil >> s & 1)
        if len(members) >= obs.fails_needed and members.index(obs.seat) < obs.fails_needed:
            return FAIL
        return SUCCESS

    def speak(self, obs: AvalonObservation, legal: Sequence[int]) -> int:
        if not self.params.talk:
            return SAY_NOTHING
        me = obs.seat
        failed = sorted({s for q in obs.quests if not q.success for s in q.team} - {me})
        if not failed:
            return SAY_NOTHING
        g = self.game
        if obs.role == "servant":
            sus = self.suspicion(obs, self.evil_weights(obs))
            top = max(sus[s] for s in failed)
            if top <= self.evil_count / (self.n - 1) + 1e-9:
                return SAY_NOTHING
            return g.accuse(self.rng.choice([s for s in failed if sus[s] >= top - 1e-9]))
        evil = self.evil_mask(obs)
        if obs.role == "merlin":
            pick = [s for s in failed if evil >> s & 1]
        else:
            pick = [s for s in failed if not evil >> s & 1]
        return g.accuse(self.rng.choice(pick)) if pick else SAY_NOTHING

    def assassinate(self, obs: AvalonObservation, legal: Sequence[int]) -> int:
        if self.params.assassin == "random":
            return self.rng.choice(legal)
        g = self.game
        evil = self.evil_mask(obs)
        scores = {}
        for a in legal:
            c = a - g.assassinate_base
            score = weight = 0.0
            for p in obs.proposals:
                w = 1.0 / (1 + p.quest)
                dirty = any(evil >> s & 1 for s in p.team)
                if p.votes is not None:
                    v = p.votes[c]
                    score += w * ((-1.0 if v else 1.0) if dirty else (0.5 if v else -0.5))
                    weight += w
                if p.leader == c:
                    score += w * (-1.0 if dirty else 1.0)
                    weight += w
            for st in obs.statements:
                if st.seat != c or st.kind == "nothing":
                    continue
                w = 1.0 / (1 + st.quest)
                if st.kind == "claim":
                    score += w * (0.5 if st.role == "merlin" else 0.0)
                else:
                    bad = bool(evil >> st.target & 1)
                    sign = 1.0 if (st.kind == "accuse") == bad else -1.0
                    score += w * sign * (1.0 if bad else 0.5)
                weight += w
            scores[a] = score / weight if weight else 0.0
        top = max(scores.values())
        return self.rng.choice([a for a in legal if scores[a] >= top - 1e-9])
