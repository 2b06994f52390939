"""The list pages' row actions, each rendered through its macro once per page.

flask-admin renders every row's view link, edit link and delete form through its
``row_actions`` macros: a ``url_for`` per link and three WTForms hidden inputs per
form (the row's id, the return URL, the CSRF token), each action through a Jinja
call of its own. For a page of 50 rows that was most of the page's CPU time,
although only the row's id differs from row to row. So each action renders the
page's first row through its macro, keeps the HTML around the place of the id,
and writes later rows' ids there: the HTML stays what the macros write
(``tests/admin/test_admin_row_actions.py`` compares the list pages with
flask-admin's own rendering). A row's actions are one call from the list
template (:meth:`PageRowActions.cell`).

:func:`page_row_actions` makes new actions for every list page (flask-admin's
``index_view`` asks for them once per page): the HTML they keep, the CSRF token
included, never outlives the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote_plus

from flask_admin.model import template
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

#: What werkzeug 3.1 leaves unquoted in a URL's query values
#: (``werkzeug.urls._urlencode``); a test compares the links with ``url_for``.
QUERY_SAFE = "!$'()*,/:;?@"
#: Stands for the row id while a link is rendered once: only characters that
#: neither the query encoding nor HTML escaping change.
PLACEHOLDER = "airq-row-id-placeholder"


class RowId:
    """A row's id as the actions write it: in a URL's query and in an attribute.

    Plain ``str``, not ``Markup``: ``Markup`` escapes every piece it is joined
    with again, which cost more than the macros saved.
    """

    __slots__ = ("attribute", "query")

    def __init__(self, value: Any) -> None:
        self.attribute = str(escape(value))
        self.query = str(escape(quote_plus(str(value), safe=QUERY_SAFE)))


class _OncePerPage(template.TemplateLinkRowAction):  # type: ignore[misc]
    """An action whose page's first row goes through the macro, later rows not."""

    def __init__(self, template_name: str, title: str | None) -> None:
        super().__init__(template_name, title)
        self._around: tuple[str, str] | None = None
        self._tried = False

    def around(self, context: Context, row_id: Any, row: Any) -> tuple[str, str] | None:
        """Render the macro once; return the HTML before and after the id."""
        raise NotImplementedError

    def fill(self, row_id: RowId) -> str:
        """The id as this action's HTML writes it."""
        raise NotImplementedError

    def macro(self, context: Context, row_id: Any, row: Any) -> Any:
        """Render the action through flask-admin's macro."""
        return super().render(context, row_id, row)

    def html(self, context: Context, row_id: Any, row: Any, ids: RowId) -> str:
        """The action of ``row`` as HTML."""
        if not self._tried:
            self._tried = True
            self._around = self.around(context, row_id, row)
        if self._around is None:
            return str(escape(self.macro(context, row_id, row)))
        before, after = self._around
        return before + self.fill(ids) + after

    def render(self, context: Context, row_id: Any, row: Any) -> Markup:
        """Render the action of ``row`` (flask-admin's own list template calls this)."""
        return Markup(self.html(context, row_id, row, RowId(row_id)))  # noqa: S704


def _split(html: Any, mark: str) -> tuple[str, str] | None:
    """The text before and after ``mark`` if ``html`` has it exactly once."""
    before, found, after = str(html).partition(mark)
    return (before, after) if found and mark not in after else None


class LinkRowAction(_OncePerPage):
    """A view or edit link; its URL built once per page around a placeholder id."""

    def __init__(self, stock: template.TemplateLinkRowAction) -> None:
        super().__init__(stock.template_name, stock.title)

    def around(self, context: Context, row_id: Any, row: Any) -> tuple[str, str] | None:
        """Render the link with the placeholder for an id."""
        return _split(self.macro(context, PLACEHOLDER, row), PLACEHOLDER)

    def fill(self, row_id: RowId) -> str:
        """The id in the link's query."""
        return row_id.query


class DeleteRowAction(_OncePerPage):
    """The delete form; its hidden inputs (CSRF token included) rendered once per page."""

    def __init__(self, stock: template.DeleteRowAction) -> None:
        super().__init__(stock.template_name, stock.title)

    def around(self, context: Context, row_id: Any, row: Any) -> tuple[str, str] | None:
        """Render the form of the page's first row; split at its id's value."""
        # The macro writes the id from ``get_pk_value(row)``, which is what
        # flask-admin passes as ``row_id``, escaped as WTForms escapes it.
        value = RowId(row_id).attribute
        found = _split(self.macro(context, row_id, row), f'value="{value}"')
        return None if found is None else (found[0] + 'value="', '"' + found[1])

    def fill(self, row_id: RowId) -> str:
        """The id in the form's hidden ``id`` field."""
        return row_id.attribute


#: flask-admin's actions (exactly these types) and their once-per-page stand-ins.
_PER_PAGE: dict[type, Callable[[Any], _OncePerPage]] = {
    template.ViewRowAction: LinkRowAction,
    template.EditRowAction: LinkRowAction,
    template.DeleteRowAction: DeleteRowAction,
}


class PageRowActions(list[template.BaseListRowAction]):
    """One list page's row actions; flask-admin's templates iterate them as before."""

    @pass_context
    def cell(self, context: Context, row: Any) -> Markup:
        """Render all actions of ``row`` (the content of its actions cell)."""
        row_id = context.resolve("get_pk_value")(row)
        ids = RowId(row_id)
        return Markup(  # noqa: S704 -- the macros' HTML
            "\n".join(
                action.html(context, row_id, row, ids)
                if isinstance(action, _OncePerPage)
                else str(escape(action.render(context, row_id, row)))
                for action in self
            )
        )


def page_row_actions(
    actions: Iterable[template.BaseListRowAction],
) -> PageRowActions:
    """Return one list page's row actions, flask-admin's own ones rendered once."""
    return PageRowActions(
        _PER_PAGE[type(action)](action) if type(action) in _PER_PAGE else action
        for action in actions
    )
