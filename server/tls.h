/*
 * tls.h — TLS for the syslog listener (RFC 5425), through OpenSSL.
 *
 * OpenSSL does every byte of TLS; this module only moves bytes between
 * the socket (listener_tcp.c, on the libuv loop) and OpenSSL's memory
 * BIOs, so the loop never blocks and OpenSSL never touches a socket.
 * Nothing above server/ sees an OpenSSL type: the context and the
 * connection are opaque here.
 *
 * The context holds the server certificate, its key, the client CAs and
 * the identity map; tls_ctx_reload() (SIGHUP) builds a new one from the
 * files and swaps it in only when all of it loaded, so a bad file leaves
 * the running certificates in place.  Connections already open keep the
 * context they started with (OpenSSL counts its references).
 *
 * Threads: the loop thread only.
 */
#ifndef TW_TLS_H
#define TW_TLS_H

#include "config.h"
#include "counters.h"
#include "identity.h"

#include <stddef.h>
#include <sys/types.h>

struct tls_ctx;
struct tls_conn;

/*
 * Loads cfg's certificate, key, CAs and identity map.  Returns NULL with
 * err filled for a missing, unreadable, expired or not yet valid
 * certificate, a key that is not the certificate's, a CA file that does
 * not load, a client-auth mode that needs a CA without one, or a cipher
 * list OpenSSL rejects.
 */
struct tls_ctx *tls_ctx_new(const struct config *cfg, char *err, size_t errsz);
/* Loads the files again; on failure the old context stays (err filled, -1). */
int tls_ctx_reload(struct tls_ctx *t, char *err, size_t errsz);
void tls_ctx_free(struct tls_ctx *t);
/* The server certificate's subject and expiry, for the log. */
void tls_ctx_describe(const struct tls_ctx *t, char *out, size_t cap);

enum tls_step {
	TLS_AGAIN = 0,           /* needs more bytes from the peer */
	TLS_DONE = 1,            /* handshake complete */
	TLS_FAILED = -1,         /* close; *why is the counter to bump */
};

struct tls_conn *tls_conn_new(struct tls_ctx *t);
void tls_conn_free(struct tls_conn *c);

/* Hands bytes read from the socket to OpenSSL.  Returns 0, or -1 when the
 * first byte cannot start a TLS handshake (plain syslog, HTTP). */
int tls_conn_feed(struct tls_conn *c, const char *p, size_t n);
/* Runs the handshake on what was fed.  On TLS_FAILED, *why is the
 * CTR_TLS_FAILED_* counter and detail[] says what OpenSSL said. */
int tls_conn_handshake(struct tls_conn *c, enum counter_id *why, char *detail, size_t dsz);
/*
 * Decrypts into buf[cap].  Returns the bytes decrypted (> 0), 0 when it
 * needs more input, -1 when the peer closed the TLS session (close_notify),
 * -2 on an error (detail filled).
 */
ssize_t tls_conn_read(struct tls_conn *c, char *buf, size_t cap, char *detail, size_t dsz);
/* Bytes OpenSSL wants sent to the peer (handshake, alerts, tickets):
 * moves up to cap of them into out; returns how many. */
size_t tls_conn_take_output(struct tls_conn *c, char *out, size_t cap);
/* Bytes fed and not yet taken by tls_conn_read(): ciphertext waiting in
 * the memory BIO plus plaintext OpenSSL decrypted ahead (the connection's
 * share of the buffer budget, listener_tcp.c). */
size_t tls_conn_held(struct tls_conn *c);
/* Bytes still missing from the last record fed (0: it ended on a record
 * boundary); not 0 at EOF means half a record. */
size_t tls_conn_unread(struct tls_conn *c);
/*
 * After the handshake: the peer's name (certificate CN, else its first
 * subjectAltName; "" without a certificate) into peer[IDENT_PEER_MAX], and
 * the hosts it may speak for (every CN and subjectAltName DNS and IP entry,
 * then what the identity map adds) into hosts[cap], comma-separated.
 * Returns -1 when the hosts do not fit.
 */
int tls_conn_identity(struct tls_conn *c, char *peer, char *hosts, size_t cap);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384", for the log. */
void tls_conn_describe(struct tls_conn *c, char *out, size_t cap);

#endif
