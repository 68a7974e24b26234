"""First-class OpenSpiel games: fixed names, presets and renderings a person can play from.

connect_four, hex (11x11; 7x7 as a preset), go9 (9x9, komi 7.5), kuhn_poker, leduc_poker,
holdem (heads-up limit Texas Hold'em; a 6-max no-limit preset through universal_poker).
"""

from __future__ import annotations

from typing import Any, ClassVar

from .adapter import SpielGame, game_info, rules_class, spiel_type
from .poker import POKER_METRICS, PokerState, holdem_name_table


def _first_class(name: str, spiel_name: str, description: str,
                 overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    gtype = spiel_type(spiel_name)
    return {
        "spiel_name": spiel_name,
        "info": game_info(name, gtype, description),
        "Rules": rules_class(spiel_name, gtype.parameter_specification, overrides),
    }


class ConnectFour(SpielGame):
    """Connect Four on a 7x6 board: drop discs, four in a row wins."""

    locals().update(_first_class("connect_four", "connect_four",
                                 "Connect Four (OpenSpiel): four in a row on a 7x6 board"))
    from .boards import ConnectFourState as state_class

    def action_name(self, action: int) -> str:
        return self.state_class.move_name(self, action)


class Hex(SpielGame):
    """Hex: connect your two sides of the rhombus; 11x11 by default, 7x7 as a preset."""

    locals().update(_first_class("hex", "hex", "Hex (OpenSpiel): connect your two sides"))
    presets: ClassVar[dict[str, dict[str, Any]]] = {
        "11x11": {"board_size": 11, "num_rows": 11, "num_cols": 11},
        "7x7": {"board_size": 7, "num_rows": 7, "num_cols": 7},
    }
    default_preset = "11x11"
    from .boards import HexState as state_class

    def action_name(self, action: int) -> str:
        return self.state_class.move_name(self, action)


class Go9(SpielGame):
    """Go on a 9x9 board with komi 7.5 (Tromp-Taylor scoring, as OpenSpiel plays it)."""

    locals().update(_first_class("go9", "go", "Go 9x9, komi 7.5 (OpenSpiel)",
                                 {"board_size": 9, "komi": 7.5}))
    from .boards import GoState as state_class

    def action_name(self, action: int) -> str:
        return self.state_class.move_name(self, action)


class _Poker(SpielGame):
    """What the poker games share: their views, their figures, ranking by chips won."""

    state_class = PokerState
    metric_specs = POKER_METRICS
    ranked_by = "payoff"


class KuhnPoker(_Poker):
    """Kuhn poker: three cards, one bet; the smallest poker with a known Nash equilibrium."""

    locals().update(_first_class("kuhn_poker", "kuhn_poker",
                                 "Kuhn poker (OpenSpiel): 3 cards, ante 1, one bet"))


class LeducPoker(_Poker):
    """Leduc hold'em: six cards, two betting rounds, one public card."""

    locals().update(_first_class("leduc_poker", "leduc_poker",
                                 "Leduc hold'em (OpenSpiel): 6 cards, 2 rounds"))


_LIMIT_HU = {
    "betting": "limit", "numPlayers": 2, "numRounds": 4, "blind": "10 5",
    "raiseSize": "10 10 20 20", "firstPlayer": "2 1 1 1", "maxRaises": "3 4 4 4",
    "numSuits": 4, "numRanks": 13, "numHoleCards": 2, "numBoardCards": "0 3 1 1",
    "stack": "2000 2000", "bettingAbstraction": "fcpa",
}
_NOLIMIT_6MAX = {
    "betting": "nolimit", "numPlayers": 6, "numRounds": 4, "blind": "50 100 0 0 0 0",
    "raiseSize": "100 100 100 100", "firstPlayer": "3 1 1 1", "maxRaises": "",
    "numSuits": 4, "numRanks": 13, "numHoleCards": 2, "numBoardCards": "0 3 1 1",
    "stack": " ".join(["10000"] * 6), "bettingAbstraction": "fcpa",
}


class Holdem(_Poker):
    """Texas Hold'em through universal_poker: heads-up limit (default) or 6-max no-limit.

    Actions are fold, call/check, bet/raise (limit: one fixed raise; no-limit: pot-size),
    and all-in in no-limit (OpenSpiel's ``fcpa`` betting abstraction).
    """

    locals().update(_first_class("holdem", "universal_poker",
                                 "Texas Hold'em (OpenSpiel universal_poker)", _LIMIT_HU))
    presets: ClassVar[dict[str, dict[str, Any]]] = {
        "limit": _LIMIT_HU,
        "nolimit_6max": _NOLIMIT_6MAX,
    }
    default_preset = "limit"
    _name_table = holdem_name_table
