"""Each role's home page (工作台): reads the other features, writes nothing."""
