"""What the /ws/prices consumer tells other apps, without knowing them.

Sent (synchronously, from the event loop: receivers must not block or touch the database)
when an authenticated socket opens or closes, with ``user_pk``. alerts uses it to relay,
in the embedded profile, alerts fired by another process to this process's sockets.
"""

from django.dispatch import Signal

socket_user_opened = Signal()
socket_user_closed = Signal()
