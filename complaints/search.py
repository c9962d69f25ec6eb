"""Finding public complaints by their words.

On PostgreSQL each complaint carries a full-text document built by a trigger
(migration 0005) in the complaint's own language: English, Russian, German
and Swedish are stemmed, anything else uses the "simple" configuration. A
search is read with web-search syntax ("quoted phrase", -word, or) once per
configuration and the readings are OR-ed, so "charged" finds "charges" in an
English story and "платежей" finds "платежи" in a Russian one.

On SQLite, the one-machine default, an FTS5 table kept by triggers
(migration 0009) holds the same text with its words case-folded and stemmed
in Python by the same Snowball stemmers (core.stemming). Each term of a
search is stemmed in every language and the distinct readings are OR-ed, as
on PostgreSQL, and matches are ranked with bm25, the title weighing more.

Both read the search with parse_web_search, so "or" works in every interface
language ("или", "oder", "eller") and the two databases read a search alike.

The work per search is bounded: at most CANDIDATE_LIMIT of the newest
matches are ranked. A word found in half a million complaints costs the same
as one found in a thousand, and nobody reads past the first pages of a
ranked list anyway; a count above the cap is shown as "more than".
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection, connections
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from complaints.sorts import SORTS, public_count
from core import stemming
from core.paging import COUNT_CAP, keyset_page, keyset_page_or_first
from core.visitor_cache import kept_like_pages

SEARCH_CONFIGS = ("english", "russian", "german", "swedish", "simple")
LANGUAGE_CONFIGS = {"en": "english", "ru": "russian", "de": "german", "sv": "swedish"}

# How many of the newest matches are ranked by relevance (see above).
CANDIDATE_LIMIT = 500
NEWEST = ("-published_at", "-pk")
# Recent publication windows, in days, where a search's newest matches are looked for
# first (newest_matches); None is all time.
RECENT_WINDOWS = (30, 365, None)
# Web-search terms read; more are ignored, to bound the work of one search.
MAX_TERMS = 12
# The word for "or" in each interface language (en, ru, de, sv).
OR_WORDS = {"or", "или", "oder", "eller"}
# SQLite: the complaints whose index row matches an FTS5 expression, and their
# bm25 rank (higher is better) with the columns title, story and company names
# weighed 2.5 : 1 : 2.5, as PostgreSQL weighs A and B. Only the expression is a
# parameter; none of the SQL is built from input.
FTS_MATCH_SQL = "SELECT rowid FROM complaint_search WHERE complaint_search MATCH %s"
FTS_RANK_SQL = (
    "coalesce((SELECT -bm25(complaint_search, 2.5, 1.0, 2.5) FROM complaint_search"
    " WHERE complaint_search MATCH %s AND rowid = complaints_complaint.id), 0)"
)
EXCERPT_WORDS = 40

# Markers for the highlighted words: private-use characters, so that after
# escaping everything the only markup is the <mark> put in their place. A text
# that itself contains them is shown without highlighting.
MARK_START = "\ue000"
MARK_STOP = "\ue001"


@dataclass(frozen=True)
class Term:
    text: str
    negated: bool = False


def parse_web_search(text: str) -> list[list[Term]]:
    """Web-search syntax as alternatives of terms that must all hold.

    `a "b c" -d or e` reads as (a AND "b c" AND NOT d) OR e, like PostgreSQL's
    websearch_to_tsquery, where "or" binds more loosely than the spaces; "or"
    may be written in any interface language.
    """
    groups: list[list[Term]] = [[]]
    count = 0
    for minus, phrase, word in re.findall(r'(-?)"([^"]*)"?|(\S+)', text):
        if word and word.casefold() in OR_WORDS:
            if groups[-1]:
                groups.append([])
            continue
        negated = bool(minus) or word.startswith("-")
        value = (phrase if not word else word.lstrip("-")).strip().strip("\"'")
        if not value or count >= MAX_TERMS:
            continue
        groups[-1].append(Term(value, negated))
        count += 1
    return [group for group in groups if group]


def _is_postgresql(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


class ParsedQuery(SearchQuery):
    """A tsquery in PostgreSQL's own text form, taken as it is (a cast, no parsing again)."""

    def as_sql(self, compiler, connection, function=None, template=None):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql})::tsquery", params


def _readings(text: str) -> list[str]:
    """The search read once per configuration, duplicates and empty readings dropped.

    Kept in the cache: a text's readings change only with the dictionaries.
    Fewer, distinct terms also give the planner a truer guess of the matches.
    """
    key = "tsquery:" + hashlib.sha256(text.encode()).hexdigest()
    readings = cache.get(key)
    if readings is None:
        columns = ", ".join("websearch_to_tsquery(%s::regconfig, %s)::text" for _config in SEARCH_CONFIGS)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns}", [value for config in SEARCH_CONFIGS for value in (config, text)])
            row = cursor.fetchone()
        readings = list(dict.fromkeys(reading for reading in row if reading))
        cache.set(key, readings, 24 * 3600)
    return readings


def websearch_text(text: str) -> str:
    """The search as parse_web_search reads it, written back for websearch_to_tsquery (English "or")."""
    def written(term: Term) -> str:
        value = " ".join(term.text.replace('"', " ").split())
        if " " in value or value.startswith("-"):
            value = f'"{value}"'
        return ("-" if term.negated else "") + value

    return " or ".join(" ".join(written(term) for term in group) for group in parse_web_search(text))


def _ts_query(text: str):
    readings = _readings(websearch_text(text))
    if not readings:
        return None
    return ParsedQuery(" | ".join(f"( {reading} )" for reading in readings))


def _fts_term(term: Term) -> str | None:
    """An FTS5 expression for one term: its readings, each a quoted phrase, OR-ed.

    Every word is quoted (and holds only word characters anyway), and the
    expression is always a bound parameter: no user text is FTS5 syntax.
    """
    phrases = ['"' + " ".join(words).replace('"', '""') + '"' for words in stemming.readings(term.text)]
    return "(" + " OR ".join(phrases) + ")" if phrases else None


def _fts_groups(text: str) -> list[tuple[str | None, str | None]]:
    """Per alternative of the search: an FTS5 expression of its positive terms and one of its negated terms."""
    groups = []
    for group in parse_web_search(text):
        positive = [expr for term in group if not term.negated and (expr := _fts_term(term))]
        negative = [expr for term in group if term.negated and (expr := _fts_term(term))]
        if positive or negative:
            groups.append((" AND ".join(positive) or None, " OR ".join(negative) or None))
    return groups


def _fts_matches(expression: str) -> Q:
    return Q(pk__in=RawSQL(FTS_MATCH_SQL, [expression]))  # noqa: S611 (constant SQL, bound parameter)


def _fts_rank(text: str):
    """bm25 of the positive terms, higher is better; 0 for a complaint found by a negation alone."""
    positive = " OR ".join(f"({expr})" for expr, _negative in _fts_groups(text) if expr)
    if not positive:
        return Value(0.0, output_field=FloatField())
    return RawSQL(FTS_RANK_SQL, [positive], output_field=FloatField())  # noqa: S611 (constant SQL, bound parameter)


def search_filter(queryset, text: str):
    """The complaints of `queryset` that match `text` (unordered)."""
    if _is_postgresql(queryset):
        query = _ts_query(text)
        return queryset.filter(search_document=query) if query is not None else queryset.none()
    groups = _fts_groups(text)
    if not groups:  # nothing searchable, as on PostgreSQL
        return queryset.none()
    condition = Q()
    for positive, negative in groups:
        if positive:
            condition |= _fts_matches(f"({positive}) NOT ({negative})" if negative else positive)
        else:
            condition |= ~_fts_matches(negative)
    return queryset.filter(condition)


def newest_matches(queryset, limit: int, windows=RECENT_WINDOWS, newest=None) -> list[int]:
    """The ids of the `limit` newest complaints of `queryset`, looked for in the recent windows first.

    A phrase found in 2% of a million complaints has 20,000 matches; to find the
    newest 500 of them, PostgreSQL reads every match from the table (the
    full-text index cannot tell a phrase from its words alone): 150 ms. Within
    the last week or month it intersects the full-text index with the date index
    first and reads about a thousand rows (10-15 ms). The windows widen until one
    holds enough; the newest `limit` of a window that holds that many are the
    newest overall, so the answer is the same as one query over everything.
    """
    newest = queryset.order_by(*(newest or NEWEST)).values_list("pk", flat=True)
    now = timezone.now()
    for days in windows:
        window = newest if days is None else newest.filter(published_at__gte=now - timedelta(days=days))
        ids = list(window[:limit])
        if len(ids) >= limit or days is None:
            return ids
    return ids


def ranked(queryset, text: str, *, limit: int | None = None, windows=RECENT_WINDOWS, newest=None):
    """The ids of the newest `limit` matches in `queryset` (default CANDIDATE_LIMIT), best first.

    `queryset` already holds the search filter and the other filters; `newest`, the
    newest-first order to take the candidates in (with a status: led by it, paging.OneOf).
    """
    limit = limit or CANDIDATE_LIMIT
    if windows == (None,):  # no windows: the candidates are a subquery of the ranking's one query
        candidates = queryset.order_by(*(newest or NEWEST)).values("pk")[:limit]
    else:
        candidates = newest_matches(queryset, limit, windows, newest)
    bounded = queryset.model.objects.public().filter(pk__in=candidates)
    if _is_postgresql(queryset):
        rank = SearchRank(F("search_document"), _ts_query(text))
    else:
        rank = _fts_rank(text)
    return bounded.annotate(rank=rank).order_by("-rank", "-published_at", "-pk").values_list("pk", flat=True)


def matching_ids(queryset, *, order=None) -> list[int]:
    """Up to COUNT_CAP + 1 ids of the matches, kept like `ranked_ids`.

    Mostly in no order: from an index, or by a short scan of the table when matches are
    everywhere (it stops at the cap). With a status, in `order` (newest first, led by the
    status): statuses follow age (the complaints still waiting are all at the end of the
    table), so a scan from the oldest rows could read most of the table for them, while
    in order the database reads the status's own index.
    """
    def find():
        ordered = queryset.order_by(*order) if order else queryset.order_by()
        return list(ordered.values_list("pk", flat=True)[: COUNT_CAP + 1])

    try:
        key = "matches:" + hashlib.sha256(str(queryset.query).encode()).hexdigest()
    except EmptyResultSet:  # a search with no searchable word: nothing to find
        return []
    return kept_like_pages(key, find)


def ranked_ids(queryset, text: str, *, limit: int | None = None, windows=RECENT_WINDOWS, newest=None) -> list[int]:
    """`ranked`, kept as long as a public page may be old.

    Only which complaints a search or filter finds, and their order, is kept
    (up to a minute, for everyone: a list is nobody's own page); the
    complaints of the page shown are read afresh, and only if still public,
    so no card is ever stale.
    """
    key = "ranked:" + hashlib.sha256(f"{text}\x1f{limit}\x1f{queryset.query}".encode()).hexdigest()
    return kept_like_pages(key, lambda: list(ranked(queryset, text, limit=limit, windows=windows, newest=newest)))


def highlight_page(complaints: list, text: str) -> None:
    """Give each complaint of a shown page a safe `title_html` and `excerpt_html`."""
    if not complaints or not text:
        return
    if connections[complaints[0]._state.db].vendor == "postgresql":
        _highlight_postgresql(complaints, text)
    else:
        # A word is marked when it, or its stem in the complaint's language, is one the search looks for.
        wanted = {
            word for group in parse_web_search(text) for term in group if not term.negated
            for reading in stemming.readings(term.text) for word in reading
        }
        for complaint in complaints:
            def found(word, language=complaint.language):
                folded = stemming.casefold(word)
                return folded in wanted or stemming.stem_words(language, [folded])[0] in wanted

            complaint.title_html = _marked_html(complaint.title, _mark_words(complaint.title, found))
            if not complaint.text_held:
                excerpt = _excerpt_around(complaint.story, found)
                complaint.excerpt_html = _marked_html(excerpt, _mark_words(excerpt, found))


def _highlight_postgresql(complaints: list, text: str) -> None:
    """PostgreSQL's ts_headline for the page, kept per complaint text and search.

    A key covers the title, the story and the search's readings, so a kept
    highlight is never stale; only the complaints missing from the cache go
    to the database.
    """
    query = _ts_query(text)
    if query is None:
        return
    readings = "|".join(_readings(websearch_text(text)))
    keys = {
        complaint.pk: "headline:" + hashlib.sha256(
            "\x1f".join([str(complaint.pk), complaint.language, complaint.title, complaint.story, readings]).encode()
        ).hexdigest()
        for complaint in complaints
    }
    kept = cache.get_many(list(keys.values()))
    marked = {pk: kept[key] for pk, key in keys.items() if key in kept}
    missing = [pk for pk in keys if pk not in marked]
    if missing:
        config = Case(
            *[When(language__startswith=code, then=Value(config)) for code, config in LANGUAGE_CONFIGS.items()],
            default=Value("simple"),
        )
        markers = {"start_sel": MARK_START, "stop_sel": MARK_STOP}
        rows = complaints[0].__class__.objects.public().filter(pk__in=missing).annotate(
            title_marked=SearchHeadline("title", query, config=config, highlight_all=True, **markers),
            story_marked=SearchHeadline(
                "story", query, config=config, max_words=EXCERPT_WORDS, min_words=15, max_fragments=2,
                fragment_delimiter=" … ", **markers,
            ),
        ).values_list("pk", "title_marked", "story_marked")
        fresh = {pk: (title, story) for pk, title, story in rows}
        marked.update(fresh)
        cache.set_many({keys[pk]: value for pk, value in fresh.items()}, 24 * 3600)
    for complaint in complaints:
        title, story = marked.get(complaint.pk, (None, None))
        if title is not None:
            complaint.title_html = _marked_html(complaint.title, title)
        if story is not None and not complaint.text_held:
            complaint.excerpt_html = _marked_html(complaint.story, story)


def _marked_html(original: str, marked: str):
    """Escape everything, then turn our markers into <mark>; None if unsafe to do so."""
    if MARK_START in original or MARK_STOP in original:
        return None
    html = escape(marked).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 (all of the text was escaped; only <mark> is ours)


def _mark_words(text: str, found) -> str:
    return re.sub(r"\w+", lambda match: f"{MARK_START}{match.group(0)}{MARK_STOP}" if found(match.group(0))
                  else match.group(0), text)


def _excerpt_around(story: str, found) -> str:
    """About EXCERPT_WORDS words of the story, starting a little before the first match."""
    words = story.split()
    first = next(
        (index for index, word in enumerate(words) if any(found(part) for part in re.findall(r"\w+", word))), 0
    )
    start = max(0, first - 8)
    excerpt = " ".join(words[start:start + EXCERPT_WORDS])
    return ("… " if start else "") + excerpt + (" …" if start + EXCERPT_WORDS < len(words) else "")


@dataclass
class Results:
    """One page of a complaint list, with its (capped) count."""

    page: object  # a paging.KeysetPage, or a Django Page when ranked by relevance
    count: int
    count_capped: bool
    numbered: bool
    bad_cursor: bool = False


def results_page(queryset, *, words: str, filtered: bool, sort: str, per_page: int, after="", before="",
                 page_number=None, one_status=False) -> Results:
    """The page of complaints to show, highlighted when searching.

    A search or filter first takes up to COUNT_CAP + 1 matching ids, in no
    order (an index lookup, or a short scan when matches are everywhere).
    That is the count; and when it is not over the cap, the page is chosen
    among those ids. Otherwise a rare word sorted by date could lead the
    planner to walk the date index through a million rows to find five.
    `one_status`: the filters hold the status to one value.
    """
    bad_cursor = False
    order = SORTS[sort] if sort in SORTS else SORTS["newest"]
    if one_status:
        # Statuses follow age: walking every public complaint by date to pick out the
        # closed ones read 100,000 rows for a page at a million. The status's own index
        # (complaint_public_list) holds them in date order; see paging.OneOf.
        order = order.led_by("status") if sort in ("newest", "oldest") else order
    if filtered or words:
        newest = (SORTS["newest"].led_by("status") if one_status else SORTS["newest"]).order_by()
        matches = matching_ids(queryset, order=newest if one_status and not words else None)
        count, capped = min(len(matches), COUNT_CAP), len(matches) > COUNT_CAP
        if not capped:
            # Still public(): the matches may have been kept from before a hide.
            queryset = queryset.model.objects.public().filter(pk__in=matches).select_related("company")
    else:
        count, capped = public_count(queryset)
    if not count:
        page = keyset_page(queryset.none(), SORTS["newest"], per_page=per_page)
        return Results(page=page, count=0, count_capped=False, numbered=False)
    if sort == "relevance" and words:
        # All matches are ranked when they are few (already a short list of ids: no windows
        # needed); only the newest CANDIDATE_LIMIT when not.
        if capped:
            ids = ranked_ids(queryset, words, limit=CANDIDATE_LIMIT, newest=newest)
        else:
            ids = ranked_ids(queryset, words, limit=COUNT_CAP, windows=(None,), newest=newest)
        page = Paginator(ids, per_page).get_page(page_number)
        rows = queryset.in_bulk(list(page.object_list))
        page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
        numbered = True
    else:
        page, bad_cursor = keyset_page_or_first(queryset, order, per_page=per_page, after=after, before=before)
        numbered = False
    highlight_page(page.object_list if numbered else page.items, words)
    return Results(page=page, count=count, count_capped=capped, numbered=numbered, bad_cursor=bad_cursor)
