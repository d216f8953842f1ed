"""The loss landscape and the optimiser's path on it (drawn from arrays stored in the log)."""
