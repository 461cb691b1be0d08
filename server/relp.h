/*
 * relp.h — RELP listeners (`serve --relp HOST:PORT`): rsyslog's omrelp,
 * with application-level acknowledgements (docs/operations.md, "RELP").
 *
 * librelp (rsyslog's own library, Debian's librelp0) runs the protocol on
 * its own thread, tw-relp (relpEngineRun blocks).  Its syslog callback
 * hands each frame to the pipeline as a TCP frame would be: the sender
 * must be inside tcp_allow; a frame longer than max_frame is cut (librelp
 * truncates it, the rest of the frame is skipped) and flagged; a range
 * bound to hosts (CIDR=HOST) binds the frame's identity; resends of
 * frames already taken are dropped (relp_dedup.h).  It is then handed to
 * server_enqueue and server_flush (server.h: the queue's producer lock,
 * then the chunk appended to the disk spool), waiting while the queue or
 * the spool is full, and only then does the callback return — and librelp
 * sends "200 OK" only after its callback returns.  So a frame is
 * acknowledged once it is in the spool: the ack point is relp_take().
 *
 * librelp 1.11 (Debian 12) acknowledges every frame whose callback
 * returned, whatever the callback returns (src/scsyslog.c: "the callbacks
 * are called without checking the return code"), so a frame can be
 * refused only by being acknowledged and dropped (counted in
 * relp_refused, logged): a frame from outside tcp_allow, an unreadable
 * peer address.  A full queue is never a refusal: the callback waits, the
 * sender's window fills, and omrelp holds its lines (backpressure).
 *
 * Per-sender rate limits (sender_rate_limit) do not apply to RELP: the
 * librelp thread cannot use the loop's rate table; the queue's bounds do.
 * TLS over RELP is not offered (plain RELP; use the TLS listener, or a
 * tunnel, across untrusted networks).
 *
 * Threads: relp_open, relp_note_stored, relp_run and relp_close run on
 * the loop thread (before the loop, after it); everything else on tw-relp.
 */
#ifndef TW_RELP_H
#define TW_RELP_H

#include "config.h"
#include "counters.h"
#include "msgqueue.h"

#include <stddef.h>
#include <sys/socket.h>

struct relp;
struct server;

/*
 * Binds every listener of cfg->relp (before root is dropped); nothing is
 * read before relp_run().  Returns 0, or -1 with err filled.  The server
 * must outlive relp_close().
 */
int relp_open(const struct config *cfg, struct server *srv, struct counters *ctr,
    struct relp **out, char *err, size_t errsz);

/* A frame stored earlier from sa (oldest first): the resend comparison's
 * tail after a restart (relp_dedup.h).  Before relp_run() only. */
void relp_note_stored(struct relp *r, const struct sockaddr *sa, const char *data,
    size_t len);

/* Starts the tw-relp thread.  0, or -1 (logged). */
int relp_run(struct relp *r);

/*
 * Stops the thread (a frame being taken is finished first: the writer
 * keeps draining until the queue is closed, after this), closes the
 * listeners and sessions and frees.  Frames read but not taken are not
 * acknowledged: omrelp sends them again.  NULL is fine.
 */
void relp_close(struct relp *r);

#endif
