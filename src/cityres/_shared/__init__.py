"""Internals shared by every cityres package: errors, randomness, replication."""
