"""Many units, rounds and periods on top of one unit's evaluation: submissions, cohorts,
ranking and awards, classification, period roll-ups and batches over processes."""
