"""Werewolf (Mafia), 5-12 players: the village (Villagers, a Seer, a Doctor) against the
werewolves, every rule variant a setting.

A game is a cycle of nights and days, night first. At night, all in secret: each living
wolf in seat order votes for a non-wolf victim (the wolves see each other's votes; the most
voted seat is the target, a tie is a ``CHANCE`` node among the tied seats), the Doctor
protects a player, the Seer inspects one and learns privately whether it is a wolf. At dawn
the target dies unless protected (its role is revealed with ``reveal_on_death``). By day the
living make ``discussion_rounds`` rounds of statements in seat order, then vote, seat by seat
and in secret until all have voted, to exile one living player or abstain. The game ends when
no wolf lives (the village wins) or the wolves are at least as many as the other living
players (the wolves win), checked after every night and day; after ``max_days`` days it is a
draw. Roles are dealt from the seed in ``new_state``.

Presets ``standard`` (8 players: 2 wolves, Seer, Doctor, 4 Villagers; the default) and
``small`` (6 players, 1 wolf).

Action space (fixed for a seat count ``n``): 0 say nothing, 1-3 claim seer / doctor /
villager, 4 abstain, then one block of ``n`` per kind, in this order: ``kill seat i`` (a
wolf's night vote; also the outcomes of a tied vote's chance node), ``protect seat i``,
``inspect seat i``, ``report seat i is a wolf``, ``report seat i is not a wolf`` (a report is
a claim to have inspected the seat as Seer), ``accuse seat i``, ``vouch for seat i``,
``vote to exile seat i``. Statements are actions 0-3 and the report, accuse and vouch blocks.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from arena.core.game import CHANCE, TERMINAL, GameInfo, MetricSpec, Outcome
from arena.core.params import param
from games.hidden_roles import HiddenRoleGame, HiddenRoleObservation, HiddenRoleState

ROLES = ("villager", "seer", "doctor", "werewolf")
WOLF = "werewolf"
VILLAGE, WOLVES = "village", "wolves"
ROLE_TEAM = {"villager": VILLAGE, "seer": VILLAGE, "doctor": VILLAGE, WOLF: WOLVES}

SAY_NOTHING, CLAIM_SEER, CLAIM_DOCTOR, CLAIM_VILLAGER, ABSTAIN = range(5)
CLAIMS = ("seer", "doctor", "villager")
BLOCKS = ("kill", "protect", "inspect", "report_wolf", "report_clear", "accuse", "vouch",
          "vote")
BASE = 5
ABSTAINED = -1
"""``my_vote`` / a ballot's vote of a seat that abstained."""

NIGHT, TALK, VOTE, OVER = range(4)
PHASES = ("night", "talk", "vote", "over")
WOLVES_STEP, DOCTOR_STEP, SEER_STEP = range(3)
"""Steps of a night: the wolves' votes (and a tie's chance node), the Doctor, the Seer."""


def role_list(players: int, wolves: int) -> list[str]:
    """The roles of a game (before they are dealt)."""
    return [WOLF] * wolves + ["seer", "doctor"] + ["villager"] * (players - wolves - 2)


@dataclass(frozen=True)
class WerewolfRules:
    """Rule settings of Werewolf."""

    players: int = param(8, "seats at the table (5-12)")
    wolves: int = param(2, "werewolves among them (fewer than the others)")
    doctor_repeat: bool = param(
        False, "the Doctor may protect the same player two nights in a row")
    exile: Literal["plurality", "majority"] = param(
        "plurality", "the day's vote exiles the most voted player (plurality; a tie exiles "
        "nobody) or only one voted by more than half the living (majority)")
    max_days: int = param(10, "days played before the game ends in a draw")
    reveal_on_death: bool = param(True, "a dead player's role is revealed")
    discussion_rounds: int = param(2, "rounds of statements each day before the vote")

    def __post_init__(self) -> None:
        if not 5 <= self.players <= 12:
            raise ValueError(f"players={self.players} must be between 5 and 12")
        if not 1 <= self.wolves or 2 * self.wolves >= self.players or \
                self.players - self.wolves < 2:
            raise ValueError(f"wolves={self.wolves} must be at least 1 and fewer than the "
                             f"other {self.players - self.wolves} players")
        if self.players - self.wolves < 3:
            raise ValueError("the village needs a Seer and a Doctor and one more player")
        if self.max_days < 1:
            raise ValueError(f"max_days={self.max_days} must be at least 1")
        if not 0 <= self.discussion_rounds <= 5:
            raise ValueError(f"discussion_rounds={self.discussion_rounds} must be 0-5")


PRESETS = {
    "standard": dict(players=8, wolves=2),
    "small": dict(players=6, wolves=1),
}


@dataclass(frozen=True)
class Night:
    """One night, hidden: the wolves' votes and target, the Doctor's protection, the Seer's
    inspection, and the victim (public at dawn)."""

    day: int
    votes: tuple[tuple[int, int], ...] = ()
    """(wolf, seat voted) in the order voted."""
    target: int | None = None
    protected: int | None = None
    inspected: int | None = None
    victim: int | None = None
    done: bool = False


@dataclass(frozen=True)
class WolfNight:
    """A night as the wolves know it: their votes and the target (None until decided)."""

    day: int
    votes: tuple[tuple[int, int], ...]
    target: int | None


@dataclass(frozen=True)
class Death:
    """A death (public): at night (killed by the wolves) or by exile."""

    day: int
    seat: int
    cause: Literal["night", "exile"]
    role: str | None
    """The role revealed (None without ``reveal_on_death``)."""


@dataclass(frozen=True)
class Statement:
    """A statement made by day (public), with any free text attached."""

    day: int
    round: int
    seat: int
    kind: Literal["nothing", "claim", "report", "accuse", "vouch"]
    role: str | None = None
    """The role claimed (``kind == "claim"``)."""
    target: int | None = None
    """The seat reported on, accused or vouched for."""
    wolf: bool | None = None
    """A report: whether it says the target is a wolf."""
    text: str = ""


@dataclass(frozen=True)
class Ballot:
    """A day's exile vote once all have voted (public)."""

    day: int
    votes: tuple[tuple[int, int], ...]
    """(voter, seat voted or ``ABSTAINED``) per living voter, in seat order."""
    exiled: int | None


@dataclass(frozen=True)
class WerewolfObservation(HiddenRoleObservation):
    """What one seat knows. Seats are absolute.

    ``known_roles``: per seat the role this seat knows for certain: its own, the other
    wolves (to a wolf), the dead when roles are revealed, every role at the end; else None."""

    alive: tuple[bool, ...]
    day: int
    """The cycle being played: night ``day`` comes before day ``day``."""
    phase: str
    talk_round: int
    to_move: int | None
    """The seat to move where this seat may know it (by day; at night its own turn, and to
    a wolf the wolf voting); else None."""
    nights: tuple[int | None, ...]
    """The victim of each night that has ended (None: nobody died)."""
    deaths: tuple[Death, ...]
    statements: tuple[Statement, ...]
    ballots: tuple[Ballot, ...]
    voted: tuple[int, ...]
    """Seats that have voted in the day's vote (the votes are hidden until all have voted)."""
    my_vote: int | None
    """This seat's vote in the day's vote (``ABSTAINED``), None before it votes."""
    inspections: tuple[tuple[int, int, bool], ...]
    """The Seer's own results: (night, seat, is a wolf)."""
    protections: tuple[tuple[int, int], ...]
    """The Doctor's own protections: (night, seat)."""
    wolf_nights: tuple[WolfNight, ...]
    """To a wolf, the wolves' votes and targets, tonight's included."""
    winner: str | None
    end: str


class WerewolfGame(HiddenRoleGame):
    """Werewolf: the village against the werewolves, with hidden roles and talk."""

    info = GameInfo(
        name="werewolf",
        description="Werewolf: hidden roles, secret night kills, talk and exile votes",
        min_players=5,
        max_players=12,
        perfect_information=False,
        chance=True,
        talk=True,
        teams=True,
    )
    Rules = WerewolfRules
    presets = PRESETS
    default_preset = "standard"
    metric_specs = (
        MetricSpec("village_win_rate", "games won in the village / games played in it",
                   "ratio", "village_wins", "village_games"),
        MetricSpec("wolf_win_rate", "games won as a wolf / games played as a wolf", "ratio",
                   "wolf_wins", "wolf_games"),
        MetricSpec("seer_wolf_found", "as Seer: wolves it inspected / wolves in the game",
                   "ratio", "seer_found", "seer_wolves"),
        MetricSpec("exile_accuracy", "in the village: exiles that hit a wolf / exiles",
                   "ratio", "exiles_wolf", "exiles"),
        MetricSpec("vote_accuracy", "in the village: exile votes cast for a wolf / votes "
                   "cast (not abstaining)", "ratio", "votes_wolf", "votes_cast"),
        MetricSpec("days", "nights and days per game (a game ending at night counts it)",
                   "mean", "days"),
    )

    def __init__(self, rules: WerewolfRules | None = None, preset: str | None = None):
        super().__init__(rules, preset)
        n = self.rules.players
        self.bases = {k: BASE + i * n for i, k in enumerate(BLOCKS)}
        self.roles_dealt = tuple(role_list(n, self.rules.wolves))

    @property
    def num_actions(self) -> int:
        return BASE + len(BLOCKS) * self.rules.players

    @property
    def encoding_shape(self) -> tuple[int, ...]:
        n = self.rules.players
        return (14 + 18 * n + 5 * n * n,)

    def new_state(self, seed: int) -> "WerewolfState":
        roles = list(self.roles_dealt)
        random.Random(seed).shuffle(roles)
        return WerewolfState(self, roles)

    def deal(self, roles: Sequence[str]) -> "WerewolfState":
        """A game with the roles given per seat (for tests and puzzles)."""
        roles = list(roles)
        if sorted(roles) != sorted(self.roles_dealt):
            raise ValueError(f"roles {roles} are not the roles of this game: "
                             f"{list(self.roles_dealt)}")
        return WerewolfState(self, roles)

    def action_name(self, action: int) -> str:
        n = self.rules.players
        if 0 <= action < BASE:
            return ("say nothing", "claim seer", "claim doctor", "claim villager",
                    "abstain")[action]
        if BASE <= action < self.num_actions:
            kind, seat = BLOCKS[(action - BASE) // n], (action - BASE) % n
            return {
                "kill": f"kill seat {seat}",
                "protect": f"protect seat {seat}",
                "inspect": f"inspect seat {seat}",
                "report_wolf": f"report seat {seat} is a wolf",
                "report_clear": f"report seat {seat} is not a wolf",
                "accuse": f"accuse seat {seat}",
                "vouch": f"vouch for seat {seat}",
                "vote": f"vote to exile seat {seat}",
            }[kind]
        raise ValueError(f"werewolf: no action {action} (valid 0-{self.num_actions - 1}, "
                         f"{n} players)")

    def action(self, kind: str, seat: int) -> int:
        """The action of ``kind`` (one of ``BLOCKS``) on ``seat``."""
        return self.bases[kind] + seat

    def split(self, action: int) -> tuple[str, int | None]:
        """(kind, seat) of an action: a block's kind and seat, or the name of 0-4."""
        if action < BASE:
            return (("nothing", "claim_seer", "claim_doctor", "claim_villager",
                     "abstain")[action], None)
        n = self.rules.players
        return BLOCKS[(action - BASE) // n], (action - BASE) % n

    def kill(self, seat: int) -> int:
        return self.bases["kill"] + seat

    def protect(self, seat: int) -> int:
        return self.bases["protect"] + seat

    def inspect(self, seat: int) -> int:
        return self.bases["inspect"] + seat

    def report(self, seat: int, wolf: bool) -> int:
        return self.bases["report_wolf" if wolf else "report_clear"] + seat

    def accuse(self, seat: int) -> int:
        return self.bases["accuse"] + seat

    def vouch(self, seat: int) -> int:
        return self.bases["vouch"] + seat

    def vote(self, seat: int | None) -> int:
        """The vote to exile ``seat`` (None: abstain)."""
        return ABSTAIN if seat is None else self.bases["vote"] + seat

    def claim(self, role: str) -> int:
        return 1 + CLAIMS.index(role)


class WerewolfState(HiddenRoleState):
    """A position of a Werewolf game."""

    role_team = ROLE_TEAM
    game: WerewolfGame
    rules: WerewolfRules

    __slots__ = (
        "game", "rules", "n", "role_of", "alive", "current_player", "phase", "day", "step",
        "order", "idx", "talk_round", "nights", "last_protect", "deaths", "statements",
        "ballots", "votes", "winner", "end",
    )

    def __init__(self, game: WerewolfGame, roles: list[str] | None):
        super().__init__(game, roles)
        if roles is None:
            return
        n = self.n
        self.alive = [True] * n
        self.current_player = 0
        self.phase = NIGHT
        self.day = 0
        self.step = WOLVES_STEP
        self.order: tuple[int, ...] = ()
        self.idx = 0
        self.talk_round = 0
        self.nights: list[Night] = []
        self.last_protect: int | None = None
        self.deaths: list[Death] = []
        self.statements: list[Statement] = []
        self.ballots: list[Ballot] = []
        self.votes: list[int | None] = [None] * n
        self.winner: str | None = None
        self.end = ""
        self._start_night()

    # -- roles and teams ------------------------------------------------------------------
    def is_wolf(self, seat: int) -> bool:
        return self.role_of[seat] == WOLF

    def living(self) -> list[int]:
        return [s for s in range(self.n) if self.alive[s]]

    def holder(self, role: str) -> int:
        """The seat dealt ``role`` (seer or doctor)."""
        return self.role_of.index(role)

    # -- the protocol ---------------------------------------------------------------------
    def legal_actions(self) -> tuple[int, ...]:
        p, g, phase = self.current_player, self.game, self.phase
        if p < 0:
            return ()
        living = self.living()
        if phase == NIGHT:
            if self.step == WOLVES_STEP:
                return tuple(g.kill(s) for s in living if not self.is_wolf(s))
            if self.step == DOCTOR_STEP:
                banned = None if self.rules.doctor_repeat else self.last_protect
                return tuple(g.protect(s) for s in living if s != banned)
            return tuple(g.inspect(s) for s in living if s != p)
        others = [s for s in living if s != p]
        if phase == TALK:
            b = g.bases
            return (SAY_NOTHING, CLAIM_SEER, CLAIM_DOCTOR, CLAIM_VILLAGER,
                    *(b[k] + s for k in ("report_wolf", "report_clear", "accuse", "vouch")
                      for s in others))
        return (ABSTAIN, *(g.vote(s) for s in others))

    def chance_outcomes(self) -> list[tuple[int, float]]:
        """A tied wolves' vote: the target drawn uniformly among the most voted seats."""
        tied = self._tied()
        return [(self.game.kill(s), 1.0 / len(tied)) for s in tied]

    def _tied(self) -> list[int]:
        counts: dict[int, int] = {}
        for _, t in self.nights[-1].votes:
            counts[t] = counts.get(t, 0) + 1
        top = max(counts.values())
        return sorted(t for t, c in counts.items() if c == top)

    def is_statement(self, action: int) -> bool:
        kind, _ = self.game.split(action)
        return action < ABSTAIN or kind in ("report_wolf", "report_clear", "accuse", "vouch")

    def _apply(self, action: int) -> None:
        p, g = self.current_player, self.game
        _, seat = g.split(action)
        if p == CHANCE:
            self.nights[-1] = replace(self.nights[-1], target=seat)
            self._after_wolves()
            return
        if self.phase == NIGHT:
            night = self.nights[-1]
            if self.step == WOLVES_STEP:
                night = replace(night, votes=night.votes + ((p, seat),))
                self.nights[-1] = night
                self.idx += 1
                if self.idx < len(self.order):
                    self.current_player = self.order[self.idx]
                    return
                tied = self._tied()
                if len(tied) > 1:
                    self.current_player = CHANCE
                    return
                self.nights[-1] = replace(night, target=tied[0])
                self._after_wolves()
            elif self.step == DOCTOR_STEP:
                self.nights[-1] = replace(night, protected=seat)
                self.last_protect = seat
                self._after_doctor()
            else:
                self.nights[-1] = replace(night, inspected=seat)
                self._dawn()
            return
        if self.phase == TALK:
            self.statements.append(self._statement(p, action))
            self.idx += 1
            if self.idx < len(self.order):
                self.current_player = self.order[self.idx]
                return
            self.talk_round += 1
            if self.talk_round < self.rules.discussion_rounds:
                self.idx = 0
                self.current_player = self.order[0]
            else:
                self._start_vote()
            return
        self.votes[p] = ABSTAINED if action == ABSTAIN else seat
        self.idx += 1
        if self.idx < len(self.order):
            self.current_player = self.order[self.idx]
            return
        self._tally()

    def _statement(self, seat: int, action: int) -> Statement:
        kind, target = self.game.split(action)
        d, r = self.day, self.talk_round
        if action == SAY_NOTHING:
            return Statement(d, r, seat, "nothing")
        if action < ABSTAIN:
            return Statement(d, r, seat, "claim", role=CLAIMS[action - 1])
        if kind in ("report_wolf", "report_clear"):
            return Statement(d, r, seat, "report", target=target, wolf=kind == "report_wolf")
        return Statement(d, r, seat, kind, target=target)

    # -- the flow -------------------------------------------------------------------------
    def _start_night(self) -> None:
        self.day += 1
        self.phase = NIGHT
        self.step = WOLVES_STEP
        self.nights.append(Night(self.day))
        self.order = tuple(s for s in self.living() if self.is_wolf(s))
        self.idx = 0
        self.current_player = self.order[0]

    def _after_wolves(self) -> None:
        doctor = self.holder("doctor")
        if self.alive[doctor]:
            self.step, self.current_player = DOCTOR_STEP, doctor
        else:
            self._after_doctor()

    def _after_doctor(self) -> None:
        seer = self.holder("seer")
        if self.alive[seer]:
            self.step, self.current_player = SEER_STEP, seer
        else:
            self._dawn()

    def _dawn(self) -> None:
        night = self.nights[-1]
        victim = night.target if night.target != night.protected else None
        self.nights[-1] = replace(night, victim=victim, done=True)
        if victim is not None:
            self._kill(victim, "night")
        if self._check_win():
            return
        self.phase = TALK
        self.talk_round = 0
        self.order = tuple(self.living())
        self.idx = 0
        if self.rules.discussion_rounds == 0:
            self._start_vote()
        else:
            self.current_player = self.order[0]

    def _start_vote(self) -> None:
        self.phase = VOTE
        self.order = tuple(self.living())
        self.idx = 0
        self.votes = [None] * self.n
        self.current_player = self.order[0]

    def _tally(self) -> None:
        counts: dict[int, int] = {}
        for s in self.order:
            v = self.votes[s]
            if v is not None and v != ABSTAINED:
                counts[v] = counts.get(v, 0) + 1
        exiled = None
        if counts:
            top = max(counts.values())
            tops = [t for t, c in counts.items() if c == top]
            if self.rules.exile == "majority":
                exiled = tops[0] if 2 * top > len(self.order) else None
            elif len(tops) == 1:
                exiled = tops[0]
        self.ballots.append(Ballot(self.day, tuple((s, self.votes[s]) for s in self.order),
                                   exiled))
        self.votes = [None] * self.n
        if exiled is not None:
            self._kill(exiled, "exile")
        if self._check_win():
            return
        if self.day >= self.rules.max_days:
            self._finish(None, f"{self.rules.max_days} days passed: a draw")
            return
        self._start_night()

    def _kill(self, seat: int, cause: Literal["night", "exile"]) -> None:
        self.alive[seat] = False
        role = self.role_of[seat] if self.rules.reveal_on_death else None
        self.deaths.append(Death(self.day, seat, cause, role))

    def _check_win(self) -> bool:
        wolves = sum(1 for s in self.living() if self.is_wolf(s))
        others = sum(self.alive) - wolves
        if wolves == 0:
            self._finish(VILLAGE, "no werewolf is left alive")
            return True
        if wolves >= others:
            self._finish(WOLVES, "the werewolves are as many as the other living players")
            return True
        return False

    def _finish(self, winner: str | None, why: str) -> None:
        self.winner = winner
        self.end = why
        self.phase = OVER
        self.current_player = TERMINAL
        self.order = ()
        self.idx = 0

    def metrics(self, outcome: Outcome | None = None) -> dict[str, list]:
        n = self.n
        m = {k: [0] * n for k in (
            "village_games", "village_wins", "wolf_games", "wolf_wins", "seer_found",
            "seer_wolves", "exiles_wolf", "exiles", "votes_wolf", "votes_cast", "days")}
        winner = self.winner
        if outcome is not None and outcome.teams is not None:
            winner = outcome.team  # a forfeit's result follows the forfeit rule
        exiles = [b.exiled for b in self.ballots if b.exiled is not None]
        hits = sum(1 for s in exiles if self.is_wolf(s))
        for s in range(n):
            m["days"][s] = self.day
            if self.is_wolf(s):
                m["wolf_games"][s] = 1
                m["wolf_wins"][s] = int(winner == WOLVES)
                continue
            m["village_games"][s] = 1
            m["village_wins"][s] = int(winner == VILLAGE)
            m["exiles"][s] = len(exiles)
            m["exiles_wolf"][s] = hits
        seer = self.holder("seer")
        m["seer_wolves"][seer] = self.rules.wolves
        m["seer_found"][seer] = len({nt.inspected for nt in self.nights
                                     if nt.inspected is not None and self.is_wolf(nt.inspected)})
        for b in self.ballots:
            for voter, v in b.votes:
                if v != ABSTAINED and not self.is_wolf(voter):
                    m["votes_cast"][voter] += 1
                    m["votes_wolf"][voter] += int(self.is_wolf(v))
        return m

    # -- views ----------------------------------------------------------------------------
    def known_roles(self, seat: int) -> tuple[str | None, ...]:
        """What ``seat`` knows for certain of each seat's role."""
        if self.phase == OVER:
            return tuple(self.role_of)
        out: list[str | None] = [None] * self.n
        for d in self.deaths:
            out[d.seat] = d.role
        if self.is_wolf(seat):
            for s in range(self.n):
                if self.is_wolf(s):
                    out[s] = WOLF
        out[seat] = self.role_of[seat]
        return tuple(out)

    def _to_move(self, seat: int) -> int | None:
        p = self.current_player
        if self.phase in (TALK, VOTE):
            return p
        if self.phase == NIGHT and (p == seat or (self.is_wolf(seat) and self.step == WOLVES_STEP
                                                  and p >= 0)):
            return p
        return None

    def observation(self, seat: int) -> WerewolfObservation:
        role = self.role_of[seat]
        in_vote = self.phase == VOTE
        inspections: tuple[tuple[int, int, bool], ...] = ()
        protections: tuple[tuple[int, int], ...] = ()
        wolf_nights: tuple[WolfNight, ...] = ()
        if role == "seer":
            inspections = tuple((nt.day, nt.inspected, self.is_wolf(nt.inspected))
                                for nt in self.nights if nt.inspected is not None)
        elif role == "doctor":
            protections = tuple((nt.day, nt.protected) for nt in self.nights
                                if nt.protected is not None)
        elif role == WOLF:
            wolf_nights = tuple(WolfNight(nt.day, nt.votes, nt.target) for nt in self.nights)
        return WerewolfObservation(
            seat=seat,
            role=role,
            team=ROLE_TEAM[role],
            known_roles=self.known_roles(seat),
            alive=tuple(self.alive),
            day=self.day,
            phase=PHASES[self.phase],
            talk_round=self.talk_round if self.phase == TALK else 0,
            to_move=self._to_move(seat),
            nights=tuple(nt.victim for nt in self.nights if nt.done),
            deaths=tuple(self.deaths),
            statements=tuple(self.statements),
            ballots=tuple(self.ballots),
            voted=tuple(self.order[:self.idx]) if in_vote else (),
            my_vote=self.votes[seat] if in_vote else None,
            inspections=inspections,
            protections=protections,
            wolf_nights=wolf_nights,
            winner=self.winner,
            end=self.end,
        )

    def text(self, seat: int) -> str:
        from .text import render

        return render(self.game, self.observation(seat))

    def encode(self, seat: int) -> np.ndarray:
        return encode_observation(self.game, self.observation(seat))

    # -- copies and samples ---------------------------------------------------------------
    def clone(self) -> "WerewolfState":
        s = WerewolfState(self.game, None)
        for name in ("current_player", "phase", "day", "step", "order", "idx", "talk_round",
                     "last_protect", "winner", "end"):
            setattr(s, name, getattr(self, name))
        for name in ("role_of", "alive", "nights", "deaths", "statements", "ballots", "votes"):
            setattr(s, name, list(getattr(self, name)))
        return s

    def determinize(self, seat: int, rng: random.Random) -> "WerewolfState":
        """Roles drawn uniformly among the deals ``seat`` cannot rule out, then the hidden
        night choices it does not know drawn to agree with them.

        What a seat rules out: its own role, the other wolves (a wolf), the Seer's results
        (the Seer), revealed roles of the dead, night victims (never wolves), the seat the
        Doctor protected on a night nobody died (the target, so not a wolf), a night nobody
        died (the Doctor was alive), every end check the game passed (with hidden roles of
        the dead), and a night still going on after the wolves (a wolf: the Doctor or the
        Seer lives) or after the Doctor (the Doctor: the Seer lives). Then: the Doctor's
        unknown protections (a night with no death: it protected the target; else anyone
        but the victim; never the same twice in a row without ``doctor_repeat``), the wolves'
        unknown votes (all for the target), the Seer's unknown inspections (uniform among the
        living others). Tonight's choices that the seat cannot see are undone (the sample
        stands at the start of the night), or drawn where the seat's own move or knowledge
        places the night later. Others' hidden day votes are drawn uniformly. How the
        players talked and voted is not weighed: a consistent deal, not the exact
        posterior."""
        if self.phase == OVER:
            return self.clone()
        for _ in range(5000):
            roles = self._sample_roles(seat, rng)
            if roles is None:
                continue
            sample = self._rebuild(seat, roles, rng)
            if sample is not None:
                return sample
        raise RuntimeError("werewolf: no consistent deal found for a determinization")

    def _night_position(self, seat: int) -> str:
        """Where tonight stands as ``seat`` knows it: "start" (nothing of tonight known),
        "wolves" (a wolf: the wolves' votes so far), "after_wolves" (a wolf: the target is
        chosen), "doctor" / "seer" (the seat is to move), "after_doctor" (the Doctor has
        protected)."""
        if self.phase != NIGHT:
            return "none"
        role, step = self.role_of[seat], self.step
        if role == WOLF:
            return "wolves" if step == WOLVES_STEP else "after_wolves"
        if role == "doctor" and self.alive[seat]:
            if step == DOCTOR_STEP:
                return "doctor"
            if step == SEER_STEP:
                return "after_doctor"
        if role == "seer" and step == SEER_STEP and self.current_player == seat:
            return "seer"
        return "start"

    def _sample_roles(self, seat: int, rng: random.Random) -> list[str] | None:
        n = self.n
        known = list(self.known_roles(seat))
        obs_role = self.role_of[seat]
        clear: set[int] = {nt.victim for nt in self.nights if nt.victim is not None}
        if obs_role == "seer":
            for nt in self.nights:
                if nt.inspected is not None:
                    if self.is_wolf(nt.inspected):
                        known[nt.inspected] = WOLF
                    else:
                        clear.add(nt.inspected)
        if obs_role == "doctor":
            clear |= {nt.protected for nt in self.nights
                      if nt.done and nt.victim is None and nt.protected is not None}
        if obs_role == WOLF:
            clear |= {s for s in range(n) if known[s] is None}
        pool = list(self.game.roles_dealt)
        for r in known:
            if r is not None:
                pool.remove(r)
        free = [s for s in range(n) if known[s] is None]
        rng.shuffle(pool)
        roles = list(known)
        for s, r in zip(free, pool):
            roles[s] = r
        if any(roles[s] == WOLF for s in clear):
            return None
        # deaths in order: seats dead before each night, and the end checks passed
        dead: set[int] = set()
        d_i = 0
        wolves = self.rules.wolves
        doctor, seer = roles.index("doctor"), roles.index("seer")
        for nt in self.nights:
            while d_i < len(self.deaths) and self.deaths[d_i].day < nt.day:
                dead.add(self.deaths[d_i].seat)
                d_i += 1
            if nt.done and nt.victim is None and doctor in dead:
                return None
        for k in range(len(self.deaths)):
            gone = {d.seat for d in self.deaths[:k + 1]}
            w = wolves - sum(1 for s in gone if roles[s] == WOLF)
            if w == 0 or w >= n - len(gone) - w:
                return None
        pos = self._night_position(seat)
        living = self.alive
        if pos == "after_wolves" and not (living[doctor] or living[seer]):
            return None
        if pos == "after_doctor" and not living[seer]:
            return None
        return roles

    def _rebuild(self, seat: int, roles: list[str], rng: random.Random) \
            -> "WerewolfState | None":
        n, rules = self.n, self.rules
        own = self.role_of[seat]
        pos = self._night_position(seat)
        s = self.clone()
        s.role_of = roles
        doctor, seer = roles.index("doctor"), roles.index("seer")
        # who lived at each night (deaths of earlier days)
        alive_at: list[list[int]] = []
        for nt in self.nights:
            gone = {d.seat for d in self.deaths if d.day < nt.day}
            alive_at.append([t for t in range(n) if t not in gone])
        last = len(self.nights) - 1
        tonight_past_doctor = pos in ("after_doctor", "seer")
        # the Doctor's protections: known to the Doctor, else drawn
        acting = [i for i, nt in enumerate(self.nights) if doctor in alive_at[i]
                  and (nt.done or (i == last and tonight_past_doctor))]
        if own == "doctor":
            prot = {i: self.nights[i].protected for i in acting}
        else:
            options = []
            for i in acting:
                nt = self.nights[i]
                if nt.done and nt.victim is None:
                    if own == WOLF:
                        opts = [nt.target]
                    else:
                        opts = [t for t in alive_at[i] if roles[t] != WOLF]
                elif nt.done:
                    opts = [t for t in alive_at[i] if t != nt.victim]
                else:
                    opts = list(alive_at[i])
                options.append(opts)
            chosen = _chain(options, rules.doctor_repeat, rng)
            if chosen is None:
                return None
            prot = dict(zip(acting, chosen))
        nights: list[Night] = []
        for i, nt in enumerate(self.nights):
            if i == last and not nt.done:
                break
            p = prot.get(i)
            if own == WOLF:
                votes, target = nt.votes, nt.target
            else:
                target = nt.victim if nt.victim is not None else p
                votes = tuple((w, target) for w in alive_at[i] if roles[w] == WOLF)
            if own == "seer":
                inspected = nt.inspected
            elif seer in alive_at[i]:
                cands = [t for t in alive_at[i] if t != seer]
                inspected = cands[int(rng.random() * len(cands))]
            else:
                inspected = None
            nights.append(Night(nt.day, votes, target, p, inspected, nt.victim, True))
        s.nights = nights
        s.last_protect = next((nt.protected for nt in reversed(nights)
                               if nt.protected is not None), None)
        if self.phase == NIGHT:
            self._rebuild_tonight(s, seat, pos, prot.get(last), rng)
        elif self.phase == VOTE:
            g = self.game
            for t in self.order[:self.idx]:
                if t != seat:
                    opts = [ABSTAIN] + [g.vote(u) for u in self.order if u != t]
                    a = opts[int(rng.random() * len(opts))]
                    s.votes[t] = ABSTAINED if a == ABSTAIN else a - g.bases["vote"]
        return s

    def _rebuild_tonight(self, s: "WerewolfState", seat: int, pos: str,
                         protected: int | None, rng: random.Random) -> None:
        """Tonight in the sample ``s`` (its earlier nights rebuilt), as ``pos`` places it."""
        real = self.nights[-1]
        roles = s.role_of
        doctor, seer = roles.index("doctor"), roles.index("seer")
        living = self.living()
        wolves = tuple(t for t in living if roles[t] == WOLF)
        s.order, s.idx = wolves, 0
        if pos == "start":
            s.nights.append(Night(real.day))
            s.step, s.current_player = WOLVES_STEP, wolves[0]
            return
        if pos == "wolves":
            s.nights.append(Night(real.day, real.votes))
            s.idx = self.idx
            s.step, s.current_player = WOLVES_STEP, self.current_player
            return
        if pos == "after_wolves":
            target = real.target
        else:
            prey = [t for t in living if roles[t] != WOLF]
            target = prey[int(rng.random() * len(prey))]
        votes = real.votes if pos == "after_wolves" else tuple((w, target) for w in wolves)
        s.idx = len(wolves)
        if pos in ("after_wolves", "doctor") and s.alive[doctor]:
            s.nights.append(Night(real.day, votes, target))
            s.step, s.current_player = DOCTOR_STEP, doctor
            return
        if pos == "after_doctor":
            protected = real.protected
        s.nights.append(Night(real.day, votes, target, protected))
        if protected is not None:
            s.last_protect = protected
        s.step, s.current_player = SEER_STEP, seer

    def check_invariants(self) -> None:
        n = self.n
        assert sorted(self.role_of) == sorted(self.game.roles_dealt), f"roles {self.role_of}"
        dead = [d.seat for d in self.deaths]
        assert len(set(dead)) == len(dead), "a seat died twice"
        assert all(self.alive[s] == (s not in dead) for s in range(n)), "alive and deaths differ"
        for i, nt in enumerate(self.nights):
            assert nt.day == i + 1, "nights out of order"
            gone = {d.seat for d in self.deaths if d.day < nt.day}
            for w, t in nt.votes:
                assert self.is_wolf(w) and w not in gone, f"night {nt.day}: seat {w} voted"
                assert not self.is_wolf(t) and t not in gone, f"night {nt.day}: bad target {t}"
            if nt.target is not None:
                assert not self.is_wolf(nt.target) and nt.target not in gone
            if nt.protected is not None:
                assert self.holder("doctor") not in gone and nt.protected not in gone
                if i > 0 and not self.rules.doctor_repeat:
                    assert self.nights[i - 1].protected != nt.protected, "doctor repeated"
            if nt.inspected is not None:
                assert self.holder("seer") not in gone and nt.inspected not in gone
            if nt.done:
                expect = nt.target if nt.target != nt.protected else None
                assert nt.victim == expect, f"night {nt.day}: victim {nt.victim}"
                assert (nt.protected is not None) == (self.holder("doctor") not in gone)
                assert (nt.inspected is not None) == (self.holder("seer") not in gone)
                assert nt.target is not None
        wolves = sum(1 for s in self.living() if self.is_wolf(s))
        if self.phase != OVER:
            assert 0 < wolves < sum(self.alive) - wolves, "the game should have ended"
            assert self.alive[self.current_player] if self.current_player >= 0 else True
        if self.phase == NIGHT:
            assert not self.nights[-1].done and self.nights[-1].day == self.day
            if self.step == WOLVES_STEP and self.current_player >= 0:
                assert self.is_wolf(self.current_player)
            if self.step == DOCTOR_STEP:
                assert self.current_player == self.holder("doctor")
            if self.step == SEER_STEP:
                assert self.current_player == self.holder("seer")
        elif self.nights:
            assert self.nights[-1].done
        assert self.day <= self.rules.max_days
        pending = sum(v is not None for v in self.votes)
        assert pending == (self.idx if self.phase == VOTE else 0), "stray votes"
        assert (self.current_player == TERMINAL) == (self.phase == OVER)

    def reveal(self) -> str:
        roles = ", ".join(f"seat {s}: {r}" for s, r in enumerate(self.role_of))
        nights = "; ".join(f"night {nt.day}: votes {list(nt.votes)} target {nt.target} "
                           f"protected {nt.protected} inspected {nt.inspected}"
                           for nt in self.nights)
        votes = ", ".join(f"{s}:{v}" for s, v in enumerate(self.votes) if v is not None)
        me = self.current_player if self.current_player >= 0 else 0
        return f"{self.text(me)}\n[roles] {roles}\n[nights] {nights}\n" \
               f"[hidden votes] {votes}\n[step] {self.step} {self.current_player}"


def _chain(options: list[list[int]], repeat: bool, rng: random.Random) -> list[int] | None:
    """One choice per night from its options, never the same on two nights in a row unless
    ``repeat``; each night's options tried in random order (a depth-first search)."""
    budget = [2000]

    def pick(i: int, prev: int | None) -> list[int] | None:
        if i == len(options):
            return []
        opts = [o for o in options[i] if repeat or o != prev]
        rng.shuffle(opts)
        for o in opts:
            budget[0] -= 1
            if budget[0] < 0:
                return None
            rest = pick(i + 1, o)
            if rest is not None:
                return [o, *rest]
        return None

    return pick(0, None)


def encode_observation(game: WerewolfGame, obs: WerewolfObservation) -> np.ndarray:
    """An observation as a float32 vector of ``game.encoding_shape``, seats relative to the
    observing seat (relative seat 0 is itself)."""
    n, rules = game.num_players, game.rules
    v = np.zeros(game.encoding_shape, dtype=np.float32)
    me = obs.seat
    rel = [(me + k) % n for k in range(n)]
    pos = {s: k for k, s in enumerate(rel)}
    v[ROLES.index(obs.role)] = 1.0
    i = 4
    for k, s in enumerate(rel):
        if obs.known_roles[s] is not None:
            v[i + 4 * k + ROLES.index(obs.known_roles[s])] = 1.0
    i += 4 * n
    for k, s in enumerate(rel):
        v[i + k] = float(obs.alive[s])
    i += n
    v[i + PHASES.index(obs.phase)] = 1.0
    i += 4
    v[i] = obs.day / rules.max_days
    v[i + 1] = obs.talk_round / max(1, rules.discussion_rounds)
    i += 2
    if obs.to_move is not None and obs.to_move >= 0:
        v[i + pos[obs.to_move]] = 1.0
    i += n
    for _, s, wolf in obs.inspections:
        v[i + 2 * pos[s] + (0 if wolf else 1)] = 1.0
    i += 2 * n
    if obs.protections:
        v[i + pos[obs.protections[-1][1]]] = 1.0
    i += n
    if obs.wolf_nights:
        tonight = obs.wolf_nights[-1]
        if obs.phase == "night":
            for _, t in tonight.votes:
                v[i + pos[t]] += 1.0 / rules.wolves
        for wn in obs.wolf_nights:
            if wn.target is not None:
                v[i + n + pos[wn.target]] = 1.0
    i += 2 * n
    for nt_victim in obs.nights:
        if nt_victim is None:
            v[i] += 1.0 / rules.max_days
    i += 1
    for d in obs.deaths:
        v[i + 2 * pos[d.seat] + (0 if d.cause == "night" else 1)] = 1.0
    i += 2 * n
    claims = i
    i += 3 * n
    mats = i  # report wolf, report clear, accuse, vouch: n x n each
    i += 4 * n * n
    for st in obs.statements:
        k = pos[st.seat]
        if st.kind == "claim":
            v[claims + 3 * k + CLAIMS.index(st.role)] = 1.0
        elif st.kind == "report":
            v[claims + 3 * k] = 1.0  # a report claims the Seer
            j = mats + (0 if st.wolf else n * n) + k * n + pos[st.target]
            v[j] = 1.0
        elif st.kind in ("accuse", "vouch"):
            j = mats + (2 if st.kind == "accuse" else 3) * n * n + k * n + pos[st.target]
            v[j] = min(1.0, v[j] + 0.5)
    if obs.ballots:
        for voter, t in obs.ballots[-1].votes:
            if t != ABSTAINED:
                v[i + pos[voter] * n + pos[t]] = 1.0
    i += n * n
    for voter in obs.voted:
        v[i + pos[voter]] = 1.0
    i += n
    if obs.my_vote is not None:
        v[i + (n if obs.my_vote == ABSTAINED else pos[obs.my_vote])] = 1.0
    i += n + 1
    if obs.winner is not None:
        v[i + (0 if obs.winner == VILLAGE else 1)] = 1.0
    i += 2
    assert i == v.shape[0], (i, v.shape)
    return v
