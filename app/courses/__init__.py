"""Courses built from the business handbook: modules, lessons, progress, plans, collective study."""
