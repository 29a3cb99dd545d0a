"""Two application servers on one PostgreSQL with the load split between them, and two of each
outbox worker at once: what people rely on when the platform runs on several nodes.

Run with ``make test-scale`` (a throwaway PostgreSQL from tests/with_postgres.sh); ``-s`` shows the
figures. The set-up is in conftest.py and cluster.py.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from .cluster import (
    BIN,
    CHOICE_FORM,
    MAILED,
    PASSWORD,
    PLAYERS,
    REMINDED,
    ROOT,
    SESSION_PEOPLE,
    SIGNUP_DOMAIN,
    THROTTLED,
    Browser,
    email_of,
    token,
)

WRONG = "not the password at all"


def test_a_session_started_on_one_server_is_valid_on_the_other_and_ends_on_both(cluster):
    """A learner the load balancer sends to either server stays signed in; signing out on one
    ends the session on both, so an old cookie is worth nothing anywhere."""
    person = cluster.browser("198.51.100.20")
    signed = person.sign_in(email_of(SESSION_PEOPLE[0]), server="A", remember=True)
    assert (signed.status, signed.location) == (302, "/"), signed.text[:500]
    assert {"session", "remember_token"} <= set(person.cookies.values)
    assert signed_in_home(person.get("/", "B")), "server B does not know the session server A started"
    assert signed_in_home(person.get("/", "A"))

    # each credential alone is honoured by the server that did not issue it
    before = person.copy()
    assert signed_in_home(before.copy(only={"session"}).get("/", "B"))
    assert signed_in_home(before.copy(only={"remember_token"}).get("/", "B"))

    home = person.get("/", "B")
    out = person.request("/logout", {"csrf_token": token(home.text)}, "B")
    assert (out.status, out.location) == (302, "/login")
    refused = person.get("/progress", "A")
    assert (refused.status, refused.location) == (302, "/login")

    # the cookies from before signing out are refused by A too: the session token in the users
    # table changed, whichever server the cookie goes to
    for name in ("session", "remember_token"):
        replay = before.copy(only={name})
        for server in ("A", "B"):
            answer = replay.get("/progress", server)
            assert (answer.status, answer.location) == (302, "/login"), f"{name} from before sign-out on {server}"
            assert not signed_in_home(replay.get("/", server))

    # and signing in on B is as good on A
    other = cluster.browser("198.51.100.21")
    assert other.sign_in(email_of(SESSION_PEOPLE[1]), server="B").status == 302
    assert signed_in_home(other.get("/", "A"))
    cluster.note("sessions: started on A, valid on B; signed out on B, the old cookies refused on A and B")


def test_failed_sign_ins_are_counted_across_both_servers(cluster):
    """Spreading guesses over the servers buys an attacker nothing: the limit is reached at the
    same count as on one server, and parallel guesses take turns."""
    limit = cluster.config["LOGIN_LIMIT_ACCOUNT"]  # failures from one address at one account per window
    assert limit < cluster.config["LOGIN_DELAY_AFTER"], "the account's own delays would start first"

    def guesses(email: str, address: str, servers: str) -> list[str]:
        guesser = cluster.browser(address)
        return [outcome(guesser.sign_in(email, WRONG, server=server)) for server in servers]

    on_one = guesses(email_of(THROTTLED[0]), "203.0.113.10", "A" * (limit + 2))
    alternating = guesses(email_of(THROTTLED[1]), "203.0.113.11", ("AB" * limit)[: limit + 2])
    assert on_one == ["wrong"] * limit + ["throttled", "throttled"]
    assert alternating == on_one, "the limit was not reached at the same count as on one server"

    # the address stays locked out on both servers, even with the right password...
    attacker = cluster.browser("203.0.113.11")
    for server in ("A", "B"):
        answer = attacker.sign_in(email_of(THROTTLED[1]), PASSWORD, server=server)
        assert outcome(answer) == "throttled" and int(answer.headers["retry-after"]) > 0
    # ...while the owner, elsewhere, signs in
    assert cluster.browser("198.51.100.22").sign_in(email_of(THROTTLED[1]), server="B").status == 302

    # guesses sent at the same moment, half to each server, take turns at the account's lock
    guesser = cluster.browser("203.0.113.12")
    form = {"csrf_token": token(guesser.get("/login", "A").text), "email": email_of(THROTTLED[2]), "password": WRONG}
    answers = guesser.together(*[("/login", form, "AB"[i % 2]) for i in range(2 * limit)])
    assert Counter(outcome(a) for a in answers) == {"wrong": limit, "throttled": limit}
    cluster.note(
        f"throttling: {limit} failures then 429 on one server, alternating A/B, and for {2 * limit} parallel guesses"
    )


@dataclass
class Played:
    """What the browsers saw: attempts started, choices accepted, and anything that contradicts itself."""

    attempts: set[int] = field(default_factory=set)
    accepted: dict[tuple[int, int], tuple[str, int]] = field(default_factory=dict)  # (attempt, step): (node, choice)
    problems: list[str] = field(default_factory=list)
    posts: int = 0  # choice forms sent
    same_twice: int = 0  # the same choice sent to A and B at once
    different: int = 0  # two different choices for one step sent to A and B at once
    double_starts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accept(self, attempt: int, step: int, node: str, choice: int) -> None:
        with self.lock:
            known = self.accepted.setdefault((attempt, step), (node, choice))
            if known != (node, choice):
                self.problems.append(f"attempt {attempt} step {step}: both {known} and {(node, choice)} accepted")


def play(person: Browser, played: Played, scenarios: int, double_start: bool) -> None:
    """Play ``scenarios`` of the learner's scenarios to their end, each request to A or B at random.
    The first decision of each is sent to both servers at once; the second, if it offers a choice,
    as two different choices at once (one to each)."""
    rng = person.rng
    home = person.get("/")
    links = list(dict.fromkeys(re.findall(r'href="(/scenarios/[^"/]+)"', home.text)))
    if not links:
        played.problems.append(f"{home.server}: no scenarios on the home page ({home.status})")
        return
    for number, scenario in enumerate(rng.sample(links, min(scenarios, len(links)))):
        overview = person.get(scenario)
        after = re.search(r'name="after"[^>]*value="(\d+)"', overview.text)
        if not after:
            played.problems.append(f"{scenario} on {overview.server}: {overview.status}, no start button")
            return
        form = {"csrf_token": token(overview.text), "after": after[1]}
        if double_start and number == 0:  # a double click on Start, one click reaching each server
            starts = person.together((scenario + "/start", form, "A"), (scenario + "/start", form, "B"))
            with played.lock:
                played.double_starts += 1
        else:
            starts = [person.request(scenario + "/start", form)]
        found = {a.location for a in starts if a.status == 302 and re.fullmatch(r"/attempts/\d+", a.location)}
        if len(found) != 1:
            played.problems.append(f"{scenario}: starting gave {[(a.status, a.location) for a in starts]}")
            return
        attempt = int(found.pop().rsplit("/", 1)[1])
        with played.lock:
            played.attempts.add(attempt)
        decide(person, played, attempt)


def decide(person: Browser, played: Played, attempt: int) -> None:
    rng = person.rng
    for turn in range(60):
        node = person.get(f"/attempts/{attempt}")
        if node.status == 302 and node.location == f"/attempts/{attempt}/debrief":
            return
        offered = CHOICE_FORM.findall(node.text)
        if node.status != 200 or not offered:
            played.problems.append(f"attempt {attempt} on {node.server}: {node.status} {node.location}")
            return
        step, node_id, choice = rng.choice(offered)
        base = {"csrf_token": token(node.text), "step": step, "node": node_id}
        path, target = f"/attempts/{attempt}/choose", f"/attempts/{attempt}/steps/{int(step) + 1}"
        others = [c for s, n, c in offered if c != choice]
        if turn == 0:
            sent = [choice, choice]
            answers = person.together((path, {**base, "choice": choice}, "A"), (path, {**base, "choice": choice}, "B"))
            with played.lock:
                played.same_twice += 1
        elif turn == 1 and others:
            sent = [choice, rng.choice(others)]
            servers = rng.sample(["A", "B"], 2)
            answers = person.together(*[(path, {**base, "choice": c}, s) for c, s in zip(sent, servers, strict=True)])
            with played.lock:
                played.different += 1
        else:
            sent, answers = [choice], [person.request(path, {**base, "choice": choice})]
        with played.lock:
            played.posts += len(sent)
        accepted = [
            c for c, answer in zip(sent, answers, strict=True) if (answer.status, answer.location) == (302, target)
        ]
        for c in accepted:
            played.accept(attempt, int(step) + 1, node_id, int(c))
        if not accepted or (len(set(sent)) > 1 and len(accepted) != 1):
            played.problems.append(
                f"attempt {attempt} step {step}: sent {sent}, answers {[(a.status, a.location) for a in answers]}"
            )
            return
        feedback = person.get(target)
        if feedback.status != 200:
            played.problems.append(f"{target} on {feedback.server}: {feedback.status}")
            return


def signed_in_players(cluster, numbers, address_prefix: str) -> list[Browser]:
    people = []
    for i in numbers:
        person = cluster.browser(f"{address_prefix}.{i}", seed=i)
        answer = person.sign_in(email_of(i))
        assert answer.status == 302, f"{email_of(i)} could not sign in on {answer.server}: {answer.status}"
        people.append(person)
    return people


def play_side_by_side(people: list[Browser], played: Played, scenarios: int) -> None:
    threads = [threading.Thread(target=play, args=(person, played, scenarios, True)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(240)


def test_no_choice_is_lost_or_duplicated_when_learners_play_on_both_servers(cluster):
    """Learners whose requests land on either server, double clicks reaching both at once: every
    choice a learner saw accepted is stored once, and nothing else is."""
    errors_before = cluster.tally.errors()
    people = []
    threads = [
        threading.Thread(target=lambda i=i: people.extend(signed_in_players(cluster, [i], "10.20.0"))) for i in PLAYERS
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(people) == len(PLAYERS)
    played, started, requests_before = Played(), time.monotonic(), cluster.tally.requests
    play_side_by_side(people, played, scenarios=2)
    seconds = time.monotonic() - started
    assert not played.problems, played.problems[:10]
    assert cluster.tally.errors() == errors_before, cluster.tally.failures[:5]

    emails = [email_of(i) for i in PLAYERS]
    rows = cluster.rows(
        "SELECT s.attempt_id, s.step, s.node_id, s.choice_index FROM attempt_steps s"
        " JOIN attempts a ON a.id = s.attempt_id JOIN users u ON u.id = a.user_id WHERE u.email = ANY(:emails)",
        emails=emails,
    )
    stored = Counter((attempt, step) for attempt, step, _, _ in rows)
    assert [key for key, n in stored.items() if n > 1] == [], "a step stored twice"
    steps_by_attempt: dict[int, list[int]] = {}
    for attempt, step, _, _ in rows:
        steps_by_attempt.setdefault(attempt, []).append(step)
    gaps = {a: sorted(s) for a, s in steps_by_attempt.items() if sorted(s) != list(range(1, len(s) + 1))}
    assert not gaps, f"steps missing or out of sequence: {gaps}"
    assert {(a, s): (n, c) for a, s, n, c in rows} == played.accepted, "rows and accepted choices differ"
    assert len(rows) == len(played.accepted)

    attempts = {
        a
        for (a,) in cluster.rows(
            "SELECT a.id FROM attempts a JOIN users u ON u.id = a.user_id WHERE u.email = ANY(:emails)", emails=emails
        )
    }
    assert attempts == played.attempts, "a double start made a second attempt, or an attempt nobody saw"
    statements = dict(
        cluster.rows(
            "SELECT o.verb, count(*) FROM xapi_outbox o JOIN users u ON u.id = o.user_id"
            " WHERE u.email = ANY(:emails) AND o.activity LIKE 'scenario:%' GROUP BY o.verb",
            emails=emails,
        )
    )
    assert statements.get("answered") == len(rows), "one 'answered' statement per stored choice"
    assert statements.get("attempted") == len(attempts)
    # the organisation totals, updated by both servers' parallel transactions, agree with a recomputation
    checked = subprocess.run(
        [str(BIN / "flask"), "--app", "app", "rollups", "check"],
        env=cluster.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    requests = cluster.tally.requests - requests_before
    cluster.note(
        f"choices: {len(PLAYERS)} learners, {len(attempts)} attempts ({played.double_starts} started by a double click"
        f" on both servers) in {seconds:.1f} s; {played.posts} choice forms sent ({played.same_twice} steps sent to A"
        f" and B at once, {played.different} with two different choices), {len(played.accepted)} accepted,"
        f" {len(rows)} rows, lost 0, duplicated 0; {requests} requests, {requests / seconds:.0f} per second"
    )


FORWARDED = re.compile(r"^Sent (\d+), rejected \d+", re.M)  # what `flask xapi forward` prints after a pass
MAILED_LINE = re.compile(r"^Queued (\d+), sent (\d+), given up \d+", re.M)  # and `flask mail send`


def ask_reset(cluster, n: int, email: str) -> None:
    answer = cluster.browser(f"192.0.2.{n}", seed=n).submit("/password/forgot", "/password/forgot", {"email": email})
    assert (answer.status, answer.location) == (302, "/check-email"), answer.status


def register(cluster, n: int) -> None:
    person = cluster.browser(f"192.0.2.{100 + n}", seed=n)
    fields = {"name": f"Newcomer {n}", "email": f"newcomer{n}@{SIGNUP_DOMAIN}", "role": "lifecycle"}
    answer = person.submit("/register", "/register", {**fields, "password": PASSWORD, "confirm": PASSWORD})
    assert (answer.status, answer.location) == (302, "/check-email"), answer.text[:300]


def test_two_forwarders_and_two_mailers_send_each_item_exactly_once(cluster):
    """Two xAPI forwarders and two mailers at once, while people keep learning: every statement
    reaches the LRS once and every email its recipient once (reminders, which the mailers queue
    themselves, included)."""
    # a backlog before the workers start: password resets, registrations, scenarios played
    resets = [email_of(i) for i in MAILED]
    for n, email in enumerate(resets[:8]):
        ask_reset(cluster, n, email)
    for n in range(6):
        register(cluster, n)
    played = Played()
    play_side_by_side(signed_in_players(cluster, MAILED[:4], "10.30.0"), played, scenarios=1)
    assert cluster.scalar("SELECT count(*) FROM xapi_outbox WHERE status = 'pending'") > 0
    assert cluster.scalar("SELECT count(*) FROM mail_outbox WHERE status = 'pending'") == 8 + 6

    watch = ("--watch", "--interval", "0.2")
    workers = {
        "forwarder 1": cluster.worker("forwarder-1", "xapi", "forward", *watch),
        "forwarder 2": cluster.worker("forwarder-2", "xapi", "forward", *watch),
        "mailer 1": cluster.worker("mailer-1", "mail", "send", *watch),
        "mailer 2": cluster.worker("mailer-2", "mail", "send", *watch),
    }
    started = time.monotonic()
    try:
        until(lambda: cluster.lrs.hold.open and cluster.smtp.inbox.open, 60, workers, "the workers' first deliveries")
        # while the workers run: more learning and more resets, on both servers
        live = threading.Thread(
            target=play_side_by_side, args=(signed_in_players(cluster, MAILED[4:8], "10.30.0"), played, 1)
        )
        live.start()
        for n, email in enumerate(resets[8:], start=8):
            ask_reset(cluster, n, email)
        live.join(240)
        assert not played.problems, played.problems[:10]

        def drained() -> bool:
            pending = cluster.scalar(
                "SELECT (SELECT count(*) FROM xapi_outbox WHERE status = 'pending')"
                " + (SELECT count(*) FROM mail_outbox WHERE status = 'pending')"
            )
            reminders = cluster.scalar("SELECT count(*) FROM mail_outbox WHERE kind = 'reminder'")
            return pending == 0 and reminders >= len(REMINDED)

        until(drained, 120, workers, "both outboxes sent")
        seconds = time.monotonic() - started
    finally:
        for worker in workers.values():
            worker.stop()

    # xAPI: every statement in the outbox reached the LRS exactly once
    statements = dict(cluster.rows("SELECT statement_id, status FROM xapi_outbox"))
    assert set(statements.values()) == {"sent"}
    arrivals = Counter(cluster.lrs.received)
    assert [i for i, n in arrivals.items() if n > 1] == [], "statements sent twice"
    assert set(arrivals) == set(statements), "statements missing at the LRS, or unknown ones"
    first_two = cluster.lrs.hold.first_together
    assert len(first_two) == 2, "the two forwarders never had a batch in flight at the same time"
    assert not set(first_two[0]) & set(first_two[1]), "the forwarders claimed the same statements"
    forwarders = {name: w.output() for name, w in workers.items() if name.startswith("forwarder")}
    forwarded = {name: sum(int(n) for n in FORWARDED.findall(out)) for name, out in forwarders.items()}
    assert sum(forwarded.values()) == len(statements) and all(forwarded.values()), forwarded

    # mail: every queued message reached the SMTP server exactly once, the worker-queued reminders too
    messages = cluster.rows("SELECT id, kind, status, to_address FROM mail_outbox")
    assert {status for _, _, status, _ in messages} == {"sent"}
    inbox = cluster.smtp.inbox.messages
    message_ids = Counter(message["Message-ID"] for message in inbox)
    assert [i for i, n in message_ids.items() if n > 1] == [], "messages sent twice"
    assert set(message_ids) == {f"<mail-{row[0]}@acme.example>" for row in messages}, "messages missing or unknown"
    assert max(Counter((m["To"], m["Subject"]) for m in inbox).values()) == 1, "someone got one message twice"
    reminded = sorted(to for _, kind, _, to in messages if kind == "reminder")
    assert reminded == sorted(email_of(i) for i in REMINDED), "a reminder missing or queued twice"
    assert cluster.smtp.inbox.most_in_flight >= 2, "the two mailers never sent at the same time"
    mailers = {name: w.output() for name, w in workers.items() if name.startswith("mailer")}
    mailed = {name: [(int(q), int(s)) for q, s in MAILED_LINE.findall(out)] for name, out in mailers.items()}
    sent = {name: sum(s for _, s in passes) for name, passes in mailed.items()}
    queued = {name: sum(q for q, _ in passes) for name, passes in mailed.items()}
    assert sum(sent.values()) == len(messages) and all(sent.values()), sent
    assert sum(queued.values()) == len(REMINDED), queued
    retried = sum(w.errors().count("Database error") for w in workers.values())

    kinds = Counter(kind for _, kind, _, _ in messages)
    cluster.note(
        f"xAPI: {len(statements)} statements, batches of {cluster.config['XAPI_BATCH_SIZE']}, {cluster.lrs.batches}"
        " POSTs, every id received once; " + ", ".join(f"{name} sent {n}" for name, n in forwarded.items())
    )
    cluster.note(
        f"mail: {len(messages)} messages ({', '.join(f'{n} {kind}' for kind, n in sorted(kinds.items()))}),"
        " every one delivered once; "
        + ", ".join(f"{name} queued {queued[name]} and sent {sent[name]}" for name in mailed)
    )
    cluster.note(
        f"workers: both outboxes empty {seconds:.1f} s after the four started; passes retried after a database"
        f" error: {retried}"
    )


def until(condition, seconds: float, workers: dict, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        for name, worker in workers.items():
            assert worker.alive, f"{name} stopped:\n{worker.tail()}"
        assert time.monotonic() < deadline, f"not done after {seconds:g} s: {what}"
        time.sleep(0.2)


def outcome(answer) -> str:
    """What a sign-in answer says: a wrong password, too many failures, or something else."""
    if answer.status == 200 and "do not match an account" in answer.text:
        return "wrong"
    if answer.status == 429 and "Too many failed sign-ins" in answer.text:
        return "throttled"
    return f"{answer.status} {answer.location}"


def signed_in_home(answer) -> bool:
    """Whether an answer to GET / is a signed-in learner's home page (signed out, / is the landing page)."""
    return answer.status == 200 and "<title>My track" in answer.text and "Sign out" in answer.text
