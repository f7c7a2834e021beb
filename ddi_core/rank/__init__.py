"""Ranking with a trained run: session, queries, explanations, export."""
