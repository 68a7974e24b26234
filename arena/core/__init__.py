"""The protocols every other layer builds on: games and states, agents and their views,
parameters and spec strings, seeds, errors, and the registry of names. Depends on nothing
else of the arena."""
