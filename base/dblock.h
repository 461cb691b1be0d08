/*
 * dblock.h — one writing process per database: `serve` and `import` hold
 * an exclusive flock(2) on DB.lock (beside the database) while they run,
 * and write their PID and command into it.  A second writer is refused
 * with a message naming the holder (docs/operations.md, "One writer per
 * database").  The kernel drops the lock when the holder exits, however it
 * exits, so a stale file never blocks anything; the file is left in place
 * (unlinking a lock file races with the next opener).
 */
#ifndef TW_DBLOCK_H
#define TW_DBLOCK_H

#include <stddef.h>

struct dblock {
	int fd;                 /* -1: not held */
};

/*
 * Takes the lock of db_path for command ("serve", "import").  Returns 0
 * (held; or not lockable because the folder cannot hold the lock file,
 * which opening the database will then report), or -1 when another
 * process holds it: err says which ("... in use by tunnelwatch serve
 * (pid 1234)") and *holder_pid is its PID (0 if unknown).
 */
int dblock_take(struct dblock *l, const char *db_path, const char *command,
    long *holder_pid, char *err, size_t errsz);
void dblock_release(struct dblock *l);

#endif
