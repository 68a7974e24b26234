"""What LLM use costs: a price table in US dollars per million tokens.

The table shipped (``prices.toml`` next to this file) is extended or overridden by a file of
the same form named by the ``ARENA_LLM_PRICES`` environment variable; an agent given its own
``price_in``/``price_out`` uses those. A model matches its own name or a longer name that
starts with it followed by ``-`` (dated snapshots); the longest match wins. A model with no
price has no estimated cost (``None``), never a made-up one.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from arena.core.errors import ArenaError

BUILT_IN = Path(__file__).with_name("prices.toml")
ENV = "ARENA_LLM_PRICES"

Price = tuple[float, float]
"""(input, output) US dollars per million tokens."""


def read_prices(path: str | Path) -> dict[str, Price]:
    """The ``[models."NAME"]`` tables of one price file (errors name the file and entry)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ArenaError(f"price table {path}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ArenaError(f"price table {path}: not valid TOML ({exc})") from None
    models = data.get("models", {})
    if not isinstance(models, dict) or set(data) - {"models"}:
        raise ArenaError(f'price table {path}: expected only [models."NAME"] tables')
    out = {}
    for name, entry in models.items():
        ok = isinstance(entry, dict) and set(entry) == {"input", "output"} and all(
            isinstance(entry[k], (int, float)) and not isinstance(entry[k], bool)
            and entry[k] >= 0 for k in ("input", "output"))
        if not ok:
            raise ArenaError(f'price table {path}: models."{name}" needs input = and output = '
                             "(US dollars per million tokens, >= 0)")
        out[name] = (float(entry["input"]), float(entry["output"]))
    return out


def price_table() -> dict[str, Price]:
    """The shipped table, with the file named by ``ARENA_LLM_PRICES`` over it."""
    table = read_prices(BUILT_IN)
    extra = os.environ.get(ENV)
    if extra:
        table.update(read_prices(extra))
    return table


def price_of(model: str, table: dict[str, Price] | None = None) -> Price | None:
    """The price of ``model`` (None: not in the table)."""
    table = price_table() if table is None else table
    if model in table:
        return table[model]
    matches = [name for name in table if model.startswith(name + "-")]
    return table[max(matches, key=len)] if matches else None


def cost_usd(price: Price, tokens_in: int, tokens_out: int) -> float:
    return (tokens_in * price[0] + tokens_out * price[1]) / 1e6
