/*
 * import.c — `tunnelwatch import FILE...`: load rotated log files.
 *
 * Order: files of one rotated set (messages, messages.1, messages.2.gz, …)
 * are imported oldest first — highest rotation number first — so the
 * device-time order of the set is kept; separate sets keep the order they
 * were given in.
 *
 * Idempotency: each import records the first line's hash, how many bytes it
 * imported and the hash of those bytes.  A file whose first line matches an
 * earlier import and whose first `bytes` bytes hash the same is that file
 * again — under its old name or rotated to a new one — and only what
 * follows those bytes is new.  The record is updated with every committed
 * batch, so an interrupted import resumes instead of duplicating.  stdin is
 * spooled to a temporary file first so it can be read twice.
 *
 * Before the database is opened (or created) every file is probed: one
 * that cannot be opened, or whose first 8 KiB hold a NUL byte (binary,
 * not a log), is refused with a warning, and an import left with nothing
 * to read creates nothing.  A gzip file that ends before its trailer
 * (truncated) keeps the lines before the cut and fails the import.  The
 * exit status is 1 whenever a file was refused or cut.  On a terminal a
 * progress line says the file, bytes and lines done, the rate and the time
 * left; elsewhere (a pipe, a journal) it stays quiet.  import holds the
 * database's writer lock (base/dblock.c): it refuses to run beside serve.
 */
#include "cli.h"
#include "correlator.h"
#include "db.h"
#include "dblock.h"
#include "ingest.h"
#include "linereader.h"
#include "log.h"
#include "msgqueue.h"
#include "resolve.h"
#include "store.h"
#include "strmap.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMPORT_PROBE_BYTES 8192       /* a NUL in these: binary, not a log */

struct import_totals {
	uint64_t read, stored, unparsed, skipped, truncated, files_failed;
	uint64_t bytes_total;       /* on disk (compressed), of the files to read */
	uint64_t bytes_before;      /* on disk, of the files already read */
	int64_t started_us;         /* util_mono_us() at the first file */
	int nfiles, file_no;        /* for "file 2/5" */
	uint64_t headerless_files;  /* files stored without one header understood */
	struct strmap hostclock;    /* hostname -> newest device time, any program */
};

struct import_file {
	const char *path;
	uint64_t size;      /* on disk; 0 for stdin's spool until probed */
	int refused;        /* unreadable or binary: not imported */
	int group;          /* index of the rotated set, in first-seen order */
	int rotation;       /* 0 for the live file, N for name.N[.gz] */
	char base[256];
};

/* "messages.2.gz" -> base "messages", rotation 2. */
static void
import_split_name(struct import_file *f)
{
	size_t n;
	char *dot;

	snprintf(f->base, sizeof f->base, "%s", f->path);
	n = strlen(f->base);
	if (n > 3 && strcmp(f->base + n - 3, ".gz") == 0)
		f->base[n - 3] = '\0';
	f->rotation = 0;
	dot = strrchr(f->base, '.');
	if (dot != NULL && dot[1] != '\0' && strspn(dot + 1, "0123456789") == strlen(dot + 1) &&
	    strlen(dot + 1) < 6) {
		f->rotation = atoi(dot + 1);
		*dot = '\0';
	}
}

static int
import_file_cmp(const void *a, const void *b)
{
	const struct import_file *x = a, *y = b;

	if (x->group != y->group)
		return x->group - y->group;
	return y->rotation - x->rotation;       /* oldest (highest) first */
}

static void
import_hex(char out[17], uint64_t h)
{
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Copies stdin into an unlinked temporary file; returns its fd or -1. */
static int
import_spool_stdin(void)
{
	char tmpl[] = "/tmp/tunnelwatch-stdin-XXXXXX";
	char buf[65536];
	ssize_t n;
	int fd = mkstemp(tmpl);

	if (fd < 0)
		return -1;
	unlink(tmpl);
	while ((n = read(0, buf, sizeof buf)) > 0) {
		if (write(fd, buf, (size_t)n) != n) {
			close(fd);
			return -1;
		}
	}
	if (n < 0 || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
import_open(struct linereader *lr, const struct import_file *f, int stdin_fd,
    size_t max_line)
{
	if (strcmp(f->path, "-") == 0) {
		int fd = dup(stdin_fd);
		if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0)
			return -1;
		return lr_open_fd(lr, fd, max_line);
	}
	return lr_open(lr, f->path, max_line);
}

/*
 * Pass 1: how many leading bytes of this file were imported before?
 * Returns that byte count (0 if none), or -1 on a read error.
 */
static int64_t
import_already_done(struct store *st, const struct import_file *f, int stdin_fd,
    size_t max_line, char head_hex[17])
{
	struct linereader lr;
	struct db_stmt *q = NULL;
	int64_t cand_bytes[64], best = 0;
	char cand_hash[64][17];
	int ncand = 0, i, flags, r;
	const char *line;
	size_t len;

	head_hex[0] = '\0';
	if (import_open(&lr, f, stdin_fd, max_line) != 0)
		return -1;
	r = lr_next(&lr, &line, &len, &flags);
	if (r <= 0) {
		lr_close(&lr);
		return r < 0 ? -1 : 0;
	}
	import_hex(head_hex, lr.hash);
	if (db_prepare(store_dbh(st), "SELECT bytes, prefix_hash FROM imports"
	    " WHERE head_hash = ?1 ORDER BY bytes LIMIT 64", &q) != SQLITE_OK) {
		lr_close(&lr);
		return -1;
	}
	db_bind_text(q, 1, head_hex, -1);
	while (db_step(q) == DB_ROW && ncand < 64) {
		const char *h = db_column_text(q, 1);
		cand_bytes[ncand] = db_column_int64(q, 0);
		snprintf(cand_hash[ncand], 17, "%s", h != NULL ? h : "");
		ncand++;
	}
	db_finalize(q);
	/* Walk the file; at each candidate's length compare the hashes. */
	i = 0;
	for (;;) {
		char hex[17];
		while (i < ncand && (uint64_t)cand_bytes[i] < lr.offset)
			i++;
		while (i < ncand && (uint64_t)cand_bytes[i] == lr.offset) {
			import_hex(hex, lr.hash);
			if (strcmp(hex, cand_hash[i]) == 0)
				best = cand_bytes[i];
			i++;
		}
		if (i >= ncand)
			break;
		if ((r = lr_next(&lr, &line, &len, &flags)) <= 0)
			break;
	}
	lr_close(&lr);
	return r < 0 ? -1 : best;
}

static int
import_record(struct store *st, int64_t *import_id, const char *path,
    const char *head_hex, uint64_t bytes, uint64_t hash, uint64_t lines)
{
	struct db *d = store_dbh(st);
	struct db_stmt *q = NULL;
	char hex[17];
	int rc;

	import_hex(hex, hash);
	/* Every parameter is used (PostgreSQL must know each one's type):
	 * the UPDATE's are numbered from 1 too; k is the first shared one. */
	int k = *import_id == 0 ? 3 : 1;

	if (*import_id == 0)
		rc = db_prepare(d, "INSERT INTO imports(path, head_hash,"
		    " bytes, prefix_hash, lines, imported_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		    &q);
	else
		rc = db_prepare(d, "UPDATE imports SET bytes = ?1,"
		    " prefix_hash = ?2, lines = ?3, imported_us = ?4 WHERE import_id = ?5",
		    &q);
	if (rc != SQLITE_OK)
		return rc;
	if (*import_id == 0) {
		db_bind_text(q, 1, path, -1);
		db_bind_text(q, 2, head_hex, -1);
	}
	db_bind_int64(q, k, (int64_t)bytes);
	db_bind_text(q, k + 1, hex, -1);
	db_bind_int64(q, k + 2, (int64_t)lines);
	db_bind_int64(q, k + 3, util_now_us());
	if (*import_id != 0)
		db_bind_int64(q, k + 4, *import_id);
	rc = db_step(q);
	db_finalize(q);
	if (rc != DB_DONE)
		return rc;
	if (*import_id == 0)
		*import_id = db_last_insert_id(d);
	return SQLITE_OK;
}

/*
 * Can f be read, and is it text?  Returns 0, or -1 with a warning printed
 * (cannot open or read it; binary: a NUL byte near the start).
 */
static int
import_probe(struct import_file *f, int stdin_fd)
{
	char buf[IMPORT_PROBE_BYTES], *nul;
	struct stat sb;
	gzFile gz;
	int fd, n, zerr;

	fd = strcmp(f->path, "-") == 0 ? dup(stdin_fd) : open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0 || lseek(fd, 0, SEEK_SET) < 0) {
		log_warn("import: %s", f->path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (S_ISDIR(sb.st_mode)) {
		log_warnx("import: %s: is a directory", f->path);
		close(fd);
		return -1;
	}
	f->size = S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
	if ((gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		return -1;
	}
	n = gzread(gz, buf, sizeof buf);
	if (n < 0) {
		const char *msg = gzerror(gz, &zerr);
		log_warnx("import: %s: %s; skipped", f->path,
		    zerr == Z_ERRNO ? strerror(errno) : msg);
		gzclose(gz);
		return -1;
	}
	gzclose(gz);
	if ((nul = memchr(buf, '\0', (size_t)n)) != NULL) {
		log_warnx("import: %s: binary data (a NUL byte at offset %ld), not a "
		    "syslog file; skipped", f->path, (long)(nul - buf));
		return -1;
	}
	return 0;
}

/* "1.3 GiB", "412 MiB", "20 KiB", "900 B" */
static const char *
import_fmt_bytes(char *buf, size_t sz, double b)
{
	static const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	while (b >= 1024 && i < 4) {
		b /= 1024;
		i++;
	}
	snprintf(buf, sz, i == 0 || b >= 100 ? "%.0f %s" : "%.1f %s", b, u[i]);
	return buf;
}

/* The progress line on a terminal: file, bytes and lines, rate, time left. */
static void
import_progress(const struct import_totals *tot, const struct import_file *f,
    struct linereader *lr, uint64_t lines)
{
	char done[32], all[32], rate[48], left[80] = "";
	uint64_t here = lr_raw_offset(lr), sofar = tot->bytes_before + here;
	double secs = (double)(util_mono_us() - tot->started_us) / 1e6;
	double bps = secs > 0.2 ? (double)sofar / secs : 0;

	import_fmt_bytes(done, sizeof done, (double)sofar);
	import_fmt_bytes(all, sizeof all, (double)tot->bytes_total);
	rate[0] = '\0';
	if (bps > 0) {
		char r[32];
		snprintf(rate, sizeof rate, ", %s/s", import_fmt_bytes(r, sizeof r, bps));
	}
	if (bps > 0 && tot->bytes_total > sofar) {
		long s = (long)((double)(tot->bytes_total - sofar) / bps + 0.5);
		snprintf(left, sizeof left, ", %ld:%02ld:%02ld left", s / 3600, s / 60 % 60, s % 60);
	}
	fprintf(stderr, "\r\033[Kimporting %d/%d %s: %s of %s, %llu lines%s%s",
	    tot->file_no, tot->nfiles, f->path, done, all, (unsigned long long)lines, rate,
	    left);
}

static int
import_one(const struct config *cfg, struct store *st, struct resolver *res,
    struct domain_scratch *ds, struct tzs *tzs, const struct import_file *f,
    int stdin_fd, struct import_totals *tot)
{
	struct ingest_ctx ctx = { 0, NULL, tzs };
	struct linereader lr;
	struct store_msg_meta meta;
	char head_hex[17], *scratch = NULL;
	int64_t skip, import_id = 0, ref_us, last_progress = 0;
	uint64_t lines = 0, batch = 0, stored_here = 0, ok_here = 0;
	int64_t msg_id;
	struct resolve_source src = { NULL, f->path, 0 };
	const char *line;
	size_t len;
	int flags, r, rc = -1, tty = isatty(2);
	struct stat sb;

	skip = import_already_done(st, f, stdin_fd, cfg->max_frame, head_hex);
	if (skip < 0 || import_open(&lr, f, stdin_fd, cfg->max_frame) != 0) {
		log_warn("import %s", f->path);
		return -1;
	}
	/* RFC 3164 lines have no year: the file's mtime is when its last
	 * line was written, the reference for inferring it. */
	ref_us = util_now_us();
	if (strcmp(f->path, "-") != 0 && stat(f->path, &sb) == 0)
		ref_us = (int64_t)sb.st_mtime * 1000000 + 999999;
	if ((scratch = malloc(INGEST_SCRATCH((size_t)cfg->max_frame))) == NULL)
		goto out;
	meta.recv_us = util_now_us();
	meta.sender = NULL;
	meta.transport = TW_TRANSPORT_IMPORT;
	meta.pending = 0;
	if (store_begin(st) != SQLITE_OK)
		goto out;
	while ((r = lr_next(&lr, &line, &len, &flags)) > 0) {
		struct ingest_row row;
		lines++;
		tot->read++;
		if ((int64_t)lr.offset <= skip) {
			tot->skipped++;
			continue;
		}
		if (import_id == 0 && import_record(st, &import_id, f->path, head_hex,
		    lr.offset, lr.hash, lines) != SQLITE_OK)
			goto fail_sql;
		meta.import_id = import_id;
		ingest_prepare_ctx(cfg, &ctx, line, len, ref_us, cfg->import_year,
		    (flags & LR_F_TRUNCATED) ? INGEST_F_TRUNCATED : 0, scratch, &row);
		if (store_insert_message(st, &meta, &row, &msg_id) != SQLITE_OK ||
		    resolve_message(res, msg_id, &row, &src, ds) != SQLITE_OK)
			goto fail_sql;
		tot->stored++;
		if (row.hdr.hostname.len > 0 && row.device_us != INT64_MIN) {
			int64_t have;
			const char *h = row.raw + row.hdr.hostname.off;
			if (!strmap_get(&tot->hostclock, h, row.hdr.hostname.len, &have) ||
			    row.device_us > have)
				strmap_put(&tot->hostclock, h, row.hdr.hostname.len,
				    row.device_us);
		}
		tot->unparsed += row.status != INGEST_OK;
		stored_here++;
		ok_here += row.status == INGEST_OK;
		tot->truncated += (row.flags & INGEST_F_TRUNCATED) != 0;
		if (++batch >= (uint64_t)cfg->batch_rows) {
			if (import_record(st, &import_id, f->path, head_hex, lr.offset,
			    lr.hash, lines) != SQLITE_OK || resolve_flush(res) != SQLITE_OK ||
			    store_commit(st) != SQLITE_OK ||
			    store_begin(st) != SQLITE_OK)
				goto fail_sql;
			batch = 0;
		}
		if (tty && lines % 4096 == 0 && util_mono_us() - last_progress > 500000) {
			last_progress = util_mono_us();
			import_progress(tot, f, &lr, lines);
		}
	}
	if (r < 0) {
		log_warnx("import %s: read error: %s", f->path, lr.errmsg);
		store_rollback(st);
		resolve_reset(res);
		goto out;
	}
	if (import_id != 0 && import_record(st, &import_id, f->path, head_hex,
	    lr.offset, lr.hash, lines) != SQLITE_OK)
		goto fail_sql;
	if (resolve_flush(res) != SQLITE_OK || store_commit(st) != SQLITE_OK)
		goto fail_sql;
	if (tty && last_progress != 0)
		fprintf(stderr, "\r\033[K");
	if (lr.cut) {
		log_warnx("import: %s: the gzip data ends early (a truncated file): "
		    "imported the %llu lines before the cut", f->path,
		    (unsigned long long)lines);
		goto out;       /* what was read is committed; the import fails */
	}
	/* A whole file without one header we understand is the wrong file
	 * or a format we do not know: say so (issue #13), --strict fails. */
	if (stored_here > 0 && ok_here == 0) {
		fprintf(stderr, "import: %s: no syslog header understood in any of "
		    "its %llu stored lines\n", f->path,
		    (unsigned long long)stored_here);
		tot->headerless_files++;
	}
	rc = 0;
	goto out;
fail_sql:
	log_warnx("import %s: database: %s", f->path, db_errmsg(store_dbh(st)));
	store_rollback(st);
	resolve_reset(res);
out:
	free(scratch);
	lr_close(&lr);
	return rc;
}

/* A tunnel given DPD lines (no events row): the pass looks at it. */
static void
import_note_trail(void *arg, int64_t tunnel_id, int64_t us)
{
	corr_note_trail(arg, tunnel_id, us);
}

/* The final correlator pass, every host's newest line (of any program)
 * given as its device's clock first, and the tunnels that were given DPD
 * lines (which no events row shows it).  Returns SQLITE_OK or an error. */
static int
import_correlate(struct corr *corr, struct resolver *res, const struct strmap *clocks)
{
	size_t i;

	resolve_trail_touched(res, import_note_trail, corr);
	for (i = 0; i < clocks->cap; i++)
		if (clocks->slots[i].key != NULL)
			corr_note_clock(corr, clocks->slots[i].key, clocks->slots[i].klen,
			    clocks->slots[i].value);
	return corr_run(corr, util_now_us(), 1);
}

int
import_run(const struct config *cfg, int nfiles, char **paths)
{
	struct import_file *files = NULL;
	struct import_totals tot = { 0 };
	struct store *st = NULL;
	struct resolver *res = NULL;
	struct domain_scratch *ds = NULL;
	struct tzs *tzs = NULL;
	struct dblock lock = { -1 };
	char err[512];
	long holder;
	int i, j, stdin_fd = -1, rc = 1, ngroups = 0;

	if (nfiles <= 0) {
		fprintf(stderr, "usage: tunnelwatch import [--db PATH] [--year YYYY] FILE...\n");
		return 2;
	}
	if ((files = calloc((size_t)nfiles, sizeof *files)) == NULL)
		return 1;
	strmap_init(&tot.hostclock, 1u << 16);
	for (i = 0; i < nfiles; i++) {
		files[i].path = paths[i];
		import_split_name(&files[i]);
		files[i].group = -1;
		for (j = 0; j < i; j++)
			if (strcmp(files[j].base, files[i].base) == 0)
				files[i].group = files[j].group;
		if (files[i].group < 0)
			files[i].group = ngroups++;
		if (strcmp(paths[i], "-") == 0 && stdin_fd < 0 &&
		    (stdin_fd = import_spool_stdin()) < 0) {
			log_error("import: reading stdin");
			goto out;
		}
	}
	qsort(files, (size_t)nfiles, sizeof *files, import_file_cmp);
	for (i = 0; i < nfiles; i++) {
		if (import_probe(&files[i], stdin_fd) != 0) {
			files[i].refused = 1;
			tot.files_failed++;
			continue;
		}
		tot.bytes_total += files[i].size;
		tot.nfiles++;
	}
	if (tot.files_failed == (uint64_t)nfiles) {
		log_errorx("import: no file could be read; the database was not touched");
		goto out;
	}
	if (!db_target_is_postgres(cfg->db_path) &&
	    dblock_take(&lock, cfg->db_path, "import", &holder, err, sizeof err) != 0) {
		log_errorx("%s; import while it runs would write beside its correlator, "
		    "which keeps the tunnels' state in memory: stop it, import, start it "
		    "again (docs/operations.md)", err);
		goto out;
	}
	if (store_open(cfg->db_path, 0, &st, err, sizeof err) != 0) {
		log_errorx("database: %s", err);
		goto out;
	}
	if (store_lock_writer(st, "import", err, sizeof err) != 0) {
		log_errorx("%s; import while it runs would write beside its correlator, "
		    "which keeps the tunnels' state in memory: stop it, import, start it "
		    "again (docs/operations.md)", err);
		goto out;
	}
	/* One arrival-order table for the whole run: files go oldest first. */
	if (resolve_open(st, &res, err, sizeof err) != 0 ||
	    (ds = domain_scratch_new()) == NULL || (tzs = tzs_new()) == NULL) {
		log_errorx("database: %s", err);
		goto out;
	}
	rc = tot.files_failed > 0;
	tot.started_us = util_mono_us();
	for (i = 0; i < nfiles; i++) {
		if (files[i].refused)
			continue;
		tot.file_no++;
		if (import_one(cfg, st, res, ds, tzs, &files[i], stdin_fd, &tot) != 0) {
			tot.files_failed++;
			rc = 1;
		}
		tot.bytes_before += files[i].size;
	}
	if (tot.stored > 0 || tot.files_failed == 0) {
		struct corr *corr = NULL;
		struct corr_stats cs;
		int crc;
		if (corr_open(cfg, st, &corr, err, sizeof err) != 0) {
			log_errorx("correlator: %s", err);
			rc = 1;
		} else if ((crc = import_correlate(corr, res, &tot.hostclock)) != SQLITE_OK) {
			log_errorx("correlator: %s", sqlite3_errstr(crc));
			rc = 1;
		} else {
			corr_get_stats(corr, &cs);
			fprintf(stderr, "correlate: %llu events on %llu tunnels, %llu incidents "
			    "opened, %llu closed\n", (unsigned long long)cs.events,
			    (unsigned long long)cs.tunnels,
			    (unsigned long long)cs.incidents_opened,
			    (unsigned long long)cs.incidents_closed);
			if (cs.rederived > 0)
				fprintf(stderr, "correlate: %llu tunnel(s) derived again: "
				    "lines older than what was already correlated\n",
				    (unsigned long long)cs.rederived);
		}
		corr_free(corr);
	}
	fprintf(stderr, "import: %d file(s): read %llu lines, stored %llu, unparsed %llu, "
	    "truncated %llu, skipped %llu as already imported%s\n", nfiles,
	    (unsigned long long)tot.read, (unsigned long long)tot.stored,
	    (unsigned long long)tot.unparsed, (unsigned long long)tot.truncated,
	    (unsigned long long)tot.skipped, tot.files_failed ? "; some files failed" : "");
	if (tot.headerless_files > 0 && cfg->import_strict) {
		fprintf(stderr, "import: --strict: %llu file(s) without a syslog "
		    "header understood\n", (unsigned long long)tot.headerless_files);
		rc = 1;
	}
out:
	strmap_free(&tot.hostclock);
	resolve_free(res);
	domain_scratch_free(ds);
	tzs_free(tzs);
	store_close(st);
	dblock_release(&lock);
	if (stdin_fd >= 0)
		close(stdin_fd);
	free(files);
	return rc;
}
