"""``arena llm-check``: one tiny request to a chat server and a plain report of what it
answered, or why it failed, for people setting a server up."""

from __future__ import annotations

import os
import time

from arena.core.errors import ArenaError

HINTS = {
    401: "unauthorized: the server wants an API key; put it in the variable named by "
         "--api-key-env",
    403: "forbidden: the key is not allowed to use this model or endpoint",
    404: "not found: check the base URL (it usually ends in /v1) and the model name",
    429: "rate limited: the server is busy or the key's quota is spent",
}


def check_server(base_url: str, model: str, api_key_env: str = "OPENAI_API_KEY",
                 timeout: float = 30.0) -> tuple[bool, list[str]]:
    """(worked, report lines). The key, if any, is sent but never shown."""
    if not base_url.startswith(("http://", "https://")):
        raise ArenaError(f"--base-url {base_url!r}: an http(s) URL, e.g. http://127.0.0.1:8000/v1")
    try:
        import openai
    except ImportError:
        raise ArenaError("llm-check needs the openai package: pip install -e '.[llm]'") from None
    key = os.environ.get(api_key_env) or None
    lines = [f"server: {base_url}", f"model: {model}",
             f"API key: {'set' if key else 'not set'} (${api_key_env})"]
    client = openai.OpenAI(base_url=base_url, api_key=key or "no-key", timeout=timeout,
                           max_retries=0)
    t0 = time.perf_counter()
    try:
        resp = client.chat.completions.create(
            model=model, max_tokens=16, temperature=0,
            messages=[{"role": "user", "content": "Reply with the word: ready"}])
    except openai.APIStatusError as exc:
        hint = HINTS.get(exc.status_code, "the server refused the request"
                         if exc.status_code < 500 else "the server failed")
        lines.append(f"FAILED: HTTP {exc.status_code}: {hint}")
        return False, _redact(lines, key)
    except openai.APITimeoutError:
        lines.append(f"FAILED: no answer within {timeout:g} s (a slow model, or a stuck server)")
        return False, lines
    except openai.APIConnectionError as exc:
        cause = exc.__cause__ or exc
        lines.append(f"FAILED: could not connect ({type(cause).__name__}): is a server "
                     "running there?")
        return False, lines
    latency = time.perf_counter() - t0
    text = (resp.choices[0].message.content if resp.choices else None) or ""
    usage = resp.usage
    lines.append(f"OK in {latency * 1000:.0f} ms: reply {text[:200]!r}")
    if usage is not None:
        lines.append(f"tokens: {usage.prompt_tokens} in, {usage.completion_tokens} out")
    if getattr(resp, "system_fingerprint", None):
        lines.append(f"fingerprint: {resp.system_fingerprint}")
    if not text.strip():
        lines.append("note: the reply was empty; the model may need a chat template "
                     "(llama.cpp: --chat_format)")
    return True, _redact(lines, key)


def _redact(lines: list[str], key: str | None) -> list[str]:
    return [line.replace(key, "***") for line in lines] if key else lines
