"""Labelled drug-disease pairs, splits, pair features and SMOTE."""
