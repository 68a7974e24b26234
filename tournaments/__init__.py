"""Tournaments: schedules, runners and example specs (see EVALUATION.md)."""
