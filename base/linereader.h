/*
 * linereader.h — reading log files line by line: plain or gzip (zlib reads
 * both transparently), with a bounded line length.
 *
 * A line longer than max_line is returned cut to max_line and flagged; the
 * rest of it, up to the newline, is skipped.  The reader keeps the running
 * byte offset and an FNV-1a 64 hash of everything consumed, which `import`
 * uses to recognise what it has imported before.
 */
#ifndef TW_LINEREADER_H
#define TW_LINEREADER_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

struct linereader {
	gzFile gz;
	char *buf;
	size_t cap, start, end;
	size_t max_line;
	uint64_t offset;          /* bytes consumed, newlines included */
	uint64_t hash;            /* FNV-1a 64 of those bytes */
	int eof, error;
	int skipping;             /* inside the tail of an over-long line */
	int cut;                  /* a gzip stream ended before its trailer (truncated) */
	char errmsg[128];
};

#define LR_F_TRUNCATED 0x01

/* fd is owned by the reader from here on.  Returns 0 or -1. */
int lr_open_fd(struct linereader *lr, int fd, size_t max_line);
int lr_open(struct linereader *lr, const char *path, size_t max_line);
/* Next line without its newline (and without a trailing CR).  Returns 1 and
 * sets *line, *len, *flags; 0 at end of input; -1 on a read error. */
int lr_next(struct linereader *lr, const char **line, size_t *len, int *flags);
void lr_close(struct linereader *lr);

/* Compressed bytes read so far (the file's offset; == offset for plain files). */
uint64_t lr_raw_offset(struct linereader *lr);

uint64_t lr_fnv1a(uint64_t h, const void *p, size_t n);
#define LR_FNV_INIT 0xcbf29ce484222325ULL

#endif
