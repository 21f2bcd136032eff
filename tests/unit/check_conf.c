/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for conf.c: the shipped example loads with the values it
 * says; defaults apply; each tests/conf/bad-*.conf holds one mistake and
 * gets exactly one "FILE:LINE: reason" line naming it; every option the
 * parser accepts and every scheduler is documented in tcpvs.conf.5.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "probe.h"
#include "sched.h"
#include "tls.h"

static char path[4096];

/* net.core.somaxconn, read here, not through conf_backlog_default(),
   within backlog's range */
static unsigned
host_somaxconn(void)
{
	FILE *f;
	unsigned n = 0;

	f = fopen("/proc/sys/net/core/somaxconn", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%u", &n), 1);
	fclose(f);
	return n < 65535 ? n : 65535;
}

static const char *
srcfile(const char *rel)
{
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/%s", top ? top : "..", rel);
	return path;
}

/* load, capturing the error text */
static struct generation *
load(const char *rel, char **errs)
{
	size_t len = 0;
	FILE *f = open_memstream(errs, &len);
	struct generation *gen;

	ck_assert_ptr_nonnull(f);
	gen = conf_load(srcfile(rel), f);
	fclose(f);
	return gen;
}

START_TEST(test_example)
{
	char *errs = NULL;
	struct generation *gen = load("conf/tcpvs.conf", &errs);
	const struct service *svc;

	ck_assert_msg(gen != NULL, "example rejected: %s", errs);
	ck_assert_str_eq(errs, "");
	ck_assert_uint_eq(gen->nsvc, 1);
	svc = conf_service(gen, "web");
	ck_assert_ptr_nonnull(svc);
	ck_assert_str_eq(svc->sched->name, "http");
	ck_assert_uint_eq(svc->nrs, 3);
	ck_assert_uint_eq(svc->rs[1].weight, 2);
	ck_assert_str_eq(svc->rs[2].addrstr, "127.0.0.1:8083");
	ck_assert_uint_eq(svc->nrules, 2);
	ck_assert_uint_eq(svc->rules[0].servers, 1);
	ck_assert_uint_eq(svc->rules[1].servers, 7);
	ck_assert_uint_eq(svc->startservers, 4);
	ck_assert_uint_eq(svc->maxclients, 64);
	ck_assert_uint_eq(svc->nlisten, 1);
	ck_assert_int_eq(svc->listen[0].fd, -1);
	ck_assert_int_eq(svc->rs[0].sb_index, -1);
	conf_free(gen);
	free(errs);
}
END_TEST

START_TEST(test_defaults_multi)
{
	char *errs = NULL;
	struct generation *gen = load("tests/conf/good-multi.conf", &errs);
	const struct service *web, *api;
	long ncpu;

	ck_assert_msg(gen != NULL, "rejected: %s", errs);
	ck_assert_uint_eq(gen->nsvc, 2);
	web = conf_service(gen, "web");
	api = conf_service(gen, "api");
	ck_assert_ptr_nonnull(web);
	ck_assert_ptr_nonnull(api);
	ck_assert_uint_eq(web->nlisten, 2);
	ck_assert_int_eq(web->listen[1].addr.ss_family, AF_INET6);
	ck_assert_str_eq(web->sched->name, "wrr");
	ck_assert_uint_eq(web->rs[1].weight, 0);
	/* defaults, as tcpvs.conf.5 states them */
	ck_assert_str_eq(api->sched->name, "wlc");
	ck_assert_uint_eq(api->rs[0].weight, CONF_DEF_WEIGHT);
	/* the pool from the CPU count */
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	ck_assert_uint_eq(api->startservers, (unsigned)ncpu);
	ck_assert_uint_eq(api->minspareservers, 1);
	ck_assert_uint_eq(api->maxspareservers, (unsigned)ncpu);
	ck_assert_uint_eq(api->maxclients, 16);	/* written */
	ck_assert_uint_eq(api->pool_cpu, CONF_POOL_START |
	    CONF_POOL_MINSPARE | CONF_POOL_MAXSPARE | CONF_HOST_BACKLOG);
	/* the backlog from the host's limit */
	ck_assert_uint_eq(api->backlog, host_somaxconn());
	ck_assert_uint_eq(api->connect_timeout, CONF_DEF_CONNECT_TIMEOUT);
	ck_assert_uint_eq(api->read_timeout, 180);
	ck_assert_uint_eq(api->request_timeout, CONF_DEF_REQUEST_TIMEOUT);
	ck_assert_uint_eq(api->max_header_size, CONF_DEF_MAX_HEADER_SIZE);
	ck_assert(api->splice);
	ck_assert(!api->has_redirect);
	ck_assert_uint_eq(gen->serverlimit, 64);
	ck_assert_uint_eq(gen->graceful_timeout, CONF_DEF_GRACEFUL_TIMEOUT);
	conf_free(gen);
	free(errs);
}
END_TEST

/* service check options, each overridden per server; defaults elsewhere */
START_TEST(test_checks)
{
	char *errs = NULL;
	struct generation *gen = load("tests/conf/good-check.conf", &errs);
	const struct service *web, *api;
	const struct conf_check *c;

	ck_assert_msg(gen != NULL, "rejected: %s", errs);
	web = conf_service(gen, "web");
	api = conf_service(gen, "api");
	ck_assert_uint_eq(web->slowstart, 20);
	c = &web->rs[0].check;
	ck_assert_ptr_nonnull(c->probe);
	ck_assert_str_eq(c->probe->name, "http");
	ck_assert_str_eq(c->path, "/health");
	ck_assert_str_eq(c->host, "127.0.0.1:18081");
	ck_assert(conf_expect_match(&c->expect, 301));
	ck_assert(!conf_expect_match(&c->expect, 302));
	ck_assert_uint_eq(c->interval_ms, 500);
	ck_assert_uint_eq(c->timeout_ms, 250);
	ck_assert_uint_eq(c->rise, 4);
	ck_assert_uint_eq(c->fall, 5);
	c = &web->rs[1].check;
	ck_assert_str_eq(c->probe->name, "tcp");
	ck_assert_uint_eq(c->interval_ms, 3000);
	ck_assert_uint_eq(c->timeout_ms, 250);
	ck_assert_uint_eq(c->fall, 1);
	ck_assert_uint_eq(c->rise, 4);
	ck_assert_uint_eq(ntohs(((const struct sockaddr_in *)(const void *)
	    &c->addr)->sin_port), 18099);
	ck_assert_ptr_null(web->rs[2].check.probe);
	/* defaults, as tcpvs.conf.5 states them */
	c = &api->rs[0].check;
	ck_assert_ptr_null(c->probe);
	ck_assert_str_eq(c->host, "api.example");
	ck_assert_str_eq(c->path, CONF_DEF_CHECK_PATH);
	ck_assert_uint_eq(c->interval_ms, CONF_DEF_CHECK_INTERVAL_MS);
	ck_assert_uint_eq(c->timeout_ms, CONF_DEF_CHECK_TIMEOUT_MS);
	ck_assert_uint_eq(c->rise, CONF_DEF_RISE);
	ck_assert_uint_eq(c->fall, CONF_DEF_FALL);
	ck_assert(conf_expect_match(&c->expect, 204));
	ck_assert(!conf_expect_match(&c->expect, 404));
	ck_assert_uint_eq(api->slowstart, 0);
	conf_free(gen);
	free(errs);
}
END_TEST

/* a service built up by tcpvsadm: no listen address, servers or rules */
START_TEST(test_partial)
{
	char *errs = NULL;
	struct generation *gen = load("tests/conf/good-partial.conf", &errs);
	const struct service *svc;

	ck_assert_msg(gen != NULL, "rejected: %s", errs);
	ck_assert_uint_eq(gen->nsvc, 2);
	svc = conf_service(gen, "http");
	ck_assert_ptr_nonnull(svc);
	ck_assert_uint_eq(svc->nlisten, 0);
	ck_assert_uint_eq(svc->nrs, 0);
	ck_assert_uint_eq(svc->nrules, 0);
	ck_assert(!conf_listening(svc));
	svc = conf_service(gen, "web");
	ck_assert(svc->stopped);
	ck_assert(!conf_listening(svc));
	ck_assert_str_eq(gen->control, "/tmp/tcpvsd-test.sock");
	ck_assert_uint_eq(gen->control_mode, 0660);
	conf_free(gen);
	free(errs);
}
END_TEST

/* globals only: tcpvsd starts with no service, tcpvsadm adds them */
START_TEST(test_no_service)
{
	char *errs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);
	struct generation *gen;

	ck_assert_ptr_nonnull(f);
	gen = conf_load_buf("mem", "serverlimit = 16\n", f);
	fclose(f);
	ck_assert_msg(gen != NULL, "rejected: %s", errs);
	free(errs);
	ck_assert_uint_eq(gen->nsvc, 0);
	ck_assert_uint_eq(gen->control_mode, CONF_DEF_CONTROL_MODE);
	ck_assert_ptr_nonnull(gen->control);
	conf_free(gen);
}
END_TEST

/*
 * Built without OpenSSL, a configuration that asks for TLS is refused at
 * the line of its first TLS option; with it, the certificate is looked
 * for (check_tls tests the rest).
 */
START_TEST(test_tls_not_built)
{
	static const char src[] =
	    "virtual web {\n"
	    "    listen = \"127.0.0.1:1\"\n"
	    "    tls_listen = \"127.0.0.1:2\"\n"
	    "    tls_certificate = \"/nonexistent/tcpvs.pem\"\n"
	    "}\n";
	char *errs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);
	struct generation *gen;

	ck_assert_ptr_nonnull(f);
	gen = conf_load_buf("mem", src, f);
	fclose(f);
	ck_assert_ptr_null(gen);
	if (tls_built)
		ck_assert_msg(strstr(errs, "mem:4: virtual web: tls_certificate "
		    "/nonexistent/tcpvs.pem: No such file") != NULL, "%s", errs);
	else
		ck_assert_msg(strstr(errs, "mem:3: virtual web: tls_listen: "
		    "tcpvsd was built without TLS") != NULL, "%s", errs);
	free(errs);
}
END_TEST

START_TEST(test_missing_file)
{
	char *errs = NULL;

	ck_assert_ptr_null(load("tests/conf/no-such-file.conf", &errs));
	ck_assert_ptr_nonnull(strstr(errs, "no-such-file.conf: cannot read"));
	free(errs);
}
END_TEST

/* one mistake per file: the exact line and the words that name it */
static const struct bad {
	const char	*file;
	int		 line;
	const char	*words;
} bad[] = {
	{ "bad-address", 4, "redirect: '127.0.0.1': missing port" },
	{ "bad-check", 3, "virtual web: check 'ping': unknown check, expected "
	    "none, tcp or http" },
	{ "bad-checkpath", 4, "check_path '/a b': expected a path starting "
	    "with '/'" },
	{ "bad-expect", 5, "server 127.0.0.1:18081: check_expect '2xx 6xx': "
	    "expected status codes (100 to 599)" },
	{ "bad-inflight", 4, "virtual web: maxinflight (64) is greater than "
	    "inflightlimit (16)" },
	{ "bad-interval", 4, "check_interval '5m': expected seconds from 0.01 "
	    "to 3600" },
	{ "bad-dupoption", 5, "virtual web: maxclients set twice, on line 3 "
	    "and line 5" },
	{ "bad-dupweight", 6, "server 127.0.0.1:18081: weight set twice, on "
	    "line 4 and line 6" },
	{ "bad-pool", 3, "virtual web: minspareservers (8) is greater than "
	    "maxclients (4); lines 3 and 4" },
	{ "bad-admin", 3, "server 127.0.0.1:18081: admin 'maintenance': "
	    "expected active, drain or disable" },
	{ "bad-duplisten", 6, "listen 127.0.0.1:18080: already used by "
	    "virtual web" },
	{ "bad-dupserver", 4, "server localhost:18081: duplicate of server "
	    "127.0.0.1:18081" },
	{ "bad-loglevel", 1, "loglevel 'verbose': unknown level" },
	{ "bad-control", 2, "control 'tcpvsd.sock': expected an absolute "
	    "path" },
	{ "bad-option", 4, "no such option 'maxchildren'" },
	{ "bad-pattern", 6, "invalid pattern '^/(images': missing closing "
	    "parenthesis at offset 9" },
	{ "bad-port", 3, "port 70000 out of range, expected 1 to 65535" },
	{ "bad-rule-server", 6, "rule names server 127.0.0.1:18099, which is "
	    "not a server of this service" },
	{ "bad-scheduler", 4, "scheduler 'fastest': unknown scheduler, "
	    "expected one of rr, wrr, lc, wlc, http" },
	{ "bad-rise", 5, "rise 0: out of range, expected 1 to 1000" },
	{ "bad-serverlimit", 1, "serverlimit (100) is less than the sum of "
	    "maxclients of all services (160)" },
	{ "bad-spare", 3, "minspareservers (20) is greater than "
	    "maxspareservers (10); lines 3 and 4" },
	{ "bad-start", 3, "startservers (50) is greater than maxclients (10)" },
	{ "bad-syntax", 1, "unterminated section" },
	{ "bad-weight", 4, "weight 65536: out of range, expected 0 to 65535" },
};

START_TEST(test_bad)
{
	const struct bad *b = &bad[_i];
	char rel[256], prefix[4200], *errs = NULL;
	struct generation *gen;

	snprintf(rel, sizeof(rel), "tests/conf/%s.conf", b->file);
	gen = load(rel, &errs);
	ck_assert_msg(gen == NULL, "%s was accepted", b->file);
	snprintf(prefix, sizeof(prefix), "%s:%d: ", srcfile(rel), b->line);
	ck_assert_msg(strncmp(errs, prefix, strlen(prefix)) == 0,
	    "%s: expected a line starting '%s', got '%s'", b->file, prefix,
	    errs);
	ck_assert_msg(strstr(errs, b->words) != NULL, "%s: '%s' not in '%s'",
	    b->file, b->words, errs);
	free(errs);
}
END_TEST

/* pool sizes at their default give way to written ones, with a warning */
START_TEST(test_pool_defaults)
{
	char *errs = NULL;
	struct generation *gen = load("tests/conf/good-pool.conf", &errs);
	const struct service *web, *big, *many;
	static char want[4 * sizeof(path) + 640];
	unsigned n = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	int off = 0;

	ck_assert_msg(gen != NULL, "good-pool rejected: %s", errs);
	web = conf_service(gen, "web");
	big = conf_service(gen, "big");
	ck_assert_uint_eq(web->maxclients, 1);
	ck_assert_uint_eq(web->minspareservers, 1);
	ck_assert_uint_eq(web->startservers, 1);
	ck_assert_uint_eq(web->maxspareservers, n);
	ck_assert_uint_eq(web->pool_cpu, CONF_POOL_START |
	    CONF_POOL_MINSPARE | CONF_POOL_MAXSPARE | CONF_HOST_BACKLOG);
	ck_assert_uint_eq(web->backlog, host_somaxconn());
	ck_assert_uint_eq(big->minspareservers, 200);
	ck_assert_uint_eq(big->maxspareservers, 200);
	ck_assert_uint_eq(big->maxclients, 200);
	ck_assert_uint_eq(big->startservers, n);
	if (n > 1)
		off = snprintf(want, sizeof(want), "%s:5: warning: virtual "
		    "web: startservers lowered from its default (%u) to "
		    "maxclients (1)\n", path, n);
	off += snprintf(want + off, sizeof(want) - (size_t)off, "%s:10: "
	    "warning: virtual big: maxclients raised from its default (%u) "
	    "to minspareservers (200)\n"
	    "%s:10: warning: virtual big: maxspareservers raised from its "
	    "default (%u) to minspareservers (200)\n", path, 2 * n, path, n);
	/* the workers started stay: maxspareservers follows startservers */
	many = conf_service(gen, "many");
	ck_assert_uint_eq(many->maxspareservers, 100);
	ck_assert_uint_eq(many->backlog, 300);	/* written */
	ck_assert_uint_eq(many->pool_cpu & CONF_HOST_BACKLOG, 0);
	ck_assert_uint_eq(many->maxclients, 2 * n < 100 ? 100 : 2 * n);
	if (2 * n < 100)
		snprintf(want + off, sizeof(want) - (size_t)off, "%s:15: "
		    "warning: virtual many: maxclients raised from its "
		    "default (%u) to startservers (100)\n", path, 2 * n);
	ck_assert_str_eq(errs, want);
	conf_free(gen);
	free(errs);
}
END_TEST

/* admin = ...; a server without a port is port 80, in rules too */
START_TEST(test_admin_port)
{
	char *errs = NULL;
	struct generation *gen = load("tests/conf/good-admin.conf", &errs);
	const struct service *svc;

	ck_assert_msg(gen != NULL, "good-admin rejected: %s", errs);
	ck_assert_str_eq(errs, "");
	svc = conf_service(gen, "web");
	ck_assert_str_eq(conf_admin_str(svc->rs[0].admin), "drain");
	ck_assert_str_eq(conf_admin_str(svc->rs[1].admin), "disable");
	ck_assert_str_eq(conf_admin_str(svc->rs[2].admin), "active");
	ck_assert_str_eq(svc->rs[1].addrstr, "127.0.0.2:80");
	ck_assert_str_eq(svc->rs[1].name, "127.0.0.2");
	ck_assert_uint_eq(svc->rules[0].servers, 2);
	conf_free(gen);
	free(errs);
}
END_TEST

static char *
read_manpage(void)
{
	FILE *f = fopen(srcfile("man/tcpvs.conf.5.in"), "r");
	static char buf[256 * 1024];
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* documented as an ".It Ic NAME" entry */
static int
documented(const char *man, const char *name)
{
	char entry[160];
	const char *p = man;
	size_t n = (size_t)snprintf(entry, sizeof(entry), ".It Ic %s", name);

	while ((p = strstr(p, entry)) != NULL) {
		if (p[n] == ' ' || p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

START_TEST(test_manpage_options)
{
	const char * const *o = conf_option_names();
	const char *man = read_manpage();
	unsigned n = 0;

	for (; *o != NULL; o++, n++)
		ck_assert_msg(documented(man, *o), "option '%s' is accepted "
		    "by the parser but not documented in tcpvs.conf.5", *o);
	ck_assert_uint_ge(n, 25);
	/* the check itself can fail */
	ck_assert(!documented(man, "maxchildren"));
}
END_TEST

START_TEST(test_manpage_schedulers)
{
	const char * const *s = sched_names();
	const char *man = read_manpage();

	for (; *s != NULL; s++)
		ck_assert_msg(documented(man, *s), "scheduler '%s' is not "
		    "documented in tcpvs.conf.5", *s);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_test(tc, test_example);
	tcase_add_test(tc, test_defaults_multi);
	tcase_add_test(tc, test_checks);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_partial);
	tcase_add_test(tc, test_no_service);
	tcase_add_test(tc, test_pool_defaults);
	tcase_add_test(tc, test_admin_port);
	tcase_add_test(tc, test_tls_not_built);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("manpage");
	tcase_add_test(tc, test_manpage_options);
	tcase_add_test(tc, test_manpage_schedulers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
