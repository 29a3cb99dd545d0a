"""Configuration comes from the environment, with safe local defaults."""

import pytest

from literacy.platform.settings import ConfigError, from_environment


def test_local_defaults(monkeypatch, tmp_path):
    for name in ("LITERACY_ENV", "SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    config = from_environment(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/literacy.sqlite3"
    assert config["SECRET_KEY"] and not config["SESSION_COOKIE_SECURE"]


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@localhost/db")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    config = from_environment(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@localhost/db"
    assert config["SECRET_KEY"] == "s3cret"


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
