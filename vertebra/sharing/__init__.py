"""Cities learning from each other: opt-in benchmarking and the public page for citizens."""
