"""Every shipped language has every message translated (run `make messages` after changing text)."""

import ast
import gettext
from pathlib import Path

import pytest
from django.utils import translation

from complaints_site.tests.language_client import LanguageClient

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def entries(po: Path):
    """(msgid, [msgstr...], fuzzy) for each entry of a .po file, header skipped."""
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    for block in blocks[1:]:
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid") for line in lines):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        msgid, msgstrs, current = "", [], None
        for line in lines:
            if line.startswith("msgid "):
                current = "msgid"
                msgid = line[7:-1]
            elif line.startswith("msgstr"):
                current = "msgstr"
                msgstrs.append(line.split(" ", 1)[1][1:-1])
            elif line.startswith('"') and current == "msgid":
                msgid += line[1:-1]
            elif line.startswith('"') and current == "msgstr":
                msgstrs[-1] += line[1:-1]
        yield msgid, msgstrs, fuzzy


@pytest.mark.parametrize("language", ["ru", "de", "sv"])
def test_every_message_is_translated_and_none_is_fuzzy(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    problems = [msgid for msgid, msgstrs, fuzzy in entries(po) if fuzzy or not all(msgstrs)]
    assert not problems, f"{language}: untranslated or fuzzy: {problems[:10]}"

    # The committed .mo is compiled from this .po (not from an older one).
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    stale = [
        msgid for msgid, msgstrs, _fuzzy in entries(po)
        if len(msgstrs) == 1 and catalogue.gettext(unquote(msgid)) != unquote(msgstrs[0])
    ]
    assert not stale, f"{language}: django.mo is out of date for {stale[:5]}; run make messages"


def unquote(text: str) -> str:
    return ast.literal_eval(f'"{text}"')


@pytest.mark.parametrize(("language", "expected"), [("ru", "Компании"), ("de", "Unternehmen"), ("sv", "Företag")])
def test_the_compiled_catalogue_is_used(language, expected):
    with translation.override(language):
        assert translation.gettext("Companies") == expected


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "de", "sv"])
def test_pages_render_in_each_language(client, company, language):
    from complaints.tests.factories import make_published

    complaint = make_published(company=company)
    client = LanguageClient(client, language)
    for url in ["/", "/companies/", company.get_absolute_url(), complaint.get_absolute_url(), "/about/scores/",
                "/about/moderation/", "/accounts/login/", "/accounts/signup/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode(), url
