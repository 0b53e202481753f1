"""Manager dashboards and exports: reads the other features, writes nothing."""
