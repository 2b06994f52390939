"""Every string marked for translation has a German translation."""

from __future__ import annotations

from functools import cache

from babel.messages.pofile import read_po

from tests.support.i18n import TRANSLATIONS, marked_messages


@cache
def _german() -> dict[str, str]:
    """The German catalogue's translated entries, parsed once for all tests."""
    with (TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    translated: dict[str, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = (
            message.string if isinstance(message.string, tuple) else (message.string,)
        )
        if all(strings):
            translated[str(msgid)] = str(strings[0])
    return translated


def test_every_marked_string_has_a_german_translation() -> None:
    marked = marked_messages()

    missing = sorted(marked - set(_german()))

    assert marked
    assert missing == [], "run `make i18n-update` and translate: " + repr(missing)


def test_german_catalogue_keeps_placeholders() -> None:
    for msgid, msgstr in _german().items():
        for placeholder in ("%(url)s", "%(email)s", "%(username)s", "%(site)s"):
            assert (placeholder in msgid) == (placeholder in msgstr), msgid


def test_german_catalogue_uses_the_formal_sie() -> None:
    informal = (" du ", " dein", " dich ", " dir ")

    for msgstr in _german().values():
        lowered = f" {msgstr.lower()} "
        assert not any(word in lowered for word in informal), msgstr


def test_the_template_lists_exactly_the_marked_strings() -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as pot:
        template = {
            str(m.id[0] if isinstance(m.id, tuple) else m.id) for m in read_po(pot)
        }

    assert template - {""} == marked_messages(), "run `make i18n-extract`"
