"""Writes: validation, idempotent upserts, collection, roll-ups, retention, backups.

One module per concept: ``ingest`` (upserts of every record type), ``registry`` (the
coin registry), ``collect`` (router → ingest steps), ``rollup`` (roll-ups, prune,
archive), ``backup`` (backup/restore), ``cache`` (data versions for cached payloads).
"""
