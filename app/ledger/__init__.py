"""The points ledger: accounts, entries, rules, caps, awards, leaderboards and rewards.

It listens to the trace signal (connected by `init_app`) and never imports courses or exams.
"""


def init_app(app) -> None:
    """Subscribe the ledger to the trace signal."""
    from app.ledger import awards

    awards.connect()
