#!/usr/bin/env python3
"""Loads sample pings into a warehouse and reads tables back, for the dbt project's tests.

A warehouse is `duckdb:PATH` (a DuckDB file) or `postgres` (the server of the standard
PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE variables). Runs with the tools venv
(tools/venv), which has the duckdb and psycopg2 modules dbt's adapters bring.

    warehouse.py load WAREHOUSE PINGS_JSON    raw.raw_pings, created anew, holds the pings
    warehouse.py run WAREHOUSE SQL_FILE       runs a SQL script (statements split on `;`
                                              at line ends)
    warehouse.py query WAREHOUSE SQL          prints the rows as a JSON list of objects
                                              (dates and timestamps as ISO text)
    warehouse.py create-database NAME         (postgres) a fresh, empty database
    warehouse.py drop-database NAME           (postgres)
"""

import datetime
import decimal
import json
import os
import sys

RAW_PINGS = """
create schema if not exists raw;
drop table if exists raw.raw_pings;
create table raw.raw_pings (
    instance_id text not null,
    recorded_at timestamp not null,
    version text,
    payload text not null
);
"""


def connect(warehouse, database=None):
    if warehouse.startswith("duckdb:"):
        import duckdb

        return duckdb.connect(warehouse[len("duckdb:"):])
    if warehouse == "postgres":
        import psycopg2

        connection = psycopg2.connect(dbname=database or os.environ.get("PGDATABASE"))
        connection.autocommit = True
        return connection
    sys.exit(f"unknown warehouse {warehouse!r}: duckdb:PATH or postgres")


def statements(script):
    return [s.strip() for s in script.split(";\n") if s.strip()]


def execute(connection, script):
    cursor = connection.cursor()
    for statement in statements(script):
        cursor.execute(statement.rstrip(";"))
    cursor.close()


def load(warehouse, path):
    with open(path, encoding="utf-8") as f:
        pings = json.load(f)
    connection = connect(warehouse)
    execute(connection, RAW_PINGS)
    placeholder = "?" if warehouse.startswith("duckdb:") else "%s"
    cursor = connection.cursor()
    cursor.executemany(
        f"insert into raw.raw_pings values ({', '.join([placeholder] * 4)})",
        [(p["instance_id"], p["recorded_at"], p["version"], p["payload"]) for p in pings],
    )
    cursor.close()
    if warehouse.startswith("duckdb:"):
        connection.commit()
    connection.close()


def plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def query(warehouse, sql):
    connection = connect(warehouse)
    cursor = connection.cursor()
    cursor.execute(sql)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, map(plain, row))) for row in cursor.fetchall()]
    connection.close()
    return rows


def main(argv):
    command, args = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    if command == "load" and len(args) == 2:
        load(*args)
    elif command == "run" and len(args) == 2:
        with open(args[1], encoding="utf-8") as f:
            script = f.read()
        connection = connect(args[0])
        execute(connection, script)
        if args[0].startswith("duckdb:"):
            connection.commit()
        connection.close()
    elif command == "query" and len(args) == 2:
        json.dump(query(*args), sys.stdout, indent=1)
        sys.stdout.write("\n")
    elif command in ("create-database", "drop-database") and len(args) == 1:
        connection = connect("postgres", database="postgres")
        cursor = connection.cursor()
        cursor.execute(f'drop database if exists "{args[0]}"')
        if command == "create-database":
            cursor.execute(f'create database "{args[0]}"')
        connection.close()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
