"""``llm``: any OpenAI-compatible chat model plays any arena game.

A decision: the prompt (system: the game, the seat and the answer contract; user: the
seat's text view and the legal moves as a numbered list), the reply read by
``parse_reply``; an unusable reply is answered with the error and the list again, up to
``max_retries`` times; then the declared fallback, a legal move drawn with the agent's
seeded generator, recorded as such. Requests time out after ``timeout`` seconds and are
retried with doubling backoff on 429, 5xx, timeouts and connection errors (never on other
4xx). Every decision can be logged as one JSON line (``log``) and every reply cached
(``cache``, keyed on model, messages, sampling settings and the sample index, so a rerun
replays the same games for free and repeated samples stay independent).

In games with talk (``GameInfo.talk``), the contract also offers words for the table with a
statement (``"say"``); ``talk`` hands them to the game, where the other seats read them.

What a game's decisions cost is counted: tokens in and out, and, where the model has a
price (``agents.llm.prices``, or ``price_in``/``price_out``), ``cost_usd``.

Model output is untrusted text: it is parsed, never evaluated or used as a path. The API key
is read from the environment variable named by ``api_key_env`` and never written anywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arena.core.agent import Agent, SeatView
from arena.core.errors import ArenaError
from arena.core.params import param

from agents.llm.parse import parse_reply
from agents.llm.prices import cost_usd, price_of

CONTRACT = ('Answer with a JSON object {"reasoning": "<one or two sentences>", "move": <number>} '
            "where <number> is the number of your move in the list, or end your answer with "
            "a line MOVE: <number>.")
TALK = ('If your move is a statement, you may add words for the other players to read: a '
        '"say" field in the JSON object, or a line SAY: <words> before the MOVE line.')
RETRY_STATUS = {408, 409, 429}


@dataclass(frozen=True)
class LlmParams:
    base_url: str = param("http://127.0.0.1:8000/v1", "OpenAI-compatible API base URL")
    model: str = param("", "model name the server knows")
    api_key_env: str = param("OPENAI_API_KEY",
                             "environment variable holding the API key (unset: no key)")
    temperature: float = param(0.0, "sampling temperature")
    max_tokens: int = param(512, "most tokens per reply")
    timeout: float = param(30.0, "seconds per request")
    max_retries: int = param(2, "re-prompts after an unusable answer, then the fallback")
    transport_retries: int = param(3, "retries of a failed request (429, 5xx, timeout)")
    backoff: float = param(0.5, "first wait before a retried request, doubled each time")
    log: str = param("", "append every decision as a JSON line to this file")
    cache: str = param("", "SQLite file caching replies (reruns replay for free)")
    price_in: float = param(-1.0, "US dollars per million input tokens (-1: from the price "
                                  "table, agents/llm/prices.toml or $ARENA_LLM_PRICES)")
    price_out: float = param(-1.0, "US dollars per million output tokens (-1: from the "
                                   "price table)")


class TransportError(Exception):
    """A request that failed after its retries (or with a status that is not retried)."""


def _redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


class _Cache:
    """Replies by key in one SQLite file, shared by threads."""

    _lock = threading.Lock()

    def __init__(self, path: str):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, reply TEXT)")

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self.db.execute("SELECT reply FROM replies WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self.db.execute("INSERT OR REPLACE INTO replies VALUES (?, ?)",
                            (key, json.dumps(value)))
            self.db.commit()


class LlmAgent(Agent):
    """An OpenAI-compatible chat model, through the game's text and numbered legal moves."""

    name = "llm"
    Params = LlmParams

    def __init__(self, params: LlmParams, game: Any):
        super().__init__(params, game)
        if not params.model:
            raise ArenaError("agent 'llm' needs a model: llm(base_url=URL,model=NAME)")
        if not params.base_url.startswith(("http://", "https://")):
            raise ArenaError(f"llm base_url {params.base_url!r}: an http(s) URL")
        for name in ("max_retries", "transport_retries"):
            if getattr(params, name) < 0:
                raise ArenaError(f"llm {name} must be at least 0")
        if params.timeout <= 0:
            raise ArenaError("llm timeout must be positive")
        if (params.price_in < 0) != (params.price_out < 0) or min(
                params.price_in, params.price_out) < -1:
            raise ArenaError("llm price_in and price_out: give both (US dollars per million "
                             "tokens, >= 0) or neither")
        self.price = ((params.price_in, params.price_out) if params.price_in >= 0 else
                      price_of(params.model))
        """(input, output) US dollars per million tokens, None where unknown."""
        self.contract = CONTRACT + (" " + TALK if game.info.talk else "")
        try:
            import openai
        except ImportError:
            raise ArenaError("agent 'llm' needs the openai package: pip install -e '.[llm]'") \
                from None
        self._openai = openai
        self._key = os.environ.get(params.api_key_env) or None
        self._client = openai.OpenAI(base_url=params.base_url, api_key=self._key or "no-key",
                                     timeout=params.timeout, max_retries=0)
        self._cache = _Cache(params.cache) if params.cache else None
        self._samples: dict[str, int] = {}
        self.stats = self._fresh_stats()
        self._game_id = ""
        self._say: tuple[int, str] | None = None
        self._note: str | None = None

    @staticmethod
    def _fresh_stats() -> dict[str, Any]:
        return {"decisions": 0, "answers": 0, "invalid": 0, "fallbacks": 0, "retries": 0,
                "transport_retries": 0, "transport_errors": 0, "tokens_in": 0,
                "tokens_out": 0, "cached": 0, "latency_ms": []}

    def start(self, seat: int, rng: Any) -> None:
        super().start(seat, rng)
        self.stats = self._fresh_stats()
        self._samples = {}
        self._game_id = f"{rng.getrandbits(32):08x}"

    def game_stats(self) -> dict[str, Any]:
        """What this game's decisions cost and how they went (see ``Agent.game_stats``):
        decisions, answers read (first answers and answers to re-prompts), invalid answers,
        fallbacks, re-prompts, transport retries and errors,
        tokens in and out, cached replies, the latency of every request (ms), and the cost
        in US dollars where the model has a price."""
        stats = {k: (list(v) if isinstance(v, list) else v) for k, v in self.stats.items()}
        if self.price is not None:
            stats["cost_usd"] = cost_usd(self.price, stats["tokens_in"], stats["tokens_out"])
        return stats

    def unpriced(self) -> str | None:
        """Why a cost budget cannot be kept: the model has no price (see ``Agent.unpriced``)."""
        if self.price is not None:
            return None
        return (f"model '{self.params.model}' has no price, so a cost budget cannot be kept; "
                "add it to a price table ($ARENA_LLM_PRICES) or give price_in/price_out")

    def decision_note(self) -> str | None:
        """The model's reply to the decision just made (the last one read, with the reason
        it could not be used where it fell back), for the record and replays."""
        return self._note

    def talk(self, view: SeatView, action: int) -> str | None:
        """The words the reply gave with this statement, if any."""
        if self._say is not None and self._say[0] == action:
            return self._say[1]
        return None

    # -- prompt ---------------------------------------------------------------------------
    def _messages(self, view: SeatView, moves: Sequence[str]) -> list[dict[str, str]]:
        game = self.game
        about = game.info.description.rstrip(".")
        system = (f"You are playing {game.describe()} as seat {view.seat}. "
                  f"{about}. Choose one legal move each time you are asked. "
                  f"{self.contract}")
        numbered = "\n".join(f"{i}. {name}" for i, name in enumerate(moves, 1))
        user = f"{view.text()}\n\nLegal moves:\n{numbered}\n\n{self.contract}"
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    # -- one request ----------------------------------------------------------------------
    def _complete(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        p = self.params
        key = ""
        if self._cache is not None:
            key_data = json.dumps({"model": p.model, "messages": messages,
                                   "temperature": p.temperature, "max_tokens": p.max_tokens},
                                  sort_keys=True)
            base = hashlib.sha256(key_data.encode()).hexdigest()
            index = self._samples.get(base, 0)  # repeated samples stay independent
            self._samples[base] = index + 1
            key = f"{base}:{index}"
            hit = self._cache.get(key)
            if hit is not None:
                self.stats["cached"] += 1
                return {**hit, "latency_s": 0.0, "cached": True}
        delay = p.backoff
        errors = []
        for attempt in range(p.transport_retries + 1):
            timeout = p.timeout
            if self.deadline is not None:
                # Give up early enough to answer with the fallback inside the budget.
                left = self.deadline - time.monotonic()
                left -= max(0.05, 0.2 * left)
                if left <= 0.01:
                    errors.append("no time left before the move's deadline")
                    break
                timeout = min(timeout, left)
            t0 = time.perf_counter()
            try:
                resp = self._client.chat.completions.create(
                    model=p.model, messages=messages, temperature=p.temperature,
                    max_tokens=p.max_tokens, timeout=timeout)
            except self._openai.APIStatusError as exc:
                errors.append(f"HTTP {exc.status_code}")
                retry = exc.status_code in RETRY_STATUS or exc.status_code >= 500
            except (self._openai.APITimeoutError, self._openai.APIConnectionError) as exc:
                errors.append(type(exc).__name__)
                retry = True
            else:
                latency = time.perf_counter() - t0
                choice = resp.choices[0] if resp.choices else None
                usage = resp.usage
                out = {"reply": (choice.message.content if choice else None) or "",
                       "tokens_in": int(getattr(usage, "prompt_tokens", 0) or 0),
                       "tokens_out": int(getattr(usage, "completion_tokens", 0) or 0),
                       "fingerprint": getattr(resp, "system_fingerprint", None),
                       "transport_errors": errors}
                if self._cache is not None:
                    self._cache.put(key, out)
                return {**out, "latency_s": latency, "cached": False}
            if not retry or attempt == p.transport_retries:
                break
            self.stats["transport_retries"] += 1
            time.sleep(delay)
            delay *= 2
        raise TransportError(_redact("; ".join(errors), self._key))

    # -- a decision -----------------------------------------------------------------------
    def act(self, view: SeatView, legal: Sequence[int]) -> int:
        moves = [view.action_name(a) for a in legal]
        messages = self._messages(view, moves)
        attempts: list[dict[str, Any]] = []
        choice = None
        self._say = self._note = None
        for attempt in range(self.params.max_retries + 1):
            try:
                result = self._complete(messages)
            except TransportError as exc:
                self.stats["transport_errors"] += 1
                attempts.append({"error": str(exc)})
                break
            self.stats["tokens_in"] += result["tokens_in"]
            self.stats["tokens_out"] += result["tokens_out"]
            if not result["cached"]:
                self.stats["latency_ms"].append(round(result["latency_s"] * 1000, 3))
            parsed = parse_reply(result["reply"], moves)
            self.stats["answers"] += 1
            attempts.append({"reply": result["reply"], "how": parsed.how, "error": parsed.error,
                             "say": parsed.say, "tokens_in": result["tokens_in"],
                             "tokens_out": result["tokens_out"],
                             "latency_s": round(result["latency_s"], 4),
                             "cached": result["cached"], "fingerprint": result["fingerprint"]})
            if parsed.index is not None:
                choice = legal[parsed.index]
                if parsed.say:
                    self._say = (choice, parsed.say)
                break
            self.stats["invalid"] += 1
            if attempt < self.params.max_retries:
                self.stats["retries"] += 1
                numbered = "\n".join(f"{i}. {name}" for i, name in enumerate(moves, 1))
                messages = messages + [
                    {"role": "assistant", "content": result["reply"]},
                    {"role": "user", "content": f"That answer could not be used: "
                                                f"{parsed.error}.\nLegal moves:\n{numbered}\n\n"
                                                f"{self.contract}"}]
        fallback = choice is None
        if fallback:
            self.stats["fallbacks"] += 1
            choice = self.rng.choice(list(legal))
        last = attempts[-1] if attempts else {}
        if fallback:
            why = last.get("error") or "no reply"
            self._note = (f"no usable answer after {len(attempts)} request(s) ({why}); "
                          f"random legal move. Last reply: {last.get('reply') or ''}")
        else:
            self._note = last.get("reply")
        self.stats["decisions"] += 1
        if self.params.log:
            self._log(view, messages, attempts, choice, fallback)
        return choice

    def _log(self, view: SeatView, messages: list[dict[str, str]], attempts: list[dict],
             choice: int, fallback: bool) -> None:
        line = {"game": self._game_id, "seat": view.seat, "model": self.params.model,
                "prompt_sha256": hashlib.sha256(json.dumps(messages).encode()).hexdigest(),
                "messages": messages, "attempts": attempts, "move": choice,
                "move_name": view.action_name(choice), "fallback": fallback}
        text = _redact(json.dumps(line, ensure_ascii=False), self._key)
        with _LOG_LOCK, open(self.params.log, "a", encoding="utf-8") as f:
            f.write(text + "\n")


_LOG_LOCK = threading.Lock()
