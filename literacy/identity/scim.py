"""SCIM provisioning: the reads and writes behind /scim/v2. A token sees its own organisation's
people and teams only; anything else is "not found". People are created as learners with no
password (they sign in with single sign-on, or an admin invites them); deprovisioning deactivates
through the same service an admin uses, so sessions end at once and history stays. Every change is
audited, with the token as the actor. Services flush; the request commits.

Reads and writes take and give plain values (``scim_rules.Account``, ``TeamState``); the rules
module turns those into SCIM resources and back."""

from __future__ import annotations

import logging

from scim2_models import (
    InvalidValueException,
    MutabilityException,
    NotFoundException,
    PatchOp,
    UniquenessException,
)
from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import selectinload

from literacy.content import Catalogue
from literacy.evidence import audit
from literacy.identity import scim_rules
from literacy.identity.scim_rules import Account, AllOf, AnyOf, TeamState, WantedAccount, WantedTeam
from literacy.identity.scim_schema import Group, UserResource
from literacy.identity.tables import ScimProfile
from literacy.learning import record
from literacy.people import admin as people_admin
from literacy.people import onboarding
from literacy.people import services as people_services
from literacy.people.tables import Organization, Team, User, team_members
from literacy.platform.clock import utcnow
from literacy.platform.database import lock_row
from literacy.platform.extensions import db

log = logging.getLogger(__name__)
TAKEN = "userName {email} is already taken"  # the same words whoever holds the address


# Reads: people


def _deleted_ids():
    return select(ScimProfile.user_id).where(ScimProfile.deleted_at.is_not(None))


def _visible(org_id: int) -> list:
    """The organisation's people a client sees: all but those it deleted."""
    return [User.org_id == org_id, User.id.not_in(_deleted_ids())]


def person(org_id: int, resource_id: str) -> User:
    """The person with this SCIM id; NotFoundException (404) for anything else."""
    found = db.session.get(User, int(resource_id)) if resource_id.isdigit() and len(resource_id) < 19 else None
    profile = db.session.get(ScimProfile, found.id) if found is not None else None
    if found is None or found.org_id != org_id or (profile is not None and profile.deleted_at is not None):
        raise NotFoundException(detail=f"no User with the id {resource_id!r}")
    return found


def account(user: User) -> Account:
    return _accounts([user])[0]


def accounts(org_id: int, tree, offset: int, limit: int) -> tuple[int, list[Account]]:
    """One page of the people a filter tree selects, by id, and how many it selects in all."""
    conditions = [*_visible(org_id), _user_condition(tree)]
    total = db.session.scalar(select(func.count()).select_from(User).where(*conditions))
    if not limit:
        return total, []
    query = select(User).where(*conditions).order_by(User.id).offset(offset).limit(limit)
    return total, _accounts(list(db.session.scalars(query.options(selectinload(User.teams)))))


def _accounts(users: list[User]) -> list[Account]:
    ids = [user.id for user in users]
    profiles = {p.user_id: p for p in db.session.scalars(select(ScimProfile).where(ScimProfile.user_id.in_(ids)))}
    return [_account(user, profiles.get(user.id)) for user in users]


def _account(user: User, profile: ScimProfile | None) -> Account:
    return Account(
        id=user.id,
        email=user.email,
        name=user.name,
        active=user.active,
        external_id=user.scim_external_id,
        role=user.role,
        external=user.external,
        agency=user.agency,
        created=user.created_at,
        modified=profile.updated_at if profile else user.created_at,
        kept=scim_rules.loads(profile.attributes) if profile else None,
        teams=tuple((team.id, team.name) for team in user.teams),
    )


def _user_condition(node):
    if node is None:
        return true()
    if isinstance(node, AllOf | AnyOf):
        terms = [_user_condition(term) for term in node.terms]
        return and_(*terms) if isinstance(node, AllOf) else or_(*terms)
    value = node.value
    if node.field == "id":
        return _id_equals(User.id, value)
    if node.field == "active":
        return User.active.is_(value) if isinstance(value, bool) else false()
    text = str(value)
    return {
        "email": lambda: User.email == text.lower(),
        "external_id": lambda: User.scim_external_id == text,
        "name": lambda: func.lower(User.name) == text.lower(),
    }[node.field]()


def _id_equals(column, value):
    text = str(value)
    return column == int(text) if text.isdigit() and len(text) < 19 else false()


def role_counts(org_id: int) -> dict[str, int]:
    query = select(User.role, func.count()).where(User.org_id == org_id, User.active.is_(True)).group_by(User.role)
    return dict(db.session.execute(query).all())


# Reads: teams


def team(org_id: int, resource_id: str) -> Team:
    found = db.session.get(Team, int(resource_id)) if resource_id.isdigit() and len(resource_id) < 19 else None
    if found is None or found.org_id != org_id:
        raise NotFoundException(detail=f"no Group with the id {resource_id!r}")
    return found


def team_state(found: Team) -> TeamState:
    return _team_states([found])[0]


def team_states(org_id: int, tree, offset: int, limit: int) -> tuple[int, list[TeamState]]:
    conditions = [Team.org_id == org_id, _team_condition(tree)]
    total = db.session.scalar(select(func.count()).select_from(Team).where(*conditions))
    if not limit:
        return total, []
    query = select(Team).where(*conditions).order_by(Team.id).offset(offset).limit(limit)
    return total, _team_states(list(db.session.scalars(query)))


def _team_states(teams: list[Team]) -> list[TeamState]:
    """The teams with their members a client sees, in one query for all their memberships."""
    members: dict[int, list[int]] = {t.id: [] for t in teams}
    query = (
        select(team_members.c.team_id, team_members.c.user_id)
        .where(team_members.c.team_id.in_(list(members)), team_members.c.user_id.not_in(_deleted_ids()))
        .order_by(team_members.c.user_id)
    )
    for team_id, user_id in db.session.execute(query):
        members[team_id].append(user_id)
    return [TeamState(t.id, t.name, t.scim_external_id, tuple(members[t.id])) for t in teams]


def _team_condition(node):
    if node is None:
        return true()
    if isinstance(node, AllOf | AnyOf):
        terms = [_team_condition(term) for term in node.terms]
        return and_(*terms) if isinstance(node, AllOf) else or_(*terms)
    text = str(node.value)
    if node.field == "id":
        return _id_equals(Team.id, text)
    if node.field == "member":
        if not (text.isdigit() and len(text) < 19):
            return false()
        return Team.id.in_(select(team_members.c.team_id).where(team_members.c.user_id == int(text)))
    return {
        "name": lambda: func.lower(Team.name) == text.lower(),
        "external_id": lambda: Team.scim_external_id == text,
    }[node.field]()


# Writes: people


def create_person(org_id: int, resource: UserResource, catalogue: Catalogue) -> Account:
    """Provision a person: a learner of the organisation with no password. An address of someone
    the client deleted brings that account back (with its history); any other holder is a 409."""
    lock_row(Organization, org_id, "name")  # two clients creating the same person take turns
    roles = list(catalogue.roles)
    wanted = scim_rules.wanted_account(resource, None, roles)
    _own_domain(wanted.email, org_id)
    holder = db.session.scalar(select(User).where(User.email == wanted.email))
    if holder is not None:
        return _restore(holder, org_id, resource, catalogue)
    role = wanted.role or scim_rules.default_role(role_counts(org_id), roles)
    user = User(email=wanted.email, name=wanted.name, role=role, access="learner", org_id=org_id, password_hash="")
    user.active, user.external, user.agency = wanted.active, wanted.external, wanted.agency
    user.scim_external_id = wanted.external_id
    db.session.add(user)
    db.session.flush()
    profile = ScimProfile(user_id=user.id, attributes=scim_rules.dumps(wanted.kept), assumed_role="")
    profile.assumed_role = "" if wanted.role else role
    db.session.add(profile)
    db.session.flush()
    audit.record(org_id, "scim.user.created", user.email, role=role, active=user.active, **_affiliation(user))
    log.info("scim: person provisioned: org=%s user=%s", org_id, user.id)
    return account(user)


def _restore(holder: User, org_id: int, resource: UserResource, catalogue: Catalogue) -> Account:
    profile = db.session.get(ScimProfile, holder.id)
    if holder.org_id != org_id or profile is None or profile.deleted_at is None:
        raise UniquenessException(detail=TAKEN.format(email=holder.email))
    profile.deleted_at = None
    before = account(holder)
    audit.record(org_id, "scim.user.created", holder.email, restored=True)
    _apply(holder, profile, before, scim_rules.wanted_account(resource, before, list(catalogue.roles)), catalogue)
    log.info("scim: deleted person provisioned again: org=%s user=%s", org_id, holder.id)
    return account(holder)


def replace_person(user: User, replacement: UserResource, catalogue: Catalogue, base_url: str) -> Account:
    before = account(user)
    resource = scim_rules.replaced_user(before, replacement, base_url)
    return _written(user, before, resource, catalogue)


def patch_person(user: User, patch: PatchOp, catalogue: Catalogue, base_url: str) -> Account:
    before = account(user)
    resource = scim_rules.patched_user(before, patch, base_url)
    return _written(user, before, resource, catalogue)


def _written(user: User, before: Account, resource: UserResource, catalogue: Catalogue) -> Account:
    lock_row(Organization, user.org_id, "name")
    wanted = scim_rules.wanted_account(resource, before, list(catalogue.roles))
    _apply(user, _profile(user), before, wanted, catalogue)
    return account(user)


def _profile(user: User) -> ScimProfile:
    profile = db.session.get(ScimProfile, user.id)
    if profile is None:  # an account made by an admin or an invitation, written by a client at last
        profile = ScimProfile(user_id=user.id, attributes="{}", assumed_role="")
        db.session.add(profile)
    return profile


def _apply(user: User, profile: ScimProfile, before: Account, wanted: WantedAccount, catalogue: Catalogue) -> None:
    """Make the account what the client asked for; one audit entry lists what changed."""
    changes = _changes(user, wanted)
    if user.access == "admin" and ("userName" in changes or (user.active and not wanted.active)):
        _refuse_admin(user)
    if "userName" in changes:
        _own_domain(wanted.email, user.org_id)
        holder = db.session.scalar(select(User.id).where(User.email == wanted.email))
        if holder is not None and holder != user.id:
            raise UniquenessException(detail=TAKEN.format(email=wanted.email))
    user.email, user.name, user.scim_external_id = wanted.email, wanted.name, wanted.external_id
    user.external, user.agency = wanted.external, wanted.agency
    if wanted.role is not None:
        profile.assumed_role = ""  # the client chose the role: no team changes it
        if wanted.role != user.role:
            record.role_changed(catalogue, user, wanted.role)
    profile.attributes, profile.updated_at = scim_rules.dumps(wanted.kept), utcnow()
    db.session.flush()
    if changes:
        audit.record(user.org_id, "scim.user.changed", user.email, **changes)
    if wanted.active and not user.active:
        people_admin.reactivate(None, user)
    elif not wanted.active and user.active:
        people_admin.deactivate(None, [user])  # sessions end at once, invitations stop


def _changes(user: User, wanted: WantedAccount) -> dict[str, list]:
    pairs = {
        "userName": (user.email, wanted.email),
        "name": (user.name, wanted.name),
        "externalId": (user.scim_external_id, wanted.external_id),
        "role": (user.role, wanted.role if wanted.role is not None else user.role),
        "external": (user.external, wanted.external),
        "agency": (user.agency, wanted.agency),
    }
    return {name: [old, new] for name, (old, new) in pairs.items() if old != new}


def _affiliation(user: User) -> dict:
    return {"external": True, "agency": user.agency} if user.external else {}


def _own_domain(email: str, org_id: int) -> None:
    """An address at a domain another organisation signs up or signs in with is not this one's."""
    if onboarding.claimed_elsewhere(email, org_id):
        domain = email.rpartition("@")[2]
        raise InvalidValueException(
            detail=f"{domain} belongs to another organisation: its people are provisioned there"
        )


ADMIN_FIXED = (
    "{email} is an admin of this organisation: provisioning cannot change an admin's address or "
    "deactivate them (an address change would let a password reset go to the new address, and the "
    "admins' passwords are the way in when single sign-on fails). Another admin changes or removes "
    "their admin access in the app first."
)


def _refuse_admin(user: User) -> None:
    raise MutabilityException(detail=ADMIN_FIXED.format(email=user.email))


def delete_person(user: User) -> None:
    """A SCIM DELETE: the account is deactivated (sessions end, history stays) and the client sees
    it no more; provisioning the same userName again brings it back. Admins are refused."""
    if user.access == "admin":
        _refuse_admin(user)
    lock_row(Organization, user.org_id, "name")
    profile = _profile(user)
    profile.deleted_at = profile.updated_at = utcnow()
    db.session.flush()
    people_admin.deactivate(None, [user])
    audit.record(user.org_id, "scim.user.deleted", user.email)
    log.info("scim: person deprovisioned: org=%s user=%s", user.org_id, user.id)


# Writes: teams


def create_team(org_id: int, resource: Group, catalogue: Catalogue) -> TeamState:
    lock_row(Organization, org_id, "name")
    wanted = scim_rules.wanted_team(resource)
    _name_free(org_id, wanted.name)
    found = people_services.create_team(org_id, wanted.name, None)  # audited as team.created
    found.scim_external_id = wanted.external_id
    _set_members(found, wanted.member_ids, catalogue)
    return team_state(found)


def replace_team(found: Team, replacement: Group, catalogue: Catalogue, base_url: str) -> TeamState:
    resource = scim_rules.replaced_group(team_state(found), replacement, base_url)
    return _team_written(found, scim_rules.wanted_team(resource), catalogue)


def patch_team(found: Team, patch: PatchOp, catalogue: Catalogue, base_url: str) -> TeamState:
    resource = scim_rules.patched_group(team_state(found), patch, base_url)
    return _team_written(found, scim_rules.wanted_team(resource), catalogue)


def _team_written(found: Team, wanted: WantedTeam, catalogue: Catalogue) -> TeamState:
    lock_row(Organization, found.org_id, "name")
    if wanted.name != found.name:
        _name_free(found.org_id, wanted.name, found.id)
        people_admin.rename_team(found, wanted.name)  # audited as team.renamed
    if wanted.external_id != found.scim_external_id:
        old, found.scim_external_id = found.scim_external_id, wanted.external_id
        db.session.flush()
        audit.record(found.org_id, "scim.group.changed", found.name, externalId=[old, wanted.external_id])
    _set_members(found, wanted.member_ids, catalogue)
    return team_state(found)


def _name_free(org_id: int, name: str, except_id: int | None = None) -> None:
    query = select(Team.id).where(Team.org_id == org_id, func.lower(Team.name) == name.lower())
    if except_id is not None:
        query = query.where(Team.id != except_id)
    if db.session.scalar(query) is not None:
        raise UniquenessException(detail=f"displayName {name!r}: the organisation has a team of that name")


def _set_members(found: Team, member_ids: tuple[int, ...], catalogue: Catalogue) -> None:
    """Make the team's members (those a client sees) exactly these people; team.members audit entries
    say who joined and left. Joining may give a person the team's role (scim_rules.adopts_team_role)."""
    current = set(team_state(found).member_ids)
    wanted = set(member_ids)
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted | current)))}
    unknown = [i for i in member_ids if i not in people or people[i].org_id != found.org_id]
    deleted = set(db.session.scalars(_deleted_ids().where(ScimProfile.user_id.in_(wanted - current))))
    if unknown or deleted:
        missing = ", ".join(str(i) for i in [*unknown, *sorted(deleted)])
        raise InvalidValueException(detail=f"members: no User with the id {missing}")
    joining = [people[i] for i in member_ids if i not in current]
    leaving = [people[i] for i in sorted(current - wanted)]
    if joining:
        people_admin.add_to_team(joining, found)
        _adopt_role(joining, found, catalogue)
    if leaving:
        people_admin.remove_from_team(leaving, found)


def _adopt_role(joining: list[User], found: Team, catalogue: Catalogue) -> None:
    profiles = {
        p.user_id: p
        for p in db.session.scalars(select(ScimProfile).where(ScimProfile.user_id.in_([u.id for u in joining])))
    }
    for user in joining:
        profile = profiles.get(user.id)
        if profile is not None and scim_rules.adopts_team_role(profile.assumed_role, user.role, found.role):
            old = user.role
            record.role_changed(catalogue, user, found.role)
            profile.assumed_role = ""
            audit.record(user.org_id, "scim.user.changed", user.email, role=[old, found.role], team=found.name)


def delete_team(found: Team) -> None:
    """A SCIM DELETE of a group deletes the team; its people stay (audited as team.deleted)."""
    lock_row(Organization, found.org_id, "name")
    people_admin.delete_team(found)
