"""The learner's home, course, lessons, knowledge checks and progress."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_user

from literacy.evidence import cycles
from literacy.evidence import policy as policies
from literacy.learning import queries, record
from literacy.learning.order import option_order
from literacy.people import services, sessions
from literacy.platform.access import allow
from literacy.platform.clock import utcnow
from literacy.web import catalogue
from literacy.web.auth import client_address, waiting_time
from literacy.web.exports import json_response
from literacy.web.forms import ActionForm, ChangePasswordForm, ProfileForm, question_form, role_choices
from literacy.workflows import queries as workflow_queries
from literacy.workflows import readiness
from literacy.xapi import outbox

bp = Blueprint("learn", __name__)


@bp.route("/")
@allow("public")
def home():
    cat = catalogue()
    if not current_user.is_authenticated:
        return render_template("learn/landing.html", roles=cat.roles.values(), summary=cat.summary())
    page = queries.home(cat, current_user, date.today())
    current_policy = policies.current(current_user.org_id)
    unsigned = current_policy if current_policy and not policies.acknowledgement(current_user, current_policy) else None
    standing = cycles.standings([current_user])[current_user.id] if current_user.org_id else None
    return render_template(
        "learn/home.html",
        unsigned_policy=unsigned,
        standing=standing,
        role=cat.roles.get(current_user.role),
        course=cat.courses.get(current_user.role),
        assignments=page.assignments,
        catalogue=cat,
        track=page.track,
        scenarios={s.id: s for s in cat.role_scenarios(current_user.role)},
    )


@bp.route("/course/<role_id>")
@allow("user")
def course(role_id: str):
    cat = catalogue()
    course = cat.courses.get(role_id) or abort(404)
    track = queries.learner_track(cat, current_user.id, role_id)
    return render_template("learn/course.html", course=course, role=cat.roles[role_id], track=track)


@bp.route("/lessons/<lesson_id>")
@allow("user")
def lesson(lesson_id: str):
    found = catalogue().lesson(lesson_id) or abort(404)
    page = _render_lesson(found)
    # After rendering: a busy database then costs the 'experienced' statement, never the page
    # (platform.transactions serves a GET whose side records could not be saved).
    record.lesson_viewed(catalogue(), current_user, found)
    return page


def _render_lesson(lesson, form=None, status: int = 200, check_error: str | None = None):
    cat = catalogue()
    course = cat.courses[lesson.role]
    previous, following = course.neighbours(lesson.id)
    answers = queries.check_answers(current_user.id, lesson.id)
    form = form or question_form(lesson, current_user.order_seed)(
        formdata=None, data={f"q{q}": str(a.option) for q, a in answers.items()}
    )
    return render_template(
        "learn/lesson.html",
        lesson=lesson,
        role=cat.roles[lesson.role],
        skills=cat.skills,
        previous=previous,
        following=following,
        position=course.position(lesson.id) + 1,
        count=len(course.lessons),
        done=queries.lesson_completed_at(current_user.id, lesson.id) is not None,
        answers=answers,
        orders=option_order(lesson, current_user.order_seed),
        form=form,
        check_error=check_error,
        action=ActionForm(),
    ), status


@bp.route("/lessons/<lesson_id>/complete", methods=["POST"])
@allow("user")
def complete(lesson_id: str):
    lesson = catalogue().lesson(lesson_id) or abort(404)
    if ActionForm().validate_on_submit():
        record.lesson_completed(catalogue(), current_user, lesson)
        flash(f"“{lesson.title}” marked complete.", "success")
    _, following = catalogue().courses[lesson.role].neighbours(lesson.id)
    return redirect(url_for("learn.lesson", lesson_id=following.id) if following else url_for("learn.home"))


@bp.route("/lessons/<lesson_id>/check", methods=["POST"])
@allow("user")
def check(lesson_id: str):
    lesson = catalogue().lesson(lesson_id) or abort(404)
    if not lesson.questions:
        abort(404)
    form = question_form(lesson, current_user.order_seed)()
    valid = form.validate_on_submit()
    picks = {}
    for qi, question in enumerate(lesson.questions):
        raw = form[f"q{qi}"].data
        if raw is not None and re.fullmatch("[0-9]{1,3}", raw) and int(raw) < len(question.options):
            picks[qi] = int(raw)
    if not valid or len(picks) != len(lesson.questions):
        # shown beside the questions (lesson.html), not as a flash message at the top of a long page
        return _render_lesson(
            lesson, form=form, status=400, check_error="Answer every question to see the explanations."
        )
    # the score and what to revisit are shown beside the check, from the answers just recorded
    record.check_answered(catalogue(), current_user, lesson, picks)
    return redirect(url_for("learn.lesson", lesson_id=lesson.id, _anchor="check"))


@bp.route("/progress")
@allow("user")
def progress():
    cat = catalogue()
    return render_template(
        "learn/progress.html",
        role=cat.roles.get(current_user.role),
        skills=cat.skills,
        profile=queries.skill_profile(cat, current_user.id),
        attempts=queries.user_attempts(current_user.id),
        scenarios=cat.scenarios,
        track=queries.learner_track(cat, current_user.id, current_user.role),
        operated=workflow_queries.assess(
            cat, workflow_queries.operated_by(current_user), utcnow(), current_app.config["EVIDENCE_WINDOW_DAYS"]
        ),
        statuses=readiness.OPERATOR_STATUSES,
    )


@bp.route("/skills")
@allow("user")
def skills():
    """The skills the platform measures, what each covers, and every role's targets with the reasons."""
    cat = catalogue()
    own = cat.roles.get(current_user.role)
    return render_template("learn/skills.html", skills=cat.skills, roles=cat.roles, own=own)


@bp.route("/progress/statements.json")
@allow("user")
def statements():
    """The learner's own xAPI statements: their learning record, to take to another LRS."""
    return json_response(f"my-statements-{current_user.id}.json", outbox.statements([current_user.id]))


@bp.route("/settings", methods=["GET", "POST"])
@allow("user")
def settings():
    form = profile_form()
    if form.validate_on_submit():
        if form.role.data != current_user.role:
            record.role_changed(catalogue(), current_user, form.role.data)
            flash("Your role is updated: your home page now shows its track.", "success")
        services.update_profile(current_user, form.name.data, reminders=form.reminders.data, digest=form.digest.data)
        flash("Your settings are saved.", "success")
        return redirect(url_for("learn.settings"))
    return render_template("learn/settings.html", form=form, password_form=ChangePasswordForm(formdata=None))


def profile_form(*, ignore_post: bool = False) -> ProfileForm:
    """The settings form, filled from the account (and from what was posted, unless ``ignore_post``:
    the password form was the one submitted)."""
    user = current_user
    defaults = {
        "role": user.role,
        "name": user.name,
        "reminders": not user.reminders_opt_out,
        "digest": user.digest_opt_in,
    }
    form = ProfileForm(formdata=None, **defaults) if ignore_post else ProfileForm(**defaults)
    form.role.choices = role_choices(catalogue())
    return form


@bp.route("/settings/password", methods=["POST"])
@allow("user")
def change_password():
    form = ChangePasswordForm()
    form.owner = (current_user.email, current_user.name)
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        changed = services.change_password(user, form.current.data, form.password.data, client_address())
        if changed.user is not None:
            sessions.signing_in(user)
            login_user(user, remember=sessions.remembered())  # this session goes on with the new token
            flash("Your password is changed. Every other session and device is signed out.", "success")
            return redirect(url_for("learn.settings"))
        if changed.wait_seconds:
            form.current.errors.append(f"Too many wrong passwords. Try again in {waiting_time(changed.wait_seconds)}.")
            status = 429
        else:
            form.current.errors.append("That is not your current password.")
    return render_template("learn/settings.html", form=profile_form(ignore_post=True), password_form=form), status
