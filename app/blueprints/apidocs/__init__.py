"""``/api/v1/schema/``: the OpenAPI document, Swagger UI and ReDoc, served without a CDN."""
