/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Certificates for the TLS Check suites, made with OpenSSL's API in a
 * temporary directory: a throwaway CA, certificates it signs for given
 * DNS names (ECDSA P-256), and the broken files the loader must refuse.
 */
#ifndef TCPVS_TLS_FIXTURE_H
#define TCPVS_TLS_FIXTURE_H

#include <stddef.h>

struct tlsfx_ca;

/* a directory of its own under $TMPDIR; removed by tlsfx_cleanup */
const char	*tlsfx_dir(void);
void		 tlsfx_cleanup(void);
/* the path of name in that directory (a static buffer per call ring) */
const char	*tlsfx_path(const char *name);

struct tlsfx_ca	*tlsfx_ca_new(const char *cn);
/* the CA's certificate as PEM in file name; returns its path */
const char	*tlsfx_ca_write(const struct tlsfx_ca *, const char *name);
void		 tlsfx_ca_free(struct tlsfx_ca *);

/* what tlsfx_cert writes into the file */
enum tlsfx_kind {
	TLSFX_FULL,		/* certificate, CA, key */
	TLSFX_NO_KEY,		/* certificate and CA only */
	TLSFX_WRONG_KEY,	/* certificate, CA and another key */
	TLSFX_KEY_ONLY		/* the key, no certificate */
};

/*
 * A certificate for cn with the DNS names sans (NULL-terminated, may be
 * NULL: no subjectAltName) signed by ca, into file name; returns its path.
 */
const char	*tlsfx_cert(const struct tlsfx_ca *, const char *name,
		    const char *cn, const char *const *sans,
		    enum tlsfx_kind);

struct ssl_st;

/*
 * Drive both ends of a handshake over the socketpair their SSLs are set
 * on (non-blocking); 0 when both are done, -1 when one failed or it took
 * more than 1,000 rounds.  The client then reads one byte the server
 * writes, so it has the server's session tickets.
 */
int		 tlsfx_handshake(struct ssl_st *client, struct ssl_st *server);

#endif /* TCPVS_TLS_FIXTURE_H */
