"""The learner's home, course, lessons, knowledge checks and progress."""

from __future__ import annotations

import logging
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from literacy.cohorts import assignments
from literacy.cohorts import queries as cohort_queries
from literacy.insights import metrics
from literacy.insights import readmodels as readmodel
from literacy.learning import queries as learning_queries
from literacy.learning import track
from literacy.learning.models import CheckAnswer, LessonCompletion
from literacy.platform.access import allow
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db
from literacy.web import catalogue
from literacy.web.exports import json_response
from literacy.web.forms import ActionForm, RoleForm, question_form, role_choices
from literacy.xapi import events, outbox

bp = Blueprint("learn", __name__)
log = logging.getLogger(__name__)


def learner_track(role: str) -> track.Track:
    cat = catalogue()
    return track.build(
        cat.courses.get(role),
        cat.role_scenarios(role),
        learning_queries.completed_lessons(current_user.id),
        learning_queries.attempts_by_scenario(current_user.id),
    )


@bp.route("/")
@allow("public")
def home():
    cat = catalogue()
    if not current_user.is_authenticated:
        return render_template("learn/landing.html", roles=cat.roles.values(), summary=cat.summary())
    role = cat.roles.get(current_user.role)
    summary = learning_queries.attempts_by_scenario(current_user.id)
    completed = learning_queries.completed_lessons(current_user.id)
    due = assignments.for_learner(
        cohort_queries.learner_cohorts(current_user.id),
        cat,
        current_user.role,
        completed,
        {sid for sid, s in summary.items() if s["finished"]},
        date.today(),
    )
    return render_template(
        "learn/home.html",
        role=role,
        course=cat.courses.get(current_user.role),
        assignments=due,
        catalogue=cat,
        track=track.build(
            cat.courses.get(current_user.role), cat.role_scenarios(current_user.role), completed, summary
        ),
        scenarios={s.id: s for s in cat.role_scenarios(current_user.role)},
    )


@bp.route("/course/<role_id>")
@allow("user")
def course(role_id: str):
    cat = catalogue()
    course = cat.courses.get(role_id) or abort(404)
    return render_template("learn/course.html", course=course, role=cat.roles[role_id], track=learner_track(role_id))


@bp.route("/lessons/<lesson_id>")
@allow("user")
def lesson(lesson_id: str):
    found = catalogue().lesson(lesson_id) or abort(404)
    _record_view(found)
    return _render_lesson(lesson_id)


def _record_view(lesson) -> None:
    """The xAPI 'experienced' statement. Reading must not fail because the write did, so a busy
    database costs the statement (logged), never the page; a parallel view of the same lesson that
    stored it first leaves nothing to do."""
    try:
        if events.lesson_opened(catalogue(), current_user, lesson, utcnow()):
            db.session.commit()
    except IntegrityError:
        db.session.rollback()
    except OperationalError:
        db.session.rollback()
        log.warning("lesson view not recorded (database busy): user=%s lesson=%s", current_user.id, lesson.id)


def _render_lesson(lesson_id: str, form=None, status: int = 200):
    cat = catalogue()
    lesson = cat.lesson(lesson_id) or abort(404)
    lessons = cat.courses[lesson.role].lessons
    index = next(i for i, l in enumerate(lessons) if l.id == lesson.id)
    answers = learning_queries.check_answers(current_user.id, lesson.id)
    form = form or question_form(lesson.questions)(
        formdata=None, data={f"q{q}": str(a.option) for q, a in answers.items()}
    )
    return render_template(
        "learn/lesson.html",
        lesson=lesson,
        role=cat.roles[lesson.role],
        skills=cat.skills,
        previous=lessons[index - 1] if index else None,
        following=lessons[index + 1] if index + 1 < len(lessons) else None,
        position=index + 1,
        count=len(lessons),
        done=lesson.id in learning_queries.completed_lessons(current_user.id),
        answers=answers,
        form=form,
        action=ActionForm(),
    ), status


@bp.route("/lessons/<lesson_id>/complete", methods=["POST"])
@allow("user")
def complete(lesson_id: str):
    lesson = catalogue().lesson(lesson_id) or abort(404)
    if ActionForm().validate_on_submit():
        exists = db.session.scalar(
            select(LessonCompletion.id).where(
                LessonCompletion.user_id == current_user.id, LessonCompletion.lesson_id == lesson.id
            )
        )
        if not exists:  # marking twice is harmless
            _mark_complete(lesson)
        flash(f"“{lesson.title}” marked complete.", "success")
    lessons = catalogue().courses[lesson.role].lessons
    index = next(i for i, l in enumerate(lessons) if l.id == lesson.id)
    target = (
        url_for("learn.lesson", lesson_id=lessons[index + 1].id) if index + 1 < len(lessons) else url_for("learn.home")
    )
    return redirect(target)


def _mark_complete(lesson) -> None:
    """The completion, the read models and the xAPI statement in one transaction."""
    try:
        done = LessonCompletion(user_id=current_user.id, lesson_id=lesson.id, completed_at=utcnow())
        db.session.add(done)
        db.session.flush()
        readmodel.refresh(catalogue(), [current_user.id])
        events.lesson_completed(catalogue(), current_user, lesson, done.completed_at)
        db.session.commit()
    except IntegrityError:  # a parallel submit marked it first: the same result
        db.session.rollback()


@bp.route("/lessons/<lesson_id>/check", methods=["POST"])
@allow("user")
def check(lesson_id: str):
    lesson = catalogue().lesson(lesson_id) or abort(404)
    if not lesson.questions:
        abort(404)
    form = question_form(lesson.questions)()
    valid = form.validate_on_submit()
    picks = {}
    for qi, question in enumerate(lesson.questions):
        raw = form[f"q{qi}"].data
        if raw is not None and raw.isdigit() and int(raw) < len(question.options):
            picks[qi] = int(raw)
    if not valid or len(picks) != len(lesson.questions):
        flash("Answer every question to see the explanations.", "error")
        return _render_lesson(lesson.id, form=form, status=400)
    existing, now, rows = learning_queries.check_answers(current_user.id, lesson.id), utcnow(), []
    for qi, option in picks.items():
        row = existing.get(qi) or CheckAnswer(user_id=current_user.id, lesson_id=lesson.id, question=qi)
        row.option, row.correct, row.answered_at = option, option == lesson.questions[qi].answer, now
        db.session.add(row)
        rows.append(row)
    events.check_answered(catalogue(), current_user, lesson, rows)
    db.session.commit()
    right = sum(picks[qi] == q.answer for qi, q in enumerate(lesson.questions))
    flash(f"You answered {right} of {len(lesson.questions)} correctly. The explanations are below.", "info")
    return redirect(url_for("learn.lesson", lesson_id=lesson.id, _anchor="check"))


@bp.route("/progress")
@allow("user")
def progress():
    cat = catalogue()
    role = cat.roles.get(current_user.role)
    profile = metrics.skill_profile(learning_queries.score_rows(current_user.id), cat.skills)
    return render_template(
        "learn/progress.html",
        role=role,
        skills=cat.skills,
        profile=profile,
        attempts=learning_queries.user_attempts(current_user.id),
        scenarios=cat.scenarios,
        track=learner_track(current_user.role),
    )


@bp.route("/progress/statements.json")
@allow("user")
def statements():
    """The learner's own xAPI statements: their learning record, to take to another LRS."""
    return json_response(f"my-statements-{current_user.id}.json", outbox.statements([current_user.id]))


@bp.route("/settings", methods=["GET", "POST"])
@allow("user")
def settings():
    form = RoleForm(role=current_user.role)
    form.role.choices = role_choices(catalogue())
    if form.validate_on_submit():
        current_user.role = form.role.data
        db.session.flush()
        readmodel.refresh(catalogue(), [current_user.id])  # progress is measured on the role's own track
        db.session.commit()
        flash("Your role is updated: your home page now shows its track.", "success")
        return redirect(url_for("learn.home"))
    return render_template("learn/settings.html", form=form)
