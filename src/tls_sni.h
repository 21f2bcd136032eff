/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * SNI selection: which of a service's certificates answers a client's
 * server name.  Pure (no OpenSSL, no I/O): the master adds the DNS names
 * of each certificate at load, a worker looks a name up during the
 * handshake without allocating.
 */
#ifndef TCPVS_TLS_SNI_H
#define TCPVS_TLS_SNI_H

#include <stddef.h>

#define TLS_SNI_NAME_MAX	254	/* a DNS name, NUL included */

struct tls_sni_entry {
	char		 name[TLS_SNI_NAME_MAX];	/* lower case; "*.x.y" */
	unsigned	 cert;		/* index of the certificate */
};

struct tls_sni {
	struct tls_sni_entry	*e;	/* sorted by name after tls_sni_done */
	size_t			 n;
	size_t			 cap;
};

/*
 * A certificate's DNS name (subjectAltName dNSName, or its CN) written
 * the way lookups compare it: lower case, no trailing dot.  A wildcard is
 * "*." followed by a name of at least two labels ("*.example.com"; not
 * "*.com", "a*.b.c" nor "*.*.c").  Returns 0, or -1 with the reason in
 * why.
 */
int	 tls_sni_name(const char *name, size_t len, char *out, size_t outlen,
	    const char **why);
/*
 * Add a certificate's name (as tls_sni_name takes it).  A name an earlier
 * certificate has already is left to that one.  Returns 0, or -1 with the
 * reason in why (an invalid name: the caller skips it).
 */
int	 tls_sni_add(struct tls_sni *, const char *name, size_t len,
	    unsigned cert, const char **why);
/* after the last add: sort for lookups */
void	 tls_sni_done(struct tls_sni *);
/*
 * The certificate for a client's server name (not NUL-terminated, len
 * bytes): an exact name, else a wildcard for its parent (one label), else
 * 0, the default.  name NULL (no SNI) is the default too.
 */
unsigned tls_sni_lookup(const struct tls_sni *, const char *name,
	    size_t len);
void	 tls_sni_free(struct tls_sni *);

#endif /* TCPVS_TLS_SNI_H */
