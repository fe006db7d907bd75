"""What sentiment tells the floors above it, without knowing them (as markets.signals).

Receivers connect in their own ``AppConfig.ready`` (alerts evaluates its fear & greed
rules); sentiment imports none of them.
"""

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent after the transaction that stored them commits, with ``points``: the FearGreedPoint
# rows that are newer than (or change) the newest value held before. ``send_robust``: one
# failing receiver neither undoes stored values nor starves the others.
fear_greed_stored = Signal()


def announce_fear_greed_stored(points) -> None:
    if not points:
        return
    for receiver, result in fear_greed_stored.send_robust(sender="sentiment", points=points):
        if isinstance(result, Exception):
            name = getattr(receiver, "__qualname__", receiver)
            logger.warning("fear_greed_stored receiver %s failed: %s: %s", name, result.__class__.__name__, result)
