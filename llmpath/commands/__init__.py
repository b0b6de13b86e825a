"""One module per subcommand: plain functions that return data (never print)."""
