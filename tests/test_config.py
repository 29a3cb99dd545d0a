"""Configuration comes from the environment, with safe local defaults."""

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from literacy.platform.settings import ConfigError, from_environment

ROOT = Path(__file__).resolve().parent.parent


def test_local_defaults(monkeypatch, tmp_path):
    for name in ("LITERACY_ENV", "SECRET_KEY", "DATABASE_URL", "CONTENT_CACHE"):
        monkeypatch.delenv(name, raising=False)
    config = from_environment(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/literacy.sqlite3"
    assert config["CONTENT_CACHE"] == str(tmp_path / "content-cache")
    assert config["SECRET_KEY"] and not config["SESSION_COOKIE_SECURE"]


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@localhost/db")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    config = from_environment(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@localhost/db"
    assert config["SECRET_KEY"] == "s3cret"


def test_the_content_cache_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("CONTENT_CACHE", "off")
    assert from_environment(str(tmp_path))["CONTENT_CACHE"] == ""


def test_production_without_secret_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("LITERACY_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_environment(str(tmp_path))


def test_production_with_secret_key_uses_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("LITERACY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("TRUSTED_HOSTS", "learn.example.com, www.learn.example.com")
    config = from_environment(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["TRUSTED_HOSTS"] == ["learn.example.com", "www.learn.example.com"]


def test_production_without_trusted_hosts_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("LITERACY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    with pytest.raises(ConfigError, match="TRUSTED_HOSTS"):
        from_environment(str(tmp_path))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("EVIDENCE_WINDOW_DAYS", "abc", "EVIDENCE_WINDOW_DAYS must be a whole number, not 'abc'"),
        ("INSIGHTS_MIN_LEARNERS", "0", "INSIGHTS_MIN_LEARNERS must be at least 1, not 0"),
        ("XAPI_TIMEOUT_SECONDS", "soon", "XAPI_TIMEOUT_SECONDS must be a number of seconds, not 'soon'"),
        ("XAPI_ACTOR", "mbox", "XAPI_ACTOR must be one of 'account', 'email', not 'mbox'"),
        ("SQLITE_SYNCHRONOUS", "off", "SQLITE_SYNCHRONOUS must be one of 'normal', 'full', not 'off'"),
        ("LITERACY_ENV", "prod", "LITERACY_ENV must be one of 'development', 'production', not 'prod'"),
    ],
)
def test_a_bad_value_is_refused_with_the_variable_named(monkeypatch, tmp_path, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        from_environment(str(tmp_path))
    assert message in str(refused.value)


def test_every_bad_variable_is_named_at_once(monkeypatch, tmp_path):
    monkeypatch.setenv("EVIDENCE_WINDOW_DAYS", "abc")
    monkeypatch.setenv("CURRENCY_MONTHS", "-2")
    with pytest.raises(ConfigError) as refused:
        from_environment(str(tmp_path))
    assert "EVIDENCE_WINDOW_DAYS" in str(refused.value) and "CURRENCY_MONTHS" in str(refused.value)


def test_settings_are_typed_and_read_only(monkeypatch, tmp_path):
    monkeypatch.setenv("EVIDENCE_WINDOW_DAYS", " 90 ")
    config = from_environment(str(tmp_path))
    settings = config["SETTINGS"]
    assert settings.evidence_window_days == 90 and config["EVIDENCE_WINDOW_DAYS"] == 90
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.evidence_window_days = 1


def test_the_app_refuses_to_start_with_a_message_not_a_trace(tmp_path):
    env = {**os.environ, "EVIDENCE_WINDOW_DAYS": "abc", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    run = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "routes"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode != 0
    assert "EVIDENCE_WINDOW_DAYS must be a whole number, not 'abc'" in run.stderr
    assert "Traceback" not in run.stderr
