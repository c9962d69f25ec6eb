"""Words in the form the SQLite full-text index keeps them: case-folded and stemmed.

PostgreSQL stems with its own Snowball dictionaries (complaints.search). On
SQLite, the one-machine default, the same Snowball stemmers (PyStemmer) run
in Python: every SQLite connection gets `complaint_stem(language, text)` and
`complaint_casefold(text)` (see connection_created in complaints.apps), and
the triggers in complaints.sqlite_index keep the FTS5 table `complaint_search`
in step with the rows, whoever writes them (services, bulk_create, raw UPDATE).
"""

import re
import threading
import unicodedata

import Stemmer
from django.db.models import Func, TextField

# The languages with a stemmer, as PostgreSQL's configurations name them; any
# other language is only case-folded (PostgreSQL's "simple").
STEMMERS = {"en": "english", "ru": "russian", "de": "german", "sv": "swedish"}

_local = threading.local()  # PyStemmer's stemmers are not thread-safe


def _stemmer(algorithm: str):
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if algorithm not in stemmers:
        stemmers[algorithm] = Stemmer.Stemmer(algorithm)
    return stemmers[algorithm]


def casefold(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def words(text: str | None) -> list[str]:
    """The words of a text, case-folded."""
    return re.findall(r"\w+", casefold(text))


def stem_words(language: str | None, folded: list[str]) -> list[str]:
    algorithm = STEMMERS.get((language or "").split("-")[0].lower())
    return _stemmer(algorithm).stemWords(folded) if algorithm else folded


def stem_text(language: str | None, text: str | None) -> str:
    """The text as the index keeps it: its words, case-folded and stemmed, one space apart."""
    return " ".join(stem_words(language, words(text)))


def readings(text: str) -> list[tuple[str, ...]]:
    """A search term read in each language, and as it is: the distinct word sequences to look for.

    The language of a search is unknown, so like PostgreSQL's side every reading counts.
    """
    folded = words(text)
    if not folded:
        return []
    found = [tuple(folded)] + [tuple(stem_words(code, folded)) for code in STEMMERS]
    return list(dict.fromkeys(found))


class Casefold(Func):
    """Unicode case folding in SQLite, whose own lower() and LIKE only fold ASCII."""

    function = "complaint_casefold"
    output_field = TextField()


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """Give a new SQLite connection the functions the search index and its triggers call."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function("complaint_casefold", 1, casefold, deterministic=True)
    connection.connection.create_function("complaint_stem", 2, stem_text, deterministic=True)
