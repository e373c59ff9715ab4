"""Many assessments at once: one report per person, worker processes, a summary."""
