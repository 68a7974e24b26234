"""Text rendering of an Avalon observation, for a person at the terminal and for LLMs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .game import AvalonGame, AvalonObservation, Proposal, Statement

ROLE_NAMES = {
    "merlin": "Merlin (good)",
    "servant": "a Loyal Servant of Arthur (good)",
    "assassin": "the Assassin (evil)",
    "minion": "a Minion of Mordred (evil)",
    "evil": "evil",
}


def seats_text(seats, me: int | None = None) -> str:
    names = [("you" if s == me else f"seat {s}") for s in seats]
    return ", ".join(names) if names else "nobody"


def team_text(team) -> str:
    return " ".join(map(str, team))


def statement_text(st: "Statement", me: int) -> str:
    who = "you" if st.seat == me else f"seat {st.seat}"
    if st.kind == "nothing":
        said = f"{who}: (nothing)"
    elif st.kind == "claim":
        said = f"{who}: claims to be {st.role}"
    elif st.kind == "accuse":
        said = f"{who}: accuses seat {st.target} of being evil"
    else:
        said = f"{who}: vouches for seat {st.target} as good"
    if st.text:
        said += ' - "' + st.text.replace("\n", " / ") + '"'
    return said


def proposal_text(p: "Proposal", n: int, me: int) -> str:
    head = (f"proposal {p.attempt + 1} by {'you' if p.leader == me else f'seat {p.leader}'}: "
            f"team {team_text(p.team)}")
    if p.votes is None:
        return head + " - approved automatically (fifth proposal)"
    yes = [s for s in range(n) if p.votes[s]]
    no = [s for s in range(n) if not p.votes[s]]
    verdict = "approved" if p.approved else "rejected"
    return f"{head} - approve: {team_text(yes) or 'none'}; reject: {team_text(no) or 'none'}" \
           f" -> {verdict} ({len(yes)}-{len(no)})"


def render(game: "AvalonGame", obs: "AvalonObservation") -> str:
    lines = _rules_lines(game, obs) + _history_lines(game, obs)
    me = obs.seat
    if obs.phase == "over":
        lines.append(f"The game is over: {obs.winner} wins ({obs.end}).")
        lines.append("Roles: " + ", ".join(f"seat {s} {k}" for s, k in enumerate(obs.known_roles))
                     + ".")
        return "\n".join(lines)
    if obs.phase == "assassinate":
        who = "you" if obs.to_move == me else f"seat {obs.to_move} (the Assassin)"
        lines.append(f"Three quests succeeded. Now {who} must name the player thought to be "
                     "Merlin: naming Merlin wins for evil, anyone else wins for good.")
        if obs.to_move == me:
            good = [s for s, k in enumerate(obs.known_roles) if k is None]
            lines.append("Your move: assassinate one of " + seats_text(good) + ".")
            lines.append("Options: " + " | ".join(f"assassinate seat {s}" for s in good))
        return "\n".join(lines)
    return "\n".join(lines + _now_lines(obs))


def _rules_lines(game: "AvalonGame", obs: "AvalonObservation") -> list[str]:
    """Who the seat is, the rules, what it knows and the score."""
    r, n, me = game.rules, game.rules.players, obs.seat
    preset = f" ({game.preset} rules)" if game.preset else ""
    lines = [f"The Resistance: Avalon{preset}, {n} players (seats 0-{n - 1}), "
             f"{game.evil_count} of them evil. You are seat {me}, {ROLE_NAMES[obs.role]}."]
    fifth = ("the fifth proposal of a quest is approved without a vote"
             if r.fifth_rejection == "auto_approve"
             else "five rejected proposals in a row for one quest win the game for evil")
    lines.append(
        "Rules: three successful quests win for good unless the Assassin then names Merlin; "
        "three failed quests win for evil. A proposal needs a strict majority of approvals "
        f"(a tie rejects); {fifth}. Good players must play Success; a quest fails with one "
        "Fail card" + (", except quest 4, which needs two" if n >= 7 else "") + ".")
    sizes = ", ".join(str(k) for k in game.sizes)
    lines.append(f"Team sizes of quests 1-5: {sizes}. Votes are secret until all have voted; "
                 "only the number of Fail cards of a quest is revealed.")
    known = [(s, k) for s, k in enumerate(obs.known_roles) if k is not None and s != me]
    if known:
        lines.append("You know: " + "; ".join(f"seat {s} is {ROLE_NAMES[k]}" for s, k in known)
                     + ".")
    elif obs.role == "servant":
        lines.append("You know only your own role.")
    lines.append(f"Score: {obs.successes} quest(s) succeeded, {obs.failures} failed.")
    return lines


def _history_lines(game: "AvalonGame", obs: "AvalonObservation") -> list[str]:
    """Every quest so far: its statements, proposals and result."""
    n, me = game.rules.players, obs.seat
    by_quest: dict[int, list[str]] = {}
    statements = list(obs.statements)
    for p in obs.proposals:
        lines_q = by_quest.setdefault(p.quest, [])
        said = [st for st in statements if st.quest == p.quest and st.attempt == p.attempt]
        for st in said:
            lines_q.append("    " + statement_text(st, me))
        lines_q.append("  " + proposal_text(p, n, me))
    for q in obs.quests:
        by_quest.setdefault(q.quest, []).append(
            f"  quest {q.quest + 1} {'SUCCEEDED' if q.success else 'FAILED'}: team "
            f"{team_text(q.team)}, {q.fails} Fail card(s)")
    lines: list[str] = []
    if by_quest:
        lines.append("History:")
        for quest in sorted(by_quest):
            lines.append(f" Quest {quest + 1} (team of {game.sizes[quest]}):")
            lines.extend(by_quest[quest])
    return lines


def _now_lines(obs: "AvalonObservation") -> list[str]:
    """The proposal under way and, for the seat to move, its options."""
    me, statements = obs.seat, list(obs.statements)
    lines: list[str] = []
    leader = "you" if obs.leader == me else f"seat {obs.leader}"
    lines.append(f"Now: quest {obs.quest + 1}, proposal {obs.attempt + 1} of 5, leader {leader}"
                 f", team of {obs.team_size}"
                 + (" (two Fail cards fail it)" if obs.fails_needed == 2 else "") + ".")
    if obs.proposal:
        lines.append(f"Proposed team: {team_text(obs.proposal)}.")
    if obs.phase in ("talk", "vote"):
        said = [st for st in statements if st.quest == obs.quest and st.attempt == obs.attempt]
        if said:
            lines.append("Statements on this proposal:")
            lines.extend("    " + statement_text(st, me) for st in said)
    if obs.phase == "vote":
        lines.append(f"Voted so far (hidden): {seats_text(obs.voted, me)}."
                     + ("" if obs.my_vote is None else
                        f" Your vote: {'approve' if obs.my_vote else 'reject'}."))
    if obs.phase == "quest":
        lines.append(f"Played a quest card so far (hidden): {seats_text(obs.played, me)}."
                     + ("" if obs.my_card is None else f" Your card: {obs.my_card}."))
    if obs.to_move != me:
        doing = {"propose": "propose a team", "talk": "make a statement", "vote": "vote",
                 "quest": "play a quest card"}[obs.phase]
        lines.append(f"Waiting for seat {obs.to_move} to {doing}.")
        return lines
    if obs.phase == "propose":
        lines.append(f"Your move: propose a team of {obs.team_size} seats (you may include "
                     f"yourself), e.g. 'propose {team_text(range(obs.team_size))}'.")
    elif obs.phase == "talk":
        lines.append("Your move: make one statement (you may add free text to it).")
        lines.append("Options: say nothing | claim merlin | claim servant | claim assassin | "
                     "claim minion | accuse seat <i> | vouch for seat <i> (i another seat)")
    elif obs.phase == "vote":
        lines.append(f"Your move: vote on team {team_text(obs.proposal)}.")
        lines.append("Options: approve | reject")
    else:
        options = "success | fail" if obs.team == "evil" else "success (good must succeed)"
        lines.append("Your move: play a quest card.")
        lines.append(f"Options: {options}")
    return lines
