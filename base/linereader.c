/*
 * linereader.c — see linereader.h.
 */
#include "linereader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LR_READ  (256 * 1024)

uint64_t
lr_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return h;
}

int
lr_open_fd(struct linereader *lr, int fd, size_t max_line)
{
	memset(lr, 0, sizeof *lr);
	lr->max_line = max_line;
	lr->hash = LR_FNV_INIT;
	lr->cap = max_line + LR_READ + 1;
	if ((lr->buf = malloc(lr->cap)) == NULL) {
		close(fd);
		return -1;
	}
	if ((lr->gz = gzdopen(fd, "rb")) == NULL) {
		free(lr->buf);
		lr->buf = NULL;
		close(fd);
		return -1;
	}
	gzbuffer(lr->gz, 128 * 1024);
	return 0;
}

int
lr_open(struct linereader *lr, const char *path, size_t max_line)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	return lr_open_fd(lr, fd, max_line);
}

/* Refills the buffer, keeping unconsumed bytes.  Returns bytes read. */
static int
lr_fill(struct linereader *lr)
{
	int n;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	if (lr->end >= lr->cap)
		return 0;
	n = gzread(lr->gz, lr->buf + lr->end, (unsigned)(lr->cap - lr->end));
	if (n < 0) {
		int zerr;
		const char *msg = gzerror(lr->gz, &zerr);
		snprintf(lr->errmsg, sizeof lr->errmsg, "%s",
		    zerr == Z_ERRNO ? strerror(errno) : msg);
		lr->error = 1;
		return -1;
	}
	if (n == 0) {
		int zerr = Z_OK;
		lr->eof = 1;
		/* zlib returns what it decompressed and notes the early end. */
		(void)gzerror(lr->gz, &zerr);
		lr->cut = zerr == Z_BUF_ERROR;
	}
	lr->end += (size_t)n;
	return n;
}

static void
lr_consume(struct linereader *lr, size_t n)
{
	lr->hash = lr_fnv1a(lr->hash, lr->buf + lr->start, n);
	lr->offset += n;
	lr->start += n;
}

int
lr_next(struct linereader *lr, const char **line, size_t *len, int *flags)
{
	*flags = 0;
	while (lr->skipping) {
		char *q = lr->buf + lr->start;
		char *e = memchr(q, '\n', lr->end - lr->start);
		if (e != NULL) {
			lr_consume(lr, (size_t)(e - q) + 1);
			lr->skipping = 0;
			break;
		}
		lr_consume(lr, lr->end - lr->start);
		if (lr->eof)
			return 0;
		if (lr_fill(lr) < 0)
			return -1;
	}
	for (;;) {
		size_t avail = lr->end - lr->start;
		size_t scan = avail < lr->max_line + 1 ? avail : lr->max_line + 1;
		char *p = lr->buf + lr->start;
		char *nl = memchr(p, '\n', scan);

		if (nl != NULL) {
			size_t n = (size_t)(nl - p);
			*line = p;
			*len = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
			lr_consume(lr, n + 1);
			return 1;
		}
		if (avail > lr->max_line) {
			/* Over-long: return the head now, skip the rest up to
			 * the newline on the next call (refilling here would
			 * move the bytes we are returning). */
			*line = p;
			*len = lr->max_line;
			*flags = LR_F_TRUNCATED;
			lr_consume(lr, lr->max_line);
			lr->skipping = 1;
			return 1;
		}
		if (lr->eof) {
			if (avail == 0)
				return 0;
			*line = p;
			*len = avail;
			lr_consume(lr, avail);
			return 1;
		}
		if (lr_fill(lr) < 0)
			return -1;
	}
}

uint64_t
lr_raw_offset(struct linereader *lr)
{
	z_off_t o = lr->gz != NULL ? gzoffset(lr->gz) : -1;

	return o >= 0 ? (uint64_t)o : lr->offset;
}

void
lr_close(struct linereader *lr)
{
	if (lr->gz != NULL)
		gzclose(lr->gz);
	free(lr->buf);
	memset(lr, 0, sizeof *lr);
}
