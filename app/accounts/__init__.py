"""Users, roles, org units, posts, login, API tokens and the audit log."""
