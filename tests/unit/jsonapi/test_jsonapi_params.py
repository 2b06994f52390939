"""Query parameters: parsing, strict/lenient validation, include checks."""

from __future__ import annotations

import pytest

from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from app.jsonapi import MAX_PAGE_SIZE, ParameterError, QueryParams, parse_query_params


def parse(query: list[tuple[str, str]], strict: bool = True) -> QueryParams:
    """Parse ``query`` pairs as a query string."""
    return parse_query_params(MultiDict(query), strict=strict)


def parse_error(query: list[tuple[str, str]]) -> ParameterError:
    """Return the error that strictly parsing ``query`` raises."""
    with pytest.raises(ParameterError) as error:
        parse(query)
    return error.value


def test_parse_query_params_empty_gives_defaults() -> None:
    assert parse([]) == QueryParams()


def test_parse_query_params_filters_by_name() -> None:
    params = parse([("filter[organization]", "1"), ("filter[search]", "a b")])

    assert params.filters == {"organization": "1", "search": "a b"}


def test_parse_query_params_include_split_stripped_deduplicated() -> None:
    params = parse([("include", "address, operator,address,")])

    assert params.include == ("address", "operator")


def test_parse_query_params_fields_by_type() -> None:
    params = parse(
        [("fields[Site]", "name,description"), ("fields[room-airquality]", "")]
    )

    assert params.fields == {"Site": ("name", "description"), "room-airquality": ()}


def test_parse_query_params_sort_keys_kept_in_order() -> None:
    params = parse_query_params(
        MultiDict([("sort", "-name,id")]), order=("-name", "id")
    )

    assert params.sort == ("-name", "id")


def test_parse_query_params_sort_may_name_a_leading_part_of_the_order() -> None:
    params = parse_query_params(MultiDict([("sort", "city")]), order=("city", "zip"))

    assert params.sort == ("city",)


@pytest.mark.parametrize("sort", ["zip", "-city", "city,zip,id", "zip,city"])
def test_parse_query_params_sort_other_than_the_order_is_400(sort: str) -> None:
    with pytest.raises(ParameterError) as error:
        parse_query_params(MultiDict([("sort", sort)]), order=("city", "zip"))

    assert error.value.parameter == "sort"
    assert 'sorted by "city,zip" only' in error.value.detail


@pytest.mark.parametrize("strict", [True, False])
def test_parse_query_params_sort_without_an_order_is_400(strict: bool) -> None:
    with pytest.raises(ParameterError) as error:
        parse([("sort", "name")], strict=strict)

    assert error.value.parameter == "sort"


def test_parse_query_params_page_number_and_size() -> None:
    params = parse([("page[number]", "2"), ("page[size]", "10")])

    assert (params.page_number, params.page_size) == (2, 10)


def test_parse_query_params_page_size_capped() -> None:
    assert parse([("page[size]", "1000")]).page_size == MAX_PAGE_SIZE


@pytest.mark.parametrize("name", ["page[number]", "page[size]"])
@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5", "", "9" * 30])
def test_parse_query_params_bad_page_value_is_400_with_parameter(
    name: str, value: str
) -> None:
    error = parse_error([(name, value)])

    assert (error.status, error.parameter) == (400, name)


def test_parse_query_params_strict_unknown_name_is_400() -> None:
    error = parse_error([("include", "a"), ("colour", "red")])

    assert error.detail == "invalid query parameter: colour"
    assert error.parameter == "colour"


def test_parse_query_params_strict_allowed_extra_passes() -> None:
    params = parse_query_params(
        MultiDict([("include_timeseries", "1")]), allowed_extra={"include_timeseries"}
    )

    assert params == QueryParams()


def test_parse_query_params_strict_repeated_name_is_400() -> None:
    error = parse_error([("sort", "id"), ("sort", "name")])

    assert error.detail == "repeated query parameter not allowed: sort"


def test_parse_query_params_strict_repeated_filter_last_wins() -> None:
    params = parse([("filter[from]", "1"), ("filter[from]", "2")])

    assert params.filters == {"from": "2"}


def test_parse_query_params_lenient_unknown_name_ignored() -> None:
    params = parse([("include_histogram", "True"), ("_", "123")], strict=False)

    assert params == QueryParams()


def test_parse_query_params_lenient_repeated_name_last_wins() -> None:
    params = parse([("include", "node"), ("include", "room")], strict=False)

    assert params.include == ("room",)


def test_check_include_allowed_paths_returned() -> None:
    params = QueryParams(include=("address", "operator"))

    assert params.check_include({"address", "operator"}) == ("address", "operator")


def test_check_include_unknown_path_is_400_on_include() -> None:
    with pytest.raises(ParameterError) as error:
        QueryParams(include=("users",)).check_include({"address"})

    assert error.value.parameter == "include"
    assert error.value.detail == (
        "This endpoint does not support the include parameter for path users."
    )


def test_check_include_on_endpoint_without_includes_is_400() -> None:
    with pytest.raises(ParameterError) as error:
        QueryParams(include=("node",)).check_include(())

    assert error.value.detail == "This endpoint does not support the include parameter."


def test_parameter_error_rendered_with_source_parameter(client: FlaskClient) -> None:
    response = client.get("/api/v1/things/?page[size]=zero")

    assert response.status_code == 400
    assert response.json is not None
    assert response.json["errors"] == [
        {
            "status": "400",
            "code": "invalid_parameter",
            "title": "Invalid query parameter",
            "detail": 'Invalid page[size] "zero": expected a whole number from 1 '
            "to 999999999999999999 (sizes above 100 give pages of 100).",
            "source": {"parameter": "page[size]"},
        }
    ]
