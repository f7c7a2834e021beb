"""Signed drug–target interactions (DTI).

Evidence comes from

* **DrugCentral 2016** ``drug_target.tsv``: ``ACTION_TYPE`` of each drug–target
  row. Multi-subunit targets (``UNIPROT`` ``P1|P2``) give one row per subunit;
  only human subunits (SwissProt name ending ``_HUMAN``) are kept. The drug is
  mapped to CTD chemicals through the DrugCentral cross-references of
  :func:`ddi_core.data.drugs.chemical_xrefs` (DrugCentral MeSH UIs, CAS, PubChem
  CID, ChEBI); the target through UniProt → Entrez, falling back to the gene
  symbol when the accession is not in HGNC.
* **SIGNOR** (``PKN_human_dir.rda``) chemical → protein edges (``typea`` chemical
  or smallmolecule, ``typeb`` protein). The action is SIGNOR's effect, read from
  ``INTERACTION`` (+1 up-regulates, −1 down-regulates). The chemical
  (``CHEBI:…`` or ``CID:…`` in ``ida``) is mapped through the ChEBI / PubChem
  cross-references of the CTD chemicals; the protein through UniProt → Entrez.
* the **Repurposing Hub** MOA text (:func:`hub_evidence`; can be switched
  off): a drug whose every MOA ends with a signed action phrase of the table,
  all of the same direction (e.g. ``"dopamine receptor agonist"``), gives that
  sign to every gene of its ``target`` list; drugs with an unsigned MOA
  (``"... modulator"``) or MOAs of both directions give none (counted). The
  Hub drug is reached through the ``hub_*`` routes of the drug build (PubChem
  CID, InChIKey, normalised name). This source is the noisiest of the three:
  the target list is not split per MOA and holds off-targets.

Each action is turned into ``inhibition`` (−1), ``activation`` (+1) or
``unsigned`` (0) by the one table ``action_types.tsv`` beside this module
(:func:`action_table`); an action missing from it is unsigned and counted.

Sign rule (:func:`resolve_signs`), per (chemical, gene): unsigned rows do not
vote. Each source first takes the majority sign of its own rows (a tie makes it
abstain); the pair then takes the majority of the source votes. A tie between
sources (or no voting source) drops the pair. Ties and majorities are counted
in the returned conflict counts.
"""

from __future__ import annotations

import csv
import logging
import re
from importlib import resources
from typing import Literal

import pandas as pd

from ddi_core.data.genes import symbol_to_entrez, uniprot_to_entrez
from ddi_core.data.joinlog import JoinLog

log = logging.getLogger(__name__)

Effect = Literal["inhibition", "activation", "unsigned"]
EFFECT_SIGN: dict[str, int] = {"inhibition": -1, "activation": 1, "unsigned": 0}
EVIDENCE_COLUMNS = ["chemical_id", "entrez", "source", "action_type", "sign", "detail"]
DTI_COLUMNS = ["chemical_id", "entrez", "symbol", "sign", "sources", "n_evidence", "n_against"]


def action_table() -> pd.DataFrame:
    """The action-type → effect table (``source``, ``action_type``, ``effect``, ``note``)."""
    text = resources.files(__package__).joinpath("action_types.tsv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines(), delimiter="\t"))
    df = pd.DataFrame(rows, columns=["source", "action_type", "effect", "note"])
    bad = set(df["effect"]) - set(EFFECT_SIGN)
    if bad:
        raise ValueError(f"action_types.tsv: unknown effect(s) {sorted(bad)}")
    return df


def action_sign(
    source: str, actions: pd.Series, table: pd.DataFrame | None = None
) -> tuple[pd.Series, set[str]]:
    """Sign (−1, 0, +1) of each action string of ``source`` and the unknown actions.

    Matching is case-insensitive on the stripped action text; an action absent
    from the table gets 0 and is returned in the second element.
    """
    table = action_table() if table is None else table
    t = table[table["source"] == source]
    m = dict(zip(t["action_type"].str.upper(), t["effect"].map(EFFECT_SIGN), strict=True))
    key = actions.fillna("").astype(str).str.strip().str.upper()
    sign = key.map(m)
    unknown = set(key[sign.isna()])
    return sign.fillna(0).astype("int8"), unknown


def drugcentral_evidence(
    targets: pd.DataFrame,
    xrefs: pd.DataFrame,
    genes: pd.DataFrame,
    *,
    joins: JoinLog,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Evidence rows from DrugCentral ``drug_target.tsv`` (see module docstring)."""
    t = targets.copy()
    t["uniprot"] = t["uniprot"].fillna("").astype(str).str.split("|")
    t["swissprot"] = t["swissprot"].fillna("").astype(str).str.split("|")
    g = t["gene"].fillna("").astype(str).str.split("|")
    same = g.str.len() == t["uniprot"].str.len()
    t["gene"] = g.where(same, t["uniprot"].map(lambda xs: [""] * len(xs)))
    t = t.explode(["uniprot", "swissprot", "gene"], ignore_index=True)
    human = t["swissprot"].str.upper().str.endswith("_HUMAN")
    joins.record(
        "dti.drugcentral.human_targets", matched=int(human.sum()), unmatched=int((~human).sum())
    )
    t = t[human]
    sign, unknown = action_sign("drugcentral", t["action_type"], table)
    t = t.assign(sign=sign)
    if unknown:
        log.warning(
            "DrugCentral action types not in action_types.tsv (unsigned): %s", sorted(unknown)
        )
    joins.record(
        "dti.drugcentral.signed_rows",
        matched=int((t["sign"] != 0).sum()),
        unmatched=int((t["sign"] == 0).sum()),
        unknown_action_types=len(unknown),
    )
    dc = xrefs[xrefs["namespace"] == "drugcentral"][["chemical_id", "xref"]].drop_duplicates()
    dc = dc.assign(dc_id=dc["xref"].astype("int64"))[["chemical_id", "dc_id"]]
    ids = pd.Series(t["dc_id"].unique())
    hit = ids.isin(dc["dc_id"])
    joins.record(
        "dti.drugcentral.drug_to_chemical", matched=int(hit.sum()), unmatched=int((~hit).sum())
    )
    um = uniprot_to_entrez(t["uniprot"], genes, joins=joins, name="drugcentral")
    t = t.merge(um[["uniprot", "entrez"]], on="uniprot", how="left")
    miss = t["entrez"].isna() & (t["gene"] != "")
    if miss.any():
        sm = symbol_to_entrez(t.loc[miss, "gene"], genes, joins=joins, name="drugcentral_fallback")
        fb = t.loc[miss, "gene"].map(dict(zip(sm["symbol"], sm["entrez"], strict=True)))
        t.loc[miss, "entrez"] = fb.astype("Int64")
    t = t[t["entrez"].notna()].merge(dc, on="dc_id")
    return pd.DataFrame(
        {
            "chemical_id": t["chemical_id"].astype(str),
            "entrez": t["entrez"].astype("int64"),
            "source": "drugcentral",
            "action_type": t["action_type"].astype(str),
            "sign": t["sign"].astype("int8"),
            "detail": "dc_id=" + t["dc_id"].astype(str) + ";" + t["source"].astype(str),
        }
    )


def signor_evidence(
    pkn: pd.DataFrame,
    xrefs: pd.DataFrame,
    genes: pd.DataFrame,
    *,
    joins: JoinLog,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Evidence rows from SIGNOR chemical → protein edges (see module docstring)."""
    e = pkn[pkn["typea"].isin(["chemical", "smallmolecule"]) & (pkn["typeb"] == "protein")].copy()
    action = pd.Series(e["sign"].astype(int)).map({1: "UP-REGULATES", -1: "DOWN-REGULATES"})
    sign, unknown = action_sign("signor", action, table)
    e = e.assign(action_type=action.fillna("").values, sign=sign.values)
    joins.record(
        "dti.signor.signed_rows",
        matched=int((e["sign"] != 0).sum()),
        unmatched=int((e["sign"] == 0).sum()),
        unknown_action_types=len(unknown),
    )
    ida = e["ida"].astype(str).str.strip()
    e["ns"] = ida.str.split(":", n=1).str[0].str.upper().map({"CHEBI": "chebi", "CID": "pubchem"})
    e["xref"] = ida.where(e["ns"] == "chebi", ida.str.split(":", n=1).str[-1])
    x = xrefs[xrefs["namespace"].isin(["chebi", "pubchem"])][["chemical_id", "namespace", "xref"]]
    x = x.drop_duplicates().rename(columns={"namespace": "ns"})
    ids = e[["ns", "xref"]].drop_duplicates()
    hit = ids.merge(x, on=["ns", "xref"]).drop_duplicates(["ns", "xref"])
    n_multi = int(ids.merge(x, on=["ns", "xref"]).groupby(["ns", "xref"]).size().gt(1).sum())
    joins.record(
        "dti.signor.chemical_to_ctd",
        matched=len(hit),
        unmatched=len(ids) - len(hit),
        mapped_to_several=n_multi,
    )
    um = uniprot_to_entrez(e["idb"], genes, joins=joins, name="signor")
    e = e.merge(um[["uniprot", "entrez"]], left_on="idb", right_on="uniprot", how="left")
    e = e[e["entrez"].notna()].merge(x, on=["ns", "xref"])
    return pd.DataFrame(
        {
            "chemical_id": e["chemical_id"].astype(str),
            "entrez": e["entrez"].astype("int64"),
            "source": "signor",
            "action_type": e["action_type"].astype(str),
            "sign": e["sign"].astype("int8"),
            "detail": e["ida"].astype(str) + ";" + e["mechanism"].fillna("").astype(str),
        }
    )


def moa_action(moa: str, phrases: list[str]) -> str:
    """The longest phrase of ``phrases`` that ends ``moa`` (lower-case, a final
    parenthetical such as ``(SSRI)`` removed, word boundary), or ``""``."""
    text = re.sub(r"\s*\([^()]*\)\s*$", "", str(moa).strip().lower()).strip()
    for ph in sorted(phrases, key=len, reverse=True):
        p = ph.lower()
        if text == p or text.endswith(" " + p):
            return ph
    return ""


def hub_evidence(
    hub_drugs: pd.DataFrame,
    xrefs: pd.DataFrame,
    genes: pd.DataFrame,
    *,
    joins: JoinLog,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Evidence rows from Repurposing Hub MOA text (see module docstring)."""
    table = action_table() if table is None else table
    t = table[table["source"] == "repurposing_hub"]
    phrases = t["action_type"].tolist()
    signs = dict(zip(t["action_type"], t["effect"].map(EFFECT_SIGN), strict=True))
    d = hub_drugs[(hub_drugs["moa"].fillna("") != "") & (hub_drugs["target"].fillna("") != "")]

    def drug_sign(moa: str) -> tuple[int, str]:
        acts = [moa_action(m, phrases) for m in moa.split("|")]
        vals = {signs.get(a, 0) if a else 0 for a in acts}
        return (vals.pop() if len(vals) == 1 else 0), "|".join(a or "?" for a in acts)

    ds = d["moa"].map(drug_sign)
    d = d.assign(sign=ds.str[0].astype("int8"), action_type=ds.str[1])
    joins.record(
        "dti.repurposing_hub.signed_drugs",
        matched=int((d["sign"] != 0).sum()),
        unmatched=int((d["sign"] == 0).sum()),
    )
    d = d[d["sign"] != 0]
    hx = xrefs[xrefs["namespace"] == "repurposing_hub"][["chemical_id", "xref"]].drop_duplicates()
    hit = d["pert_iname"].isin(hx["xref"])
    joins.record(
        "dti.repurposing_hub.drug_to_chemical", matched=int(hit.sum()), unmatched=int((~hit).sum())
    )
    d = d.assign(gene=d["target"].str.split("|")).explode("gene")
    d["gene"] = d["gene"].str.strip()
    sm = symbol_to_entrez(d["gene"], genes, joins=joins, name="repurposing_hub")
    d = d.merge(sm[["symbol", "entrez"]], left_on="gene", right_on="symbol")
    d = d[d["entrez"].notna()].merge(hx, left_on="pert_iname", right_on="xref")
    d = d.drop_duplicates(["chemical_id", "entrez", "pert_iname"])
    return pd.DataFrame(
        {
            "chemical_id": d["chemical_id"].astype(str),
            "entrez": d["entrez"].astype("int64"),
            "source": "repurposing_hub",
            "action_type": d["action_type"].astype(str),
            "sign": d["sign"].astype("int8"),
            "detail": d["pert_iname"].astype(str) + ";" + d["moa"].astype(str),
        }
    )


def resolve_signs(evidence: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Apply the sign rule of the module docstring to evidence rows.

    Parameters
    ----------
    evidence
        Columns ``chemical_id``, ``entrez``, ``source``, ``sign`` (−1, 0, +1).

    Returns
    -------
    dti : DataFrame
        ``chemical_id``, ``entrez``, ``sign`` (int8, ±1), ``sources`` (the
        sources whose vote is the final sign, ``|``-separated, sorted),
        ``n_evidence`` (rows agreeing with the final sign), ``n_against``
        (signed rows of the opposite sign).
    counts : dict
        ``pairs_with_signed_evidence``, ``pairs_with_disagreement`` (rows of
        both signs), ``within_source_ties`` (source votes that abstained),
        ``resolved_by_majority`` (kept despite disagreement), ``dropped_ties``
        (pairs dropped), ``unsigned_rows``.
    """
    key = ["chemical_id", "entrez"]
    ev = evidence[key + ["source", "sign"]].copy()
    ev["sign"] = ev["sign"].astype(int)
    unsigned = int((ev["sign"] == 0).sum())
    ev = ev[ev["sign"] != 0]
    if ev.empty:
        empty = pd.DataFrame(columns=[c for c in DTI_COLUMNS if c != "symbol"])
        return empty, {
            "pairs_with_signed_evidence": 0,
            "pairs_with_disagreement": 0,
            "within_source_ties": 0,
            "resolved_by_majority": 0,
            "dropped_ties": 0,
            "unsigned_rows": unsigned,
        }
    per_src = ev.groupby(key + ["source"], sort=False)["sign"].sum().reset_index(name="s")
    per_src["vote"] = per_src["s"].clip(-1, 1).astype(int)
    within_ties = int((per_src["vote"] == 0).sum())
    pair = per_src.groupby(key)["vote"].sum().clip(-1, 1).astype(int).rename("final")
    spread = ev.groupby(key)["sign"].agg(["min", "max"])
    disagree = spread["min"] != spread["max"]
    kept = pair[pair != 0]
    counts = {
        "pairs_with_signed_evidence": int(len(pair)),
        "pairs_with_disagreement": int(disagree.sum()),
        "within_source_ties": within_ties,
        "resolved_by_majority": int(disagree.reindex(kept.index).sum()),
        "dropped_ties": int((pair == 0).sum()),
        "unsigned_rows": unsigned,
    }
    ev = ev.merge(kept.reset_index(), on=key)
    ev["agree"] = ev["sign"] == ev["final"]
    per_src = per_src.merge(kept.reset_index(), on=key)
    srcs = (
        per_src[per_src["vote"] == per_src["final"]]
        .groupby(key)["source"]
        .agg(lambda s: "|".join(sorted(set(s))))
    )
    agg = ev.groupby(key).agg(n_evidence=("agree", "sum"), n_total=("agree", "size"))
    out = kept.rename("sign").to_frame().join(srcs.rename("sources")).join(agg).reset_index()
    out["n_against"] = (out["n_total"] - out["n_evidence"]).astype("int64")
    out["n_evidence"] = out["n_evidence"].astype("int64")
    out["sign"] = out["sign"].astype("int8")
    return out.drop(columns="n_total").sort_values(key).reset_index(drop=True), counts


def build_signed_dti(
    evidence: pd.DataFrame, genes: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Resolve signs (:func:`resolve_signs`) and attach gene symbols.

    Returns
    -------
    dti : DataFrame
        :data:`DTI_COLUMNS`.
    conflicts : dict
        As :func:`resolve_signs`.
    """
    dti, counts = resolve_signs(evidence)
    sym = dict(zip(genes["entrez"], genes["symbol"], strict=True))
    dti["symbol"] = dti["entrez"].map(sym).astype(str)
    dti = dti[DTI_COLUMNS]
    log.info(
        "signed DTI: %d pairs, %d chemicals; conflicts %s",
        len(dti),
        dti["chemical_id"].nunique(),
        counts,
    )
    return dti, counts
