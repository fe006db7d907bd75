"""cryptodt settings: everything an operator can change comes from the environment.

The embedded default (no environment at all) runs on SQLite in WAL mode, an
in-process cache, Channels' in-memory layer and django-q2's ORM broker. Setting
DATABASE_URL / REDIS_URL moves the same code onto PostgreSQL and Redis.

One module per concern, each read through cryptodt/env.py's typed helpers; a module
imports what it needs of an earlier one (base's paths and DEBUG), never of a later one.
DJANGO_SETTINGS_MODULE stays ``cryptodt.settings``: this module assembles them all.
"""

# isort: off
# Read in this order, so a start-up with several bad values fails on the same one each time.
from cryptodt.settings.base import *  # noqa: F403  paths, DEBUG, apps, middleware, static files
from cryptodt.settings.security import *  # noqa: F403  secret key, hosts, HTTPS, proxies, CORS
from cryptodt.settings.data import *  # noqa: F403  database, caches, channel layer, task queue, retention
from cryptodt.settings.accounts import *  # noqa: F403  API framework, authentication, tiers, audit
from cryptodt.settings.collection import *  # noqa: F403  providers, failover, budgets, collection
from cryptodt.settings.sentiment import *  # noqa: F403  sentiment model
from cryptodt.settings.streaming import *  # noqa: F403  web processes and threads, WebSockets
from cryptodt.settings.alerts import *  # noqa: F403  price alerts and their webhooks
from cryptodt.settings.observability import *  # noqa: F403  metrics directory, health checks, logging
# isort: on
