"""The SQL store: satisfies ``services.ports`` on SQLite and PostgreSQL.

Public entry points (nothing is built at import time; ``bootstrap`` wires them):

- ``database.create_engine_for(url)``: a tuned engine for ``sqlite:///`` or ``postgresql+psycopg://``;
- ``migrate.upgrade(url_or_engine)``, ``migrate.current_revision(...)``,
  ``migrate.head_revision()``, ``migrate.check_schema_current(engine)`` (raises
  ``migrate.SchemaOutdated``);
- ``uow.make_uow_factory(engine, cipher=None)``: the ``UnitOfWorkFactory`` for the use cases;
- ``crypto.FieldCipher``: how sensitive fields are encrypted at rest.
"""
