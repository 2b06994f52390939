"""The attributes and relationships of each resource type, for ``fields[<type>]``.

A fieldset naming anything else is refused (see :mod:`app.jsonapi.fieldsets`).
``tests/api/test_query_sort_fields.py`` renders every type and checks this
table against what the API answers, so a new attribute cannot be forgotten.
"""

from __future__ import annotations

MEMBERS: dict[str, tuple[str, ...]] = {
    "Address": ("street1", "street2", "zip", "city", "latitude", "longitude"),
    "Fidelity": ("fidelity", "last_contact_s", "last_check_s", "node"),
    "Installation": (
        "from_timestamp_s",
        "to_timestamp_s",
        "query_timestamp_s",
        "is_public",
        "description",
        "image",
        "sample_count",
        "latest_sample",
        "timeseries",
        "node",
        "room",
    ),
    "Membership": ("role", "organization_name", "user_name", "organization", "user"),
    "Model": ("name", "trade_name", "manufacturer", "sensor_type", "quantities"),
    "Node": (
        "eui64",
        "alias",
        "description",
        "sample_count",
        "latest_sample",
        "query_timestamp_s",
        "from_timestamp_s",
        "to_timestamp_s",
        "timeseries",
        "protocol",
        "model",
        "owner",
        "fidelity",
        "installations",
    ),
    "Organization": ("name", "description", "users", "memberships", "sites", "nodes"),
    "Protocol": ("identifier", "num_uplink_msgs", "num_downlink_msgs"),
    "Quantity": ("quantity", "base_unit"),
    "Room": (
        "name",
        "description",
        "size_sqm",
        "height_m",
        "max_occupancy",
        "site",
        "installations",
    ),
    "Site": ("name", "description", "address", "operator", "rooms"),
    "User": (
        "username",
        "email",
        "first_name",
        "last_name",
        "organizations",
        "memberships",
    ),
}
