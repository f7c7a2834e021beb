"""Training runs: the one run skeleton every model kind goes through (``runner``), what
it shares around a run (``lifecycle``), the upstream stages it builds and records
(``stages``), and one training job per data home (``jobs``)."""
