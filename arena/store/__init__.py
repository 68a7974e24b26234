"""The SQLite result store: one row per finished game, written as games finish, resumable."""
