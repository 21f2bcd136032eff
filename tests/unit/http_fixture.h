/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Helpers shared by the HTTP Check suites: a span as a C string, and a
 * copy of test input in a buffer of exactly its size, so AddressSanitizer
 * catches a parser that reads one byte past what it was given.
 */
#ifndef TCPVS_HTTP_FIXTURE_H
#define TCPVS_HTTP_FIXTURE_H

#include <stddef.h>

struct http_span;

/* buf's span s as a C string (four rotating static buffers) */
const char	*sp(const char *buf, struct http_span s);
/* a malloc'd copy of s[0..len) of exactly len bytes (1 when len is 0) */
char		*exact_copy(const char *s, size_t len);

#endif /* TCPVS_HTTP_FIXTURE_H */
