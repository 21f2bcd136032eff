/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * libFuzzer target for the rule conditions and what follows a match
 * (rule.c, rule_reply.c, route.c, header.c, forwarded.c): each input is a
 * request head, matched against a fixed service whose rules use every
 * condition; a match index is a rule of the service; a return rule's
 * answer holds one status line and one empty line; the head built for a
 * server parses again as a request with the same method, origin-form
 * target and one Host, and carries the forwarding fields the service
 * asks for.
 */
#include "config.h"

#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "conf-t.h"
#include "conf.h"
#include "fuzz.h"
#include "http.h"
#include "route.h"

static const char conf_text[] =
	"virtual web {\n"
	"  scheduler = \"http\"\n"
	"  forwarded = \"both\"\n"
	"  trusted_proxies = \"10.0.0.0/8\"\n"
	"  request_header_set = \"X-Env: fuzz\"\n"
	"  response_header_del = \"Server\"\n"
	"  server \"127.0.0.1:18081\" { }\n"
	"  rule { host = \"old.test\" return = 301 "
	"location = \"https://$host$target?$query$path\" }\n"
	"  rule { pattern = \"^/deny\" return = 403 }\n"
	"  rule { host = {\"a.test\", \"*.b.test\", \"~^c[0-9]+\"} "
	"method = {\"GET\", \"POST\"} server = \"127.0.0.1:18081\" }\n"
	"  rule { header = \"X-K: ^k\" cookie = \"s: ^1$\" "
	"server = \"127.0.0.1:18081\" }\n"
	"  rule { source = {\"10.0.0.0/8\", \"::1\"} query = \"a=1\" "
	"request_header_del = \"Cookie\" server = \"127.0.0.1:18081\" }\n"
	"  rule { server = \"127.0.0.1:18081\" }\n"
	"}\n";

static struct generation *gen;
static struct http_req req, again;
static char out[65536];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct http_limits lim = { 8192, 16384, 100 };
	static const struct http_limits roomy = { 65536, 65536,
	    HTTP_MAX_HEADERS };
	struct sockaddr_in client = { .sin_family = AF_INET };
	const char *buf = (const char *)data;
	struct route rt;
	long n;

	if (gen == NULL && (gen = conf_load_buf("fuzz", conf_text, stderr)) ==
	    NULL)
		abort();
	if (http_parse_request(buf, size, &lim, &req) != HTTP_OK)
		return 0;
	client.sin_addr.s_addr = htonl(size & 1 ? 0x0a000001 : 0xc0000201);
	route_request(&rt, &gen->svc[0], &req, buf,
	    (const struct sockaddr *)&client);
	FUZZ_CHECK(rt.rule == NULL || (rt.rule >= gen->svc[0].rules &&
	    rt.rule < gen->svc[0].rules + gen->svc[0].nrules));
	if (route_answers(&rt)) {
		n = route_answer(&rt, "close", out, sizeof(out));
		FUZZ_CHECK(n > 0);
		FUZZ_CHECK(memcmp(out, "HTTP/1.1 ", 9) == 0);
		FUZZ_CHECK(memmem(out, (size_t)n, "\r\n\r\n", 4) != NULL);
		return 0;
	}
	n = route_upstream(&rt, "close", out, sizeof(out));
	if (n < 0)
		return 0;
	FUZZ_CHECK(http_parse_request(out, (size_t)n, &roomy, &again) ==
	    HTTP_OK);
	FUZZ_CHECK(again.head_len == (size_t)n);
	FUZZ_CHECK(!(again.flags & HTTP_F_ABSOLUTE));
	FUZZ_CHECK(again.method.len == req.method.len && memcmp(out +
	    again.method.off, buf + req.method.off, req.method.len) == 0);
	FUZZ_CHECK(http_find_header(&again, out, "X-Forwarded-For") != NULL);
	FUZZ_CHECK(http_find_header(&again, out, "Forwarded") != NULL);
	return 0;
}
