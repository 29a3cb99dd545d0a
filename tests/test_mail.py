"""Email through a real SMTP server on loopback (aiosmtpd): the outbox, the worker, password reset,
address confirmation, starting an organisation, unsubscribing (issue 13)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from support import PASSWORD, journeys, make, worlds
from support.apps import make_app
from support.browser import Browser
from support.smtp import Inbox, SmtpServer

from literacy.mail import messages, sender
from literacy.mail.tables import MailMessage
from literacy.people.tables import Organization, User
from literacy.platform.extensions import db


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(tmp_path, smtp):
    return make_app(tmp_path, **smtp.settings)


def send(app) -> tuple[int, str]:
    """Run the mail worker once, as `flask mail send` does: its exit code and output."""
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    return result.exit_code, result.output


def ask_reset(app, email: str):
    browser = Browser(app.test_client())
    return browser.post("/password/forgot", {"email": email}, page="/password/forgot")


def outbox(app) -> list[MailMessage]:
    with app.app_context():
        return db.session.scalars(db.select(MailMessage).order_by(MailMessage.id)).all()


def test_password_reset_by_email_end_to_end(mail_app, smtp):
    make.signup_domain(mail_app, "kim@example.com")
    with make.saved(mail_app):
        make.user("kim@example.com", name="Kim Lee")
    other_device = journeys.signed_in(mail_app, "kim@example.com")
    browser = Browser(mail_app.test_client())
    asked = browser.post("/password/forgot", {"email": "Kim@Example.com"}, page="/password/forgot")
    assert asked.status_code == 302 and "reason=reset" in asked.headers["Location"]
    assert "we have sent it a link" in browser.get(asked.headers["Location"]).get_data(as_text=True)
    assert send(mail_app)[0] == 0
    [message] = smtp.inbox.to("kim@example.com")
    assert message["Subject"] == "Choose a new password" and "academy@acme.example" in message["From"]
    assert "one hour" in Inbox.text(message) and "Choose a new password" in Inbox.html(message)
    [link] = Inbox.links(message)
    assert link.startswith("/password/reset/")

    page = browser.get(link)
    assert page.status_code == 200 and "kim@example.com" in page.get_data(as_text=True)
    new = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    done = browser.post(link, new)
    assert done.status_code == 302
    assert browser.get("/progress").status_code == 200  # signed in with the new password
    assert other_device.get("/progress").status_code == 302  # every other session has ended
    assert browser.get(link).status_code == 404  # single use
    assert Browser(mail_app.test_client()).login("kim@example.com", PASSWORD).status_code == 200  # old one refused
    journeys.signed_in(mail_app, "kim@example.com", "a brand new passphrase")
    assert all(
        m.text_body == "This message held a one-time link. It was sent and then erased here." for m in outbox(mail_app)
    )


def test_reset_answers_the_same_for_unknown_addresses_and_sends_nothing(mail_app, smtp):
    with make.saved(mail_app):
        make.user("kim@example.com")
    browser = Browser(mail_app.test_client())
    known = browser.post("/password/forgot", {"email": "kim@example.com"}, page="/password/forgot")
    unknown = browser.post("/password/forgot", {"email": "nobody@example.com"}, page="/password/forgot")
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert [m.to_address for m in outbox(mail_app)] == ["kim@example.com"]


def test_a_reset_link_expires_after_an_hour_and_a_newer_one_replaces_it(mail_app, monkeypatch):
    from literacy.people import invitations

    with make.saved(mail_app):
        make.user("kim@example.com")
    ask_reset(mail_app, "kim@example.com")
    first = make.link_in_mail(mail_app, "kim@example.com", "password-reset")
    ask_reset(mail_app, "kim@example.com")
    second = make.link_in_mail(mail_app, "kim@example.com", "password-reset")
    browser = Browser(mail_app.test_client())
    assert browser.get(first).status_code == 404  # the newer link ended it
    assert browser.get(second).status_code == 200
    later = invitations.utcnow() + timedelta(minutes=61)
    monkeypatch.setattr(invitations, "utcnow", lambda: later)
    assert browser.get(second).status_code == 404


def test_resets_per_account_are_limited(mail_app):
    with make.saved(mail_app):
        make.user("kim@example.com")
    for _ in range(5):
        ask_reset(mail_app, "kim@example.com")
    assert len(outbox(mail_app)) == 3  # three an hour: no mail bombing through the form


def test_a_mail_server_that_is_down_loses_nothing_and_sends_nothing_twice(mail_app, smtp):
    from literacy.mail import sender as mail_sender

    with make.saved(mail_app):
        for n in range(4):
            make.user(f"p{n}@example.com")
    for n in range(4):
        Browser(mail_app.test_client()).post(
            "/password/forgot", {"email": f"p{n}@example.com"}, page="/password/forgot"
        )
    with mail_app.app_context():  # the worker sends two, then the server goes away mid-run
        assert mail_sender.send_due(limit=2).sent == 2
    smtp.stop()
    code, output = send(mail_app)
    assert code == 1 and "stopped" in output
    assert [m.status for m in outbox(mail_app)] == ["sent", "sent", "pending", "pending"]
    assert outbox(mail_app)[2].tries == 1 and outbox(mail_app)[3].tries == 0  # it stopped at the first failure
    status = mail_app.test_cli_runner().invoke(args=["mail", "status"]).output
    assert "pending 2, sent 2, failed 0" in status and "Retrying since a failure (1 tries so far)" in status

    smtp.start()
    assert send(mail_app)[0] == 0  # the one never tried goes; the one that failed waits out its back-off
    assert sorted(m["To"] for m in smtp.inbox.messages) == ["p0@example.com", "p1@example.com", "p3@example.com"]
    later = mail_sender.utcnow() + timedelta(seconds=31)
    with mail_app.app_context():
        assert mail_sender.send_due(clock=lambda: later).sent == 1
        assert mail_sender.send_due(clock=lambda: later).sent == 0
    received = sorted(m["To"] for m in smtp.inbox.messages)
    assert received == [f"p{n}@example.com" for n in range(4)]  # each once, none lost
    assert len({m["Message-ID"] for m in smtp.inbox.messages}) == 4


def test_without_a_mail_server_messages_are_kept_for_the_organisations_admins(app, world):
    with make.saved(app):
        person = db.session.get(User, world["learner1"])
        other = db.session.get(User, world["outsider"])
        messages.password_reset(person, "token-one")
        messages.password_reset(other, "token-two")
    with app.app_context():
        assert sender.send_due().sent == 0  # nothing to send to: kept
    admin = journeys.signed_in(app, "admin@example.com")
    page = admin.get("/admin/mail").get_data(as_text=True)
    assert "No mail server is set" in page and "learner1@example.com" in page
    assert "outsider@example.com" not in page  # another organisation's mail
    assert "token-one" not in page  # a reset link is for its recipient only: an admin could take the account
    with make.saved(app):
        messages.invitation(db.session.get(User, world["learner2"]), "token-three", None)
    assert "token-three" in admin.get("/admin/mail").get_data(as_text=True)  # invitations are passed on by hand
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code != 0 and "MAIL_SERVER is not set" in result.output


def test_org_create_starts_an_organisation_whose_admin_sets_a_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["org", "create", "Acme Retail", "--admin", "first.admin@acme.example"])
    assert result.exit_code == 0, result.output
    assert "Created Acme Retail (acme-retail)" in result.output and "MAIL_SERVER is not set" in result.output
    link = next(line for line in result.output.splitlines() if "/invite/" in line).split("5000", 1)[1]
    again = runner.invoke(args=["org", "create", "Gamma Foods", "--admin", "first.admin@acme.example"])
    assert again.exit_code != 0 and "already has an account" in again.output
    twin = runner.invoke(args=["org", "create", "acme retail", "--admin", "other.admin@acme.example"])
    assert twin.exit_code != 0 and "exists already" in twin.output
    second = runner.invoke(args=["org", "create", "Acme-Retail", "--admin", "other.admin@acme.example"])
    assert "(acme-retail-2)" in second.output
    bad = runner.invoke(args=["org", "create", "Beta", "--admin", "a b@@c"])
    assert bad.exit_code != 0 and "is not an email address" in bad.output
    listed = runner.invoke(args=["org", "list"]).output
    assert "Acme Retail (acme-retail): 1 person, 1 admin(s)" in listed

    browser = Browser(app.test_client())
    typed = {"password": "a long spring morning", "confirm": "a long spring morning"}
    started = browser.post(link, typed)
    assert started.status_code == 302 and started.headers["Location"] == "/admin/users"  # an admin's start page
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == "first.admin@acme.example"))
        org = db.session.get(Organization, admin.org_id)
        assert (admin.access, org.name) == ("admin", "Acme Retail")


def test_org_create_emails_the_invitation_when_a_server_is_set(mail_app, smtp):
    result = mail_app.test_cli_runner().invoke(args=["org", "create", "Acme", "--admin", "boss@acme.example"])
    assert "in the mail outbox" in result.output and "/invite/" not in result.output
    send(mail_app)
    [message] = smtp.inbox.to("boss@acme.example")
    assert "Acme invites you" in message["Subject"] and "14 days" in Inbox.text(message)
    [link] = Inbox.links(message)
    assert Browser(mail_app.test_client()).get(link).status_code == 200


def test_self_registration_sends_a_confirmation_through_the_server(mail_app, smtp):
    make.signup_domain(mail_app, "new@acme.example")
    browser = Browser(mail_app.test_client())
    assert browser.register(email="new@acme.example").status_code == 302
    send(mail_app)
    [message] = smtp.inbox.to("new@acme.example")
    [link] = Inbox.links(message)
    assert browser.get(link).status_code == 302
    assert browser.login("new@acme.example").status_code == 302


def test_one_click_unsubscribe_needs_no_form_token(app, world):
    with app.app_context():
        person = db.session.get(User, world["learner1"])
        token = messages.unsubscribe_token(person, "reminders")
    client = app.test_client()
    assert client.get(f"/mail/unsubscribe/{token}").status_code == 200  # a page with a button
    answered = client.post(f"/mail/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert answered.status_code == 204
    with app.app_context():
        assert db.session.get(User, world["learner1"]).reminders_opt_out
    assert client.post("/mail/unsubscribe/forged-token", data={"List-Unsubscribe": "One-Click"}).status_code == 404


def queue_scheduled(app, today) -> int:
    from literacy.mail import schedule

    with make.saved(app):
        return schedule.queue_due(app.extensions["catalogue"], today)


def test_reminders_go_before_the_due_date_once_and_respect_the_setting(mail_app, smtp):
    world = worlds.two_organisations(mail_app)
    due = date.today() + timedelta(days=10)  # the pilot cohort's due date
    assert queue_scheduled(mail_app, due - timedelta(days=4)) == 0  # too early
    with make.saved(mail_app):
        db.session.get(User, world["learner3"]).reminders_opt_out = True
    assert queue_scheduled(mail_app, due - timedelta(days=3)) == 2  # learner1 and learner2; learner3 said no
    assert queue_scheduled(mail_app, due - timedelta(days=2)) == 0  # once per due date
    send(mail_app)
    [message] = smtp.inbox.to("learner1@example.com")
    assert message["Subject"] == f"Pilot cohort: due on {due:%d %B}"
    assert "0% of the way through" in Inbox.text(message) and Inbox.links(message)[0] == "/"
    unsubscribe = message["List-Unsubscribe"].strip("<>").split("5000", 1)[1]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail_app.test_client().post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 204
    with mail_app.app_context():
        assert db.session.get(User, world["learner1"]).reminders_opt_out

    assert queue_scheduled(mail_app, due + timedelta(days=1)) == 1  # the overdue nudge: learner2 only now
    send(mail_app)
    [nudge] = [m for m in smtp.inbox.to("learner2@example.com") if "was due" in m["Subject"]]
    assert f"was due on {due:%A %d %B}" in Inbox.text(nudge)


def test_managers_who_ask_get_a_weekly_digest_of_who_to_follow_up(mail_app, smtp):
    world = worlds.two_organisations(mail_app)
    monday = date.today() + timedelta(days=(7 - date.today().weekday()) % 7 or 7)

    def digests() -> int:
        return sum(m.kind == "digest" for m in outbox(mail_app))

    queue_scheduled(mail_app, monday)
    assert digests() == 0  # nobody asked for one
    with make.saved(mail_app):
        db.session.get(User, world["owner"]).digest_opt_in = True
    queue_scheduled(mail_app, monday)
    queue_scheduled(mail_app, monday)
    queue_scheduled(mail_app, monday + timedelta(days=1))
    assert digests() == 1  # Mondays only, once a week
    send(mail_app)
    [digest] = smtp.inbox.to("owner@example.com")
    text = Inbox.text(digest)
    assert "Pilot cohort" in text and "3 learners" in text and "Stop the weekly digest" in text
    assert any(link.startswith(f"/cohorts/{world['cohort']}") for link in Inbox.links(digest))
