"""The channel-layer message alerts sends when a rule fires for a user's open sockets.

Delivery layers (streaming's /ws/prices consumer) join ``alert_group_for(user)`` and turn
``ALERT_EVENT`` messages into ``alert`` frames; alerts knows nothing of them.
"""

ALERT_EVENT = "alert.fired"


def alert_group_for(user_pk: int) -> str:
    return f"alerts.user.{user_pk}"
