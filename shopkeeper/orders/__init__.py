"""Orders: the order and its lines, the state machine, payments applied, refunds per line."""
