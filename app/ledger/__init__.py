"""The points ledger: accounts, entries, rules, caps, awards, leaderboards and rewards.

It listens to the trace signal (connected by `init_app`) and never imports courses or exams.
"""
