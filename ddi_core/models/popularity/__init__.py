"""The ``popularity`` model kind: disease popularity as a model (a reference, and the proof
that a third kind needs one package and one registry line)."""
