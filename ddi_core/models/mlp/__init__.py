"""The ``mlp`` model kind: the paper's pair classifier (``net``), its training loop
(``train``), factorised scoring (``scoring``), gradient x input explanations (``explain``)
and the kind itself (``kind``)."""
