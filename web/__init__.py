"""The web shell around the core (`transfer`) and the panels (`components`).

- `config`: `Config` (DATABASE_URL and the app's TMX_* settings) and the request size limit.
- `services`: what callbacks use from the running app (datasets, limits, upload token, the link).
- `security`: security headers, request limits and error pages.
- `memory`: the glibc malloc tuning gunicorn's hooks apply (gunicorn.conf.py).
- `serving`: the Dash app class, compressed static files, cache headers, callback errors.
- `routes`: the HTTP API beside the page (/api/..., /healthz).
- `factory`: `create_app(config)`, which wires all of it.
- `notebook`: `explore(frame)`, the app on a DataFrame inside Jupyter.

Nothing is imported here: the panels import `web.services`, and an import of this package that
pulled in `web.factory` would make them import themselves.
"""
