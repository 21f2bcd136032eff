/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for conf_rule.c: every rule, header and forwarding option
 * refused with its file:line and reason when wrong (server and return
 * both or neither, location with a status that is not a redirect, a
 * redirect without one, header values with CR or LF, bad networks, hosts,
 * methods, enums), and what a good configuration builds.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-t.h"
#include "conf.h"

static struct generation *
load(const char *body, char **errs)
{
	char text[4096];
	size_t len = 0;
	FILE *f = open_memstream(errs, &len);
	struct generation *g;

	/* line 1 is "virtual web {", so body starts at line 4 */
	snprintf(text, sizeof(text), "virtual web {\n"
	    "    scheduler = \"http\"\n"
	    "    server \"127.0.0.1:18081\" { }\n%s\n}\n", body);
	g = conf_load_buf("r.conf", text, f);
	fclose(f);
	return g;
}

static const struct {
	const char	*body;
	int		 line;
	const char	*words;
} bad[] = {
	{ "rule { pattern = \"/\"\n server = \"127.0.0.1:18081\"\n"
	    " return = 403 }", 4, "rule has both server and return" },
	{ "rule { pattern = \"/\" }", 4, "rule has no server, expected "
	    "server = \"host:port\" or a list, or return = STATUS" },
	{ "rule { host = \"a\"\n return = 403\n location = \"/x\" }", 6,
	    "location is only for return 301, 302, 303, 307 or 308" },
	{ "\n rule { host = \"a\" return = 301 }", 5, "return 301 without "
	    "location, expected location = \"URL\"" },
	{ "rule { return = 302 location = \"/x\" body = \"b\" }", 4,
	    "body is only for a return status that is not a redirect" },
	{ "rule { return = 99 }", 4, "return 99: expected a status from 200 "
	    "to 599" },
	{ "rule { return = 301 location = \"/a\\r\\nSet-Cookie: x\" }", 4,
	    "location '/a" },
	{ "request_header_set = \"X-A: 1\\r\\nX-B: 2\"", 4,
	    "a value may not hold CR or LF" },
	{ "\n\nresponse_header_add = \"X-A: 1\\nX-B: 2\"", 6,
	    "a value may not hold CR or LF" },
	{ "response_header_set = \"NoColon\"", 4, "expected \"Name: value\"" },
	{ "request_header_del = \"X Y\"", 4, "expected a field name" },
	{ "request_header_del = \"Content-Length\"", 4,
	    "tcpvsd sets this field itself" },
	{ "response_header_set = \"connection: close\"", 4,
	    "tcpvsd sets this field itself" },
	{ "rule { source = \"10.0.0.0/40\" return = 403 }", 4,
	    "source '10.0.0.0/40': expected an address or a network" },
	{ "trusted_proxies = {\"::1\", \"nope\"}", 4,
	    "trusted_proxies 'nope': expected an address or a network" },
	{ "rule { host = \"*example.com\" return = 403 }", 4,
	    "host '*example.com': expected *.domain" },
	{ "rule { host = \"a b\" return = 403 }", 4, "host 'a b': expected a "
	    "host name, *.domain or ~regex" },
	{ "rule { host = \"~(\" return = 403 }", 4, "invalid host '(': "
	    "missing closing parenthesis" },
	{ "rule { header = \"X-A\" return = 403 }", 4,
	    "header 'X-A': expected \"Name: regex\"" },
	{ "rule { cookie = \"s: [\" return = 403 }", 4, "invalid cookie '[':" },
	{ "rule { method = \"GE T\" return = 403 }", 4, "method 'GE T': "
	    "expected a method" },
	{ "rule { query = \"(\" return = 403 }", 4, "invalid query '('" },
	{ "forwarded = \"x-forwarded\"", 4, "forwarded 'x-forwarded': expected "
	    "xff, rfc7239, both or none" },
	{ "accept_proxy = true", 4, "accept_proxy without trusted_proxies" },
	{ "server \"127.0.0.1:18082\" { send_proxy = \"v3\" }", 4,
	    "send_proxy 'v3': expected none, v1 or v2" },
};

START_TEST(test_bad)
{
	char *errs = NULL, prefix[64];
	struct generation *g = load(bad[_i].body, &errs);

	ck_assert_msg(g == NULL, "case %d accepted", _i);
	snprintf(prefix, sizeof(prefix), "r.conf:%d: ", bad[_i].line);
	ck_assert_msg(strncmp(errs, prefix, strlen(prefix)) == 0,
	    "case %d: expected '%s', got '%s'", _i, prefix, errs);
	ck_assert_msg(strstr(errs, bad[_i].words) != NULL,
	    "case %d: '%s' not in '%s'", _i, bad[_i].words, errs);
	free(errs);
}
END_TEST

START_TEST(test_good)
{
	char *errs = NULL;
	struct generation *g = load(
	    "forwarded = \"rfc7239\"\n"
	    "trusted_proxies = {\"10.0.0.0/8\", \"::1\"}\n"
	    "response_header_del = {\"Server\", \"X-Powered-By\"}\n"
	    "response_header_set = \"Strict-Transport-Security: max-age=1\"\n"
	    "rule { host = {\"a.test\", \"*.b.test\", \"~^c\"} return = 301 "
	    "location = \"https://$host$target\" }\n"
	    "rule { method = \"GET\" request_header_add = \"X-R: 1\" "
	    "server = \"127.0.0.1:18081\" }\n", &errs);
	const struct service *s;

	ck_assert_msg(g != NULL, "rejected: %s", errs);
	s = &g->svc[0];
	ck_assert_int_eq(s->forwarded, FWD_RFC7239);
	ck_assert_uint_eq(s->ntrusted, 2);
	ck_assert_uint_eq(s->resp_edits.n, 3);
	ck_assert_int_eq(s->resp_edits.e[0].op, HDR_DEL);
	ck_assert_str_eq(s->resp_edits.e[0].name, "Server");
	ck_assert_str_eq(s->resp_edits.e[1].name, "X-Powered-By");
	ck_assert_int_eq(s->resp_edits.e[2].op, HDR_SET);
	ck_assert_str_eq(s->resp_edits.e[2].name, "Strict-Transport-Security");
	ck_assert_str_eq(s->resp_edits.e[2].value, "max-age=1");
	ck_assert_uint_eq(s->nrules, 2);
	ck_assert_int_eq(s->rules[0].hosts[0].kind, RULE_HOST_EXACT);
	ck_assert_int_eq(s->rules[0].hosts[1].kind, RULE_HOST_WILDCARD);
	ck_assert_str_eq(s->rules[0].hosts[1].name, ".b.test");
	ck_assert_int_eq(s->rules[0].hosts[2].kind, RULE_HOST_REGEX);
	ck_assert_int_eq(s->rules[0].ret, 301);
	ck_assert_uint_eq(s->rules[0].servers, 0);
	ck_assert_uint_eq(s->rules[1].servers, 1);
	ck_assert_uint_eq(s->rules[1].req_edits.n, 1);
	ck_assert_int_eq(s->rules[1].req_edits.e[0].op, HDR_ADD);
	conf_free(g);
	free(errs);
}
END_TEST

static Suite *
conf_rule_suite(void)
{
	Suite *s = suite_create("conf_rule");
	TCase *tc = tcase_create("load");

	tcase_add_loop_test(tc, test_bad, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_good);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conf_rule_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
