import csv
from collections import Counter
from datetime import date, datetime, time, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from companies.models import Company, Industry, Scorecard
from companies.tests.factories import CompanyFactory
from companies.text import normalise_company_name
from complaints import cfpb
from complaints.models import Complaint, Message, StatusChange

DATA = Path("/work/shared/data/cfpb")
SAMPLE_2013 = DATA / "cfpb-2013-sample.csv"
SAMPLE_2023 = DATA / "cfpb-2023-sample.csv"
S = Complaint.Status

pytestmark = pytest.mark.skipif(not SAMPLE_2023.exists(), reason="CFPB samples not available")


def import_cfpb(path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_cfpb", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def read_rows(path) -> tuple[list[dict], list[int]]:
    """The complete rows of a sample, read independently with the csv module, and the lines of the others."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        keys = [cfpb.column_key(name) for name in next(reader)]
        rows, cut_off, line = [], [], reader.line_num
        for row in reader:
            if len(row) == len(keys):
                rows.append(dict(zip(keys, row, strict=True)))
            else:
                cut_off.append(line + 1)
            line = reader.line_num
    return rows, cut_off


def midday(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def small_file(tmp_path, *lines, header=None) -> Path:
    """A CSV with the 2023 header (or another) and the given lines."""
    with open(SAMPLE_2023, encoding="utf-8") as fh:
        first = fh.readline().rstrip("\n")
    path = tmp_path / "small.csv"
    path.write_text("\n".join([header or first, *lines]) + "\n", encoding="utf-8")
    return path


ROW_ANSWERED = (
    '2023-08-25,Credit reporting or other personal consumer reports,Credit reporting,'
    'Incorrect information on your report,Information belongs to someone else,,,"EQUIFAX, INC.",FL,33009,,,Web,'
    '2023-08-25,Closed with explanation,Yes,N/A,7523056'
)
ROW_IN_PROGRESS = (
    '2023-08-23,"Credit reporting, credit repair services, or other personal consumer reports",Credit reporting,'
    'Improper use of your report,Credit inquiries on your report that you don\'t recognize,,,"EQUIFAX, INC.",'
    'CA,95648,,Other,Web,2023-08-23,In progress,Yes,N/A,7446815'
)
ROW_LATE = (
    '2023-08-01,Mortgage,Conventional home mortgage,Trouble during payment process,,'
    '"I paid XXXX and they lost it.",,Example Mortgage LLC,TX,75001,,Consent provided,Web,'
    '2023-08-02,Closed with monetary relief,No,N/A,9000001'
)


def company_counts(rows, *, answered_only=False) -> Counter:
    return Counter(
        normalise_company_name(row["company"]) for row in rows
        if not answered_only or row["company_response_to_consumer"].casefold() in cfpb.ANSWER_RESPONSES
    )


@pytest.mark.django_db
def test_import_2013_sample_counts_answers_scorecards_and_reimport():
    rows, cut_off = read_rows(SAMPLE_2013)
    assert len(rows) == 1000 and not cut_off

    out, err = import_cfpb(SAMPLE_2013)

    assert err == ""
    assert "Imported 1000 complaints" in out
    imported = Complaint.objects.filter(source=Complaint.Source.CFPB)
    assert imported.count() == 1000
    # One company per normalised name, with as many complaints as the file has rows for it.
    per_company = Counter(imported.values_list("company__name_key", flat=True))
    assert per_company == company_counts(rows)
    assert Company.objects.count() == len(per_company)
    assert set(Company.objects.values_list("country", "is_listed").distinct()) == {("US", True)}
    # Products are industries, issues are categories.
    assert set(Industry.objects.values_list("slug", flat=True)) == {cfpb.industry_slug(r["product"]) for r in rows}
    assert Counter(imported.values_list("category", flat=True)) == Counter(r["issue"] for r in rows)

    # Every response type that closed the complaint is the company's answer; the others leave it waiting.
    responses = Counter(row["company_response_to_consumer"] for row in rows)
    answers = Message.objects.filter(kind=Message.Kind.ANSWER, is_private=False)
    for response, n in responses.items():
        if response.casefold() in cfpb.ANSWER_RESPONSES:
            assert answers.filter(body__contains=f"“{response}”").count() == n, response
    assert answers.count() == imported.filter(status=S.ANSWERED).count() == 1000 - responses["Untimely response"]
    assert imported.filter(status=S.PUBLISHED, first_answered_at=None).count() == responses["Untimely response"] == 1
    assert not answers.filter(company=None).exists()
    assert all(m.company_id == m.complaint.company_id for m in answers.select_related("complaint")[:50])

    # Timing: the day after the CFPB sent it on, 16 days after when not timely.
    by_id = {row["complaint_id"]: row for row in rows}
    for complaint in imported.filter(status=S.ANSWERED)[:200]:
        row = by_id[complaint.external_id]
        sent = datetime.strptime(row["date_sent_to_company"], "%m/%d/%Y").date()
        days = 1 if row["timely_response"] == "Yes" else 16
        assert complaint.first_answered_at == max(midday(sent + timedelta(days=days)), complaint.published_at)
        assert complaint.published_at == midday(datetime.strptime(row["date_received"], "%m/%d/%Y").date())
    late = [row["complaint_id"] for row in rows if row["timely_response"] == "No"
            and row["company_response_to_consumer"].casefold() in cfpb.ANSWER_RESPONSES]
    assert late
    complaint = imported.get(external_id=late[0])
    assert complaint.first_answered_at - complaint.published_at >= timedelta(days=16)

    # The system user writes, anonymously; the timeline is the one the services write.
    system = get_user_model().objects.get(username="cfpb-import")
    assert not system.is_active and not system.has_usable_password()
    assert set(imported.values_list("author", "display_name", "is_anonymous", "language").distinct()) == {
        (system.pk, "", True, "en")
    }
    one = imported.get(external_id="511074")
    # Never reviewed here: no "waiting for review" row.
    assert list(one.status_changes.values_list("from_status", "to_status", "event")) == [
        (S.DRAFT, S.PUBLISHED, "imported"), (S.PUBLISHED, S.ANSWERED, "answered")
    ]
    assert one.first_answered_at == midday(date(2013, 9, 4))
    assert "did not publish a narrative" in one.story and "Product: Mortgage" in one.story
    assert one.title == "Loan modification,collection,foreclosure"

    # The figures count the imported answers.
    company = one.company
    card = Scorecard.objects.get(company=company, window=Scorecard.Window.ALL_TIME)
    key = company.name_key
    assert card.complaints == company_counts(rows)[key]
    assert card.answered == company_counts(rows, answered_only=True)[key] > 0

    # A second import of the same file changes nothing.
    before = (Complaint.objects.count(), Company.objects.count(), Industry.objects.count(),
              Message.objects.count(), StatusChange.objects.count(),
              list(Scorecard.objects.values_list("pk", "computed_at").order_by("pk")))
    out, err = import_cfpb(SAMPLE_2013)
    assert "Imported 0 complaints" in out and "1000 already imported" in out and err == ""
    assert before == (Complaint.objects.count(), Company.objects.count(), Industry.objects.count(),
                      Message.objects.count(), StatusChange.objects.count(),
                      list(Scorecard.objects.values_list("pk", "computed_at").order_by("pk")))


@pytest.mark.django_db
def test_import_2023_sample_reports_the_cut_off_line(settings):
    settings.PREMODERATION = {"all"}  # public records: published regardless
    rows, cut_off = read_rows(SAMPLE_2023)
    assert len(rows) == 2067 and cut_off == [3302]

    out, err = import_cfpb(SAMPLE_2023)

    assert err.strip().splitlines() == [
        "line 3302: expected 18 fields, found 2 (a cut-off or malformed line); skipped"
    ]
    assert "Imported 2067 complaints" in out and "1 bad rows skipped" in out
    imported = Complaint.objects.filter(source=Complaint.Source.CFPB)
    assert Counter(imported.values_list("company__name_key", flat=True)) == company_counts(rows)
    assert not imported.exclude(status__in=[S.PUBLISHED, S.ANSWERED]).exists()
    responses = Counter(row["company_response_to_consumer"] for row in rows)
    assert imported.filter(status=S.PUBLISHED).count() == responses["In progress"]
    assert imported.filter(status=S.ANSWERED).count() == sum(
        n for response, n in responses.items() if response.casefold() in cfpb.ANSWER_RESPONSES
    )
    for response, n in responses.items():
        assert Message.objects.filter(body__contains=f"“{response}”").count() == (
            0 if response == "In progress" else n
        ), response
    # Narratives are the stories.
    narratives = {row["complaint_id"]: row["consumer_complaint_narrative"] for row in rows
                  if row["consumer_complaint_narrative"]}
    assert len(narratives) == 389
    stories = dict(imported.filter(external_id__in=narratives).values_list("external_id", "story"))
    assert len(stories) == 389
    cid, narrative = next(iter(narratives.items()))
    assert stories[cid] == narrative.strip()[: cfpb.STORY_MAX]


@pytest.mark.django_db
def test_wrong_header_is_refused_and_nothing_is_written(tmp_path):
    path = small_file(tmp_path, "1,2,3", header="name,email,phone")
    with pytest.raises(CommandError, match="not a CFPB complaint file"):
        import_cfpb(path)
    assert not Complaint.objects.exists() and not Company.objects.exists() and not Industry.objects.exists()
    assert not get_user_model().objects.filter(username="cfpb-import").exists()

    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="empty"):
        import_cfpb(empty)


@pytest.mark.django_db
def test_bad_row_is_reported_and_skipped_the_rest_imported(tmp_path):
    bad_date = ROW_ANSWERED.replace("2023-08-25,Credit", "2023-13-45,Credit").replace("7523056", "7523099")
    path = small_file(tmp_path, ROW_ANSWERED, bad_date, ROW_IN_PROGRESS)

    out, err = import_cfpb(path)

    assert "line 3: Date received is not a date: '2023-13-45'; skipped" in err
    assert "Imported 2 complaints" in out and "1 bad rows skipped" in out
    assert set(Complaint.objects.values_list("external_id", flat=True)) == {"7523056", "7446815"}
    in_progress = Complaint.objects.get(external_id="7446815")
    assert in_progress.status == S.PUBLISHED and in_progress.first_answered_at is None
    assert not in_progress.messages.exists()
    assert in_progress.waiting_on == Complaint.WaitingOn.COMPANY
    # Both rows name Equifax: one company.
    assert Company.objects.count() == 1


@pytest.mark.django_db
def test_existing_company_is_reused_and_late_answer_timed(tmp_path):
    existing = CompanyFactory(name="Example Mortgage", is_listed=False)
    path = small_file(tmp_path, ROW_LATE)

    import_cfpb(path)

    complaint = Complaint.objects.get(external_id="9000001")
    existing.refresh_from_db()
    assert complaint.company == existing and existing.is_listed and existing.country == "SE"
    assert complaint.story == "I paid XXXX and they lost it."
    assert complaint.category == "Trouble during payment process"
    assert complaint.first_answered_at == midday(date(2023, 8, 18))
    answer = complaint.messages.get()
    assert answer.company == existing and answer.kind == Message.Kind.ANSWER and not answer.is_private


@pytest.mark.django_db
def test_complaint_page_says_where_it_came_from(client, tmp_path):
    import_cfpb(small_file(tmp_path, ROW_ANSWERED))
    complaint = Complaint.objects.get(external_id="7523056")

    response = client.get(complaint.get_absolute_url())

    assert response.status_code == 200
    assert "Imported from the US CFPB public complaint database (id 7523056)" in response.text
    assert "“Closed with explanation”" in response.text
    # The consumer is unnamed, not a "former member" of this portal.
    assert "by Anonymous" in response.text and "Former member" not in response.text


def test_header_keys_accept_both_spellings():
    old = "date_received,product,sub_product,issue,sub_issue,consumer_complaint_narrative,company_public_response,company,state,zipcode,tags,consumer_consent_provided,submitted_via,date_sent_to_company,company_response_to_consumer,timely_response,consumer_disputed?,complaint_id"
    new = "Date received,Product,Sub-product,Issue,Sub-issue,Consumer complaint narrative,Company public response,Company,State,ZIP code,Tags,Consumer consent provided?,Submitted via,Date sent to company,Company response to consumer,Timely response?,Consumer disputed?,Complaint ID"
    assert cfpb.header_keys(old.split(",")) == cfpb.header_keys(new.split(",")) == list(cfpb.COLUMNS)
    with pytest.raises(cfpb.FormatError):
        cfpb.header_keys(["Date received", "Product"])


class Terminal(StringIO):
    def isatty(self):
        return True


@pytest.mark.django_db
def test_progress_only_on_a_terminal(tmp_path):
    path = small_file(tmp_path, ROW_ANSWERED, ROW_IN_PROGRESS)
    out = StringIO()
    call_command("import_cfpb", str(path), stdout=out, stderr=StringIO())
    assert "\r" not in out.getvalue() and "%" not in out.getvalue()

    Complaint.objects.all().delete()  # import again, now on a "terminal"
    terminal = Terminal()
    call_command("import_cfpb", str(path), stdout=terminal, stderr=StringIO())
    assert "\r100.0%  2 rows read, 2 imported" in terminal.getvalue()
