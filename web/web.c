/*
 * web.c — the HTTP listener of the live view: libmicrohttpd's daemon, who
 * may connect, who is let in, and which page answers which path (see
 * web.h; the pages are web_pages.c, the metrics web_metrics.c).
 *
 * Every answer is built in memory (bounded by WEB_MAX_BODY) before it is
 * queued, so a failed query gives an error page, never half a page, and
 * every answer carries a Content-Security-Policy that allows no script and
 * nothing from elsewhere: should a string ever escape the escaping, the
 * browser still runs nothing.
 */
#include "web_int.h"
#include "db.h"
#include "log.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WEB_CSP "default-src 'none'; style-src 'unsafe-inline'; img-src data:; " \
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
#define WEB_CONN_LIMIT     64
#define WEB_CONN_TIMEOUT_S 30

/* ---- who ---- */

static int
web_allowed(const struct web *w, const struct sockaddr *sa)
{
	if (sa == NULL)
		return 0;
	/* An IPv4 client of a dual-stack socket arrives as ::ffff:a.b.c.d. */
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
			struct sockaddr_in a4;
			memset(&a4, 0, sizeof a4);
			a4.sin_family = AF_INET;
			memcpy(&a4.sin_addr, &a6->sin6_addr.s6_addr[12], 4);
			return cfg_cidr_allows(w->allow, w->nallow, (const struct sockaddr *)&a4);
		}
	}
	return cfg_cidr_allows(w->allow, w->nallow, sa);
}

static int
web_auth_configured(const struct web *w)
{
	return w->token[0] != '\0' || w->nusers > 0;
}

static enum MHD_Result
web_accept_cb(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct web *w = cls;

	(void)addrlen;
	/* With a login configured anyone may try it; without, the allowlist
	 * is the only gate. */
	return web_auth_configured(w) || web_allowed(w, addr) ? MHD_YES : MHD_NO;
}

/* Equal in time that depends on the lengths only, not on where they differ. */
static int
web_secret_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, n = la > lb ? la : lb;
	unsigned char d = la != lb;

	for (i = 0; i < n; i++)
		d |= (unsigned char)((i < la ? a[i] : 0) ^ (i < lb ? b[i] : 0));
	return d == 0;
}

/* 1 when the request carries the bearer token or a known user. */
static int
web_authorized(struct web *w, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	char *user, *pass = NULL, pair[2 * WEB_MAX_SECRET];
	int ok = 0, i;

	if (h == NULL)
		return 0;
	if (w->token[0] != '\0' && strncasecmp(h, "Bearer ", 7) == 0) {
		for (h += 7; *h == ' '; h++)
			;
		return web_secret_eq(h, w->token);
	}
	if (w->nusers == 0 || (user = MHD_basic_auth_get_username_password(c, &pass)) == NULL)
		return 0;
	if (pass != NULL && strlen(user) + strlen(pass) + 2 <= sizeof pair) {
		size_t lu = strlen(user), lp = strlen(pass);
		memcpy(pair, user, lu);
		pair[lu] = ':';
		memcpy(pair + lu + 1, pass, lp + 1);
		for (i = 0; i < w->nusers; i++)
			ok |= web_secret_eq(pair, w->users[i]);
		explicit_bzero(pair, sizeof pair);
	}
	MHD_free(user);
	if (pass != NULL) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	return ok;
}

/* ---- shared by the pages ---- */

struct db *
web_db(struct web_req *q)
{
	struct web *w = q->w;
	char err[512];

	if (w->db != NULL)
		return w->db;
	if (util_mono_us() >= w->db_retry_us) {
		/* Its own connection: the pages run their own queries, and the
		 * store's prepared write statements are not needed here. */
		if (db_open(w->cfg->db_path, DB_RDONLY, &w->db, err, sizeof err) == 0)
			return w->db;
		w->db_retry_us = util_mono_us() + 1000000;
		log_warnx("web: cannot open the database to read: %.*s", (int)strcspn(err, "\n"),
		    err);
	}
	web_error(q, MHD_HTTP_SERVICE_UNAVAILABLE, "The database cannot be opened just now.");
	return NULL;
}

const char *
web_arg(struct web_req *q, const char *name)
{
	return MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, name);
}

void
web_error(struct web_req *q, int status, const char *what)
{
	char title[64];

	/* Whatever a page wrote before it failed is thrown away. */
	rewind(q->out);
	q->status = status;
	q->content_type = "text/html; charset=utf-8";
	snprintf(title, sizeof title, "%d", status);
	report_html_page_begin(q->out, title, 0);
	fprintf(q->out, "<h1>%d</h1>\n<p>", status);
	report_html_escape(q->out, what);
	fputs("</p>\n<p><a href=\"/\">The fleet now</a></p>\n", q->out);
	report_html_page_end(q->out);
}

/* ---- routing ---- */

/* "7" of "tunnel/7" after prefix "tunnel/": 1 and *id, else 0. */
static int
web_path_id(const char *path, const char *prefix, int64_t *id, const char **rest)
{
	size_t n = strlen(prefix);
	char *end;
	long long v;

	if (strncmp(path, prefix, n) != 0 || path[n] < '1' || path[n] > '9')
		return 0;
	errno = 0;
	v = strtoll(path + n, &end, 10);
	if (errno != 0 || v <= 0)
		return 0;
	*id = v;
	*rest = end;
	return 1;
}

static struct MHD_Response *
web_file_response(struct web_req *q, const char *name)
{
	struct MHD_Response *resp;
	const char *type;
	uint64_t size;
	int fd;

	if (web_report_file(q, name, &fd, &size, &type) != 0)
		return NULL;
	if ((resp = MHD_create_response_from_fd64(size, fd)) == NULL) {
		close(fd);
		web_error(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "Out of memory.");
		return NULL;
	}
	q->content_type = type;
	return resp;
}

/* Writes the body for q->path; returns a file response instead when the
 * path names a stored report. */
static struct MHD_Response *
web_route(struct web_req *q)
{
	const char *p = q->path, *rest = "";
	int64_t id;

	if (strcmp(p, "") == 0)
		web_page_fleet(q);
	else if (strcmp(p, "metrics") == 0)
		web_metrics(q);
	else if (web_path_id(p, "tunnel/", &id, &rest) && *rest == '\0')
		web_page_tunnel(q, id);
	else if (web_path_id(p, "incident/", &id, &rest) && *rest == '\0')
		web_page_incident(q, id);
	else if (web_path_id(p, "device/", &id, &rest) && *rest == '\0')
		web_page_device(q, id);
	else if (web_path_id(p, "device/", &id, &rest) && strcmp(rest, "/lines") == 0)
		web_page_lines(q, id);
	else if (strcmp(p, "reports") == 0 || strcmp(p, "reports/") == 0)
		web_page_reports(q);
	else if (strncmp(p, "reports/", 8) == 0)
		return web_file_response(q, p + 8);
	else
		web_error(q, MHD_HTTP_NOT_FOUND, "There is no such page.");
	return NULL;
}

static enum MHD_Result
web_send(struct MHD_Connection *c, struct web_req *q, struct MHD_Response *resp,
    int basic_auth_challenge)
{
	enum MHD_Result ret;

	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, q->content_type);
	MHD_add_response_header(resp, "Content-Security-Policy", WEB_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (basic_auth_challenge)
		ret = MHD_queue_basic_auth_fail_response(c, "tunnelwatch", resp);
	else
		ret = MHD_queue_response(c, (unsigned)q->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
web_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size,
    void **con_cls)
{
	struct web *w = cls;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *from = ci != NULL ? ci->client_addr : NULL;
	struct web_req q = { w, c, url != NULL && url[0] == '/' ? url + 1 : "", NULL,
	    MHD_HTTP_OK, "text/html; charset=utf-8" };
	struct MHD_Response *resp = NULL;
	char *body = NULL;
	size_t len = 0;
	int challenge = 0;

	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {         /* headers only, so far */
		*con_cls = w;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {   /* a body: not ours to read */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if ((q.out = open_memstream(&body, &len)) == NULL)
		return MHD_NO;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		web_error(&q, MHD_HTTP_METHOD_NOT_ALLOWED, "Only GET and HEAD: this view is "
		    "read-only.");
	} else if (web_auth_configured(w) && !web_authorized(w, c) &&
	    !(strcmp(q.path, "metrics") == 0 && web_allowed(w, from))) {
		web_error(&q, MHD_HTTP_UNAUTHORIZED, "This view needs the bearer token or a "
		    "user of the basic-auth file (docs/web.md).");
		challenge = w->nusers > 0;
	} else {
		resp = web_route(&q);
	}
	if (fclose(q.out) != 0 || body == NULL) {
		free(body);
		if (resp != NULL)
			MHD_destroy_response(resp);
		return MHD_NO;
	}
	if (resp == NULL) {
		if (len > WEB_MAX_BODY) {
			free(body);
			log_warnx("web: /%s: the answer exceeds %d MiB; refused", q.path,
			    WEB_MAX_BODY >> 20);
			body = strdup("answer too large\n");
			len = body != NULL ? strlen(body) : 0;
			q.status = MHD_HTTP_INTERNAL_SERVER_ERROR;
			q.content_type = "text/plain; charset=utf-8";
		}
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
		if (resp == NULL) {
			free(body);
			return MHD_NO;
		}
	} else {
		free(body);
	}
	if (q.status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (q.status == MHD_HTTP_UNAUTHORIZED && !challenge)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"tunnelwatch\"");
	return web_send(c, &q, resp, challenge);
}

/* ---- start and stop ---- */

/* The first line of path (without its newline) into buf; 0 or -1 with err. */
static int
web_read_secret_file(const char *path, int lines, struct web *w, char *err, size_t errsz)
{
	char line[WEB_MAX_SECRET + 2];
	FILE *f = fopen(path, "re");
	int n = 0;

	if (f == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		size_t len = strcspn(line, "\r\n");
		if (line[len] == '\0' && !feof(f)) {
			snprintf(err, errsz, "%s:%d: longer than %d bytes", path, n + 1,
			    WEB_MAX_SECRET - 1);
			goto fail;
		}
		line[len] = '\0';
		if (len >= WEB_MAX_SECRET) {
			snprintf(err, errsz, "%s:%d: longer than %d bytes", path, n + 1,
			    WEB_MAX_SECRET - 1);
			goto fail;
		}
		if (!lines) {           /* the token: the first line */
			memcpy(w->token, line, len + 1);
			break;
		}
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (strchr(line, ':') == NULL || line[0] == ':') {
			snprintf(err, errsz, "%s:%d: expected USER:PASSWORD", path, n + 1);
			goto fail;
		}
		if (w->nusers == WEB_MAX_USERS) {
			snprintf(err, errsz, "%s: more than %d users", path, WEB_MAX_USERS);
			goto fail;
		}
		memcpy(w->users[w->nusers++], line, len + 1);
		n++;
	}
	explicit_bzero(line, sizeof line);
	fclose(f);
	if (!lines && w->token[0] == '\0') {
		snprintf(err, errsz, "%s: empty (the token is its first line)", path);
		return -1;
	}
	if (lines && w->nusers == 0) {
		snprintf(err, errsz, "%s: no USER:PASSWORD line", path);
		return -1;
	}
	return 0;
fail:
	explicit_bzero(line, sizeof line);
	fclose(f);
	return -1;
}

static void
web_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof buf, fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_debug("web: %s", buf);
}

int
web_start(const struct config *cfg, const struct web_live *live, struct web **out,
    char *err, size_t errsz)
{
	struct web *w;
	const struct sockaddr *sa = (const struct sockaddr *)&cfg->http.addr;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	uint16_t port;

	*out = NULL;
	if ((w = calloc(1, sizeof *w)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	w->cfg = cfg;
	w->live = *live;
	if (cfg->n_http_allow > 0) {
		memcpy(w->allow, cfg->http_allow, sizeof w->allow);
		w->nallow = cfg->n_http_allow;
	} else {
		(void)cfg_parse_cidr("127.0.0.0/8", &w->allow[0]);
		(void)cfg_parse_cidr("::1/128", &w->allow[1]);
		w->nallow = 2;
	}
	if ((cfg->http_token_file[0] != '\0' &&
	    web_read_secret_file(cfg->http_token_file, 0, w, err, errsz) != 0) ||
	    (cfg->http_auth_file[0] != '\0' &&
	    web_read_secret_file(cfg->http_auth_file, 1, w, err, errsz) != 0))
		goto fail;
	if (sa->sa_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	} else {
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	}
	w->daemon = MHD_start_daemon(flags, port, web_accept_cb, w, web_handler, w,
	    MHD_OPTION_SOCK_ADDR, sa,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_CONN_LIMIT,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)16,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WEB_CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, NULL,
	    MHD_OPTION_END);
	if (w->daemon == NULL) {
		snprintf(err, errsz, "cannot listen on %s (in use, or not an address of this "
		    "host)", cfg->http.text);
		goto fail;
	}
	*out = w;
	return 0;
fail:
	explicit_bzero(w, sizeof *w);
	free(w);
	return -1;
}

unsigned
web_port(const struct web *w)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(w->daemon,
	    MHD_DAEMON_INFO_BIND_PORT);

	return di != NULL ? di->port : 0;
}

void
web_stop(struct web *w)
{
	if (w == NULL)
		return;
	if (w->daemon != NULL)
		MHD_stop_daemon(w->daemon);
	db_close(w->db);                /* the daemon's thread has ended */
	explicit_bzero(w, sizeof *w);
	free(w);
}
