"""Node and molecule embeddings: node2vec (genes, diseases), InfoGraph (drugs).

Submodules
----------
store
    ``save_embedding`` / ``load_embedding``: the on-disk format of every
    embedding table (ids + float32 vectors + meta).
node2vec
    Biased second-order random walks (numba) + skip-gram (gensim).
networks
    STRING PPI graph and MeSH disease network as CSR graphs.
evaluate_embeddings
    Link prediction (PPI) and hierarchy coherence (MeSH) checks.

Heavy imports (gensim, numba) happen in the submodules, not here.
"""
