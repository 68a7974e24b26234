"""The Resistance: Avalon, 5-10 players: good (Merlin, Loyal Servants) against evil
(Assassin, Minions), every rule variant a setting.

A quest is a proposal by the leader, one round of statements in seat order from the leader
(``talk``), a secret vote taken seat by seat (revealed once all have voted), and, on
approval, secret quest cards played by the team in seat order (only the number of Fails is
revealed). Roles are dealt from the seed in ``new_state``; there is no other chance.

Presets ``standard`` (the default) and ``avalonbench`` (5 players, the fifth proposal of a
quest approved automatically, as the AvalonBench environment plays).

Action space (fixed for a seat count ``n``): 0 approve, 1 reject, 2 success, 3 fail,
4 say nothing, 5-8 claim merlin / servant / assassin / minion, then ``accuse seat i``
(``n``), ``vouch for seat i`` (``n``), ``assassinate seat i`` (``n``), and last one
``propose ...`` per team of a size some quest needs (ascending size, then lexicographic).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np

from arena.core.game import TERMINAL, GameInfo, MetricSpec, Outcome
from arena.core.params import param
from games.hidden_roles import HiddenRoleGame, HiddenRoleObservation, HiddenRoleState

ROLES = ("merlin", "servant", "assassin", "minion")
ROLE_TEAM = {"merlin": "good", "servant": "good", "assassin": "evil", "minion": "evil"}
GOOD, EVIL = "good", "evil"

QUEST_SIZES = {
    5: (2, 3, 2, 3, 3),
    6: (2, 3, 4, 3, 4),
    7: (2, 3, 3, 4, 4),
    8: (3, 4, 4, 5, 5),
    9: (3, 4, 4, 5, 5),
    10: (3, 4, 4, 5, 5),
}
EVIL_COUNT = {5: 2, 6: 2, 7: 3, 8: 3, 9: 3, 10: 4}
MAX_ATTEMPTS = 5
"""Proposals per quest: the fifth rejection ends the game (or the fifth is auto-approved)."""

APPROVE, REJECT, SUCCESS, FAIL, SAY_NOTHING = range(5)
CLAIM_BASE = 5
ACCUSE_BASE = CLAIM_BASE + len(ROLES)

PROPOSE, TALK, VOTE, QUEST, ASSASSINATE, OVER = range(6)
PHASES = ("propose", "talk", "vote", "quest", "assassinate", "over")


def quest_sizes(players: int) -> tuple[int, ...]:
    """Team size of each of the five quests."""
    return QUEST_SIZES[players]


def fails_needed(players: int, quest: int) -> int:
    """Fail cards that fail quest ``quest`` (0-based): two on the fourth at 7+ players."""
    return 2 if quest == 3 and players >= 7 else 1


def role_list(players: int) -> list[str]:
    """The roles of a game of ``players`` seats (before they are dealt)."""
    evil = EVIL_COUNT[players]
    return ["merlin", "assassin"] + ["servant"] * (players - evil - 1) + ["minion"] * (evil - 1)


@dataclass(frozen=True)
class AvalonRules:
    """Rule settings of Avalon."""

    players: int = param(5, "seats at the table (5-10)")
    fifth_rejection: Literal["evil_wins", "auto_approve"] = param(
        "evil_wins",
        "the fifth rejected proposal of a quest wins for evil, or the fifth proposal is "
        "approved without a vote (auto_approve)")
    talk: bool = param(True, "one round of statements in seat order before each vote")

    def __post_init__(self) -> None:
        if not 5 <= self.players <= 10:
            raise ValueError(f"players={self.players} must be between 5 and 10")


PRESETS = {
    "standard": dict(players=5, fifth_rejection="evil_wins", talk=True),
    "avalonbench": dict(players=5, fifth_rejection="auto_approve", talk=True),
}


@dataclass(frozen=True)
class Proposal:
    """A proposal that came to a decision (public)."""

    quest: int
    attempt: int
    """0-based: how many proposals of this quest were rejected before it."""
    leader: int
    team: tuple[int, ...]
    votes: tuple[bool, ...] | None
    """Approve per seat, or None where the proposal was approved without a vote."""
    approved: bool


@dataclass(frozen=True)
class QuestResult:
    """A quest that was played (public: the team and the number of Fail cards)."""

    quest: int
    team: tuple[int, ...]
    fails: int
    fails_needed: int
    success: bool


@dataclass(frozen=True)
class Statement:
    """A statement made in a round of talk (public), with any free text attached."""

    quest: int
    attempt: int
    seat: int
    kind: Literal["nothing", "claim", "accuse", "vouch"]
    role: str | None = None
    """The role claimed (``kind == "claim"``)."""
    target: int | None = None
    """The seat accused or vouched for."""
    text: str = ""


@dataclass(frozen=True)
class AvalonObservation(HiddenRoleObservation):
    """What one seat knows. Seats are absolute.

    ``known_roles``: per seat what this seat knows of its role: a role name, ``"evil"`` (an
    evil seat whose role is not known), or None. Merlin and evil seats see the evil ones; the
    Assassin is public once it names its target; every role is public at the end."""

    phase: str
    to_move: int
    quest: int
    """The quest being played, 0-based (the last one played, at the end)."""
    attempt: int
    """Proposals of this quest rejected so far."""
    leader: int
    team_size: int
    fails_needed: int
    proposal: tuple[int, ...]
    """The team proposed now (empty before the leader proposes)."""
    voted: tuple[int, ...]
    """Seats that have voted on the proposal (the votes are hidden until all have voted)."""
    my_vote: bool | None
    played: tuple[int, ...]
    """Team members that have played their quest card (the cards stay hidden)."""
    my_card: str | None
    successes: int
    failures: int
    quests: tuple[QuestResult, ...]
    proposals: tuple[Proposal, ...]
    statements: tuple[Statement, ...]
    winner: str | None
    end: str
    """How the game ended (empty while it goes on)."""
    target: int | None
    """The seat the Assassin named (at the end, if it came to that)."""


class AvalonGame(HiddenRoleGame):
    """The Resistance: Avalon, 5-10 players, good against evil with hidden roles."""

    info = GameInfo(
        name="avalon",
        description="The Resistance: Avalon: hidden roles, quests, votes and an assassination",
        min_players=5,
        max_players=10,
        perfect_information=False,
        chance=True,
        talk=True,
        teams=True,
    )
    Rules = AvalonRules
    presets = PRESETS
    default_preset = "standard"
    metric_specs = (
        MetricSpec("good_win_rate", "games won as good / games played as good", "ratio",
                   "good_wins", "good_games"),
        MetricSpec("evil_win_rate", "games won as evil / games played as evil", "ratio",
                   "evil_wins", "evil_games"),
        MetricSpec("merlin_assassinated", "as Merlin: named by the Assassin / assassinations",
                   "ratio", "merlin_named", "merlin_assassinations"),
        MetricSpec("assassin_accuracy", "as Assassin: named Merlin / assassinations", "ratio",
                   "assassin_hits", "assassin_shots"),
        MetricSpec("quest_success_rate", "quests that succeeded / quests the seat went on",
                   "ratio", "quests_succeeded", "quests_joined"),
        MetricSpec("vote_accuracy", "votes as good that approved an all-good team or rejected "
                   "a team with evil / votes as good", "ratio", "votes_right", "votes_good"),
    )

    def __init__(self, rules: AvalonRules | None = None, preset: str | None = None):
        super().__init__(rules, preset)
        n = self.rules.players
        self.sizes = quest_sizes(n)
        self.needed = tuple(fails_needed(n, q) for q in range(5))
        self.evil_count = EVIL_COUNT[n]
        self.vouch_base = ACCUSE_BASE + n
        self.assassinate_base = ACCUSE_BASE + 2 * n
        self.propose_base = ACCUSE_BASE + 3 * n
        teams = [c for k in sorted(set(self.sizes)) for c in combinations(range(n), k)]
        self.teams = tuple(teams)
        self.team_masks = tuple(sum(1 << s for s in t) for t in teams)
        self.propose_action = {m: self.propose_base + i for i, m in enumerate(self.team_masks)}
        self.proposals_of_size = {
            k: tuple(self.propose_base + i for i, t in enumerate(teams) if len(t) == k)
            for k in set(self.sizes)
        }
        self.evil_masks = tuple(sum(1 << s for s in c)
                                for c in combinations(range(n), self.evil_count))

    @property
    def num_actions(self) -> int:
        return self.propose_base + len(self.teams)

    @property
    def encoding_shape(self) -> tuple[int, ...]:
        n = self.rules.players
        return (43 + 22 * n + 2 * n * n,)

    def new_state(self, seed: int) -> "AvalonState":
        roles = role_list(self.rules.players)
        random.Random(seed).shuffle(roles)
        return AvalonState(self, roles)

    def deal(self, roles: Sequence[str], leader: int = 0) -> "AvalonState":
        """A game with the roles given per seat (for tests and puzzles), ``leader`` first."""
        roles = list(roles)
        if sorted(roles) != sorted(role_list(self.rules.players)):
            raise ValueError(f"roles {roles} are not the roles of a {self.rules.players}-player "
                             f"game: {role_list(self.rules.players)}")
        return AvalonState(self, roles, leader)

    def action_name(self, action: int) -> str:
        n = self.rules.players
        if 0 <= action < CLAIM_BASE:
            return ("approve", "reject", "success", "fail", "say nothing")[action]
        if action < ACCUSE_BASE:
            return "claim " + ROLES[action - CLAIM_BASE]
        if action < self.vouch_base:
            return f"accuse seat {action - ACCUSE_BASE}"
        if action < self.assassinate_base:
            return f"vouch for seat {action - self.vouch_base}"
        if action < self.propose_base:
            return f"assassinate seat {action - self.assassinate_base}"
        if action < self.num_actions:
            return "propose " + " ".join(map(str, self.teams[action - self.propose_base]))
        raise ValueError(f"avalon: no action {action} (valid 0-{self.num_actions - 1}, "
                         f"{n} players)")

    def propose(self, team: Sequence[int]) -> int:
        """The action proposing ``team``."""
        mask = sum(1 << s for s in set(team))
        if mask not in self.propose_action:
            raise ValueError(f"no quest takes a team of {len(set(team))}: {sorted(team)}")
        return self.propose_action[mask]

    def accuse(self, seat: int) -> int:
        return ACCUSE_BASE + seat

    def vouch(self, seat: int) -> int:
        return self.vouch_base + seat

    def assassinate(self, seat: int) -> int:
        return self.assassinate_base + seat

    def claim(self, role: str) -> int:
        return CLAIM_BASE + ROLES.index(role)


class AvalonState(HiddenRoleState):
    """A position of an Avalon game."""

    role_team = ROLE_TEAM
    game: AvalonGame
    rules: AvalonRules

    __slots__ = (
        "game", "rules", "n", "role_of", "current_player", "phase", "leader", "quest",
        "attempt", "team", "step", "votes", "cards", "proposals", "quests", "statements",
        "winner", "end", "target",
    )

    def __init__(self, game: AvalonGame, roles: list[str] | None, leader: int = 0):
        super().__init__(game, roles)
        if roles is None:
            return
        n = self.n
        self.leader = leader
        self.current_player = leader
        self.phase = PROPOSE
        self.quest = 0
        self.attempt = 0
        self.team: tuple[int, ...] = ()
        self.step = 0
        self.votes: list[bool | None] = [None] * n
        self.cards: list[int | None] = [None] * n
        self.proposals: list[Proposal] = []
        self.quests: list[QuestResult] = []
        self.statements: list[Statement] = []
        self.winner: str | None = None
        self.end = ""
        self.target: int | None = None

    # -- roles and teams ------------------------------------------------------------------
    def is_evil(self, seat: int) -> bool:
        return ROLE_TEAM[self.role_of[seat]] == EVIL

    @property
    def successes(self) -> int:
        return sum(q.success for q in self.quests)

    @property
    def failures(self) -> int:
        return sum(not q.success for q in self.quests)

    # -- the protocol ---------------------------------------------------------------------
    def legal_actions(self) -> tuple[int, ...]:
        p, g, phase = self.current_player, self.game, self.phase
        if p < 0:
            return ()
        if phase == PROPOSE:
            return g.proposals_of_size[g.sizes[self.quest]]
        if phase == TALK:
            others = [s for s in range(self.n) if s != p]
            return (SAY_NOTHING, *range(CLAIM_BASE, ACCUSE_BASE),
                    *(ACCUSE_BASE + s for s in others), *(g.vouch_base + s for s in others))
        if phase == VOTE:
            return (APPROVE, REJECT)
        if phase == QUEST:
            return (SUCCESS, FAIL) if self.is_evil(p) else (SUCCESS,)
        return tuple(g.assassinate_base + s for s in range(self.n) if not self.is_evil(s))

    def is_statement(self, action: int) -> bool:
        return SAY_NOTHING <= action < self.game.assassinate_base

    def _apply(self, action: int) -> None:
        phase, p, g, n = self.phase, self.current_player, self.game, self.n
        if phase == PROPOSE:
            self.team = g.teams[action - g.propose_base]
            if self.attempt == MAX_ATTEMPTS - 1 and self.rules.fifth_rejection == "auto_approve":
                self.proposals.append(Proposal(self.quest, self.attempt, self.leader, self.team,
                                               None, True))
                self._start_quest()
                return
            self.phase = TALK if self.rules.talk else VOTE
            self.step = 0
            return
        if phase == TALK:
            self.statements.append(self._statement(p, action))
            self.step += 1
            if self.step == n:
                self.phase, self.step = VOTE, 0
                self.current_player = self.leader
            else:
                self.current_player = (self.leader + self.step) % n
            return
        if phase == VOTE:
            self.votes[p] = action == APPROVE
            self.step += 1
            if self.step < n:
                self.current_player = (self.leader + self.step) % n
                return
            votes = tuple(bool(v) for v in self.votes)
            approved = 2 * sum(votes) > n
            self.proposals.append(Proposal(self.quest, self.attempt, self.leader, self.team,
                                           votes, approved))
            self.votes = [None] * n
            if approved:
                self._start_quest()
                return
            self.attempt += 1
            self.team = ()
            if self.attempt == MAX_ATTEMPTS:
                self._finish(EVIL, "five proposals in a row were rejected")
                return
            self.leader = (self.leader + 1) % n
            self.phase, self.current_player = PROPOSE, self.leader
            return
        if phase == QUEST:
            self.cards[p] = action
            self.step += 1
            if self.step < len(self.team):
                self.current_player = self.team[self.step]
                return
            fails = sum(1 for s in self.team if self.cards[s] == FAIL)
            needed = g.needed[self.quest]
            self.quests.append(QuestResult(self.quest, self.team, fails, needed,
                                           fails < needed))
            self.cards = [None] * n
            self.team = ()
            if self.failures == 3:
                self._finish(EVIL, "three quests failed")
                return
            if self.successes == 3:
                self.phase = ASSASSINATE
                self.current_player = self.role_of.index("assassin")
                return
            self.quest += 1
            self.attempt = 0
            self.leader = (self.leader + 1) % n
            self.phase, self.current_player = PROPOSE, self.leader
            return
        target = action - g.assassinate_base
        self.target = target
        if self.role_of[target] == "merlin":
            self._finish(EVIL, f"three quests succeeded; the Assassin named Merlin (seat {target})")
        else:
            self._finish(GOOD, f"three quests succeeded; the Assassin named seat {target}, "
                               "not Merlin")

    def _statement(self, seat: int, action: int) -> Statement:
        g, q, k = self.game, self.quest, self.attempt
        if action == SAY_NOTHING:
            return Statement(q, k, seat, "nothing")
        if action < ACCUSE_BASE:
            return Statement(q, k, seat, "claim", role=ROLES[action - CLAIM_BASE])
        if action < g.vouch_base:
            return Statement(q, k, seat, "accuse", target=action - ACCUSE_BASE)
        return Statement(q, k, seat, "vouch", target=action - g.vouch_base)

    def _start_quest(self) -> None:
        self.phase = QUEST
        self.step = 0
        self.current_player = self.team[0]

    def _finish(self, winner: str, why: str) -> None:
        self.winner = winner
        self.end = why
        self.phase = OVER
        self.current_player = TERMINAL

    def metrics(self, outcome: Outcome | None = None) -> dict[str, list]:
        n = self.n
        m = {k: [0] * n for k in (
            "good_games", "good_wins", "evil_games", "evil_wins", "merlin_named",
            "merlin_assassinations", "assassin_hits", "assassin_shots", "quests_succeeded",
            "quests_joined", "votes_right", "votes_good")}
        winner = self.winner
        if outcome is not None and outcome.teams is not None:
            winner = outcome.team  # a forfeit's result follows the forfeit rule
        teams = self.teams()
        evil_mask = sum(1 << s for s in range(n) if teams[s] == EVIL)
        for s in range(n):
            t = teams[s]
            m[f"{t}_games"][s] = 1
            m[f"{t}_wins"][s] = int(winner == t)
        if self.target is not None:
            merlin, assassin = self.role_of.index("merlin"), self.role_of.index("assassin")
            hit = int(self.target == merlin)
            m["merlin_assassinations"][merlin] = m["assassin_shots"][assassin] = 1
            m["merlin_named"][merlin] = m["assassin_hits"][assassin] = hit
        for q in self.quests:
            for s in q.team:
                m["quests_joined"][s] += 1
                m["quests_succeeded"][s] += int(q.success)
        for prop in self.proposals:
            if prop.votes is None:
                continue
            clean = not any(evil_mask >> s & 1 for s in prop.team)
            for s, v in enumerate(prop.votes):
                if teams[s] == GOOD:
                    m["votes_good"][s] += 1
                    m["votes_right"][s] += int(v == clean)
        return m

    # -- views ----------------------------------------------------------------------------
    def known_roles(self, seat: int) -> tuple[str | None, ...]:
        """What ``seat`` knows of each seat's role (see ``AvalonObservation.known_roles``)."""
        n, roles = self.n, self.role_of
        if self.phase == OVER:
            return tuple(roles)
        mine = roles[seat]
        sees_evil = mine != "servant"
        out: list[str | None] = [None] * n
        for s in range(n):
            if s == seat:
                out[s] = mine
            elif sees_evil and ROLE_TEAM[roles[s]] == EVIL:
                out[s] = "evil"
        if self.phase == ASSASSINATE:
            out[self.current_player] = "assassin"
        return tuple(out)

    def observation(self, seat: int) -> AvalonObservation:
        g = self.game
        role = self.role_of[seat]
        in_vote = self.phase == VOTE
        in_quest = self.phase == QUEST
        order = [(self.leader + k) % self.n for k in range(self.n)]
        card = self.cards[seat]
        return AvalonObservation(
            seat=seat,
            role=role,
            team=ROLE_TEAM[role],
            known_roles=self.known_roles(seat),
            phase=PHASES[self.phase],
            to_move=self.current_player,
            quest=self.quest,
            attempt=self.attempt,
            leader=self.leader,
            team_size=g.sizes[self.quest],
            fails_needed=g.needed[self.quest],
            proposal=self.team,
            voted=tuple(order[:self.step]) if in_vote else (),
            my_vote=self.votes[seat] if in_vote else None,
            played=tuple(self.team[:self.step]) if in_quest else (),
            my_card=None if card is None else ("success" if card == SUCCESS else "fail"),
            successes=self.successes,
            failures=self.failures,
            quests=tuple(self.quests),
            proposals=tuple(self.proposals),
            statements=tuple(self.statements),
            winner=self.winner,
            end=self.end,
            target=self.target,
        )

    def text(self, seat: int) -> str:
        from .text import render

        return render(self.game, self.observation(seat))

    def encode(self, seat: int) -> np.ndarray:
        g, n = self.game, self.n
        v = np.zeros(g.encoding_shape, dtype=np.float32)
        rel = [(seat + k) % n for k in range(n)]  # relative seat k -> absolute
        pos = {s: k for k, s in enumerate(rel)}
        v[ROLES.index(self.role_of[seat])] = 1.0
        i = 4
        kinds = ROLES + ("evil",)
        for k, known in enumerate(self.known_roles(seat)[s] for s in rel):
            if known is not None:
                v[i + 5 * k + kinds.index(known)] = 1.0
        i += 5 * n
        v[i + self.phase] = 1.0
        i += 6
        v[i + self.quest] = 1.0
        i += 5
        v[i + min(self.attempt, 4)] = 1.0
        i += 5
        v[i] = self.successes / 3.0
        v[i + 1] = self.failures / 3.0
        i += 2
        v[i + pos[self.leader]] = 1.0
        i += n
        if self.current_player >= 0:
            v[i + pos[self.current_player]] = 1.0
        i += n
        for s in self.team:
            v[i + pos[s]] = 1.0
        i += n
        obs_order = [(self.leader + k) % n for k in range(n)]
        if self.phase == VOTE:
            for s in obs_order[:self.step]:
                v[i + pos[s]] = 1.0
            if self.votes[seat] is not None:
                v[i + n + (0 if self.votes[seat] else 1)] = 1.0
        i += n + 2
        if self.phase == QUEST:
            for s in self.team[:self.step]:
                v[i + pos[s]] = 1.0
            if self.cards[seat] is not None:
                v[i + n + (0 if self.cards[seat] == SUCCESS else 1)] = 1.0
        i += n + 2
        for q in self.quests:
            base = i + q.quest * (3 + n)
            v[base] = 1.0
            v[base + 1] = float(q.success)
            v[base + 2] = q.fails / 3.0
            for s in q.team:
                v[base + 3 + pos[s]] = 1.0
        i += 5 * (3 + n)
        voted = [p for p in self.proposals if p.votes is not None]
        if voted:
            for s, a in enumerate(voted[-1].votes):
                v[i + pos[s] + (0 if a else n)] = 1.0
            for s in range(n):
                v[i + 2 * n + pos[s]] = sum(p.votes[s] for p in voted) / len(voted)
        i += 3 * n
        for st in self.statements:
            k = pos[st.seat]
            if st.kind == "accuse":
                v[i + k * n + pos[st.target]] = min(1.0, v[i + k * n + pos[st.target]] + 1 / 3)
            elif st.kind == "vouch":
                j = i + n * n + k * n + pos[st.target]
                v[j] = min(1.0, v[j] + 1 / 3)
            elif st.kind == "claim":
                j = i + 2 * n * n + 4 * k
                v[j:j + 4] = 0.0
                v[j + ROLES.index(st.role)] = 1.0
        i += 2 * n * n + 4 * n
        if self.winner is not None:
            v[i + (0 if self.winner == GOOD else 1)] = 1.0
        i += 2
        assert i == v.shape[0]
        return v

    # -- copies and samples ---------------------------------------------------------------
    def clone(self) -> "AvalonState":
        s = AvalonState(self.game, None)
        for name in ("current_player", "phase", "leader", "quest", "attempt", "team", "step",
                     "winner", "end", "target"):
            setattr(s, name, getattr(self, name))
        for name in ("role_of", "votes", "cards", "proposals", "quests", "statements"):
            setattr(s, name, list(getattr(self, name)))
        return s

    def consistent_evil_sets(self, seat: int) -> list[int]:
        """The evil sets (seat bitmasks) ``seat`` cannot rule out: its own knowledge, every
        quest's Fail count (a quest with ``k`` Fails had at least ``k`` evil members) and a
        publicly known Assassin."""
        known = self.known_roles(seat)
        if known[seat] != "servant":
            return [sum(1 << s for s, r in enumerate(known) if r in ("evil", "assassin",
                                                                     "minion"))]
        must = sum(1 << s for s, r in enumerate(known) if r in ("evil", "assassin", "minion"))
        out = []
        for mask in self.game.evil_masks:
            if mask >> seat & 1 or mask & must != must:
                continue
            if all((mask & sum(1 << s for s in q.team)).bit_count() >= q.fails
                   for q in self.quests):
                out.append(mask)
        return out

    def determinize(self, seat: int, rng: random.Random) -> "AvalonState":
        """Roles drawn uniformly among the deals ``seat`` cannot rule out (its own knowledge,
        the Fail counts, a public Assassin): every evil set consistent with them equally
        likely, then Merlin and the Assassin among the seats whose role the seat does not
        know. How the players voted, proposed and talked is not weighed (that would need a
        model of the players): a consistent deal, not the exact posterior. Others' hidden
        votes and quest cards in progress are drawn anew (a good member's card is always
        Success, an evil member's either)."""
        s = self.clone()
        if self.phase == OVER:
            return s
        n, known = self.n, self.known_roles(seat)
        sets = self.consistent_evil_sets(seat)
        evil = sets[int(rng.random() * len(sets))] if len(sets) > 1 else sets[0]
        roles: list[str | None] = [None] * n
        for t, r in enumerate(known):
            if r in ROLES:
                roles[t] = r
        good = [t for t in range(n) if not evil >> t & 1]
        bad = [t for t in range(n) if evil >> t & 1]
        if "merlin" not in roles:
            free = [t for t in good if roles[t] is None]
            roles[free[int(rng.random() * len(free))]] = "merlin"
        if "assassin" not in roles:
            free = [t for t in bad if roles[t] is None]
            roles[free[int(rng.random() * len(free))]] = "assassin"
        for t in range(n):
            if roles[t] is None:
                roles[t] = "minion" if evil >> t & 1 else "servant"
        s.role_of = roles
        if self.phase == VOTE:
            for t in range(n):
                if t != seat and self.votes[t] is not None:
                    s.votes[t] = rng.random() < 0.5
        if self.phase == QUEST:
            for t in self.team[:self.step]:
                if t != seat:
                    s.cards[t] = (FAIL if rng.random() < 0.5 else SUCCESS) \
                        if evil >> t & 1 else SUCCESS
        return s

    def check_invariants(self) -> None:
        n, g = self.n, self.game
        assert sorted(self.role_of) == sorted(role_list(n)), f"roles {self.role_of}"
        for q in self.quests:
            evil = sum(1 for s in q.team if self.is_evil(s))
            assert q.fails <= evil, f"quest {q.quest + 1}: {q.fails} fails, {evil} evil members"
            assert len(q.team) == g.sizes[q.quest], f"quest {q.quest + 1}: team size"
            assert q.success == (q.fails < q.fails_needed)
        assert self.successes < 3 or self.phase in (ASSASSINATE, OVER)
        assert self.failures <= 3
        if self.phase == QUEST:
            for s in self.team[:self.step]:
                assert self.cards[s] is not None, f"seat {s} on the team has no card"
                assert self.cards[s] == SUCCESS or self.is_evil(s), f"good seat {s} failed"
        assert sum(c is not None for c in self.cards) == (self.step if self.phase == QUEST
                                                          else 0), "stray quest cards"
        assert sum(v is not None for v in self.votes) == (self.step if self.phase == VOTE
                                                          else 0), "stray votes"
        if self.phase in (TALK, VOTE, QUEST):
            assert len(self.team) == g.sizes[self.quest], "proposal of the wrong size"
        if self.phase == ASSASSINATE:
            assert self.role_of[self.current_player] == "assassin"
        assert (self.current_player == TERMINAL) == (self.phase == OVER)

    def reveal(self) -> str:
        roles = ", ".join(f"seat {s}: {r}" for s, r in enumerate(self.role_of))
        votes = ", ".join(f"{s}:{v}" for s, v in enumerate(self.votes) if v is not None)
        cards = ", ".join(f"{s}:{c}" for s, c in enumerate(self.cards) if c is not None)
        me = self.current_player if self.current_player >= 0 else 0
        return f"{self.text(me)}\n[roles] {roles}\n[hidden votes] {votes}\n" \
               f"[hidden cards] {cards}"
