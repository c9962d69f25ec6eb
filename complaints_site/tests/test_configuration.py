"""Configuration from the environment, checked in fresh processes as a deploy would run them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "complaints.example",
    "EMAIL_HOST": "smtp.example",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "EMAIL_FILE_PATH", "EMAIL_HOST"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_warns_when_production_has_no_shared_cache():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **dict(PRODUCTION_ENV, REDIS_URL=""))
    assert result.returncode != 0
    assert "complaints_site.W001" in result.stdout + result.stderr
    assert "REDIS_URL" in result.stdout + result.stderr


def test_deploy_check_warns_when_production_runs_tasks_in_the_request():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **dict(PRODUCTION_ENV, TASKS_BACKEND="immediate"))
    assert result.returncode != 0
    assert "complaints_site.W002" in result.stdout + result.stderr


def test_production_queues_tasks_in_the_database():
    code = "from django.conf import settings as s; print(s.TASKS['default']['BACKEND'])"
    result = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION_ENV)
    assert result.stdout.strip() == "django_tasks_db.DatabaseBackend", result.stderr


def test_production_language_cookie_is_secure_and_http_only():
    code = "from django.conf import settings as s; print(s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_HTTPONLY)"
    result = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_site_url_follows_the_development_port():
    code = "from django.conf import settings as s; print(s.SITE_URL)"
    clean = {"SITE_URL": "", "PORT": "8201"}
    result = run_manage("shell", "--no-imports", "-c", code, **clean)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8201"
    result = run_manage("shell", "--no-imports", "-c", code, SITE_URL="https://complaints.example/", PORT="8201")
    assert result.stdout.strip() == "https://complaints.example"


@pytest.mark.parametrize(
    ("name", "value"),
    [("DEBUG", "maybe"), ("SECURE_COOKIES", "sometimes"), ("EMAIL_PORT", "twenty-five"), ("DATABASE_URL", "nonsense://x")],
)
def test_a_bad_value_stops_start_up_naming_the_variable(name, value):
    result = run_manage("check", EMAIL_HOST="smtp.example", **{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV, SECRET_KEY="")
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_email_file_path_writes_outgoing_mail_as_files(tmp_path):
    result = run_manage("sendtestemail", "someone@example.com", EMAIL_FILE_PATH=str(tmp_path))
    assert result.returncode == 0, result.stderr
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    assert "someone@example.com" in files[0].read_text()


def _loaded_modules_and_commands(**env) -> str:
    code = ("import sys; from django.core.management import get_commands; "
            "print(sorted(m for m in sys.modules if m.startswith('devtools')), "
            "sorted(c for c in ('load_demo', 'generate_data') if c in get_commands()))")
    result = run_manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_does_not_load_the_development_tools():
    assert _loaded_modules_and_commands(**PRODUCTION_ENV) == "[] []"
    result = run_manage("load_demo", **PRODUCTION_ENV)
    assert result.returncode != 0
    assert "Unknown command: 'load_demo'" in result.stderr


def test_development_tools_come_with_debug_or_when_asked_for():
    assert _loaded_modules_and_commands(DEBUG="true").endswith("['generate_data', 'load_demo']")
    assert _loaded_modules_and_commands(**dict(PRODUCTION_ENV, DEV_TOOLS="true")).endswith(
        "['generate_data', 'load_demo']")
