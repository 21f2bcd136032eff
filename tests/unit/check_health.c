/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for the health checker's pure parts: the rise/fall state
 * machine (health.c), the slowstart ramp, and the health-check option
 * values of conf_check.c (check_expect sets, intervals, paths, hosts,
 * the probe address and Host default).
 */
#include "config.h"

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "health.h"
#include "probe.h"

/* a run of check results ('+' ok, '-' failed) and the health after each */
static const struct fsm_case {
	unsigned	 rise, fall;
	enum rs_health	 start;
	const char	*results;
	const char	*health;	/* U up, D down, ? unknown */
	const char	*changes;	/* 1 where health_step returned 1 */
} fsm[] = {
	{ 2, 3, RS_HEALTH_UNKNOWN, "++++", "?UUU", "0100" },
	{ 2, 3, RS_HEALTH_UNKNOWN, "---", "??D", "001" },
	{ 2, 3, RS_HEALTH_UP, "--+--+---", "UUUUUUUUD", "000000001" },
	{ 2, 3, RS_HEALTH_DOWN, "+-+-++", "DDDDDU", "000001" },
	{ 1, 1, RS_HEALTH_UP, "-+-+", "DUDU", "1111" },
	{ 3, 2, RS_HEALTH_DOWN, "++-+++--", "DDDDDUUD", "00000101" },
	{ 2, 3, RS_HEALTH_UP, "++++", "UUUU", "0000" },
};

static enum rs_health
health_of(char c)
{
	return c == 'U' ? RS_HEALTH_UP : c == 'D' ? RS_HEALTH_DOWN :
	    RS_HEALTH_UNKNOWN;
}

START_TEST(test_rise_fall)
{
	const struct fsm_case *f = &fsm[_i];
	struct health_state st = { f->start, 0, 0 };
	unsigned oks = 0, fails = 0;

	for (size_t i = 0; f->results[i] != '\0'; i++) {
		int ok = f->results[i] == '+';
		int changed = health_step(&st, ok, f->rise, f->fall);

		oks = ok ? oks + 1 : 0;
		fails = ok ? 0 : fails + 1;
		ck_assert_msg(st.health == health_of(f->health[i]),
		    "case %d step %zu: health %d, expected %c", _i, i,
		    st.health, f->health[i]);
		ck_assert_int_eq(changed, f->changes[i] - '0');
		ck_assert_uint_eq(st.oks, oks);
		ck_assert_uint_eq(st.fails, fails);
	}
}
END_TEST

START_TEST(test_slowstart)
{
	/* weight 100 over 10 s: 10 at first, linear, 100 from 10 s on */
	ck_assert_uint_eq(health_slowstart_weight(100, 10, 0), 10);
	ck_assert_uint_eq(health_slowstart_weight(100, 10, 500), 10);
	ck_assert_uint_eq(health_slowstart_weight(100, 10, 5000), 50);
	ck_assert_uint_eq(health_slowstart_weight(100, 10, 9999), 99);
	ck_assert_uint_eq(health_slowstart_weight(100, 10, 10000), 100);
	ck_assert_uint_eq(health_slowstart_weight(100, 10, 60000), 100);
	/* at least 1; 0 stays 0; no slowstart: the weight */
	ck_assert_uint_eq(health_slowstart_weight(3, 10, 0), 1);
	ck_assert_uint_eq(health_slowstart_weight(0, 10, 0), 0);
	ck_assert_uint_eq(health_slowstart_weight(7, 0, 0), 7);
	/* never above the weight, never below the start, clock going back */
	ck_assert_uint_eq(health_slowstart_weight(65535, 3600, 3599999),
	    65534);
	ck_assert_uint_eq(health_slowstart_weight(100, 10, -5000), 10);
}
END_TEST

static const struct expect_case {
	const char	*spec;
	int		 valid;
	const char	*yes;	/* statuses accepted, space separated */
	const char	*no;	/* statuses refused */
} expects[] = {
	{ "200", 1, "200", "201 199 301 500" },
	{ "200 301", 1, "200 301", "302 204" },
	{ "2xx 3xx", 1, "200 204 299 300 399", "199 400 500 100" },
	{ "2XX", 1, "250", "300" },
	{ "200-204,404", 1, "200 202 204 404", "205 403" },
	{ "  5xx  ", 1, "500 599", "499 600" },
	{ "100-599", 1, "100 599 404", "99 600 0 -1" },
	{ "", 0, NULL, NULL },
	{ "   ", 0, NULL, NULL },
	{ "20", 0, NULL, NULL },
	{ "2000", 0, NULL, NULL },
	{ "600", 0, NULL, NULL },
	{ "099", 0, NULL, NULL },
	{ "6xx", 0, NULL, NULL },
	{ "2x", 0, NULL, NULL },
	{ "x2x", 0, NULL, NULL },
	{ "300-200", 0, NULL, NULL },
	{ "1000599", 0, NULL, NULL },
	{ "200 ok", 0, NULL, NULL },
	{ "200-", 0, NULL, NULL },
};

static void
assert_statuses(const struct conf_expect *e, const char *list, int want,
    const char *spec)
{
	char buf[128], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save))
		ck_assert_msg(conf_expect_match(e, atoi(tok)) == want,
		    "'%s' %s %s", spec, want ? "refuses" : "accepts", tok);
}

START_TEST(test_expect)
{
	const struct expect_case *c = &expects[_i];
	struct conf_expect e;
	char why[256] = "";
	int rc = conf_expect_parse(c->spec, &e, why, sizeof(why));

	ck_assert_msg(rc == (c->valid ? 0 : -1), "'%s': %d", c->spec, rc);
	if (!c->valid) {
		ck_assert_ptr_nonnull(strstr(why, "expected status codes"));
		return;
	}
	assert_statuses(&e, c->yes, 1, c->spec);
	assert_statuses(&e, c->no, 0, c->spec);
}
END_TEST

static const struct time_case {
	const char	*s;
	unsigned	 ms;	/* 0: invalid */
} times[] = {
	{ "2", 2000 }, { "0.5", 500 }, { "1.25", 1250 }, { "1.25s", 1250 },
	{ "0.01", 10 }, { "10ms", 10 }, { "500ms", 500 }, { "3600", 3600000 },
	{ "3600s", 3600000 }, { "30s", 30000 }, { "0.125", 125 },
	{ "0.009", 0 }, { "9ms", 0 }, { "3601", 0 }, { "0", 0 }, { "", 0 },
	{ "2.", 0 }, { ".5", 0 }, { "1.2345", 0 }, { "-1", 0 }, { "1 s", 0 },
	{ "1.5ms", 0 }, { "2m", 0 }, { "abc", 0 },
	{ "99999999999999999999", 0 },
};

START_TEST(test_times)
{
	const struct time_case *c = &times[_i];
	struct conf_check chk;
	char why[256] = "";
	int rc;

	conf_check_defaults(&chk);
	rc = conf_check_set(&chk, "check_interval", c->s, why, sizeof(why));
	ck_assert_msg(rc == (c->ms ? 0 : -1), "'%s': %d", c->s, rc);
	if (c->ms) {
		ck_assert_uint_eq(chk.interval_ms, c->ms);
		ck_assert_int_eq(conf_check_set(&chk, "check_timeout", c->s,
		    why, sizeof(why)), 0);
		ck_assert_uint_eq(chk.timeout_ms, c->ms);
	} else
		ck_assert_ptr_nonnull(strstr(why, "expected seconds"));
}
END_TEST

START_TEST(test_defaults)
{
	struct conf_check c;

	conf_check_defaults(&c);
	ck_assert_ptr_null(c.probe);
	ck_assert_str_eq(c.path, "/");
	ck_assert_uint_eq(c.interval_ms, 2000);
	ck_assert_uint_eq(c.timeout_ms, 1000);
	ck_assert_uint_eq(c.rise, 2);
	ck_assert_uint_eq(c.fall, 3);
	ck_assert(conf_expect_match(&c.expect, 200));
	ck_assert(conf_expect_match(&c.expect, 302));
	ck_assert(!conf_expect_match(&c.expect, 404));
	ck_assert(!conf_expect_match(&c.expect, 500));
}
END_TEST

START_TEST(test_strings)
{
	struct conf_check c;
	char why[256];

	conf_check_defaults(&c);
	ck_assert_int_eq(conf_check_set(&c, "check", "http", why,
	    sizeof(why)), 0);
	ck_assert_ptr_eq(c.probe, &probe_http);
	ck_assert_int_eq(conf_check_set(&c, "check", "tcp", why,
	    sizeof(why)), 0);
	ck_assert_ptr_eq(c.probe, &probe_tcp);
	ck_assert_int_eq(conf_check_set(&c, "check", "none", why,
	    sizeof(why)), 0);
	ck_assert_ptr_null(c.probe);
	ck_assert_int_eq(conf_check_set(&c, "check", "udp", why,
	    sizeof(why)), -1);
	ck_assert_str_eq(why, "unknown check, expected none, tcp or http");
	ck_assert_int_eq(conf_check_set(&c, "check_path", "/status/500",
	    why, sizeof(why)), 0);
	ck_assert_str_eq(c.path, "/status/500");
	/* nothing that could end the request line or add a field */
	ck_assert_int_eq(conf_check_set(NULL, "check_path", "status", why,
	    sizeof(why)), -1);
	ck_assert_int_eq(conf_check_set(NULL, "check_path", "/a b", why,
	    sizeof(why)), -1);
	ck_assert_int_eq(conf_check_set(NULL, "check_path", "/a\r\nX: y",
	    why, sizeof(why)), -1);
	ck_assert_int_eq(conf_check_set(NULL, "check_path", "", why,
	    sizeof(why)), -1);
	ck_assert_int_eq(conf_check_set(&c, "check_host", "www.example.com",
	    why, sizeof(why)), 0);
	ck_assert_str_eq(c.host, "www.example.com");
	ck_assert_int_eq(conf_check_set(NULL, "check_host", "[::1]:8080",
	    why, sizeof(why)), 0);
	ck_assert_int_eq(conf_check_set(NULL, "check_host", "a b", why,
	    sizeof(why)), -1);
	ck_assert_int_eq(conf_check_set(NULL, "check_host", "a/b", why,
	    sizeof(why)), -1);
	ck_assert_int_eq(conf_check_set(NULL, "check_host", "", why,
	    sizeof(why)), -1);
	ck_assert_int_eq(conf_check_set(NULL, "check_expect", "2yy", why,
	    sizeof(why)), -1);
	ck_assert_int_eq(conf_check_set(NULL, "weight", "1", why,
	    sizeof(why)), -1);
}
END_TEST

static void
make_rs(struct realserver *rs, const char *name, const char *ip,
    unsigned port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&rs->addr;

	memset(rs, 0, sizeof(*rs));
	snprintf(rs->name, sizeof(rs->name), "%s", name);
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sin->sin_addr);
	rs->addrlen = sizeof(*sin);
}

START_TEST(test_finish)
{
	struct realserver rs;
	struct conf_check c;
	const struct sockaddr_in *sin;

	make_rs(&rs, "app1.example:8080", "10.0.0.2", 8080);
	conf_check_defaults(&c);
	conf_check_finish(&c, &rs);
	sin = (const struct sockaddr_in *)(const void *)&c.addr;
	ck_assert_uint_eq(ntohs(sin->sin_port), 8080);
	ck_assert_str_eq(c.host, "app1.example:8080");
	/* check_port: that port, and a Host naming it */
	conf_check_defaults(&c);
	c.port = 9000;
	conf_check_finish(&c, &rs);
	sin = (const struct sockaddr_in *)(const void *)&c.addr;
	ck_assert_uint_eq(ntohs(sin->sin_port), 9000);
	ck_assert_str_eq(c.host, "10.0.0.2:9000");
	/* check_host wins */
	conf_check_defaults(&c);
	snprintf(c.host, sizeof(c.host), "www.example.com");
	conf_check_finish(&c, &rs);
	ck_assert_str_eq(c.host, "www.example.com");
}
END_TEST

START_TEST(test_describe)
{
	char buf[128];

	probe_describe(PROBE_HTTP_STATUS, 500, buf, sizeof(buf));
	ck_assert_str_eq(buf, "http status 500");
	probe_describe(PROBE_TIMEOUT, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "timeout");
	probe_describe(PROBE_REFUSED, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "refused");
	probe_describe(PROBE_INVALID, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "invalid response");
	ck_assert_ptr_null(probe_lookup("none"));
	ck_assert_ptr_null(probe_lookup(NULL));
	ck_assert_str_eq(probe_choices(), "none, tcp or http");
}
END_TEST

static Suite *
health_suite(void)
{
	Suite *s = suite_create("health");
	TCase *tc;

	tc = tcase_create("state");
	tcase_add_loop_test(tc, test_rise_fall, 0, sizeof(fsm) /
	    sizeof(fsm[0]));
	tcase_add_test(tc, test_slowstart);
	tcase_add_test(tc, test_describe);
	suite_add_tcase(s, tc);
	tc = tcase_create("options");
	tcase_add_loop_test(tc, test_expect, 0, sizeof(expects) /
	    sizeof(expects[0]));
	tcase_add_loop_test(tc, test_times, 0, sizeof(times) /
	    sizeof(times[0]));
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_finish);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(health_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
