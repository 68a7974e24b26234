"""Games: one folder per game (rules, text rendering, encodings). Never imports agents/."""
