"""One module per source group of the bundle; each loader returns a validated, tidy table
(see :mod:`ddi_core.data.loaders`)."""
