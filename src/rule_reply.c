/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The answers rules give themselves (return = STATUS), as nginx's return
 * does: a redirect with its Location built from the request ($host,
 * $path, $query, $target), or a fixed status with a short body.  Pure:
 * the caller's buffer, no allocation.  The values substituted come from
 * a head http.c parsed, which holds no CR, LF or NUL, and the template
 * was refused at load if it held one: the Location is always a valid
 * field.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conf-t.h"
#include "rule.h"

/* the variable at s ("$host" ...): its span in ctx, or 0 when none */
static size_t
variable(const char *s, const struct rule_ctx *ctx, struct http_span *v)
{
	static const char *const names[] = { "host", "path", "query",
	    "target" };
	const struct http_span spans[] = { ctx->host, ctx->path, ctx->query,
	    ctx->target };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(s + 1, names[i], strlen(names[i])) == 0) {
			*v = spans[i];
			return strlen(names[i]) + 1;
		}
	return 0;
}

static void
put_location(struct http_out *o, const char *tpl, const struct rule_ctx *ctx)
{
	struct http_span v;
	size_t n;

	while (*tpl != '\0') {
		const char *d = strchr(tpl, '$');

		if (d == NULL) {
			http_out_str(o, tpl);
			return;
		}
		http_out_put(o, tpl, (size_t)(d - tpl));
		if ((n = variable(d, ctx, &v)) == 0) {
			http_out_put(o, "$", 1);
			tpl = d + 1;
			continue;
		}
		if (ctx->buf != NULL)
			http_out_put(o, ctx->buf + v.off, v.len);
		tpl = d + n;
	}
}

long
rule_location(const struct rule *r, const struct rule_ctx *ctx, char *out,
    size_t outlen)
{
	struct http_out o = { out, 0, outlen, 0 };

	if (r->location != NULL)
		put_location(&o, r->location, ctx);
	http_out_put(&o, "", 1);
	return o.full ? -1 : (long)o.len - 1;
}

const char *
rule_body(const struct rule *r, char *tmp, size_t tmplen, size_t *len)
{
	const char *b;

	if (r->ret == 204 || r->ret == 304 || r->location != NULL)
		b = "";
	else if (r->body != NULL)
		b = r->body;
	else {
		snprintf(tmp, tmplen, "%d %s\n", r->ret,
		    http_status_text(r->ret));
		b = tmp;
	}
	*len = strlen(b);
	return b;
}

long
rule_reply(const struct rule *r, const struct rule_ctx *ctx,
    const char *conn, bool head_only, char *out, size_t outlen)
{
	struct http_out o = { out, 0, outlen, 0 };
	bool nobody = r->ret == 204 || r->ret == 304;
	char line[64], tmp[128];
	const char *b;
	size_t blen;

	snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", r->ret,
	    http_status_text(r->ret));
	http_out_str(&o, line);
	if (r->location != NULL) {
		http_out_str(&o, "Location: ");
		put_location(&o, r->location, ctx);
		http_out_put(&o, "\r\n", 2);
	}
	b = rule_body(r, tmp, sizeof(tmp), &blen);
	if (!nobody) {
		snprintf(line, sizeof(line), "Content-Length: %zu\r\n", blen);
		if (blen > 0)
			http_out_str(&o, "Content-Type: text/plain\r\n");
		http_out_str(&o, line);
	}
	if (conn != NULL) {
		http_out_str(&o, "Connection: ");
		http_out_str(&o, conn);
		http_out_put(&o, "\r\n", 2);
	}
	http_out_put(&o, "\r\n", 2);
	if (!head_only)
		http_out_put(&o, b, blen);
	return o.full ? -1 : (long)o.len;
}
