"""The `ddi` command: one module per command group, nothing else."""
