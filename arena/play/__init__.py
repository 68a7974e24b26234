"""Playing games: a ``GameJob`` (plain data) in, a ``GameRecord`` out; matches with seat
rotation over duplicate deals; time budgets and forfeits."""
