"""The arena's version, stored with every result so that a store written by another version
is not silently mixed with this one's games."""

VERSION = "0.2.0"
