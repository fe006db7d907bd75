"""Hostile input on every endpoint under /api/: never a 5xx, always the error envelope.

docs/API.md: every error is JSON in the one envelope, "never a 500 for bad input".
The endpoints are enumerated from the URL resolver, so a new one is covered the day it is
added. Each test walks one endpoint through a family of hostile requests and reports every
bad answer at once, so a failure lists all the holes rather than the first.

``harness`` enumerates the endpoints, sends the requests and judges the answers; each
``test_*`` module holds one family of hostile requests.
"""
