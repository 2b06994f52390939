"""Adding a member by e-mail address, as the dashboards' "invite" form does.

The address must belong to an active account; the find is remembered
(:mod:`app.services.tenancy.lookups`), and the membership is then created by
:func:`app.services.tenancy.memberships.create_membership` (same rules as
``POST /api/v1/memberships/`` after the e-mail lookup). An unknown address is refused at the e-mail
field, with the same answer for a missing and an inactive account: anyone
signed in learns exactly that much from ``GET /api/v1/users/?filter[search]=``
already (:func:`app.services.access.findable_by_email`), and no mail goes to an
address nobody has proven to own, so the form can neither probe further nor
send mail to strangers.
"""

from __future__ import annotations

from flask_babel import gettext

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.models import Role, User
from app.services import access
from app.services.access import Actor
from app.services.tenancy import lookups, memberships
from app.services.tenancy.memberships import MembershipView, NewMembership

EMAIL_POINTER = "/data/attributes/email"


def invite_by_email(
    session: Session, actor: Actor, organization_id: int, email: str, role: Role
) -> MembershipView:
    """Make the active account with ``email`` a member of ``organization_id``.

    Raises:
        UnauthenticatedError: anonymous caller.
        ValidationError: the organization does not exist, or no active account
            uses ``email`` (400 at the e-mail).
        ForbiddenError: ``actor`` is not an OWNER of the organization (checked
            before the address is looked up).
        ConflictError: the account is a member already.
    """
    memberships.require_may_add(session, actor, organization_id)
    user_id = session.scalar(
        select(User.id).where(access.findable_by_email(actor, email)).limit(1)
    )
    if user_id is None:
        raise ValidationError(
            gettext(
                "No active account uses this e-mail address. Ask the person to "
                "sign up first, then add them again."
            ),
            EMAIL_POINTER,
        )
    lookups.record(session, actor, [user_id])
    return memberships.create_membership(
        session, actor, NewMembership(user_id, organization_id, role)
    )
