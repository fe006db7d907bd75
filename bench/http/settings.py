"""Settings for the HTTP benchmark: the product's settings plus one bench-only URL.

Selected with DJANGO_SETTINGS_MODULE=bench.http.settings, so the product never serves
the bench view.
"""

from cryptodt.settings import *  # noqa: F403

ROOT_URLCONF = "bench.http.urls"
