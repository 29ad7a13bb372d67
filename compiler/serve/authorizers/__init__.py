"""Authorizers as API Gateway HTTP APIs run them: Lambda (`REQUEST`), JWT and IAM.

Each engine takes its own small config record and returns a `Decision`: a grant (what reaches the
route's event as `requestContext.authorizer`, via `apply_grant`) or API Gateway's refusal (401/403/500).
"""
