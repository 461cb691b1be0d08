/*
 * pgbulk.c — array literals for multi-row inserts on PostgreSQL.  See
 * pgbulk.h.  Elements are separated by commas; text is always quoted, with
 * '"' and '\' escaped by a backslash (PostgreSQL's array input rules), so
 * that braces, commas, spaces and the word NULL inside a line stay text.
 */
#include "pgbulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
pgbulk_init(struct pgbulk *b, int ncols)
{
	memset(b, 0, sizeof *b);
	if ((b->cols = calloc((size_t)ncols, sizeof *b->cols)) == NULL)
		return -1;
	b->ncols = ncols;
	return 0;
}

void
pgbulk_free(struct pgbulk *b)
{
	int i;

	for (i = 0; i < b->ncols && b->cols != NULL; i++)
		free(b->cols[i].p);
	free(b->cols);
	memset(b, 0, sizeof *b);
}

void
pgbulk_clear(struct pgbulk *b)
{
	int i;

	for (i = 0; i < b->ncols; i++)
		b->cols[i].len = 0;
	b->nrows = 0;
	b->col = 0;
	b->bytes = 0;
}

/* Room for n more bytes (and the closing brace and NUL) in c. */
static int
pgbulk_room(struct pgbulk_col *c, size_t n)
{
	size_t want = c->len + n + 2, cap;
	char *p;

	if (want <= c->cap)
		return 0;
	cap = c->cap == 0 ? 256 : c->cap;
	while (cap < want)
		cap *= 2;
	if ((p = realloc(c->p, cap)) == NULL)
		return -1;
	c->p = p;
	c->cap = cap;
	return 0;
}

/* The current column, with its separator written; NULL when out of
 * memory or past the last column. */
static struct pgbulk_col *
pgbulk_next(struct pgbulk *b, size_t n)
{
	struct pgbulk_col *c;

	if (b->col >= b->ncols)
		return NULL;
	c = &b->cols[b->col++];
	if (pgbulk_room(c, n + 1) != 0)
		return NULL;
	c->p[c->len++] = b->nrows > 0 ? ',' : '{';
	b->bytes += n + 1;
	return c;
}

static int
pgbulk_word(struct pgbulk *b, const char *w, size_t n)
{
	struct pgbulk_col *c = pgbulk_next(b, n);

	if (c == NULL)
		return -1;
	memcpy(c->p + c->len, w, n);
	c->len += n;
	return 0;
}

int
pgbulk_int(struct pgbulk *b, int64_t v)
{
	char w[24];
	int n = snprintf(w, sizeof w, "%lld", (long long)v);

	return pgbulk_word(b, w, (size_t)n);
}

int
pgbulk_null(struct pgbulk *b)
{
	return pgbulk_word(b, "NULL", 4);
}

int
pgbulk_bool(struct pgbulk *b, int v)
{
	return pgbulk_word(b, v ? "t" : "f", 1);
}

int
pgbulk_text(struct pgbulk *b, const char *s, size_t n)
{
	size_t i, esc = 0;
	struct pgbulk_col *c;

	for (i = 0; i < n; i++)
		esc += s[i] == '"' || s[i] == '\\';
	if ((c = pgbulk_next(b, n + esc + 2)) == NULL)
		return -1;
	c->p[c->len++] = '"';
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			c->p[c->len++] = '\\';
		c->p[c->len++] = s[i];
	}
	c->p[c->len++] = '"';
	return 0;
}

int
pgbulk_end_row(struct pgbulk *b)
{
	if (b->col != b->ncols)
		return -1;
	b->col = 0;
	b->nrows++;
	return 0;
}

const char *
pgbulk_array(struct pgbulk *b, int col)
{
	struct pgbulk_col *c = &b->cols[col];

	if (pgbulk_room(c, 1) != 0)
		return NULL;
	if (b->nrows == 0) {
		memcpy(c->p, "{}", 3);
		return c->p;
	}
	c->p[c->len] = '}';
	c->p[c->len + 1] = '\0';
	return c->p;
}
