"""OpenSpiel's games through the arena protocol: a generic adapter (any pyspiel game by name
with parameters) and first-class versions of the famous ones with their own renderings."""
