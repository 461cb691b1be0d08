/*
 * web_int.h — what the files of web/ share: the server's state and one
 * request being answered (web.c routes, web_pages.c and web_metrics.c
 * write bodies).
 */
#ifndef TW_WEB_INT_H
#define TW_WEB_INT_H

#include <stdio.h>

#include "web.h"

#define WEB_MAX_BODY       (16 * 1024 * 1024)  /* a larger page is refused */
#define WEB_MAX_USERS      64                  /* lines of http_auth_file */
#define WEB_MAX_SECRET     512                 /* a token or a USER:PASSWORD */
#define WEB_REFRESH_S      30                  /* pages reload themselves */

struct web {
	const struct config *cfg;
	struct web_live live;
	struct MHD_Daemon *daemon;
	struct cfg_cidr allow[CFG_MAX_CIDR];
	int nallow;
	char token[WEB_MAX_SECRET];        /* "" none */
	char users[WEB_MAX_USERS][WEB_MAX_SECRET];   /* "user:password" */
	int nusers;
	/* Used by libmicrohttpd's one thread only. */
	struct db *db;                     /* storage/db.h: opened at the first need */
	int64_t db_retry_us;               /* after a failed open: not before */
};

/* One request: the page functions write the body to out and may change
 * status and content type. */
struct web_req {
	struct web *w;
	struct MHD_Connection *conn;
	const char *path;                  /* after the first '/' stripped: "tunnel/7" */
	FILE *out;
	int status;
	const char *content_type;
};

/* The read connection (a SQLite file read-only, or a PostgreSQL session;
 * db.h re-establishes a broken session on its next call), NULL (and an
 * error page written) when it cannot be opened. */
struct db;
struct db *web_db(struct web_req *q);
/* A query argument, NULL when absent. */
const char *web_arg(struct web_req *q, const char *name);
/* The error page: status, a heading and one escaped sentence. */
void web_error(struct web_req *q, int status, const char *what);

/* Pages (web_pages.c); path is what follows their prefix. */
void web_page_fleet(struct web_req *q);
void web_page_tunnel(struct web_req *q, int64_t id);
void web_page_incident(struct web_req *q, int64_t id);
void web_page_device(struct web_req *q, int64_t id);
void web_page_lines(struct web_req *q, int64_t device_id);
void web_page_reports(struct web_req *q);
/* A file of the reports folder: 0 with its descriptor, size and content
 * type when it may be sent, else -1 (the error page is written). */
int web_report_file(struct web_req *q, const char *name, int *fd, uint64_t *size,
    const char **type);

/* GET /metrics (web_metrics.c). */
void web_metrics(struct web_req *q);

#endif
