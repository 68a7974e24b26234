"""``Store.transaction``: what is written inside the block is stored all at once, or not at all."""

from __future__ import annotations

import pytest

from arena.store.sqlite import Store


def test_writes_in_a_transaction_are_seen_together_at_its_end(tmp_path):
    with Store(tmp_path / "s.sqlite") as store, Store(tmp_path / "s.sqlite") as other:
        with store.transaction():
            store.set_meta("a", "1")
            store.set_meta("b", "2")
            # Another connection (a report being written, a second process) sees none yet.
            assert other.get_meta("a") is None and other.get_meta("b") is None
        assert (other.get_meta("a"), other.get_meta("b")) == ("1", "2")


def test_a_transaction_that_raises_stores_nothing(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        store.set_meta("kept", "yes")
        with pytest.raises(RuntimeError, match="midway"):
            with store.transaction():
                store.set_meta("a", "1")
                raise RuntimeError("midway")
        assert store.get_meta("a") is None and store.get_meta("kept") == "yes"
        # The store is usable afterwards, in and out of transactions.
        with store.transaction():
            store.set_meta("a", "2")
        store.set_meta("b", "3")
    with Store(tmp_path / "s.sqlite") as again:
        assert (again.get_meta("a"), again.get_meta("b")) == ("2", "3")
