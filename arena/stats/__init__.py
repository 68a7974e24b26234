"""Statistics of game records: per-agent results with intervals, pairwise tests, ratings
(Bradley-Terry Elo, openskill), the SPRT, and the summary every report is built from."""
