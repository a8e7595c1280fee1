"""Offline evals: suites of data cases run through the app's own services, scored by small pure
functions, gated against evals/thresholds.yaml and written up as a report a person can read."""
