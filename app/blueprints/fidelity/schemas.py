"""Query arguments of the fidelity endpoints (validated by webargs, shown in OpenAPI)."""

from __future__ import annotations

import marshmallow as ma

from app.blueprints.docs import document_schemas
from app.blueprints.filters import FilterSchema, IdFilter
from app.models.devices import Fidelity

CODES = tuple(f.value for f in Fidelity)


class FidelityCodes(ma.fields.Field[tuple[Fidelity, ...]]):
    """A comma list of fidelity codes (``E,M``)."""

    def _deserialize(
        self, value: object, attr: object, data: object, **kw: object
    ) -> tuple[Fidelity, ...]:
        if not isinstance(value, str):
            raise ma.ValidationError("Expected a comma list of fidelity codes.")
        codes = [part.strip() for part in value.split(",") if part.strip()]
        unknown = [c for c in codes if c not in CODES]
        if not codes or unknown:
            raise ma.ValidationError(
                f"Unknown fidelity {', '.join(unknown) or value!r}; "
                f"use one or more of {', '.join(CODES)}."
            )
        return tuple(Fidelity(c) for c in dict.fromkeys(codes))


class FidelityQueryArgsSchema(FilterSchema):
    """``filter[organization|site|room|fidelity]``; other parameters pass through."""

    organization = IdFilter("organization", "Only nodes owned by this organization")
    site = IdFilter("site", "Only nodes installed now in a room of this site")
    room = IdFilter("room", "Only nodes installed now in this room")
    fidelity = FidelityCodes(
        data_key="filter[fidelity]",
        metadata={
            "description": "Only these verdicts, e.g. `M,D` (U, E, M, D)",
            "type": "string",
            "pattern": "^[UEMD](,[UEMD])*$",
        },
    )


class FidelityAttributesSchema(ma.Schema):
    """A node's liveness verdict (read only)."""

    fidelity = ma.fields.String(
        validate=ma.validate.OneOf(CODES),
        metadata={"description": "U (unknown), E (alive), M (missing), D (dead)"},
    )
    last_contact_s = ma.fields.Integer(
        allow_none=True, metadata={"description": "Newest sample, epoch seconds"}
    )
    last_check_s = ma.fields.Integer(
        allow_none=True, metadata={"description": "Last check, epoch seconds"}
    )


FIDELITY_DOCUMENTS = document_schemas("Fidelity", FidelityAttributesSchema)
