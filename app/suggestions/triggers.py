"""Database triggers that keep append-only tables append-only, whoever connects."""


def immutable_trigger_sql(table: str, dialect: str) -> str:
    """A trigger refusing changes to `table` from any client (migration 0003 creates the same).

    SQLite refuses UPDATE (tests empty tables with DELETE); PostgreSQL refuses UPDATE and DELETE
    (tests empty tables with TRUNCATE, which triggers do not see).
    """
    if dialect == "postgresql":
        return (
            "CREATE OR REPLACE FUNCTION hearings_refuse_change() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' rows are immutable'; END; $$ LANGUAGE plpgsql; "
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION hearings_refuse_change();"
        )
    return (
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END"
    )
