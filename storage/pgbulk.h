/*
 * pgbulk.h — rows gathered for one multi-row INSERT on PostgreSQL.
 *
 * Each column is built as a PostgreSQL array literal ("{1,NULL,\"a b\"}"),
 * bound as one text parameter and spread back into rows by unnest() in
 * the statement: INSERT … SELECT * FROM unnest(?1::bigint[], ?2::text[], …).
 * One statement and one round trip for a whole batch of rows, through the
 * prepared-statement interface (storage/db.h) the rest of the store uses.
 * Pure: no SQL here, table-tested (tests/unit/test_pgbulk.c).
 */
#ifndef TW_PGBULK_H
#define TW_PGBULK_H

#include <stddef.h>
#include <stdint.h>

struct pgbulk_col {
	char *p;
	size_t len, cap;
};

struct pgbulk {
	int ncols;
	struct pgbulk_col *cols;
	int nrows;
	int col;                  /* the next column of the row being added */
	size_t bytes;             /* of all columns, for the caller's bound */
};

/* 0, or -1 when out of memory. */
int pgbulk_init(struct pgbulk *b, int ncols);
void pgbulk_free(struct pgbulk *b);
/* Forgets every row (keeps the memory). */
void pgbulk_clear(struct pgbulk *b);

/*
 * A row's values, one per column in order (the next column each time);
 * pgbulk_end_row() closes the row.  0, or -1 when out of memory (then
 * the rows so far are unusable: clear).
 */
int pgbulk_int(struct pgbulk *b, int64_t v);
int pgbulk_null(struct pgbulk *b);
int pgbulk_bool(struct pgbulk *b, int v);
/* Any bytes but NUL; quoted and escaped for the array literal. */
int pgbulk_text(struct pgbulk *b, const char *s, size_t n);
int pgbulk_end_row(struct pgbulk *b);

/* Column col as an array literal, NUL-terminated; valid until the next
 * call on b.  NULL when out of memory. */
const char *pgbulk_array(struct pgbulk *b, int col);

#endif
