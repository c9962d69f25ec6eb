"""Normalising company names and web addresses, so one company is one row."""

import re
import unicodedata
from urllib.parse import urlsplit

from django.utils.text import slugify

# Legal forms that do not tell two companies apart ("2KOM LLC" is "2KOM").
LEGAL_SUFFIXES = {
    "llc", "inc", "incorporated", "ltd", "limited", "corp", "corporation", "co", "company",
    "plc", "gmbh", "ag", "kg", "ab", "publ", "oy", "as", "sa", "nv", "bv", "ооо", "оао",
    "зао", "пао", "ао", "ип",
}


def normalise_company_name(name: str) -> str:
    """A comparison key: case, accents, punctuation and legal forms removed."""
    text = unicodedata.normalize("NFKC", name).casefold()
    words = re.findall(r"\w+", text)
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    while len(words) > 1 and words[0] in LEGAL_SUFFIXES:
        words.pop(0)
    return "".join(words)[:200]


def company_slug(name: str) -> str:
    return slugify(name, allow_unicode=True)[:80].strip("-") or "company"


def domain_of(url: str) -> str:
    """The host of a web address, lower case and without a leading www."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")
