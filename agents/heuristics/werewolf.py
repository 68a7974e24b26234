"""A rule-based Werewolf bot for every role, in the style of the simple public AIWolf agents.

Reading the talk: a seat that claims the Seer or reports an inspection is a Seer claimant;
a claimant is exposed as fake when what this seat knows contradicts it (a report that a
revealed role, or this seat's own role, belies; more wolves reported than there are; a
revealed role other than Seer; to the Seer, any other claimant; to a wolf, a fellow wolf).

- Villager: votes for the living player most often reported as a wolf by claimants not
  exposed as fake, else for a living exposed claimant (one that called this seat a wolf,
  say), else for the most suspected player (accused or reported as a wolf by a seat not
  exposed as fake; cleared or vouched for by a known wolf), ties at random, else at random;
  never for a claimant it trusts or a player such a claimant cleared.
  In talk it accuses the player it would vote for when a trusted report names it, else
  says nothing.
- Seer: inspects uninspected living players at random; claims the Seer once it has found a
  wolf (or from day ``seer_claim_day``), then reports every result, wolves first, one per
  statement, then accuses the living wolves it found; votes for a found wolf, else as a
  villager who trusts its own results.
- Doctor: protects a living claimed Seer not exposed as fake (the latest claimant), else a
  random living player (never the same two nights in a row unless the rules allow it);
  talks and votes as a villager.
- Werewolf: with probability ``fake_claim`` (at its first statement, if no fellow wolf
  claimed already) fake-claims the Seer: it reports a villager as a wolf (first a real
  claimant that exposed a wolf), then clears a fellow wolf, then reports others; at night
  it follows a fellow wolf's vote, else kills Seer claimants first, then Doctor claimants,
  else a random villager; it votes as a villager would on the public record, but never
  for a fellow wolf unless that wolf is doomed (the public case names it and the others
  outnumber the wolves), then for the claimant that named a wolf, else a random villager.

Randomness comes from ``self.rng`` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from arena.core.agent import Agent, SeatView
from arena.core.params import param
from games.werewolf.game import ABSTAIN, SAY_NOTHING, WOLF, WerewolfObservation


@dataclass(frozen=True)
class WerewolfBotParams:
    fake_claim: float = param(
        0.3, "probability that a werewolf fake-claims the Seer (decided at its first "
        "statement, unless a fellow wolf has claimed already)")
    seer_claim_day: int = param(3, "the day from which the Seer claims even without a wolf "
                                "found")
    abstain: bool = param(False, "abstain instead of a random vote when nobody is suspected")

    def __post_init__(self) -> None:
        if not 0.0 <= self.fake_claim <= 1.0:
            raise ValueError(f"fake_claim={self.fake_claim} must be between 0 and 1")
        if self.seer_claim_day < 1:
            raise ValueError(f"seer_claim_day={self.seer_claim_day} must be at least 1")


class WerewolfBot(Agent):
    """Rule-based Werewolf play for every role (see the module's description)."""

    name = "werewolf_bot"
    games = ("werewolf",)
    Params = WerewolfBotParams

    def __init__(self, params, game):
        super().__init__(params, game)
        self.n = game.num_players
        self.wolves = game.rules.wolves

    # -- reading the talk -----------------------------------------------------------------
    def claimants(self, obs: WerewolfObservation) -> dict[int, list[tuple[int, bool]]]:
        """Seer claimants in the order they first claimed, with their reports."""
        out: dict[int, list[tuple[int, bool]]] = {}
        for st in obs.statements:
            if st.kind == "claim" and st.role == "seer":
                out.setdefault(st.seat, [])
            elif st.kind == "report":
                out.setdefault(st.seat, []).append((st.target, bool(st.wolf)))
        return out

    @staticmethod
    def known(obs: WerewolfObservation, private: bool) -> list[str | None]:
        """Roles this seat knows (``private``) or that everyone knows (revealed dead)."""
        if private:
            return list(obs.known_roles)
        out: list[str | None] = [None] * len(obs.alive)
        for d in obs.deaths:
            out[d.seat] = d.role
        return out

    def exposed(self, obs: WerewolfObservation, c: int, reports: list[tuple[int, bool]],
                private: bool = True) -> bool:
        known = self.known(obs, private)
        if known[c] is not None and known[c] != "seer":
            return True
        if private and obs.role == "seer" and c != obs.seat:
            return True
        for t, wolf in reports:
            if known[t] is not None and (known[t] == WOLF) != wolf:
                return True
            if private and t == obs.seat and wolf and obs.role != WOLF:
                return True
        return len({t for t, w in reports if w}) > self.wolves

    def case(self, obs: WerewolfObservation, private: bool = True) -> tuple[list[int], set[int]]:
        """(the seats this seat would vote for, best first in a tie, and the seats it would
        spare), from the talk as this seat reads it (``private``: with what it alone knows;
        else as a villager with no secrets would)."""
        me, alive = obs.seat, obs.alive
        claims = self.claimants(obs)
        trusted = {c: r for c, r in claims.items() if not self.exposed(obs, c, r, private)}
        fake = [c for c in claims if c not in trusted and alive[c] and c != me]
        known = self.known(obs, private)
        spare = {me} | set(trusted)
        for reports in trusted.values():
            spare |= {t for t, wolf in reports if not wolf}
        if private and obs.role == "seer":
            spare |= {s for _, s, wolf in obs.inspections if not wolf}
        spare |= {s for s in range(self.n) if known[s] is not None and known[s] != WOLF}
        spare -= {s for s in range(self.n) if known[s] == WOLF and s != me}
        votes: dict[int, int] = {}
        for reports in trusted.values():
            for t in {t for t, wolf in reports if wolf}:
                if alive[t] and t != me:
                    votes[t] = votes.get(t, 0) + 1
        if votes:
            return _best(votes), spare
        if fake:
            return fake, spare
        suspected: dict[int, int] = {}
        for st in obs.statements:
            t = st.target
            if t is None or not alive[t] or t in spare:
                continue
            if known[st.seat] == WOLF:  # a known wolf's word: its friends are suspect
                if st.kind == "vouch" or (st.kind == "report" and not st.wolf):
                    suspected[t] = suspected.get(t, 0) + 2
            elif st.seat not in claims or st.seat in trusted:
                if st.kind == "accuse" or (st.kind == "report" and st.wolf):
                    suspected[t] = suspected.get(t, 0) + 1
        if suspected:
            return _best(suspected), spare
        return [], spare

    # -- decisions ------------------------------------------------------------------------
    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        obs = view.observation()
        if obs.phase == "night":
            if obs.role == WOLF:
                return self.kill(obs, legal)
            if obs.role == "doctor":
                return self.protect(obs, legal)
            return self.inspect(obs, legal)
        if obs.phase == "talk":
            if obs.role == WOLF:
                return self.wolf_talk(obs, legal)
            if obs.role == "seer":
                return self.seer_talk(obs, legal)
            return self.village_talk(obs, legal)
        if obs.role == WOLF:
            return self.wolf_vote(obs, legal)
        return self.village_vote(obs, legal)

    def pick(self, seats: Sequence[int]) -> int:
        return seats[int(self.rng.random() * len(seats))]

    def kill(self, obs: WerewolfObservation, legal: Sequence[int]) -> int:
        g = self.game
        tonight = obs.wolf_nights[-1]
        if tonight.votes:
            a = g.kill(tonight.votes[0][1])
            if a in legal:
                return a
        prey = [g.split(a)[1] for a in legal]
        claims = self.claimants(obs)
        seers = [c for c in claims if c in prey]
        if seers:
            wolf_finders = [c for c in seers if any(w for _, w in claims[c])]
            return g.kill(self.pick(wolf_finders or seers))
        doctors = sorted({st.seat for st in obs.statements if st.kind == "claim"
                          and st.role == "doctor" and st.seat in prey})
        return g.kill(self.pick(doctors or prey))

    def protect(self, obs: WerewolfObservation, legal: Sequence[int]) -> int:
        g = self.game
        claims = self.claimants(obs)
        trusted = [c for c, r in claims.items() if obs.alive[c] and c != obs.seat
                   and not self.exposed(obs, c, r)]
        for c in reversed(trusted):
            if g.protect(c) in legal:
                return g.protect(c)
        return self.pick(list(legal))

    def inspect(self, obs: WerewolfObservation, legal: Sequence[int]) -> int:
        done = {s for _, s, _ in obs.inspections}
        fresh = [a for a in legal if self.game.split(a)[1] not in done]
        return self.pick(fresh or list(legal))

    def seer_talk(self, obs: WerewolfObservation, legal: Sequence[int]) -> int:
        g, me = self.game, obs.seat
        mine = [st for st in obs.statements if st.seat == me]
        claimed = any(st.kind == "report" or (st.kind == "claim" and st.role == "seer")
                      for st in mine)
        found = any(wolf for _, _, wolf in obs.inspections)
        if not (claimed or found or obs.day >= self.params.seer_claim_day):
            return self.village_talk(obs, legal)
        told = {st.target for st in mine if st.kind == "report"}
        results = sorted({(s, wolf) for _, s, wolf in obs.inspections}, key=lambda x: not x[1])
        for s, wolf in results:
            if s not in told and g.report(s, wolf) in legal:
                return g.report(s, wolf)
        if not claimed:
            return g.claim("seer")
        wolves = [s for _, s, wolf in obs.inspections if wolf and obs.alive[s]]
        return g.accuse(self.pick(sorted(set(wolves)))) if wolves else SAY_NOTHING

    def village_talk(self, obs: WerewolfObservation, legal: Sequence[int]) -> int:
        claims = self.claimants(obs)
        trusted = [r for c, r in claims.items() if not self.exposed(obs, c, r)]
        named = {t for r in trusted for t, wolf in r if wolf}
        targets, _ = self.case(obs)
        for t in targets:
            if t in named and self.game.accuse(t) in legal:
                return self.game.accuse(t)
        return SAY_NOTHING

    def village_vote(self, obs: WerewolfObservation, legal: Sequence[int]) -> int:
        g = self.game
        if obs.role == "seer":
            wolves = sorted({s for _, s, wolf in obs.inspections if wolf and obs.alive[s]})
            if wolves:
                return g.vote(self.pick(wolves))
        targets, spare = self.case(obs)
        targets = [t for t in targets if g.vote(t) in legal]
        if targets:
            return g.vote(self.pick(targets))
        if self.params.abstain:
            return ABSTAIN
        rest = [g.split(a)[1] for a in legal if a != ABSTAIN]
        rest = [s for s in rest if s not in spare] or rest
        return g.vote(self.pick(rest))

    def wolf_talk(self, obs: WerewolfObservation, legal: Sequence[int]) -> int:
        g, me = self.game, obs.seat
        mates = {s for s, r in enumerate(obs.known_roles) if r == WOLF}
        mine = [st for st in obs.statements if st.seat == me]
        claims = self.claimants(obs)
        faking = me in claims
        if not mine and not any(c in mates for c in claims):
            faking = self.rng.random() < self.params.fake_claim
        living = [s for s in range(self.n) if obs.alive[s] and s != me]
        villagers = [s for s in living if s not in mates]
        named_wolf = [c for c, r in claims.items() if c not in mates and obs.alive[c]
                      and any(w and t in mates for t, w in r)]
        if not faking:
            if named_wolf:
                return g.accuse(self.pick(named_wolf))
            return SAY_NOTHING
        told = {t for t, _ in claims.get(me, [])}
        blamed = sum(1 for _, w in claims.get(me, []) if w)
        fresh = [s for s in named_wolf if s not in told]
        if fresh:
            return g.report(self.pick(fresh), True)
        if blamed == 0:
            pool = [s for s in villagers if s not in told]
            if pool:
                return g.report(self.pick(pool), True)
        cover = [s for s in living if s in mates and s not in told]
        if cover:
            return g.report(self.pick(cover), False)
        pool = [s for s in villagers if s not in told]
        if pool:
            return g.report(self.pick(pool), blamed < self.wolves)
        return SAY_NOTHING

    def wolf_vote(self, obs: WerewolfObservation, legal: Sequence[int]) -> int:
        g = self.game
        mates = {s for s, r in enumerate(obs.known_roles) if r == WOLF}
        targets, _ = self.case(obs, private=False)
        targets = [t for t in targets if g.vote(t) in legal]
        good = [t for t in targets if t not in mates]
        if good:
            return g.vote(self.pick(good))
        living = [s for s in range(self.n) if obs.alive[s]]
        wolves_alive = sum(1 for s in living if s in mates)
        if targets and len(targets) == 1 and len(living) - wolves_alive > wolves_alive + 1:
            return g.vote(targets[0])  # a doomed fellow wolf: join the vote
        claims = self.claimants(obs)
        accusers = [c for c, r in claims.items() if c not in mates and g.vote(c) in legal
                    and any(w and t in mates for t, w in r)]
        if accusers:
            return g.vote(self.pick(accusers))
        prey = [g.split(a)[1] for a in legal if a != ABSTAIN]
        prey = [s for s in prey if s not in mates] or prey
        return g.vote(self.pick(prey))


def _best(counts: dict[int, int]) -> list[int]:
    """The seats with the highest count, ascending."""
    top = max(counts.values())
    return sorted(s for s, c in counts.items() if c == top)
