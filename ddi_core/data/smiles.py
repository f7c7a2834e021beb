"""SMILES standardisation used for every drug structure.

``standardise(smiles)`` parses with RDKit, keeps the largest fragment (most
heavy atoms; ties: more carbons, then the lexicographically smallest
canonical SMILES), neutralises it with RDKit's ``Uncharger`` and returns the
canonical isomeric SMILES. Salts, counter-ions and solvents therefore do not
make two routes disagree about the same parent molecule.

ChemAxon extended SMILES (DrugCentral writes some as ``SMILES |…|``) are read
with RDKit's non-strict CXSMILES parser: the extension features RDKit knows
(e.g. enhanced stereo groups) are used, the others (e.g. ``THB``) are ignored.
"""

from __future__ import annotations

from rdkit import Chem, rdBase
from rdkit.Chem.MolStandardize import rdMolStandardize

from ddi_core.errors import SmilesError


def _largest_fragment(mol: Chem.Mol) -> Chem.Mol:
    if len(Chem.GetMolFrags(mol)) <= 1:
        return mol
    frags = Chem.GetMolFrags(mol, asMols=True)

    def size(f: Chem.Mol) -> tuple[int, int]:
        return f.GetNumHeavyAtoms(), sum(1 for a in f.GetAtoms() if a.GetAtomicNum() == 6)

    top = max(size(f) for f in frags)
    best = [f for f in frags if size(f) == top]
    if len(best) > 1:
        best.sort(key=Chem.MolToSmiles)
    return best[0]


def parse(smiles: str) -> Chem.Mol:
    """Parse and sanitise a SMILES string.

    Raises
    ------
    SmilesError
        The string is empty, not valid SMILES syntax, or fails sanitisation;
        ``where`` holds the reason (e.g. RDKit's valence message).
    """
    if not isinstance(smiles, str) or not smiles.strip():
        raise SmilesError(str(smiles), "empty SMILES")
    params = Chem.SmilesParserParams()
    params.sanitize = False
    params.allowCXSMILES = True
    params.strictCXSMILES = False
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(smiles.strip(), params)
        if mol is None:
            raise SmilesError(smiles, "SMILES syntax error")
        try:
            Chem.SanitizeMol(mol)
        except Exception as exc:  # RDKit raises several exception types
            raise SmilesError(smiles, f"sanitisation failed: {exc}") from None
    return mol


def _standard_mol(smiles: str) -> Chem.Mol:
    mol = parse(smiles)
    if mol.GetNumAtoms() == 0:
        raise SmilesError(smiles, "no atoms")
    best = _largest_fragment(mol)
    with rdBase.BlockLogs():
        try:
            return rdMolStandardize.Uncharger().uncharge(best)
        except Exception as exc:
            raise SmilesError(smiles, f"neutralisation failed: {exc}") from None


def standardise(smiles: str) -> str:
    """Canonical isomeric SMILES of the neutralised largest fragment.

    Raises
    ------
    SmilesError
        As :func:`parse`; also when the molecule has no atoms.
    """
    return Chem.MolToSmiles(_standard_mol(smiles))


def standardise_with_key(smiles: str) -> tuple[str | None, str | None, str | None]:
    """``(canonical, inchikey, None)`` or ``(None, None, reason)``; never raises.

    ``inchikey`` is the standard InChIKey of the standardised molecule (``None``
    when InChI generation fails although the SMILES parsed).
    """
    try:
        mol = _standard_mol(smiles)
    except SmilesError as exc:
        return None, None, exc.where or "unparsable"
    with rdBase.BlockLogs():
        key = Chem.MolToInchiKey(mol) or None
    return Chem.MolToSmiles(mol), key, None
