"""cryptodt.asgi without uvicorn's access lines, for the "cryptodt under uvicorn" row.

uvicorn decides per connection whether to log each request by asking whether its
"uvicorn.access" logger has handlers, and cryptodt's LOGGING gives it one (so the dev
server's lines are redacted too): ``--no-access-log`` alone would leave a formatted,
redacted log line per request in the row, which granian's rows (``--no-access-log``) do
not pay. With the handler gone, both servers are measured without access logs.
"""

import logging

from cryptodt.asgi import application

logging.getLogger("uvicorn.access").handlers.clear()

__all__ = ["application"]
