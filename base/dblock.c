/*
 * dblock.c — the database's writer lock (dblock.h).
 */
#include "dblock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int
dblock_take(struct dblock *l, const char *db_path, const char *command,
    long *holder_pid, char *err, size_t errsz)
{
	char path[4096], text[128];
	ssize_t n;
	int fd;

	l->fd = -1;
	*holder_pid = 0;
	if ((size_t)snprintf(path, sizeof path, "%s.lock", db_path) >= sizeof path)
		return 0;
	/* A lock file another user made (root before it dropped to `user`)
	 * may not be ours to write: a read-only descriptor locks as well. */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0 &&
	    (errno != EACCES || (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0))
		return 0;       /* no folder, read-only: store_open says so */
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		char holder[96] = "another process";
		if (errno == EWOULDBLOCK && (n = pread(fd, text, sizeof text - 1, 0)) > 0) {
			char cmd[32] = "";
			text[n] = '\0';
			if (sscanf(text, "%ld %31s", holder_pid, cmd) >= 1 && *holder_pid > 0)
				snprintf(holder, sizeof holder, "tunnelwatch %s (pid %ld)",
				    cmd[0] != '\0' ? cmd : "", *holder_pid);
		}
		snprintf(err, errsz, "database %s is in use by %s", db_path, holder);
		close(fd);
		return -1;
	}
	n = snprintf(text, sizeof text, "%ld %s\n", (long)getpid(), command);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n) {
		/* The lock holds all the same; only the holder's name is lost. */
	}
	l->fd = fd;
	return 0;
}

void
dblock_release(struct dblock *l)
{
	if (l->fd < 0)
		return;
	if (ftruncate(l->fd, 0) != 0) {
		/* harmless: the next holder rewrites it */
	}
	close(l->fd);
	l->fd = -1;
}
