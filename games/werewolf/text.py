"""Text rendering of a Werewolf observation, for a person at the terminal and for LLMs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .game import Statement, WerewolfGame, WerewolfObservation

ROLE_NAMES = {
    "villager": "a Villager (village team)",
    "seer": "the Seer (village team)",
    "doctor": "the Doctor (village team)",
    "werewolf": "a Werewolf (wolf team)",
}


def who(seat: int, me: int) -> str:
    return "you" if seat == me else f"seat {seat}"


def _was(seat: int, me: int) -> str:
    return "were" if seat == me else "was"


def seats_text(seats, me: int | None = None) -> str:
    names = [("you" if s == me else f"seat {s}") for s in seats]
    return ", ".join(names) if names else "nobody"


def statement_text(st: "Statement", me: int) -> str:
    speaker = who(st.seat, me)
    if st.kind == "nothing":
        said = f"{speaker}: (nothing)"
    elif st.kind == "claim":
        said = f"{speaker}: claims to be the {st.role}"
    elif st.kind == "report":
        said = (f"{speaker}: reports as Seer that seat {st.target} is "
                f"{'a WOLF' if st.wolf else 'NOT a wolf'}")
    elif st.kind == "accuse":
        said = f"{speaker}: accuses seat {st.target} of being a wolf"
    else:
        said = f"{speaker}: vouches for seat {st.target}"
    if st.text:
        said += ' - "' + st.text.replace("\n", " / ") + '"'
    return said


def vote_text(target: int) -> str:
    return "abstain" if target < 0 else f"seat {target}"


def render(game: "WerewolfGame", obs: "WerewolfObservation") -> str:
    r, n, me = game.rules, game.rules.players, obs.seat
    preset = f" ({game.preset} rules)" if game.preset else ""
    villagers = n - r.wolves - 2
    lines = [f"Werewolf{preset}, {n} players (seats 0-{n - 1}): {r.wolves} werewolves, a Seer, "
             f"a Doctor and {villagers} villagers. You are seat {me}, {ROLE_NAMES[obs.role]}"
             + ("" if obs.alive[me] else " (dead)") + "."]
    exile = ("the most voted player is exiled (a tie exiles nobody)" if r.exile == "plurality"
             else "a player voted by more than half the living is exiled")
    repeat = "may" if r.doctor_repeat else "may not"
    lines.append(
        "Rules: each night the wolves kill a non-wolf, the Doctor protects one player (a "
        "protected victim survives; the Doctor " + repeat + " protect the same player two "
        "nights in a row) and the Seer learns whether one player is a wolf. Each day "
        f"{r.discussion_rounds} round(s) of statements, then a secret vote: {exile}. "
        "The village wins when no wolf is left; the wolves win when they are at least as "
        f"many as the other living players; after day {r.max_days} it is a draw. Dead "
        "players' roles are " + ("revealed." if r.reveal_on_death else "kept secret."))
    mates = [s for s, k in enumerate(obs.known_roles) if k == "werewolf" and s != me]
    if obs.role == "werewolf":
        lines.append("Your fellow werewolves: " + seats_text(mates) + "."
                     if mates else "You are the only werewolf.")
    elif obs.phase != "over":
        lines.append("You do not know anyone else's role"
                     + (" except the revealed dead." if r.reveal_on_death else "."))
    if obs.inspections:
        lines.append("Your inspections (secret): " + "; ".join(
            f"night {d}: seat {s} is {'a WOLF' if w else 'not a wolf'}"
            for d, s, w in obs.inspections) + ".")
    if obs.protections:
        lines.append("Your protections (secret): " + "; ".join(
            f"night {d}: seat {s}" for d, s in obs.protections) + ".")
    living = [s for s in range(n) if obs.alive[s]]
    lines.append(f"Alive: {seats_text(living, me)}.")
    history = _history(obs, me)
    if history:
        lines.append("History:")
        lines.extend(history)
    if obs.phase == "over":
        won = "a draw" if obs.winner is None else f"the {obs.winner} win"
        lines.append(f"The game is over: {won} ({obs.end}).")
        lines.append("Roles: " + ", ".join(f"seat {s} {k}" for s, k in
                                            enumerate(obs.known_roles)) + ".")
        return "\n".join(lines)
    lines.extend(_now(game, obs, me, living))
    return "\n".join(lines)


def _history(obs: "WerewolfObservation", me: int) -> list[str]:
    out: list[str] = []
    deaths = {(d.day, d.cause): d for d in obs.deaths}
    wolf_nights = {wn.day: wn for wn in obs.wolf_nights}
    ballots = {b.day: b for b in obs.ballots}
    for day in range(1, obs.day + 1):
        wn = wolf_nights.get(day)
        if day <= len(obs.nights):
            out.append(f" Night {day}:")
            if wn is not None:
                votes = ", ".join(f"{who(w, me)} -> seat {t}" for w, t in wn.votes)
                out.append(f"  wolves' votes (secret): {votes}; target seat {wn.target}")
            d = deaths.get((day, "night"))
            if d is None:
                out.append("  nobody died")
            else:
                role = f" - a {d.role}" if d.role else " - role not revealed"
                out.append(f"  {who(d.seat, me)} {_was(d.seat, me)} killed by the wolves{role}")
        said = [st for st in obs.statements if st.day == day]
        if said or day in ballots:
            out.append(f" Day {day}:")
        for st in said:
            out.append(f"  [round {st.round + 1}] " + statement_text(st, me))
        b = ballots.get(day)
        if b is not None:
            votes = ", ".join(f"{who(v, me)} -> {vote_text(t)}" for v, t in b.votes)
            out.append(f"  vote: {votes}")
            d = deaths.get((day, "exile"))
            if d is None:
                out.append("  nobody was exiled")
            else:
                role = f" - a {d.role}" if d.role else " - role not revealed"
                out.append(f"  {who(d.seat, me)} {_was(d.seat, me)} exiled{role}")
    return out


def _now(game: "WerewolfGame", obs: "WerewolfObservation", me: int,
         living: list[int]) -> list[str]:
    out: list[str] = []
    others = [s for s in living if s != me]
    if obs.phase == "night":
        out.append(f"Now: night {obs.day}.")
        tonight = obs.wolf_nights[-1] if obs.wolf_nights else None
        if tonight is not None and obs.to_move != me:
            if tonight.votes:
                out.append("Wolves' votes tonight: " + ", ".join(
                    f"{who(w, me)} -> seat {t}" for w, t in tonight.votes) + ".")
            if tonight.target is not None:
                out.append(f"The wolves' target tonight: seat {tonight.target}.")
            elif obs.to_move is None and tonight.votes:
                out.append("The wolves' vote is tied: the target is drawn at random.")
        if obs.to_move != me:
            out.append("Waiting for the night to end.")
            return out
        if obs.role == "werewolf":
            prey = [s for s in living if obs.known_roles[s] != "werewolf"]
            if tonight is not None and tonight.votes:
                out.append("Wolves' votes so far: " + ", ".join(
                    f"{who(w, me)} -> seat {t}" for w, t in tonight.votes) + ".")
            out.append("Your move: vote for the wolves' victim tonight (the most voted dies "
                       "unless protected; a tie is drawn at random).")
            out.append("Options: " + " | ".join(f"kill seat {s}" for s in prey))
        elif obs.role == "doctor":
            last = obs.protections[-1][1] if obs.protections else None
            banned = None if game.rules.doctor_repeat else last
            out.append("Your move: protect one player tonight (you may protect yourself).")
            out.append("Options: " + " | ".join(f"protect seat {s}" for s in living
                                                 if s != banned))
        else:
            out.append("Your move: inspect one player to learn whether it is a wolf.")
            out.append("Options: " + " | ".join(f"inspect seat {s}" for s in others))
        return out
    if obs.phase == "talk":
        out.append(f"Now: day {obs.day}, statements round {obs.talk_round + 1} of "
                   f"{game.rules.discussion_rounds}.")
        if obs.to_move != me:
            out.append(f"Waiting for seat {obs.to_move} to make a statement.")
            return out
        out.append("Your move: make one statement (you may add free text to it).")
        out.append("Options: say nothing | claim seer | claim doctor | claim villager | "
                   "report seat <i> is a wolf | report seat <i> is not a wolf | "
                   "accuse seat <i> | vouch for seat <i> (i another living seat: "
                   f"{', '.join(map(str, others))})")
        return out
    out.append(f"Now: day {obs.day}, the exile vote. Voted so far (hidden): "
               f"{seats_text(obs.voted, me)}."
               + ("" if obs.my_vote is None else f" Your vote: {vote_text(obs.my_vote)}."))
    if obs.to_move != me:
        out.append(f"Waiting for seat {obs.to_move} to vote.")
        return out
    out.append("Your move: vote to exile a living player, or abstain.")
    out.append("Options: abstain | " + " | ".join(f"vote to exile seat {s}" for s in others))
    return out
