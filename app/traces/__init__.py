"""The learning-trace log: every learning event, shaped like an xAPI statement, append-only."""
