"""The signal the trace log sends, so that other features (the points ledger) can react.

`trace_recorded` is sent with the new `Trace` row as its sender, only when a new
idempotency key was recorded (never for a repeat), and inside the database transaction
that recorded it: a receiver's writes commit or roll back together with the trace. A
receiver must not commit, and an exception in it aborts the request.
"""

from blinker import signal

trace_recorded = signal("trace-recorded")
