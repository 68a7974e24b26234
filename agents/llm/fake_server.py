"""A small OpenAI-compatible chat-completions server on 127.0.0.1 for tests and benchmarks:
no network, no model. Standard library only.

Modes, per request:
- a script (``FakeLLMServer(script=[...])``): each request takes the next behaviour:
  ``legal`` (JSON with the first listed move), ``move_line`` (prose then ``MOVE: 1``),
  ``illegal`` (a number outside the list), ``prose`` (mentions a move, chooses none),
  ``broken_json``, ``empty``, ``429`` / ``500`` / ``400`` (an error status), ``slow`` (sleeps past
  the client's timeout, then answers), ``echo`` (repeats the prompt, as base models do);
  when the script runs out, ``policy``;
- ``policy``: reads the numbered moves from the last user message and picks one with a
  generator seeded by ``seed``, answering in rotating formats (JSON, a ``MOVE:`` line, a
  fenced JSON block, the bare number), each after ``delay`` seconds; where the prompt offers
  talk (``SAY:``), the JSON and ``MOVE:`` answers carry words for the table.

It counts requests and the prompt/completion "tokens" (words) it saw, and records the
``Authorization`` headers' presence (never their value).
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_LISTED = re.compile(r"^\s*(\d+)\.\s+(.+?)\s*$", re.M)


class FakeLLMServer:
    def __init__(self, script: Sequence[str] = (), delay: float = 0.0, seed: int = 0,
                 slow_seconds: float = 2.0, model: str = "fake-model"):
        self.script = list(script)
        self.delay, self.slow_seconds, self.model = delay, slow_seconds, model
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.requests = 0
        self.bodies: list[dict[str, Any]] = []
        self.auth_seen = 0
        self._turn = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # /v1/models, for checks
                self._send(200, {"object": "list", "data": [{"id": server.model,
                                                              "object": "model"}]})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except json.JSONDecodeError:
                    self._send(400, {"error": {"message": "bad JSON"}})
                    return
                if self.headers.get("Authorization"):
                    with server.lock:
                        server.auth_seen += 1
                status, payload, wait = server._answer(body)
                if wait:
                    time.sleep(wait)
                self._send(status, payload)

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "FakeLLMServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- answers --------------------------------------------------------------------------
    def _answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        with self.lock:
            self.requests += 1
            self.bodies.append(body)
            kind = self.script.pop(0) if self.script else "policy"
            turn = self._turn
            self._turn += 1
            pick = self.rng.random()
        messages = body.get("messages") or []
        prompt = str(messages[-1].get("content", "")) if messages else ""
        moves = _LISTED.findall(prompt)
        if kind == "429":
            return 429, {"error": {"message": "rate limited", "type": "rate_limit"}}, 0.0
        if kind == "500":
            return 500, {"error": {"message": "server error"}}, 0.0
        if kind == "400":
            return 400, {"error": {"message": "bad request"}}, 0.0
        wait = self.slow_seconds if kind == "slow" else self.delay
        if kind == "policy" or kind == "slow":
            number = int(moves[int(pick * len(moves))][0]) if moves else 1
            said = {}
            if "SAY:" in prompt:  # a game with talk: words with the move
                said = {"say": f"I am honest (reply {turn})."}
            formats = [json.dumps({"reasoning": "picked", "move": number, **said}),
                       "I weigh the options.\n" + (f"SAY: {said['say']}\n" if said else "")
                       + f"MOVE: {number}",
                       f"```json\n{{\"move\": {number}}}\n```", str(number)]
            text = formats[turn % len(formats)]
        elif kind == "legal":
            text = json.dumps({"reasoning": "first", "move": int(moves[0][0]) if moves else 1})
        elif kind == "move_line":
            text = "Let me think about this carefully.\nMOVE: 1"
        elif kind == "illegal":
            text = json.dumps({"move": len(moves) + 7})
        elif kind == "prose":
            text = f"I would consider {moves[0][1] if moves else 'something'}, maybe move 1."
        elif kind == "broken_json":
            text = '{"reasoning": "oops", "move": 1'
        elif kind == "empty":
            text = ""
        elif kind == "echo":
            text = prompt
        else:
            raise ValueError(f"unknown fake behaviour {kind!r}")
        usage = {"prompt_tokens": sum(len(str(m.get("content", "")).split()) for m in messages),
                 "completion_tokens": len(text.split())}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        return 200, {
            "id": f"fake-{turn}", "object": "chat.completion", "created": 0,
            "model": body.get("model", self.model), "system_fingerprint": "fake-fp",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": usage,
        }, wait
