/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Helpers shared by the HTTP Check suites (see http_fixture.h).
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http_fixture.h"

const char *
sp(const char *buf, struct http_span s)
{
	static char out[4][512];
	static int n;
	char *o = out[n++ % 4];

	ck_assert_uint_lt(s.len, sizeof(out[0]));
	memcpy(o, buf + s.off, s.len);
	o[s.len] = '\0';
	return o;
}

char *
exact_copy(const char *s, size_t len)
{
	char *buf = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, s, len);
	return buf;
}
