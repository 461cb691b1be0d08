#!/usr/bin/env python3
"""pg_same_views.py [--copy-only | --compare-only] [--ignore COL,...] [--skip VIEW,...] SQLITE_DB PG_URI — do the PostgreSQL schema's tables and
v_* views match SQLite's (docs/scale-out.md)?

Copies every table of a SQLite database made by tunnelwatch into a
PostgreSQL database that has schema/pg applied (through psql's \\copy),
then checks:
  - every SQLite table exists in PostgreSQL with at least the same columns;
  - every v_* view exists with the same columns in the same order;
  - every view returns the same rows (as a multiset): numbers compared as
    numbers, JSON text compared as JSON, NULL as NULL.
Prints one line per view and exits 1 on the first table or view that differs.
With --copy-only it copies the tables and stops (t_pg_query.sh compares
the commands' outputs instead).  With --compare-only it copies nothing and
compares the views of two databases that tunnelwatch filled each by itself
(t_pg_import.sh, t_pg_serve.sh).
"""
import json
import sqlite3
import subprocess
import sys
import csv
import io

NULL = '\\N'


def psql(uri, command, stdin=None):
    r = subprocess.run(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', uri, '-c', command],
                       input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f'psql: {command[:80]}: {r.stderr.strip()}')
    return r.stdout


def csv_field(v):
    if v is None:
        return NULL
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, bytes):
        return '"\\x' + v.hex() + '"'
    return '"' + str(v).replace('"', '""') + '"'


def norm(v):
    if v is None:
        return None
    s = v if isinstance(v, str) else repr(v)
    try:
        f = float(s)
        if f != f or f in (float('inf'), float('-inf')):
            return s
        return repr(round(f, 6)) if not f.is_integer() else str(int(f))
    except ValueError:
        pass
    if s[:1] in '[{':
        try:
            return json.dumps(json.loads(s), sort_keys=True, separators=(',', ':'))
        except ValueError:
            pass
    return s


def main():
    args = sys.argv[1:]
    copy_only = args[:1] == ['--copy-only']
    compare_only = args[:1] == ['--compare-only']
    if copy_only or compare_only:
        args = args[1:]
    # --ignore COL,VIEW.COL,...: columns left out of the comparison (the
    # arrival times of two runs a moment apart), in every view or in one.
    ignore = set()
    if args[:1] == ['--ignore']:
        ignore = set(args[1].split(','))
        args = args[2:]
    # --skip VIEW,VIEW: views not compared (a collector's own counters).
    skip = set()
    if args[:1] == ['--skip']:
        skip = set(args[1].split(','))
        args = args[2:]
    db, uri = args[0], args[1]
    lite = sqlite3.connect(db)
    lite.text_factory = lambda b: b.decode('utf-8', 'replace')
    tables = [r[0] for r in lite.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    views = [r[0] for r in lite.execute(
        "SELECT name FROM sqlite_master WHERE type = 'view' AND name LIKE 'v\\_%' ESCAPE '\\' ORDER BY name")]

    # Every column of every PostgreSQL table and view, in one round trip.
    pg_cols = {}
    for line in psql(uri, "COPY (SELECT table_name, column_name FROM information_schema.columns"
                     " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position)"
                     " TO STDOUT").splitlines():
        name, col = line.split('\t')
        pg_cols.setdefault(name, []).append(col)

    def pg_columns(name):
        return pg_cols.get(name, [])

    if not compare_only:
        psql(uri, 'TRUNCATE ' + ', '.join(tables))
    # Referenced tables first (foreign keys).
    tables.sort(key=lambda t: (t not in ('devices', 'tunnels'), t != 'devices', t))
    for t in ([] if compare_only else tables):
        cols = [r[1] for r in lite.execute(f'PRAGMA table_info("{t}")')]
        have = pg_columns(t)
        missing = [c for c in cols if c not in have]
        if missing:
            sys.exit(f'table {t}: PostgreSQL lacks columns {missing}')
        buf = io.StringIO()
        n = 0
        for row in lite.execute(f'SELECT {", ".join(cols)} FROM "{t}"'):
            buf.write(','.join(csv_field(v) for v in row) + '\n')
            n += 1
        if n:
            psql(uri, f"\\copy {t}({', '.join(cols)}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')",
                 stdin=buf.getvalue())
        print(f'table {t}: {n} rows copied')
    if copy_only:
        return

    bad = 0
    for v in views:
        if v in skip:
            continue
        cols = [r[1] for r in lite.execute(f'PRAGMA table_info("{v}")')]
        pcols = pg_columns(v)
        if cols != pcols:
            print(f'view {v}: columns differ\n  sqlite: {cols}\n  pg:     {pcols}')
            bad += 1
            continue
        keep = [i for i, c in enumerate(cols) if c not in ignore and f'{v}.{c}' not in ignore]
        cols = [cols[i] for i in keep]
        lrows = sorted((tuple(norm(r[i]) for i in keep) for r in lite.execute(f'SELECT * FROM "{v}"')),
                       key=repr)
        out = psql(uri, f"COPY (SELECT * FROM {v}) TO STDOUT WITH (FORMAT csv, NULL '{NULL}')")
        prows = []
        for rec in csv.reader(io.StringIO(out)):
            prows.append(tuple(None if rec[i] == NULL else norm(rec[i]) for i in keep))
        # COPY quotes a value equal to the NULL marker: csv.reader loses
        # the quotes, so a literal \N is not told apart; none is expected.
        prows.sort(key=repr)
        if lrows != prows:
            print(f'view {v}: rows differ ({len(lrows)} on SQLite, {len(prows)} on PostgreSQL)')
            for a, b in zip(lrows, prows):
                if a != b:
                    for c, x, y in zip(cols, a, b):
                        if x != y:
                            print(f'  first difference, column {c}: sqlite {x!r} pg {y!r}')
                    break
            bad += 1
            continue
        print(f'view {v}: {len(lrows)} rows, same on both')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
