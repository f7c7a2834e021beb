"""Run configuration: every stage's config and its validation."""
