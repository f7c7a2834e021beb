"""Pair models: the paper MLP, the evidence model, baselines and metrics."""
