/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Rewriting the fields of a head tcpvsd built (http_build_upstream,
 * http_build_response, rule_reply): buf[0..len) is a start line and field
 * lines, each ending in CRLF, then the empty line; cap is the room in
 * buf.  Pure functions, no allocation.  Each returns the new length, or
 * -1 when the head would not fit in cap (buf is then unchanged).
 */
#ifndef TCPVS_HEADER_H
#define TCPVS_HEADER_H

#include <stddef.h>

struct hdr_edits;

/* remove every field named name (without regard to case) */
long		 hdr_del(char *buf, size_t len, const char *name);
/* add "name: value" as the last field */
long		 hdr_add(char *buf, size_t len, size_t cap, const char *name,
		    const char *value);
/* hdr_del, then hdr_add */
long		 hdr_set(char *buf, size_t len, size_t cap, const char *name,
		    const char *value);
/* append ", value" to the last field named name, or add it */
long		 hdr_append(char *buf, size_t len, size_t cap,
		    const char *name, const char *value);
/* the value of the first field named name (*vlen bytes), or NULL */
const char	*hdr_get(const char *buf, size_t len, const char *name,
		    size_t *vlen);
/* the edits in their order (delete, set, add as conf_rule.c sorts them) */
long		 hdr_apply(char *buf, size_t len, size_t cap,
		    const struct hdr_edits *);

#endif /* TCPVS_HEADER_H */
