/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * SNI selection.  The master builds a sorted table of the DNS names of a
 * service's certificates (tls_ctx.c reads them from each certificate);
 * during a handshake the worker's servername callback looks the client's
 * name up here: an exact match first, then a wildcard for its parent
 * domain (one label, RFC 6125 6.4.3), else the first certificate.  Names
 * compare without case.  Pure: no OpenSSL, no I/O; lookups allocate
 * nothing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tls_sni.h"
#include "util.h"

static int
ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_';
}

/* lower-case name (len bytes) into out; 0, or -1 with why */
static int
lower(const char *name, size_t len, char *out, size_t outlen,
    const char **why)
{
	if (len > 0 && name[len - 1] == '.')
		len--;		/* the root: "example.com." */
	if (len == 0) {
		*why = "empty name";
		return -1;
	}
	if (len >= outlen) {
		*why = "name longer than 253 bytes";
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		out[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	out[len] = '\0';
	return 0;
}

/* labels of 1..63 letters, digits, '-' or '_'; the count, or -1 */
static int
labels(const char *s, const char **why)
{
	const char *start = s;
	int n = 0;
	size_t l = 0;

	for (;; s++) {
		if (*s == '.' || *s == '\0') {
			if (l > 0 && (s[-1] == '-' || *start == '-')) {
				*why = "a label starts or ends with '-'";
				return -1;
			}
			if (l == 0 || l > 63) {
				*why = l == 0 ? "empty label" :
				    "label longer than 63 bytes";
				return -1;
			}
			n++;
			l = 0;
			start = s + 1;
			if (*s == '\0')
				return n;
			continue;
		}
		if (!ldh((unsigned char)*s)) {
			*why = *s == '*' ? "a wildcard is only a whole "
			    "leftmost label, as in *.example.com" :
			    "expected letters, digits, '-' and '.'";
			return -1;
		}
		l++;
	}
}

int
tls_sni_name(const char *name, size_t len, char *out, size_t outlen,
    const char **why)
{
	int n;

	if (lower(name, len, out, outlen, why) == -1)
		return -1;
	if (out[0] == '*' && out[1] == '.') {
		if ((n = labels(out + 2, why)) == -1)
			return -1;
		if (n < 2) {
			*why = "a wildcard needs two labels after it, as in "
			    "*.example.com";
			return -1;
		}
		return 0;
	}
	return labels(out, why) == -1 ? -1 : 0;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct tls_sni_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->cert < y->cert ? -1 : x->cert > y->cert;
}

int
tls_sni_add(struct tls_sni *t, const char *name, size_t len, unsigned cert,
    const char **why)
{
	struct tls_sni_entry e;

	if (tls_sni_name(name, len, e.name, sizeof(e.name), why) == -1)
		return -1;
	e.cert = cert;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->e[i].name, e.name) == 0)
			return 0;	/* an earlier certificate's */
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->e = xreallocarray(t->e, t->cap, sizeof(*t->e));
	}
	t->e[t->n++] = e;
	return 0;
}

void
tls_sni_done(struct tls_sni *t)
{
	if (t->n > 1)
		qsort(t->e, t->n, sizeof(*t->e), cmp_entry);
}

static int
find(const struct tls_sni *t, const char *key, unsigned *cert)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, t->e[mid].name);

		if (c == 0) {
			*cert = t->e[mid].cert;
			return 1;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

unsigned
tls_sni_lookup(const struct tls_sni *t, const char *name, size_t len)
{
	char key[TLS_SNI_NAME_MAX + 1];
	const char *why;
	unsigned cert;
	char *dot;

	if (name == NULL || t->n == 0)
		return 0;
	/* key[0] stays free for the '*' of the wildcard */
	if (lower(name, len, key + 1, sizeof(key) - 1, &why) == -1 ||
	    strchr(key + 1, '*') != NULL || strlen(key + 1) != len -
	    (name[len - 1] == '.'))
		return 0;	/* "*" or a NUL in a client's name */
	if (find(t, key + 1, &cert))
		return cert;
	/* "*.example.com" for "www.example.com"; never for "example.com" */
	if ((dot = strchr(key + 1, '.')) == NULL || dot == key + 1)
		return 0;
	dot[-1] = '*';
	if (find(t, dot - 1, &cert))
		return cert;
	return 0;
}

void
tls_sni_free(struct tls_sni *t)
{
	free(t->e);
	t->e = NULL;
	t->n = t->cap = 0;
}
