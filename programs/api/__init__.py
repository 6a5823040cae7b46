"""The read-only JSON API (/api/v1/) on django-ninja: `endpoints` (operations and their
rules), `schemas` (typed parameters and response shapes, hence the generated OpenAPI),
`reads` (its queries) and `urls` (read-only methods, caching headers, unknown paths)."""
