"""Test media and helpers that tests and benchmarks share."""
