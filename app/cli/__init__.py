"""Commands that wire features together (the demo seed), beside each feature's own cli.py."""
