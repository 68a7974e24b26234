"""Tournaments: schedules, runners and example specs (formats in the README)."""
