"""The scenario player: overview, one node per page, feedback after each choice, debrief."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from literacy.learning import attempts, engine, queries
from literacy.learning.attempts import Outcome
from literacy.learning.order import shuffled
from literacy.learning.tables import Attempt
from literacy.platform.access import allow
from literacy.platform.clock import utcnow
from literacy.web import catalogue
from literacy.web.forms import ChoiceForm, StartForm

bp = Blueprint("scenarios", __name__)


def own_attempt(attempt_id: int) -> Attempt:
    """The signed-in learner's attempt; anyone else's is a 404, not a 403 (no hint it exists)."""
    attempt = queries.attempt(attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.route("/scenarios/<scenario_id>")
@allow("user")
def overview(scenario_id: str):
    cat = catalogue()
    scenario = cat.scenarios.get(scenario_id) or abort(404)
    history = queries.scenario_history(current_user.id, scenario.id)
    plan = queries.next_attempt(history, scenario, utcnow(), current_app.config["ASSESSMENT_COOLDOWN_DAYS"])
    unfinished = [a for a in history if not a.finished and a.content_version == scenario.version]
    resumable = next((a for a in unfinished if a.id == plan.resume), unfinished[0] if unfinished else None)
    form = StartForm(after=history[0].id if history else 0)
    return render_template(
        "scenarios/overview.html",
        scenario=scenario,
        history=history,
        plan=plan,
        resumable=resumable,
        form=form,
        skills=cat.skills,
        role=cat.roles[scenario.role],
    )


@bp.route("/scenarios/<scenario_id>/start", methods=["POST"])
@allow("user")
def start(scenario_id: str):
    scenario = catalogue().scenarios.get(scenario_id) or abort(404)
    form = StartForm()
    if not form.validate_on_submit():
        flash("That start button was out of date. Here is the scenario again.", "error")
        return redirect(url_for(".overview", scenario_id=scenario.id))
    cooldown = current_app.config["ASSESSMENT_COOLDOWN_DAYS"]
    attempt = attempts.start(catalogue(), current_user, scenario, form.after.data, cooldown)
    return redirect(url_for(".play", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>")
@allow("user")
def play(attempt_id: int):
    attempt = own_attempt(attempt_id)
    scenario = catalogue().scenarios.get(attempt.scenario_id)
    if scenario is None or scenario.version != attempt.content_version:
        return render_template("scenarios/changed.html", attempt=attempt, scenario=scenario), 409
    if attempt.finished:
        return redirect(url_for(".debrief", attempt_id=attempt.id))
    state = attempts.state_of(attempt)
    node = state.node(scenario)
    return render_template(
        "scenarios/node.html",
        attempt=attempt,
        scenario=scenario,
        node=node,
        choices=shuffled(engine.offered(scenario, state), attempt.order_seed, node.id),
        decisions=scenario.typical_decisions,
    )


@bp.route("/attempts/<int:attempt_id>/choose", methods=["POST"])
@allow("user")
def choose(attempt_id: int):
    attempt = own_attempt(attempt_id)
    scenario = catalogue().scenarios.get(attempt.scenario_id)
    form = ChoiceForm()
    if scenario is None:
        abort(404)
    if not form.validate_on_submit():
        flash("Your choice could not be read (the page may have expired). Please choose again.", "error")
        return redirect(url_for(".play", attempt_id=attempt.id))
    result = attempts.choose(attempt, scenario, form.step.data, form.node.data, form.choice.data, catalogue())
    if result.outcome in (Outcome.RECORDED, Outcome.REPEATED):
        return redirect(url_for(".feedback", attempt_id=attempt.id, step=result.step))
    messages = {
        Outcome.STALE: "You had already answered that step, perhaps in another tab. Here is where you are now.",
        Outcome.FINISHED: "This attempt is already finished. Here is your debrief.",
        Outcome.INVALID: "That choice is not available here. Please pick one of the options shown.",
        Outcome.CHANGED: "This scenario changed since you started.",
    }
    flash(messages[result.outcome], "error")
    return redirect(url_for(".play", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/steps/<int:step>")
@allow("user")
def feedback(attempt_id: int, step: int):
    attempt = own_attempt(attempt_id)
    scenario = catalogue().scenarios.get(attempt.scenario_id)
    saved = queries.attempt_step(attempt.id, step)
    if saved is None or scenario is None or scenario.version != attempt.content_version:
        abort(404)
    node = scenario.nodes[saved.node_id]
    choice = node.choices[saved.choice_index]
    return render_template(
        "scenarios/feedback.html",
        attempt=attempt,
        scenario=scenario,
        node=node,
        choice=choice,
        step=saved,
        skills=catalogue().skills,
        last=step == attempt.step,
    )


@bp.route("/attempts/<int:attempt_id>/debrief")
@allow("user")
def debrief(attempt_id: int):
    attempt = own_attempt(attempt_id)
    cat = catalogue()
    scenario = cat.scenarios.get(attempt.scenario_id)
    if not attempt.finished:
        return redirect(url_for(".play", attempt_id=attempt.id))
    if scenario is None or scenario.version != attempt.content_version:
        return render_template("scenarios/changed.html", attempt=attempt, scenario=scenario), 409
    path = [(scenario.nodes[s.node_id], scenario.nodes[s.node_id].choices[s.choice_index]) for s in attempt.steps]
    scores = attempt.scores
    return render_template(
        "scenarios/debrief.html",
        attempt=attempt,
        scenario=scenario,
        ending=scenario.nodes[attempt.node_id],
        path=path,
        scores=scores,
        overall=engine.overall(scores),
        targets=cat.roles[scenario.role].targets,
        skills=cat.skills,
        strongest=engine.strongest_steps(scenario),
        decisions=engine.side_by_side(scenario, path),
        form=StartForm(after=queries.latest_attempt(current_user.id, scenario.id).id),
        took_strongest=[(n.id, c.index) for n, c in path] == list(scenario.strongest_path),
    )
