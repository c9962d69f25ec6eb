"""Full-text search: word forms per language, ranking, and the triggers that keep the index current.

Written for PostgreSQL's own full-text search; SQLite's FTS5 index with the
same Snowball stemmers (migration 0009) must behave the same, so these run on
both databases (more in test_search_word_forms.py).
"""

import pytest
from django.db import connection

from companies.tests.factories import CompanyFactory
from complaints.models import Complaint
from complaints.tests.factories import make_published
from complaints.tests.test_search import LIST, published, titles

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "story", "query"), [
    ("en", "They charged my card twice in March.", "charges"),
    ("en", "Two charges appeared on my statement.", "charged"),
    ("ru", "Банк провёл платежи дважды и не вернул деньги.", "платежей"),
    ("ru", "Списали три платежа за один месяц.", "платежи"),
    ("de", "Die Rechnungen kamen doppelt, niemand antwortet.", "Rechnung"),
    ("sv", "Jag ringde kundtjänst fem gånger utan svar.", "kundtjänsten"),
    ("sv", "Kundtjänsten svarade aldrig på mina mejl.", "kundtjänst"),
])
def test_word_forms_match_in_the_complaints_own_language(client, language, story, query):
    published("Complaint", story=story, language=language)
    published("Unrelated", story="Nothing to see here.", language=language)
    assert titles(client.get(LIST, {"q": query})) == ["Complaint"]


def test_other_languages_use_the_simple_configuration(client):
    published("Plainte", story="Ils ont débité ma carte deux fois.", language="fr")
    assert titles(client.get(LIST, {"q": "débité"})) == ["Plainte"]
    assert titles(client.get(LIST, {"q": "débiter"})) == []  # no French stemming


def test_stemming_does_not_cross_languages(client):
    """An English query word is not stemmed into a Swedish document's words, and the other way round."""
    published("Swedish", story="Kundtjänsten svarade aldrig.", language="sv")
    published("English", story="Customer service never answered.", language="en")
    assert titles(client.get(LIST, {"q": "kundtjänst"})) == ["Swedish"]
    assert titles(client.get(LIST, {"q": "answers"})) == ["English"]


def test_ranking_weighs_the_title_above_the_story_and_more_mentions_above_one(client):
    published("Broken modem", story="It stopped working.", days_ago=9)
    published("Slow line", story="The modem light blinks.", days_ago=1)
    published("Slow again", story="The modem, the modem and the modem again.", days_ago=2)
    assert titles(client.get(LIST, {"q": "modem"})) == ["Broken modem", "Slow again", "Slow line"]


def test_company_names_and_aliases_are_searchable(client):
    telia = CompanyFactory(name="Telia", aliases="Telia Sverige\nTeliaSonera")
    published("No names", story="The line is dead.", company=telia)
    assert titles(client.get(LIST, {"q": "teliasonera"})) == ["No names"]


def test_the_document_follows_edits_redactions_and_company_renames(client):
    company = CompanyFactory(name="Oldname")
    complaint = published("Title", story="The word is aardvark.", company=company)
    assert titles(client.get(LIST, {"q": "aardvark"})) == ["Title"]
    Complaint.objects.filter(pk=complaint.pk).update(story="The word is now pangolin.")
    assert titles(client.get(LIST, {"q": "aardvark"})) == []
    assert titles(client.get(LIST, {"q": "pangolin"})) == ["Title"]
    company.name = "Newbrand"
    company.save()
    assert titles(client.get(LIST, {"q": "newbrand"})) == ["Title"]
    assert titles(client.get(LIST, {"q": "oldname"})) == []
    Complaint.objects.filter(pk=complaint.pk).update(text_held=True)
    assert titles(client.get(LIST, {"q": "pangolin"})) == []


def test_web_search_syntax_on_postgresql(client):
    published("Double charge", story="They took a double charge from my card.")
    published("Charge double", story="The charge was double the price, said the bank.")
    assert titles(client.get(LIST, {"q": '"double charge"'})) == ["Double charge"]
    assert titles(client.get(LIST, {"q": "charge -bank"})) == ["Double charge"]
    assert set(titles(client.get(LIST, {"q": "bank or card"}))) == {"Double charge", "Charge double"}


@pytest.mark.parametrize("query", ["", " ", "-", "or", '""', "!", "&&", "|", ":*", "the", "'", "\\", "(((", "a:b:c"])
def test_queries_without_searchable_words_give_a_page(client, query, settings):
    make_published(title="Something")
    for seconds in (0, 60):  # with and without the kept search results
        settings.VISITOR_CACHE_SECONDS = seconds
        response = client.get(LIST, {"q": query, "language": "en"})
        assert response.status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index")
def test_the_documents_are_indexed_and_the_ranking_is_bounded():
    """A GIN index over the documents (plans at scale: docs/PERFORMANCE.md); ranking reads the candidates only."""
    from complaints.search import ranked, search_filter

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'complaint_search_document'")
        assert "USING gin (search_document)" in cursor.fetchone()[0]
    queryset = search_filter(Complaint.objects.public(), "aardvark")
    assert "LIMIT 500" in str(ranked(queryset, "aardvark", windows=(None,)).query)


def test_a_kept_highlight_follows_the_text(client):
    complaint = published("Title", story="The first aardvark story.")
    assert "first" in client.get(LIST, {"q": "aardvark"}).content.decode()
    Complaint.objects.filter(pk=complaint.pk).update(story="The second aardvark story.")
    body = client.get(LIST, {"q": "aardvark"}).content.decode()
    assert "second" in body and "first" not in body and "<mark>aardvark</mark>" in body
