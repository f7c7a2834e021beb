"""Exceptions with messages that name the file or entity at fault."""

from __future__ import annotations


class DDIError(Exception):
    """Base class of every error the core raises on purpose."""


class DataFileError(DDIError):
    """A data file is missing, corrupt, truncated or malformed.

    Attributes
    ----------
    path : str
        The file at fault (relative path in the bundle when known).
    problem : str
        What is wrong with it.
    """

    def __init__(self, path: object, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class CorruptFileError(DataFileError, ValueError):
    """A saved file (a run's ``.json``, ``.npz``, ``.pt``, a model file) that is missing,
    truncated or damaged; the message names the file. Also a :class:`ValueError`, for
    callers that catch one."""


class ChecksumError(DataFileError):
    """A file's SHA-256 differs from the manifest."""


class MissingFileError(DataFileError):
    """A file the manifest lists is absent."""


class UnknownEntityError(DDIError, KeyError):
    """An unknown drug, disease or gene name, with close matches."""

    def __init__(
        self,
        kind: str,
        query: str,
        suggestions: list[str] | None = None,
        *,
        ambiguous: bool = False,
        hint: str = "",
    ):
        self.kind = kind
        self.query = query
        self.suggestions = list(suggestions or [])
        self.ambiguous = ambiguous
        if ambiguous:
            msg = (
                f"ambiguous {kind}: {query!r} names {len(self.suggestions)} {kind}s: "
                + ", ".join(self.suggestions)
                + "; give the MeSH id"
            )
        else:
            msg = f"unknown {kind}: {query!r}"
            if hint:
                msg += f" ({hint})"
            if self.suggestions:
                msg += "; did you mean: " + ", ".join(self.suggestions)
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return self.args[0]


class SmilesError(DDIError, ValueError):
    """A SMILES string that RDKit cannot parse."""

    def __init__(self, smiles: str, where: str = ""):
        self.smiles = smiles
        self.where = where
        loc = f" ({where})" if where else ""
        super().__init__(f"unparsable SMILES{loc}: {smiles!r}")
