"""Use cases: thin async functions over a unit of work and the office context."""
