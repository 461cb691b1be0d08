/*
 * identity.c — sender identities and the identity map (see identity.h).
 */
#include "identity.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define IDENT_MAP_LINE 2048

struct ident_entry {
	char *name;
	char *hosts;            /* comma-separated */
};

struct ident_map {
	struct ident_entry *e;
	int n, cap;
};

size_t
ident_build(char *out, size_t cap, const char *peer, const char *hosts)
{
	size_t pl = strlen(peer), hl = strlen(hosts);

	if (pl >= IDENT_PEER_MAX || pl + 1 + hl > cap || pl + 1 + hl > IDENT_MAX)
		return 0;
	memcpy(out, peer, pl);
	out[pl] = '\0';
	memcpy(out + pl + 1, hosts, hl);
	return pl + 1 + hl;
}

int
ident_allows(const char *ident, size_t len, const char *host, size_t hlen)
{
	const char *p = memchr(ident, '\0', len), *end = ident + len;

	if (p == NULL || hlen == 0)
		return 0;
	for (p++; p < end;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = comma != NULL ? (size_t)(comma - p) : (size_t)(end - p);
		if ((n == 1 && *p == '*') || (n == hlen && strncasecmp(p, host, n) == 0))
			return 1;
		p += n + 1;
	}
	return 0;
}

void
ident_peer(const char *ident, size_t len, char *out, size_t cap)
{
	const char *z = memchr(ident, '\0', len);
	size_t n = z != NULL ? (size_t)(z - ident) : 0;

	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, ident, n);
	out[n] = '\0';
}

void
ident_map_free(struct ident_map *m)
{
	int i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++) {
		free(m->e[i].name);
		free(m->e[i].hosts);
	}
	free(m->e);
	free(m);
}

/* Adds "name hosts..." (hosts separated by blanks or commas). */
static int
ident_map_add(struct ident_map *m, char *name, char *rest)
{
	char hosts[IDENT_MAX], *tok, *save = NULL;
	size_t used = 0;

	for (tok = strtok_r(rest, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save)) {
		size_t n = strlen(tok);
		if (used + n + 2 > sizeof hosts)
			return -1;
		if (used > 0)
			hosts[used++] = ',';
		memcpy(hosts + used, tok, n);
		used += n;
	}
	if (used == 0)
		return -1;
	hosts[used] = '\0';
	if (m->n == m->cap) {
		int ncap = m->cap == 0 ? 16 : m->cap * 2;
		struct ident_entry *ne = realloc(m->e, (size_t)ncap * sizeof *ne);
		if (ne == NULL)
			return -1;
		m->e = ne;
		m->cap = ncap;
	}
	m->e[m->n].name = strdup(name);
	m->e[m->n].hosts = strdup(hosts);
	if (m->e[m->n].name == NULL || m->e[m->n].hosts == NULL) {
		free(m->e[m->n].name);
		free(m->e[m->n].hosts);
		return -1;
	}
	m->n++;
	return 0;
}

struct ident_map *
ident_map_load(const char *path, char *err, size_t errsz)
{
	struct ident_map *m = calloc(1, sizeof *m);
	char line[IDENT_MAP_LINE];
	FILE *f = NULL;
	int lineno = 0;

	if (m == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *p = line, *name, *hash;
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errsz, "%s:%d: line longer than %d bytes", path, lineno,
			    IDENT_MAP_LINE - 2);
			goto fail;
		}
		if ((hash = strchr(p, '#')) != NULL)
			*hash = '\0';
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			continue;
		name = p;
		p += strcspn(p, " \t\r\n");
		if (*p != '\0')
			*p++ = '\0';
		p[strcspn(p, "\r\n")] = '\0';
		if (ident_map_add(m, name, p) != 0) {
			snprintf(err, errsz, "%s:%d: expected NAME HOST[,HOST...] (at most %d "
			    "bytes of hosts)", path, lineno, IDENT_MAX - IDENT_PEER_MAX);
			goto fail;
		}
	}
	fclose(f);
	return m;
fail:
	if (f != NULL)
		fclose(f);
	ident_map_free(m);
	return NULL;
}

int
ident_map_append(const struct ident_map *m, const char *name, char *list, size_t cap)
{
	size_t used = strlen(list);
	int i;

	if (m == NULL)
		return 0;
	for (i = 0; i < m->n; i++) {
		size_t n = strlen(m->e[i].hosts);
		if (strcasecmp(m->e[i].name, name) != 0)
			continue;
		if (used + n + 2 > cap)
			return -1;
		if (used > 0)
			list[used++] = ',';
		memcpy(list + used, m->e[i].hosts, n + 1);
		used += n;
	}
	return 0;
}

int
ident_map_count(const struct ident_map *m)
{
	return m != NULL ? m->n : 0;
}
