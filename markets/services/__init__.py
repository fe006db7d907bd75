"""Writes: validation, idempotent upserts, collection, roll-ups, retention, backups.

One module per concept: ``ingest`` (upserts of prices; ``ingest_history``, ``ingest_overview``
and ``ingest_defi`` those of the other record types), ``registry`` (the coin registry),
``directories`` (directories stored whole: categories, platforms, exchanges), ``collect``
(router → ingest steps), ``rollup`` (roll-ups, prune, archive), ``backup``
(backup/restore), ``cache`` (data versions for cached payloads).
"""
