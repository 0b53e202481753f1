"""`make bench`: the figures the issues ask for, measured on PostgreSQL. See bench/README.md."""
