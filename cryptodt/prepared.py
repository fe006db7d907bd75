"""An ORM lookup by one value, compiled to SQL once per thread instead of on every call.

Django compiles a queryset to SQL each time it runs it; for the credential lookup that
every authenticated request makes (an API key with its user and profile, two joins)
compiling cost about three times the query itself (~0.4 ms, BENCHMARKS.md "http path").
The rows still go through the ORM's own converters and related-object population, so
the instances are the ones the queryset would have produced.
"""

import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

_MARKER = "\x00cryptodt-prepared-lookup\x00"


class PreparedLookup:
    """``build(value)`` returns a queryset for at most one row, filtered on ``value``."""

    def __init__(self, build: Callable[[object], QuerySet]):
        self._build = build
        self._local = threading.local()  # compilers hold their thread's connection

    def get(self, value: object, *, using: str = "default"):
        """The model instance, or None."""
        prepared = getattr(self._local, using, None)
        if prepared is None or prepared[0] is not connections[using]:
            prepared = self._prepare(using)
            setattr(self._local, using, prepared)
        connection, compiler, sql, params, init = prepared
        with connection.cursor() as cursor:
            cursor.execute(sql, [value if param == _MARKER else param for param in params])
            row = cursor.fetchone()
        if row is None:
            return None
        row = next(iter(compiler.results_iter(results=[[row]])))
        model_cls, start, end, init_list, populators = init
        obj = model_cls.from_db(using, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        return obj

    def _prepare(self, using: str) -> tuple:
        queryset = self._build(_MARKER).using(using)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if list(params).count(_MARKER) != 1 or compiler.annotation_col_map:
            raise ValueError("PreparedLookup needs a plain queryset with the value as its one parameter")
        klass_info = compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in compiler.select[start:end]]
        populators = get_related_populators(klass_info, compiler.select, using)
        init = (klass_info["model"], start, end, init_list, populators)
        return connections[using], compiler, sql, tuple(params), init
