"""Each person's plan, composed from the providers of courses and exams.

Plans sit above courses and exams in the dependency order: every provider returns
`app.planitems.PlanEntry` rows for many users at once, and this package only merges and
orders them. A new kind of plan item is a new provider in `PROVIDERS`.
"""
