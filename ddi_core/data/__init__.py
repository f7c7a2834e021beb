"""Data layer: the sources manifest, fetch + verify, one loader per source, and
harmonised entity tables (drugs, genes, diseases, signed drug-target pairs)."""
