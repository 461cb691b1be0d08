/*
 * tls.c — OpenSSL behind memory BIOs (see tls.h).
 *
 * Policy: TLS 1.2 and 1.3 only; TLS 1.2 ciphers from tls_ciphers (forward
 * secret AEAD by default), TLS 1.3 suites from tls_ciphersuites (OpenSSL's
 * defaults, all AEAD); no compression, no renegotiation, the server's
 * cipher order.  Client certificates per tls_client_auth: none (not
 * asked), optional (asked; one that does not verify fails the handshake),
 * required (no certificate fails it).
 */
#include "tls.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define TLS_SID_CTX "tunnelwatch"

struct tls_ctx {
	const struct config *cfg;
	SSL_CTX *ssl;
	struct ident_map *map;
	char describe[320];
};

struct tls_conn {
	struct tls_ctx *t;
	SSL *ssl;
	BIO *rbio, *wbio;       /* owned by ssl */
	int fed;                /* bytes were fed already */
	/* Where the fed bytes stand in TLS's record framing (5-byte header,
	 * then the length it gives), only to tell at the end whether the
	 * peer left in the middle of a record: OpenSSL does the parsing. */
	size_t hdr_have, rec_left;
	unsigned char hdr[5];
};

/* OpenSSL's error queue as one line, cleared. */
static void
tls_errstr(char *out, size_t cap, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e == 0)
		snprintf(out, cap, "%s", what);
	else {
		ERR_error_string_n(e, buf, sizeof buf);
		snprintf(out, cap, "%s: %s", what, buf);
	}
	ERR_clear_error();
}

/* fopen() first: "No such file" and "Permission denied" say more than
 * OpenSSL's PEM errors. */
static int
tls_readable(const char *what, const char *path, char *err, size_t errsz)
{
	FILE *f;

	if (path[0] == '\0') {
		snprintf(err, errsz, "%s: no file given", what);
		return -1;
	}
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	fclose(f);
	return 0;
}

/* The certificate must be valid now; its end is written to until[]. */
static int
tls_check_dates(X509 *x, const char *path, char *until, size_t usz, char *err, size_t errsz)
{
	const ASN1_TIME *nb = X509_get0_notBefore(x), *na = X509_get0_notAfter(x);
	BIO *b = BIO_new(BIO_s_mem());
	int n;

	until[0] = '\0';
	if (b != NULL) {
		ASN1_TIME_print(b, na);
		n = BIO_read(b, until, (int)usz - 1);
		until[n > 0 ? n : 0] = '\0';
		BIO_free(b);
	}
	if (X509_cmp_current_time(na) < 0) {
		snprintf(err, errsz, "tls_cert %s: expired (%s)", path, until);
		return -1;
	}
	if (X509_cmp_current_time(nb) > 0) {
		snprintf(err, errsz, "tls_cert %s: not valid yet", path);
		return -1;
	}
	return 0;
}

static SSL_CTX *
tls_build(const struct config *cfg, struct ident_map **map, char *describe, size_t dsz,
    char *err, size_t errsz)
{
	SSL_CTX *s = NULL;
	X509 *x;
	char until[64], subj[200];
	int verify = SSL_VERIFY_NONE;

	*map = NULL;
	ERR_clear_error();
	if (tls_readable("tls_cert", cfg->tls_cert, err, errsz) != 0 ||
	    tls_readable("tls_key", cfg->tls_key, err, errsz) != 0)
		return NULL;
	if (strcmp(cfg->tls_client_auth, "none") != 0) {
		if (cfg->tls_ca[0] == '\0') {
			snprintf(err, errsz, "tls_client_auth %s needs tls_ca (the CAs that "
			    "sign client certificates), or tls_client_auth none",
			    cfg->tls_client_auth);
			return NULL;
		}
		if (tls_readable("tls_ca", cfg->tls_ca, err, errsz) != 0)
			return NULL;
	}
	if ((s = SSL_CTX_new(TLS_server_method())) == NULL) {
		tls_errstr(err, errsz, "SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(s, TLS1_2_VERSION);
	SSL_CTX_set_options(s, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
	SSL_CTX_set_mode(s, SSL_MODE_RELEASE_BUFFERS);
	/* No resumption: no TLS 1.3 tickets either.  Besides saving nothing
	 * worth having, unsolicited tickets a client never reads make its
	 * close a reset, which can discard its last frames in our kernel. */
	SSL_CTX_set_num_tickets(s, 0);
	SSL_CTX_set_session_cache_mode(s, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_session_id_context(s, (const unsigned char *)TLS_SID_CTX,
	    sizeof TLS_SID_CTX - 1);
	if (SSL_CTX_set_cipher_list(s, cfg->tls_ciphers) != 1) {
		tls_errstr(err, errsz, "tls_ciphers");
		goto fail;
	}
	if (cfg->tls_ciphersuites[0] != '\0' &&
	    SSL_CTX_set_ciphersuites(s, cfg->tls_ciphersuites) != 1) {
		tls_errstr(err, errsz, "tls_ciphersuites");
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(s, cfg->tls_cert) != 1) {
		tls_errstr(err, errsz, "tls_cert: not a PEM certificate");
		goto fail;
	}
	if ((x = SSL_CTX_get0_certificate(s)) == NULL) {
		snprintf(err, errsz, "tls_cert %s: no certificate", cfg->tls_cert);
		goto fail;
	}
	if (tls_check_dates(x, cfg->tls_cert, until, sizeof until, err, errsz) != 0)
		goto fail;
	if (SSL_CTX_use_PrivateKey_file(s, cfg->tls_key, SSL_FILETYPE_PEM) != 1 &&
	    ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
		tls_errstr(err, errsz, "tls_key: not a PEM private key");
		goto fail;
	}
	if (SSL_CTX_check_private_key(s) != 1) {
		ERR_clear_error();
		snprintf(err, errsz, "tls_key %s is not the key of tls_cert %s", cfg->tls_key,
		    cfg->tls_cert);
		goto fail;
	}
	if (cfg->tls_ca[0] != '\0') {
		STACK_OF(X509_NAME) *names;
		if (SSL_CTX_load_verify_locations(s, cfg->tls_ca, NULL) != 1) {
			tls_errstr(err, errsz, "tls_ca: no PEM certificates");
			goto fail;
		}
		if ((names = SSL_load_client_CA_file(cfg->tls_ca)) != NULL)
			SSL_CTX_set_client_CA_list(s, names);
		ERR_clear_error();
	}
	if (strcmp(cfg->tls_client_auth, "optional") == 0)
		verify = SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE;
	else if (strcmp(cfg->tls_client_auth, "required") == 0)
		verify = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE;
	SSL_CTX_set_verify(s, verify, NULL);
	SSL_CTX_set_verify_depth(s, 8);
	if (cfg->tls_identity_map[0] != '\0' &&
	    (*map = ident_map_load(cfg->tls_identity_map, err, errsz)) == NULL)
		goto fail;
	X509_NAME_oneline(X509_get_subject_name(x), subj, sizeof subj);
	snprintf(describe, dsz, "certificate %s, valid until %s; client certificates %s; "
	    "%d identity map entries", subj, until, cfg->tls_client_auth, ident_map_count(*map));
	return s;
fail:
	SSL_CTX_free(s);
	return NULL;
}

struct tls_ctx *
tls_ctx_new(const struct config *cfg, char *err, size_t errsz)
{
	struct tls_ctx *t = calloc(1, sizeof *t);

	if (t == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	t->cfg = cfg;
	if ((t->ssl = tls_build(cfg, &t->map, t->describe, sizeof t->describe, err,
	    errsz)) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

int
tls_ctx_reload(struct tls_ctx *t, char *err, size_t errsz)
{
	struct ident_map *map;
	char describe[sizeof t->describe];
	SSL_CTX *s = tls_build(t->cfg, &map, describe, sizeof describe, err, errsz);

	if (s == NULL)
		return -1;
	/* Open connections hold their own reference to the old SSL_CTX; the
	 * old map is only read at accept, so it can go now. */
	SSL_CTX_free(t->ssl);
	ident_map_free(t->map);
	t->ssl = s;
	t->map = map;
	memcpy(t->describe, describe, sizeof describe);
	return 0;
}

void
tls_ctx_free(struct tls_ctx *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ssl);
	ident_map_free(t->map);
	free(t);
}

void
tls_ctx_describe(const struct tls_ctx *t, char *out, size_t cap)
{
	snprintf(out, cap, "%s", t->describe);
}

struct tls_conn *
tls_conn_new(struct tls_ctx *t)
{
	struct tls_conn *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	c->t = t;
	if ((c->ssl = SSL_new(t->ssl)) == NULL ||
	    (c->rbio = BIO_new(BIO_s_mem())) == NULL ||
	    (c->wbio = BIO_new(BIO_s_mem())) == NULL) {
		BIO_free(c->rbio);
		BIO_free(c->wbio);
		SSL_free(c->ssl);
		free(c);
		ERR_clear_error();
		return NULL;
	}
	/* An empty read BIO means "want read", not EOF. */
	BIO_set_mem_eof_return(c->rbio, -1);
	BIO_set_mem_eof_return(c->wbio, -1);
	SSL_set_bio(c->ssl, c->rbio, c->wbio);
	SSL_set_accept_state(c->ssl);
	return c;
}

void
tls_conn_free(struct tls_conn *c)
{
	if (c == NULL)
		return;
	SSL_free(c->ssl);
	free(c);
}

static void
tls_track_records(struct tls_conn *c, const unsigned char *p, size_t n)
{
	while (n > 0) {
		if (c->rec_left > 0) {
			size_t k = n < c->rec_left ? n : c->rec_left;
			c->rec_left -= k;
			p += k;
			n -= k;
			continue;
		}
		c->hdr[c->hdr_have++] = *p++;
		n--;
		if (c->hdr_have == sizeof c->hdr) {
			c->rec_left = (size_t)c->hdr[3] << 8 | c->hdr[4];
			c->hdr_have = 0;
		}
	}
}

int
tls_conn_feed(struct tls_conn *c, const char *p, size_t n)
{
	/* A TLS connection starts with a handshake record (type 22). */
	if (!c->fed && n > 0) {
		if ((unsigned char)p[0] != 0x16)
			return -1;
		c->fed = 1;
	}
	tls_track_records(c, (const unsigned char *)p, n);
	while (n > 0) {
		int w = BIO_write(c->rbio, p, n > 65536 ? 65536 : (int)n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Which counter a failed handshake bumps. */
static enum counter_id
tls_classify(struct tls_conn *c, unsigned long e)
{
	long v = SSL_get_verify_result(c->ssl);

	if (ERR_GET_LIB(e) == ERR_LIB_SSL) {
		switch (ERR_GET_REASON(e)) {
		case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
			return CTR_TLS_FAILED_NO_CERT;
		case SSL_R_CERTIFICATE_VERIFY_FAILED:
			if (v == X509_V_ERR_CERT_HAS_EXPIRED || v == X509_V_ERR_CERT_NOT_YET_VALID)
				return CTR_TLS_FAILED_EXPIRED;
			return CTR_TLS_FAILED_UNTRUSTED;
		case SSL_R_WRONG_VERSION_NUMBER:
		case SSL_R_HTTP_REQUEST:
		case SSL_R_HTTPS_PROXY_REQUEST:
		case SSL_R_PACKET_LENGTH_TOO_LONG:
			return CTR_TLS_FAILED_NOT_TLS;
		default:
			break;
		}
	}
	return CTR_TLS_FAILED_PROTOCOL;
}

int
tls_conn_handshake(struct tls_conn *c, enum counter_id *why, char *detail, size_t dsz)
{
	int r, e;
	unsigned long err;

	ERR_clear_error();
	r = SSL_do_handshake(c->ssl);
	if (r == 1)
		return TLS_DONE;
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return TLS_AGAIN;
	err = ERR_peek_last_error();
	*why = tls_classify(c, err);
	if (*why == CTR_TLS_FAILED_EXPIRED || *why == CTR_TLS_FAILED_UNTRUSTED) {
		snprintf(detail, dsz, "client certificate: %s",
		    X509_verify_cert_error_string(SSL_get_verify_result(c->ssl)));
		ERR_clear_error();
	} else {
		tls_errstr(detail, dsz, "handshake");
	}
	return TLS_FAILED;
}

ssize_t
tls_conn_read(struct tls_conn *c, char *buf, size_t cap, char *detail, size_t dsz)
{
	int r, e;

	if (cap == 0)
		return 0;
	ERR_clear_error();
	r = SSL_read(c->ssl, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
	if (r > 0)
		return r;
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	if (e == SSL_ERROR_ZERO_RETURN)
		return -1;
	tls_errstr(detail, dsz, "record");
	return -2;
}

size_t
tls_conn_take_output(struct tls_conn *c, char *out, size_t cap)
{
	int n = BIO_read(c->wbio, out, cap > INT32_MAX ? INT32_MAX : (int)cap);

	return n > 0 ? (size_t)n : 0;
}

size_t
tls_conn_held(struct tls_conn *c)
{
	int pending = SSL_pending(c->ssl);

	return BIO_ctrl_pending(c->rbio) + (pending > 0 ? (size_t)pending : 0);
}

size_t
tls_conn_unread(struct tls_conn *c)
{
	return c->hdr_have + c->rec_left;
}

/* Appends name to list[cap] (comma-separated); -1 when it does not fit. */
static int
tls_list_add(char *list, size_t cap, const char *name, size_t n)
{
	size_t used = strlen(list);

	if (n == 0 || memchr(name, ',', n) != NULL || memchr(name, '\0', n) != NULL)
		return 0;       /* nothing a HOSTNAME could equal */
	if (used + n + 2 > cap)
		return -1;
	if (used > 0)
		list[used++] = ',';
	memcpy(list + used, name, n);
	list[used + n] = '\0';
	return 0;
}

int
tls_conn_identity(struct tls_conn *c, char *peer, char *hosts, size_t cap)
{
	X509 *x = SSL_get0_peer_certificate(c->ssl);
	GENERAL_NAMES *sans;
	char cn[IDENT_PEER_MAX] = "";
	char names[IDENT_MAX] = "";
	int i, n, rc = 0;

	peer[0] = '\0';
	hosts[0] = '\0';
	if (x == NULL)
		return 0;
	n = X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
	if (n > 0) {
		snprintf(peer, IDENT_PEER_MAX, "%s", cn);
		rc |= tls_list_add(names, sizeof names, cn, (size_t)n);
	}
	sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; sans != NULL && i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
		char ip[64];
		if (g->type == GEN_DNS) {
			const char *s = (const char *)ASN1_STRING_get0_data(g->d.dNSName);
			size_t len = (size_t)ASN1_STRING_length(g->d.dNSName);
			rc |= tls_list_add(names, sizeof names, s, len);
			if (peer[0] == '\0' && len < IDENT_PEER_MAX)
				snprintf(peer, IDENT_PEER_MAX, "%.*s", (int)len, s);
		} else if (g->type == GEN_IPADD) {
			int len = ASN1_STRING_length(g->d.iPAddress);
			const unsigned char *a = ASN1_STRING_get0_data(g->d.iPAddress);
			if (len == 4 && inet_ntop(AF_INET, a, ip, sizeof ip) != NULL)
				rc |= tls_list_add(names, sizeof names, ip, strlen(ip));
			else if (len == 16 && inet_ntop(AF_INET6, a, ip, sizeof ip) != NULL)
				rc |= tls_list_add(names, sizeof names, ip, strlen(ip));
		}
	}
	GENERAL_NAMES_free(sans);
	if (rc != 0 || strlen(names) >= cap)
		return -1;
	memcpy(hosts, names, strlen(names) + 1);
	/* The map's additions, for each name the certificate carries. */
	{
		char copy[IDENT_MAX], *tok, *save = NULL;
		memcpy(copy, names, strlen(names) + 1);
		for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
			if (ident_map_append(c->t->map, tok, hosts, cap) != 0)
				return -1;
	}
	return 0;
}

void
tls_conn_describe(struct tls_conn *c, char *out, size_t cap)
{
	snprintf(out, cap, "%s %s", SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl));
}
