"""What markets tells the floors above it, without knowing them.

Receivers connect in their own ``AppConfig.ready`` (streaming pushes the prices to its
sockets, alerts evaluates its rules); markets imports none of them.
"""

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent after the transaction that stored them commits, with ``snapshots``: the
# PriceSnapshot rows (``coin`` loaded) that became their coin's newest price. Sent with
# ``send_robust`` so one failing receiver neither undoes stored prices nor starves others.
prices_stored = Signal()


def announce_prices_stored(snapshots) -> None:
    if not snapshots:
        return
    for receiver, result in prices_stored.send_robust(sender="markets", snapshots=snapshots):
        if isinstance(result, Exception):
            name = getattr(receiver, "__qualname__", receiver)
            logger.warning("prices_stored receiver %s failed: %s: %s", name, result.__class__.__name__, result)
