"""Search agents: ``mcts`` (UCT) and ``ismcts`` (information-set MCTS)."""
