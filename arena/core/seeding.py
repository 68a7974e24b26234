"""Seeds derived from labels: every random number in a game comes from its job's seed.

No global ``random.seed``; each consumer (the deal, each agent) gets its own generator from
``derive_seed(root, *labels)``, which is stable across processes, machines and Python versions
(it hashes text, unlike ``hash()``).
"""

from __future__ import annotations

import hashlib
import random


def derive_seed(root: int, *labels: object) -> int:
    """A 63-bit seed for the stream named by ``labels`` under ``root``."""
    text = "\x1f".join([str(int(root)), *map(str, labels)]).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") >> 1


def derive_rng(root: int, *labels: object) -> random.Random:
    """A fresh ``random.Random`` for the stream named by ``labels``."""
    return random.Random(derive_seed(root, *labels))
