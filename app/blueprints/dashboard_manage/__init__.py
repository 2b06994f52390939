"""Management pages of the built-in dashboard: ``/dashboard/manage/``.

OWNERs add sites (with their address), rooms and nodes, install nodes in rooms,
end installations, make them public or private, add members by e-mail, change
roles and leave; INSPECTORs see the same lists without a single write control.
Every write goes through the services the API uses, so the rules and messages
are the API's, and each error is shown at the field its JSON pointer names.
"""
