"""Where one page spends its time, rendered fresh as a given person: a profile, not a load test.

Serves the page in-process with production settings against a database holding
generated data (bench/README.md), with every kept copy turned off (as on a
first request), and prints the median time, the queries with their database
time, and pyinstrument's call tree of the slowest request.

    .venv/bin/python bench/profile_page.py --as representative /business/?view=awaiting
    .venv/bin/python bench/profile_page.py --as moderator /moderation/
    .venv/bin/python bench/profile_page.py --as visitor "/complaints/?q=%22late+fee%22" --queries

Personas: visitor; member (an ordinary member); representative (of the company
with the most public complaints, or --company SLUG); moderator. A
representative or moderator who does not exist is made for the run and
removed after it.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="pages to profile, e.g. /business/?view=awaiting")
    parser.add_argument("--as", dest="persona", default="visitor",
                        choices=["visitor", "member", "representative", "moderator"])
    parser.add_argument("--company", help="the representative's company (slug); default: the one with most complaints")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench"))
    parser.add_argument("--repeat", type=int, default=5, help="requests per page after a warm-up (default: %(default)s)")
    parser.add_argument("--queries", action="store_true", help="also print each query of the last request with its time")
    parser.add_argument("--tree", action="store_true", help="also print pyinstrument's call tree of the last request")
    return parser.parse_args()


def setup(database_url: str) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "complaints_site.settings", "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": database_url,
        "BEHIND_HTTPS_PROXY": "true", "LOG_LEVEL": "WARNING", "REDIS_URL": "redis://127.0.0.1:6379/1",
    })
    sys.path.insert(0, str(REPO))
    import django
    from django.core.management import call_command

    django.setup()
    # Production's static storage needs its manifest to render a page.
    call_command("collectstatic", interactive=False, verbosity=0)


@contextmanager
def persona(name: str, company_slug: str | None):
    """The user to sign in as (None for a visitor); a role made for the run is removed after it."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from companies.models import Company, Representative
    from complaints.models import Complaint

    if name == "visitor":
        yield None
        return
    users = get_user_model().objects.filter(is_active=True)
    made = []
    if name == "representative":
        if company_slug:
            company = Company.objects.get(slug=company_slug)
        else:
            biggest = (Complaint.objects.public().values("company").annotate(n=Count("id")).order_by("-n")
                       .values_list("company", flat=True).first())
            company = Company.objects.get(pk=biggest)
        existing = Representative.objects.filter(company=company).select_related("user").first()
        if existing:
            user = existing.user
        else:
            user = users.filter(representations__isnull=True, is_staff=False).order_by("pk").first()
            made.append(Representative.objects.create(user=user, company=company, verified_by="moderator"))
        print(f"# representative of {company.slug} ({user.email})")
    elif name == "moderator":
        group, _created = Group.objects.get_or_create(name=settings.MODERATORS_GROUP)
        user = group.user_set.filter(is_active=True).first()
        if user is None:
            user = users.filter(representations__isnull=True, is_staff=False).order_by("-pk").first()
            group.user_set.add(user)
            made.append(lambda: group.user_set.remove(user))
    else:
        user = users.filter(representations__isnull=True, groups__isnull=True, is_staff=False).order_by("pk").first()
    try:
        yield user
    finally:
        for thing in made:
            thing() if callable(thing) else thing.delete()


def profile(path: str, user, repeat: int, show_queries: bool, show_tree: bool) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from pyinstrument import Profiler

    client = Client(headers={"host": "127.0.0.1", "x-forwarded-proto": "https"}, raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    caches = {alias: {**config, "KEY_PREFIX": f"profile-{secrets.token_hex(4)}"}
              for alias, config in settings.CACHES.items()}
    timings, db_times, counts = [], [], []
    with override_settings(VISITOR_CACHE_SECONDS=0, CACHES=caches):
        client.get(path)  # warm-up: imports, templates, the session
        for attempt in range(repeat):
            queries = []

            def timed(execute, sql, params, many, context, queries=queries):
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    queries.append(((time.perf_counter() - start) * 1000, sql))

            profiler = Profiler(interval=0.0005) if show_tree and attempt == repeat - 1 else None
            start = time.perf_counter()
            if profiler:
                profiler.start()
            with connection.execute_wrapper(timed):
                response = client.get(path)
            if profiler:
                profiler.stop()
            timings.append((time.perf_counter() - start) * 1000)
            db_times.append(sum(ms for ms, _sql in queries))
            counts.append(len(queries))
    print(f"{path}: {response.status_code}, {len(response.content):,} bytes; median {statistics.median(timings):.1f} ms "
          f"(min {min(timings):.1f}), {statistics.median(counts):.0f} queries, "
          f"{statistics.median(db_times):.1f} ms in the database")
    if show_queries:
        for ms, sql in sorted(queries, reverse=True):
            print(f"  {ms:8.2f} ms  {sql if len(sql) < 300 else sql[:200] + " … " + sql[-100:]}")
    if profiler:
        print(profiler.output_text(unicode=True, color=False, show_all=False))


def main() -> int:
    args = parse_args()
    setup(args.database_url)
    with persona(args.persona, args.company) as user:
        for path in args.paths:
            profile(path, user, args.repeat, args.queries, args.tree)
    return 0


if __name__ == "__main__":
    sys.exit(main())
