"""Finding personal data in complaint stories before they are published.

A story is public, so e-mail addresses, phone numbers, payment card numbers,
IBANs and long account or contract numbers in it are found here, to warn the
author and to mask them. Everything is plain ``re`` and a little Python:

* ``find_personal_data(text)`` returns ``Finding``s sorted by start, never
  overlapping;
* ``has_personal_data(text)`` says whether there is any;
* ``mask(text, findings=None)`` replaces each one with "[removed: personal data]".

How numbers are read. Every run of ASCII digits is found once, and runs that
are only a short separator apart (a space, "-", ".", "/", parentheses) are
joined into a *chain*: "+7 (495) 123-45-67" is one chain of five groups, while
a newline, a comma, a colon or a word ends a chain. Each chain is then read
from left to right; at each group, in this order:

1. a date (03.03.2024, 2024-03-03, 3/3/2024) is stepped over, so that its
   digits never become part of anything else;
2. a payment card: 13-19 digits, one block or grouped as cards are printed
   (4-4-4-4, 4-6-5, ...), starting with 1-6 (the issuer digits in use), that
   pass the Luhn check;
3. a phone number in one of the real-life shapes: international (``+`` or
   ``00``, length checked per country code for the common ones), Russian
   ``8 XXX XXX-XX-XX``, a national number with a trunk ``0`` (Germany, Sweden,
   the UK, France...), North American ``(555) 123-4567`` / ``555-123-4567``,
   and ``(495) 123-45-67``; at least 8 digits;
4. an account or contract number: a block of 10 or more digits, dash-joined
   blocks of 10 or more digits (``850709-1234``, ``12-3456789-01``), or a
   card-shaped number that fails the Luhn check; a short letter prefix
   written against it ("ACC-", "ЛС", "Kd-Nr.") is part of the finding.

A card or a phone number starts a chain, or follows a date or another finding
in it: "51 300 904 2012" (an amount and a year) and "05.09 1999-2009" hold
none. A chain that goes on from another number ("3:09 1997", "$1,299.99")
holds none either, and a phone number must end where its chain ends or at a
space ("459 705 1996-10-23" is not "459 705 1996").

Amounts written with thousands separators, decimal parts, currency signs and
years are never account numbers. IBANs are found separately (country code,
check digits, the country's length, ISO 7064 mod-97) and so are e-mail
addresses (Unicode local parts and domain names; "name (at) example (dot) com"
too).

Every pattern is linear: the regular expressions use possessive quantifiers
and cannot start inside a word, and the Python loops look a bounded number of
groups ahead, so hostile input ("1 " * 5000, "a@" * 5000) stays fast.
"""

import bisect
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

REMOVED = _("[removed: personal data]")

LABELS = {
    "email": _("e-mail address"),
    "phone": _("phone number"),
    "card": _("payment card number"),
    "iban": _("IBAN"),
    "account": _("account number"),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str
    label: str


# --- e-mail addresses -------------------------------------------------------

_LOCAL_CHARS = r"\w\u0300-\u036f!#$%&'*+/=?^`{|}~\-"
_AT = r"(?:@|[ ]?[(\[{<][ ]?(?i:at|@|собака|ät)[ ]?[)\]}>][ ]?)"
_DOT = r"(?:\.|[ ]?[(\[{<][ ]?(?i:dot|punkt|точка)[ ]?[)\]}>][ ]?)"
EMAIL_RE = re.compile(
    rf"(?<![{_LOCAL_CHARS}.])"  # start at the beginning of a token only
    rf"[{_LOCAL_CHARS}]++(?:\.[{_LOCAL_CHARS}]++)*+"
    rf"{_AT}"
    rf"[\w\u0300-\u036f-]++(?:{_DOT}[\w\u0300-\u036f-]++)++"
)
_AT_RE = re.compile(_AT)
_DOT_RE = re.compile(_DOT)


def _valid_domain(domain: str) -> bool:
    labels = _DOT_RE.split(domain)
    if any(not label or label.startswith("-") or label.endswith("-") or "_" in label for label in labels):
        return False
    tld = labels[-1]
    # A top-level domain has letters ("com", "рф") or is punycode ("xn--p1ai"):
    # "lodash@4.17.21" is a package version, not an address.
    return len(tld) >= 2 and (tld.isalpha() or tld.lower().startswith("xn--"))


def _emails(text: str):
    for match in EMAIL_RE.finditer(text):
        start, end = match.span()
        at = _AT_RE.search(text, start, end)
        while start < at.start() and not (text[start].isalnum() or text[start] == "_"):
            start += 1  # a quote before the address: 'x@example.com'
        dots = list(_DOT_RE.finditer(text, at.end(), end))
        if len(dots) >= 2:
            last, before = text[dots[-1].end():end], text[dots[-2].end():dots[-1].start()]
            if last[:1].isupper() and last[1:].islower() and before.islower():
                end = dots[-1].start()  # "ivan@mail.ru.Спасибо": the next sentence starts
        if start < at.start() and _valid_domain(text[at.end():end]):
            yield start, end, "email"


# --- IBANs ------------------------------------------------------------------

IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
# Where an IBAN may start; what follows (at most 34 characters in groups) is read in Python.
IBAN_START_RE = re.compile(r"(?<![^\W_])(?=[A-Za-z]{2}[0-9]{2}[ \u00a0]?[A-Za-z0-9])")
_IBAN_GROUP_RE = re.compile(r"[A-Za-z0-9]++")


def iban_is_valid(iban: str) -> bool:
    """ISO 13616: the country's length and the ISO 7064 mod-97-10 check."""
    iban = iban.replace(" ", "").upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isascii() or not iban.isalnum():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _ibans(text: str):
    for start_match in IBAN_START_RE.finditer(text):
        start = start_match.start()
        length = IBAN_LENGTHS.get(text[start:start + 2].upper())
        if not length:
            continue
        # Either one block ("DE89370400440532013000") or groups of four
        # separated by single spaces, the last one shorter.
        first = _IBAN_GROUP_RE.match(text, start)
        if first.end() - start == length:
            end = first.end()
        elif first.end() - start == 4:
            end, count = first.end(), 4
            while count < length:
                if end < len(text) and text[end] in " \u00a0":
                    group = _IBAN_GROUP_RE.match(text, end + 1)
                else:
                    group = None
                if not group or group.end() - group.start() > 4:
                    break
                count += group.end() - group.start()
                end = group.end()
                if group.end() - group.start() < 4:
                    break
            if count != length:
                continue
        else:
            continue
        candidate = text[start:end].replace("\u00a0", " ")
        if iban_is_valid(candidate):
            yield start, end, "iban"


# --- numbers: chains of digit groups -----------------------------------------

DIGITS_RE = re.compile(r"[0-9]++")
# What may stand between two digit groups of one number.
GAP_RE = re.compile(r"\)?[ \u00a0]?(?:[-\u2010\u2011\u2013./][ \u00a0]?)?\(?")
SEPARATORS = {"-": "-", "\u2010": "-", "\u2011": "-", "\u2013": "-", ".": ".", "/": "/"}
PLUS_RE = re.compile(r"\+[ \u00a0]?\(?$")
# Letters (and digits) written against an account number: ACC-, ЛС, Kd-Nr., л/с, 1Z999AA.
LETTER_PREFIX_RE = re.compile(r"(?<![^\W_])[^\W_]*[^\W\d_](?:[-./][^\W_]*[^\W\d_])?[-.#№/:]?$")
URL_RE = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']++")
CURRENCY_BEFORE_RE = re.compile(r"[$€£¥₽₴₸][ \u00a0]?$")
CONTINUATION_RE = re.compile(r"[0-9][.,:]$")
SIGN_BEFORE_RE = re.compile(r"(?<![^\W_])[-\u2212]$")
# Country codes of two digits; 1 and 7 have one, all others three.
CC2 = {
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
    "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84",
    "86", "90", "91", "92", "93", "94", "95", "98",
}
# Length of the national number after the country code, where it is well known.
NSN_LENGTHS = {
    "1": (10, 10), "7": (10, 10), "31": (9, 9), "32": (8, 9), "33": (9, 9), "34": (9, 9), "39": (6, 11),
    "41": (9, 9), "43": (7, 13), "44": (9, 10), "45": (8, 8), "46": (7, 9), "47": (8, 8), "48": (9, 9),
    "49": (6, 11), "358": (6, 11), "375": (9, 9), "380": (9, 9),
}
DEFAULT_NSN = (6, 12)
MIN_PHONE_DIGITS = 8
YEAR_RE = re.compile(r"(?:19|20)[0-9][0-9]")


@dataclass
class _Group:
    start: int
    end: int
    digits: str
    sep: str  # the normalised separator before this group: "", " ", "-", ".", "/" ("" for the first)
    gap: str  # the raw text before this group inside the chain ("" for the first)
    paren: bool  # an opening parenthesis stands right before the digits


def _chains(text: str):
    """Yield lists of _Group: digit runs joined by number-like separators."""
    chain: list[_Group] = []
    previous_end = None
    for match in DIGITS_RE.finditer(text):
        start, end = match.span()
        gap = text[previous_end:start] if previous_end is not None and start - previous_end <= 5 else None
        if chain and gap is not None and GAP_RE.fullmatch(gap) and "+" not in gap:
            separator = next((SEPARATORS[ch] for ch in gap if ch in SEPARATORS), " " if gap.strip("()") else "")
            chain.append(_Group(start, end, match.group(), separator, gap, gap.endswith("(")))
        else:
            if chain:
                yield chain
            paren = start > 0 and text[start - 1] == "("
            chain = [_Group(start, end, match.group(), "", "", paren)]
        previous_end = end
    if chain:
        yield chain


def _is_date(groups: list[_Group], i: int) -> int:
    """How many groups from i make a date (3) or 0."""
    if i + 2 >= len(groups):
        return 0
    a, b, c = groups[i], groups[i + 1], groups[i + 2]
    if b.gap not in (".", "-", "/") or c.gap != b.gap:
        return 0
    if i + 3 < len(groups) and groups[i + 3].gap == b.gap:
        return 0  # 01.23.45.67.89 goes on: not a date
    la, lb, lc = len(a.digits), len(b.digits), len(c.digits)
    if la == 4 and lb <= 2 and lc <= 2:  # 2024-03-03
        return 3 if 1 <= int(b.digits) <= 12 and 1 <= int(c.digits) <= 31 else 0
    if la <= 2 and lb <= 2 and lc in (2, 4):  # 03.03.2024, 3/3/24, 12/31/2023
        x, y = int(a.digits), int(b.digits)
        return 3 if 1 <= x <= 31 and 1 <= y <= 31 and (x <= 12 or y <= 12) else 0
    return 0


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for position, ch in enumerate(reversed(digits)):
        value = int(ch)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_shape(lengths: list[int]) -> bool:
    if len(lengths) == 1:
        return True
    if lengths in ([4, 6, 5], [4, 6, 4]):  # American Express, Diners Club
        return True
    return all(length == 4 for length in lengths[:-1]) and 1 <= lengths[-1] <= 4


def _card(groups, i):
    best = None
    total = ""
    for j in range(i, min(len(groups), i + 6)):
        if j > i and (groups[j].gap != groups[i + 1].gap or groups[j].gap not in (" ", "\u00a0", "-", "\u2013")):
            break
        total += groups[j].digits
        if len(total) > 19:
            break
        if len(total) >= 13 and _card_shape([len(g.digits) for g in groups[i:j + 1]]):
            if total[0] in "123456" and len(set(total)) > 1 and luhn_is_valid(total):
                best = j
    return best


def _card_shaped(groups, i):
    """A card number that fails the Luhn check: 4-4-4-... with 13-19 digits (not a list of years)."""
    total, best = 0, None
    for j in range(i, min(len(groups), i + 6)):
        if j > i and (groups[j].gap != groups[i + 1].gap or groups[j].gap not in (" ", "\u00a0", "-", "\u2013")):
            break
        if len(groups[j].digits) != 4 and j == i:
            return None
        total += len(groups[j].digits)
        if total > 19:
            break
        if j - i >= 2 and total >= 13 and _card_shape([len(g.digits) for g in groups[i:j + 1]]):
            best = j
    if best is not None and all(YEAR_RE.fullmatch(g.digits) for g in groups[i:best + 1] if len(g.digits) == 4):
        return None  # "1998 2022 2012 2"
    return best


def _phone_separators_ok(groups, i, j) -> bool:
    seps = [g.sep for g in groups[i + 1:j + 1]]
    if "." in seps and set(seps) != {"."}:
        return False
    return all(len(g.gap.replace("(", "").replace(")", "").strip()) <= 1 for g in groups[i + 1:j + 1])


def _longest(groups, i, accept, max_digits, max_groups=8):
    """The last j such that groups i..j satisfy accept(total_digits, j), not running into a date."""
    best, total = None, 0
    for j in range(i, min(len(groups), i + max_groups)):
        if j > i and groups[j].sep == " " and _is_date(groups, j):
            break  # "030 1234567 03.03.2024"
        total += len(groups[j].digits)
        if total > max_digits:
            break
        if accept(total, j) and _phone_separators_ok(groups, i, j):
            best = j
    return best


def _international(groups, i, plus: bool):
    first = groups[i].digits
    skip = 0 if plus else 2  # "00" before the country code
    digits = first[skip:]
    if not digits or digits[0] == "0":
        return None
    cc_length = 1 if digits[0] in "17" else 2 if digits[:2] in CC2 else 3
    low, high = NSN_LENGTHS.get(digits[:cc_length], DEFAULT_NSN)
    trunk = [0]  # "+49 (0)30 1234567": the (0) is not dialled from abroad

    def accept(total, j):
        if j == i + 1 and groups[j].digits == "0" and groups[j].paren:
            trunk[0] = 1
        national = total - skip - cc_length - trunk[0]
        return low <= national <= high and total - skip - trunk[0] >= MIN_PHONE_DIGITS

    j = _longest(groups, i, accept, max_digits=15 + skip + 1)
    if j is not None and j > i and groups[j].digits == "000" and all(len(g.digits) == 3 for g in groups[i + 1:j + 1]):
        return None  # "+150 000 000 руб.": a rise in thousands, not a phone
    return j


def _national(groups, i):
    first = groups[i]
    digits = first.digits
    if digits[0] == "8" and len(digits) in (1, 4, 11) and (len(digits) == 1 or digits[1] in "3489"):
        # Russia and neighbours: 8 XXX XXX-XX-XX, 8XXX XXX-XX-XX, 8XXXXXXXXXX; exactly 11 digits.
        if len(digits) == 1 and (
            i + 1 >= len(groups) or len(groups[i + 1].digits) != 3 or groups[i + 1].digits[0] not in "3489"
        ):
            return None
        found = _longest(groups, i, lambda total, j: total == 11, max_digits=11)
        if found is not None:
            return found
    if digits[0] == "0" and digits[:2] != "00":
        # A trunk 0: Germany, Sweden, the UK, France, the Netherlands...
        if len(digits) < 2 or (len(digits) > 5 and len(digits) < 9):
            return None

        def accept(total, j):
            lengths = [len(g.digits) for g in groups[i:j + 1]]
            if j == i:
                return 9 <= total <= 12
            return MIN_PHONE_DIGITS <= total <= 12 and min(lengths) >= 2

        return _longest(groups, i, accept, max_digits=12)
    if len(digits) == 3 and digits[0] in "23456789":
        rest = [len(g.digits) for g in groups[i + 1:i + 4]]
        if first.paren:
            # (555) 123-4567, (495) 123-45-67, (495) 1234567
            def accept(total, j):
                lengths = [len(g.digits) for g in groups[i + 1:j + 1]]
                return total == 10 and lengths and min(lengths) >= 2

            return _longest(groups, i, accept, max_digits=10)
        gaps = {g.gap for g in groups[i + 1:i + 3]}
        if rest[:2] == [3, 4] and len(gaps) == 1 and gaps <= {"-", "\u2013", "."}:
            return i + 2  # 555-123-4567, 555.123.4567
        if rest == [3, 2, 2] and groups[i + 3].sep == "-" and groups[i + 2].sep == "-":
            return i + 3  # 495 123-45-67
    if digits == "1" and i + 3 < len(groups):
        lengths = [len(g.digits) for g in groups[i + 1:i + 4]]
        area = groups[i + 1]
        if lengths == [3, 3, 4] and area.digits[0] in "23456789" and _phone_separators_ok(groups, i, i + 3):
            return i + 3  # 1-800-555-1234
    return None


def _phone(groups, i, text):
    first = groups[i]
    if i == 0 and PLUS_RE.search(text, max(0, first.start - 3), first.start):
        j = _international(groups, i, plus=True)
    elif first.digits.startswith("00") and len(first.digits) >= 3 and first.digits[2] != "0":
        j = _international(groups, i, plus=False)
    elif i == 0 and CURRENCY_BEFORE_RE.search(text, max(0, first.start - 2), first.start):
        return None
    else:
        j = _national(groups, i)
    if j is not None and j + 1 < len(groups) and groups[j + 1].sep != " ":
        return None  # the start of a longer number: "459 705 1996-10-23"
    return j


def _dash_joined_account(groups, i):
    """12-3456789-01, 850709-1234: blocks of two or more digits joined by dashes, 10+ digits in all."""
    best, total = None, 0
    for j in range(i, min(len(groups), i + 6)):
        if j > i and (groups[j].gap != "-" or len(groups[j].digits) < 2 or _is_date(groups, j)):
            break
        if j == i and len(groups[j].digits) < 2:
            break
        total += len(groups[j].digits)
        if j > i and total >= 10:
            best = j
    if best is None:
        return None
    blocks = [g.digits for g in groups[i:best + 1]]
    if max(map(len, blocks)) < 4 or all(YEAR_RE.fullmatch(b) for b in blocks):
        return None
    return best


def _span(text, groups, i, j, kind):
    start = groups[i].start
    if kind != "phone":
        return start, groups[j].end
    if groups[i].paren and j > i and text.startswith(")", groups[i].end):
        start -= 1  # the area code in parentheses: "(555) 123-4567", not "(555-123-4567)"
    if i == 0:
        plus = PLUS_RE.search(text, max(0, start - 3), groups[i].start)
        if plus:
            start = plus.start()
    end = groups[j].end
    covered = text[start:end]
    if covered.count("(") > covered.count(")") and text.startswith(")", end):
        end += 1
    return start, end


def _account_prefix(text, start):
    """Where the account number starts, with a short prefix written against it: ACC-, ЛС, Kd-Nr."""
    prefix = LETTER_PREFIX_RE.search(text, max(0, start - 16), start)
    return prefix.start() if prefix else start


def _plain_amount(text, group: _Group) -> bool:
    """$1234567890, 1234567890.50, -2147483648 and the like are amounts or plain numbers."""
    if CURRENCY_BEFORE_RE.search(text, max(0, group.start - 2), group.start):
        return True
    if SIGN_BEFORE_RE.search(text, max(0, group.start - 2), group.start):
        return True
    if re.match(r"[.,][0-9]{1,2}(?![0-9])", text[group.end:group.end + 4]):
        return True
    return bool(re.search(r"[0-9][.,]$", text[max(0, group.start - 2):group.start]))


def _numbers(text: str):
    for groups in _chains(text):
        # A card or a phone starts a chain, or follows a date or another finding in it:
        # "51 300 904 2012" and "05.09 1999-2009" hold none. Nor does a chain that goes
        # on from another number ("3:09 1997", "120 683.99 099 088").
        fresh = not CONTINUATION_RE.search(text, max(0, groups[0].start - 2), groups[0].start)
        i = 0
        while i < len(groups):
            date = _is_date(groups, i)
            if date:
                i += date
                fresh = True
                continue
            attached = groups[i].start > 0 and (text[groups[i].start - 1].isalpha() or text[groups[i].start - 1] == "_")
            if fresh and not attached:
                j = _card(groups, i)
                if j is not None:
                    yield (*_span(text, groups, i, j, "card"), "card")
                    i = j + 1
                    fresh = True
                    continue
                j = _phone(groups, i, text)
                if j is not None:
                    yield (*_span(text, groups, i, j, "phone"), "phone")
                    i = j + 1
                    fresh = True
                    continue
            j = _card_shaped(groups, i) if fresh and not attached else None
            if j is None:
                j = _dash_joined_account(groups, i)
            digits = groups[i].digits
            if j is None and len(digits) >= 10 and len(set(digits)) > 1 and not _plain_amount(text, groups[i]):
                j = i
            if j is not None:
                start, end = _span(text, groups, i, j, "account")
                yield _account_prefix(text, start), end, "account"
                i = j + 1
                fresh = True
                continue
            i += 1
            fresh = attached  # "DE89 3704 ...", a mistyped IBAN: the letters and digits were a label


# --- putting it together ----------------------------------------------------

def find_personal_data(text: str) -> list[Finding]:
    """Personal data in text, sorted by start and never overlapping."""
    if not text:
        return []
    urls = [m.span() for m in URL_RE.finditer(text)]
    url_starts = [start for start, _end in urls]
    candidates = []
    # The earlier a detector comes, the more it is trusted when two overlap.
    for rank, detector in enumerate((_emails, _ibans, _numbers)):
        for start, end, kind in detector(text):
            if kind == "account":
                k = bisect.bisect_right(url_starts, start) - 1
                if k >= 0 and start < urls[k][1]:
                    continue  # an id in a link ("/orders/12345678901") is not the author's account
            candidates.append((rank, start, end, kind))
    starts: list[int] = []  # of the findings kept so far, which never overlap
    ends: list[int] = []
    kinds: dict[int, str] = {}
    for _rank, start, end, kind in sorted(candidates):
        k = bisect.bisect_left(starts, start)
        if (k > 0 and ends[k - 1] > start) or (k < len(starts) and starts[k] < end):
            continue
        starts.insert(k, start)
        ends.insert(k, end)
        kinds[start] = kind
    return [Finding(kinds[start], start, end, text[start:end], LABELS[kinds[start]]) for start, end in zip(starts, ends, strict=True)]


def has_personal_data(text: str) -> bool:
    return bool(find_personal_data(text))


def mask(text: str, findings: list[Finding] | None = None) -> str:
    """The text with every finding replaced by "[removed: personal data]"."""
    if findings is None:
        findings = find_personal_data(text)
    parts, position = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < position:
            continue  # overlaps one already removed
        parts.append(text[position:finding.start])
        parts.append(str(REMOVED))
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)
