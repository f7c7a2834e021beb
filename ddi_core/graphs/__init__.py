"""Graphs built from the tables: the signed signaling network, PPI and MeSH."""
