"""`apispec serve`: the spec's HTTP API running locally, as API Gateway and Lambda would run it.

Layout: `config` (functions with parameters filled in), `routing` (stage and route matching),
`events` (the payload format 2.0 and 1.0 events), `workers` (a process pool per function, `_worker.py`
being the process), `responses` (payload 2.0 and 1.0 results, gateway errors), `cors`, `accesslog`,
`authorizers` (Lambda, JWT and IAM), `throttle` (per-route 429s), `deadline` (the integration timeout),
`proxy` (`url` routes), `app` (one request end to end), `server` (the HTTP server and `serve`) and
`faults` (apispec's own errors, on one line). Only `compiler.cli` imports this package, and
`compiler.routelist` its `routing` (so that `apispec routes` lists routes in the order they match).
"""

from __future__ import annotations

from compiler.serve.server import serve

__all__ = ["serve"]
