/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for conf_dump.c: a generation written out loads back to the
 * same text (tcpvsadm -S output is tcpvsd input), strings survive quoting,
 * and each structural edit gives the generation it says.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "probe.h"
#include "sched.h"

static char path[4096];

static const char *
srcfile(const char *rel)
{
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/%s", top ? top : "..", rel);
	return path;
}

static struct generation *
load_file(const char *rel)
{
	struct generation *gen = conf_load(srcfile(rel), stderr);

	ck_assert_msg(gen != NULL, "%s rejected", rel);
	return gen;
}

static char *
dump(const struct generation *gen, const struct conf_edit *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	conf_dump(f, gen, e);
	fclose(f);
	return text;
}

/* the edit applied: the next generation, or NULL with errs */
static struct generation *
edited(const struct generation *gen, const struct conf_edit *e, char **errs)
{
	char *text = dump(gen, e);
	size_t len = 0;
	FILE *f = open_memstream(errs, &len);
	struct generation *next;

	ck_assert_ptr_nonnull(f);
	next = conf_load_buf("edit", text, f);
	fclose(f);
	free(text);
	return next;
}

static const char *const files[] = {
	"conf/tcpvs.conf",
	"tests/conf/good-multi.conf",
	"tests/conf/good-partial.conf",
	"tests/conf/good-check.conf",
	"tests/conf/good-all.conf",
};

START_TEST(test_round_trip)
{
	struct generation *gen = load_file(files[_i]), *again;
	char *t1 = dump(gen, NULL), *t2, *errs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);

	again = conf_load_buf("dump", t1, f);
	fclose(f);
	ck_assert_msg(again != NULL, "%s: dump rejected: %s\n%s", files[_i],
	    errs, t1);
	t2 = dump(again, NULL);
	ck_assert_str_eq(t1, t2);
	ck_assert_uint_eq(again->nsvc, gen->nsvc);
	conf_free(gen);
	conf_free(again);
	free(t1);
	free(t2);
	free(errs);
}
END_TEST

/* "name =" at the start of a line of text, after blanks */
static int
written(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; (p = strstr(p, name)) != NULL; p += n) {
		const char *b = p;

		while (b > text && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if ((b == text || b[-1] == '\n') && (strncmp(p + n, " =", 2)
		    == 0 || strncmp(p + n, " '", 2) == 0 ||
		    strncmp(p + n, " {", 2) == 0 || p[n] == ' '))
			return 1;
	}
	return 0;
}

/*
 * Every option the parser takes is written out: a structural tcpvsadm
 * change goes through conf_dump(), so an option it forgets would be
 * reset to its default by -a or --add-rule.  good-all.conf sets each
 * option to something else than its default.
 */
/*
 * Found by fuzz_conf: a double-quoted value holding a brace and a
 * newline loaded, but its dump (single quotes) did not, as the brace
 * check did not know single-quoted strings.
 */
START_TEST(test_brace_in_string)
{
	static const char src[] =
	    "pidfile = \"/tmp/x{\n/y}\"\n"
	    "virtual web { scheduler = \"rr\" }\n";
	struct generation *gen, *again;
	char *errs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);

	gen = conf_load_buf("b", src, f);
	fclose(f);
	ck_assert_msg(gen != NULL, "rejected: %s", errs);
	free(errs);
	ck_assert_str_eq(gen->pidfile, "/tmp/x{\n/y}");
	again = edited(gen, NULL, &errs);
	ck_assert_msg(again != NULL, "dump rejected: %s", errs);
	ck_assert_str_eq(again->pidfile, gen->pidfile);
	conf_free(gen);
	conf_free(again);
	free(errs);
}
END_TEST

START_TEST(test_every_option)
{
	struct generation *gen = load_file("tests/conf/good-all.conf");
	const char * const *o = conf_option_names();
	char *t = dump(gen, NULL);
	unsigned n = 0;

	/* tls options need certificates: check_tls tests their dump */
	for (; *o != NULL; o++, n++)
		ck_assert_msg(strncmp(*o, "tls", 3) == 0 || written(t, *o),
		    "option '%s' is not written by conf_dump:\n%s", *o, t);
	ck_assert_uint_ge(n, 60);
	ck_assert(!written(t, "maxchildren"));	/* the check can fail */
	conf_free(gen);
	free(t);
}
END_TEST

/* ... and read back to the same values, not only the same text */
static void
same_edits(const struct hdr_edits *x, const struct hdr_edits *y, unsigned n)
{
	ck_assert_uint_eq(x->n, n);
	ck_assert_uint_eq(y->n, n);
	for (unsigned i = 0; i < n; i++) {
		ck_assert_int_eq(x->e[i].op, y->e[i].op);
		ck_assert_str_eq(x->e[i].name, y->e[i].name);
		ck_assert_pstr_eq(x->e[i].value, y->e[i].value);
	}
}

/* every condition of every rule, as loaded and as read back */
static void
same_rules(const struct service *a, const struct service *b)
{
	for (unsigned i = 0; i < a->nrules; i++) {
		const struct rule *x = &a->rules[i], *y = &b->rules[i];

		ck_assert_pstr_eq(x->pattern, y->pattern);
		ck_assert_uint_eq(x->nhosts, y->nhosts);
		for (unsigned j = 0; j < x->nhosts; j++) {
			ck_assert_int_eq(x->hosts[j].kind, y->hosts[j].kind);
			ck_assert_str_eq(x->hosts[j].name, y->hosts[j].name);
		}
		ck_assert_uint_eq(x->nmethods, y->nmethods);
		for (unsigned j = 0; j < x->nmethods; j++)
			ck_assert_str_eq(x->methods[j], y->methods[j]);
		ck_assert_uint_eq(x->nheaders, y->nheaders);
		for (unsigned j = 0; j < x->nheaders; j++)
			ck_assert_str_eq(x->headers[j].regex,
			    y->headers[j].regex);
		ck_assert_uint_eq(x->ncookies, y->ncookies);
		ck_assert_uint_eq(x->nsources, y->nsources);
		if (x->nsources > 0)	/* memcmp(NULL, NULL, 0): UB */
			ck_assert_mem_eq(x->sources, y->sources,
			    x->nsources * sizeof(*x->sources));
		ck_assert_pstr_eq(x->query, y->query);
		ck_assert_uint_eq(x->servers, y->servers);
		ck_assert_int_eq(x->ret, y->ret);
		ck_assert_pstr_eq(x->location, y->location);
		ck_assert_pstr_eq(x->body, y->body);
		ck_assert_uint_eq(x->req_edits.n, y->req_edits.n);
		ck_assert_uint_eq(x->resp_edits.n, y->resp_edits.n);
	}
	ck_assert_uint_eq(a->rules[1].nhosts, 3);
	ck_assert_uint_eq(a->rules[1].nsources, 2);
	ck_assert_uint_eq(a->rules[1].req_edits.n, 3);
}

START_TEST(test_every_value)
{
	struct generation *gen = load_file("tests/conf/good-all.conf"), *g;
	const struct service *a, *b;
	char *errs = NULL;

	g = edited(gen, NULL, &errs);
	ck_assert_msg(g != NULL, "dump rejected: %s", errs);
	ck_assert_str_eq(g->status_name, gen->status_name);
	ck_assert_str_eq(g->accesslog, "/tmp/tcpvs-all.log");
	ck_assert_str_eq(g->accesslog_format, "%h %r %s %S");
	ck_assert_str_eq(g->control_group, "nogroup");
	ck_assert_uint_eq(g->control_mode, 0660);
	ck_assert_uint_eq(g->graceful_timeout, 7);
	ck_assert_uint_eq(g->inflightlimit, 128);
	a = conf_service(gen, "web");
	b = conf_service(g, "web");
	ck_assert_str_eq(b->sched->name, "http");
	ck_assert_str_eq(b->rule_sched->name, "sh");
	ck_assert_uint_eq(b->mh_table_size, 251);
	ck_assert_str_eq(b->mh_header, "X-User");
	ck_assert_uint_eq(b->lblc_expiration, 600);
	ck_assert(!b->splice && !b->defer_accept && !b->keepalive);
	ck_assert(b->stopped);
	ck_assert_uint_eq(b->request_min_rate, 100);
	ck_assert_uint_eq(b->maxconnperip, 20);
	ck_assert_uint_eq(b->retries, 1);
	ck_assert_uint_eq(b->maxinflight, 16);
	ck_assert_uint_eq(b->persistent, 300);
	ck_assert_uint_eq(b->persistent_mask, a->persistent_mask);
	ck_assert_uint_eq(b->slowstart, 20);
	ck_assert_uint_eq(b->max_body_size, 1048576);
	ck_assert_str_eq(b->cookie, "SRV");
	ck_assert_str_eq(b->accesslog, "/tmp/tcpvs-web.log");
	ck_assert_str_eq(b->accesslog_format, a->accesslog_format);
	ck_assert_str_eq(b->redirect_name, "127.0.0.1:18089");
	ck_assert_uint_eq(b->nrs, 3);
	for (unsigned i = 0; i < b->nrs; i++) {
		const struct conf_check *x = &a->rs[i].check,
		    *y = &b->rs[i].check;

		ck_assert_str_eq(b->rs[i].id, a->rs[i].id);
		ck_assert_uint_eq(b->rs[i].weight, a->rs[i].weight);
		ck_assert_ptr_eq(y->probe, x->probe);
		ck_assert_str_eq(y->path, x->path);
		ck_assert_str_eq(y->host, x->host);
		ck_assert_mem_eq(&y->expect, &x->expect, sizeof(x->expect));
		ck_assert_uint_eq(y->interval_ms, x->interval_ms);
		ck_assert_uint_eq(y->timeout_ms, x->timeout_ms);
		ck_assert_uint_eq(y->port, x->port);
		ck_assert_uint_eq(y->rise, x->rise);
		ck_assert_uint_eq(y->fall, x->fall);
		ck_assert_uint_eq(y->set, x->set);
	}
	ck_assert_str_eq(b->rs[0].id, "a");
	for (unsigned i = 0; i < 3; i++)
		ck_assert_int_eq(b->rs[i].admin, a->rs[i].admin);
	ck_assert_str_eq(conf_admin_str(b->rs[1].admin), "drain");
	ck_assert_str_eq(conf_admin_str(b->rs[2].admin), "disable");
	ck_assert_uint_eq(b->rs[1].check.interval_ms, 3000);
	ck_assert_uint_eq(b->rs[2].check.timeout_ms, 2000);
	ck_assert_ptr_null(b->rs[2].check.probe);
	ck_assert(conf_expect_match(&b->rs[0].check.expect, 302));
	ck_assert(conf_expect_match(&b->rs[0].check.expect, 404));
	ck_assert(!conf_expect_match(&b->rs[0].check.expect, 303));
	ck_assert_uint_eq(b->nrules, 5);
	ck_assert_uint_eq(b->rules[0].match, 2);
	ck_assert_uint_eq(b->rules[0].servers, 3);
	same_rules(a, b);
	ck_assert_uint_eq(b->rules[2].ret, 301);
	ck_assert_str_eq(b->rules[2].location, "https://$host$target");
	ck_assert_uint_eq(b->rules[3].ret, 403);
	ck_assert_str_eq(b->rules[3].body, "no entry");
	ck_assert_int_eq(b->forwarded, FWD_BOTH);
	ck_assert_uint_eq(b->ntrusted, 2);
	ck_assert_mem_eq(b->trusted, a->trusted, 2 * sizeof(*a->trusted));
	ck_assert(b->accept_proxy);
	ck_assert_int_eq(b->rs[0].send_proxy, PROXY_SEND_V2);
	ck_assert_int_eq(b->rs[1].send_proxy, PROXY_SEND_NONE);
	same_edits(&a->req_edits, &b->req_edits, 3);
	same_edits(&a->resp_edits, &b->resp_edits, 3);
	conf_free(gen);
	conf_free(g);
	free(errs);
}
END_TEST

/* -S of servers drained at run time: tcpvsadm's admin_of */
static int
all_drained(const struct realserver *rs, void *arg)
{
	(void)rs;
	(void)arg;
	return conf_admin_parse("drain");
}

START_TEST(test_admin_written)
{
	struct generation *gen = load_file("tests/conf/good-all.conf"), *g;
	struct conf_edit e;
	char *errs = NULL;
	const struct service *svc;

	memset(&e, 0, sizeof(e));
	e.op = CONF_EDIT_NONE;
	e.rs = -1;
	e.admin_of = all_drained;
	g = edited(gen, &e, &errs);
	ck_assert_msg(g != NULL, "%s", errs);
	svc = conf_service(g, "web");
	ck_assert_uint_gt(svc->nrs, 0);
	for (unsigned i = 0; i < svc->nrs; i++)
		ck_assert_str_eq(conf_admin_str(svc->rs[i].admin), "drain");
	conf_free(g);
	conf_free(gen);
	free(errs);
}
END_TEST

/* pool options a service did not write come from the CPU count of the
   host that reads the file: a dump does not write them as if set */
START_TEST(test_pool_from_cpus)
{
	struct generation *gen = load_file("tests/conf/good-pool.conf"), *g;
	struct conf_edit e;
	char *text, *errs = NULL;

	memset(&e, 0, sizeof(e));
	e.op = CONF_EDIT_NONE;
	e.rs = -1;
	text = dump(gen, &e);
	ck_assert_msg(strstr(text, "maxclients = 1\n") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "minspareservers = 200\n") != NULL, "%s",
	    text);
	/* only many's, written */
	ck_assert_msg(strstr(text, "startservers = 100\n") != NULL, "%s",
	    text);
	ck_assert_msg(strstr(strstr(text, "startservers") + 1,
	    "startservers") == NULL, "%s", text);
	ck_assert_msg(strstr(text, "maxspareservers") == NULL, "%s", text);
	/* nor the backlog, from the host's net.core.somaxconn, but for
	   many's, written */
	ck_assert_msg(strstr(text, "backlog = 300\n") != NULL, "%s", text);
	ck_assert_msg(strstr(strstr(text, "backlog") + 1, "backlog") == NULL,
	    "%s", text);
	g = edited(gen, &e, &errs);
	ck_assert_msg(g != NULL, "%s", errs);
	ck_assert_uint_eq(conf_service(g, "web")->pool_cpu,
	    conf_service(gen, "web")->pool_cpu);
	free(text);
	free(errs);
	conf_free(g);
	conf_free(gen);
}
END_TEST

/* a server added by tcpvsadm -a gets the service's check options */
START_TEST(test_add_server_checked)
{
	struct generation *gen = load_file("tests/conf/good-all.conf"), *g;
	const struct service *b;
	struct conf_edit e;
	char *errs = NULL;

	memset(&e, 0, sizeof(e));
	e.op = CONF_EDIT_ADD_SERVER;
	e.ident = "web";
	e.server = "127.0.0.1:18085";
	e.weight = 1;
	e.rs = -1;
	e.match = -1;
	g = edited(gen, &e, &errs);
	ck_assert_msg(g != NULL, "edit rejected: %s", errs);
	b = conf_service(g, "web");
	ck_assert_uint_eq(b->nrs, 4);
	ck_assert_str_eq(b->rs[3].check.probe->name, "http");
	ck_assert_str_eq(b->rs[3].check.path, "/health?full=1");
	ck_assert_str_eq(b->rs[3].check.host, "web.example");
	ck_assert_uint_eq(b->rs[3].check.interval_ms, 500);
	ck_assert_uint_eq(b->rs[3].check.port, 18088);
	ck_assert_uint_eq(b->rs[3].check.fall, 5);
	conf_free(gen);
	conf_free(g);
	free(errs);
}
END_TEST

/* quotes, backslashes and ${...} are written so they read back as is */
START_TEST(test_quoting)
{
	static const char src[] =
	    "virtual web {\n"
	    "  listen = \"127.0.0.1:18080\"\n"
	    "  scheduler = \"http\"\n"
	    "  server \"127.0.0.1:18081\" { }\n"
	    "  rule { pattern = 'it\\'s \\\\d+ ${HOME} \"q\"' "
	    "server = \"127.0.0.1:18081\" }\n"
	    "}\n";
	struct generation *gen, *again;
	char *errs = NULL, *t;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);

	gen = conf_load_buf("q", src, f);
	fclose(f);
	ck_assert_msg(gen != NULL, "rejected: %s", errs);
	ck_assert_str_eq(gen->svc[0].rules[0].pattern,
	    "it's \\d+ ${HOME} \"q\"");
	t = dump(gen, NULL);
	free(errs);
	again = edited(gen, NULL, &errs);
	ck_assert_msg(again != NULL, "dump rejected: %s\n%s", errs, t);
	ck_assert_str_eq(again->svc[0].rules[0].pattern,
	    gen->svc[0].rules[0].pattern);
	conf_free(gen);
	conf_free(again);
	free(errs);
	free(t);
}
END_TEST

/*
 * Edits of the example (web, http, servers 8081 (1), 8082 (2), 8083 (2);
 * rules ^/images/ -> 8081, .* -> 8083), each applied to a fresh load,
 * then, when then.op is set, a second edit on its result; check looks
 * at the last generation.
 */
struct edit_case {
	const char		*name;
	struct conf_edit	 e;
	struct conf_edit	 then;
	void			(*check)(const struct generation *,
				    const struct generation *orig);
};

static void
added_service(const struct generation *g, const struct generation *orig)
{
	const struct service *svc = conf_service(g, "img");

	(void)orig;
	ck_assert_uint_eq(g->nsvc, 2);
	ck_assert_ptr_nonnull(svc);
	ck_assert_str_eq(svc->sched->name, "rr");
	ck_assert_uint_eq(svc->nlisten, 0);
	ck_assert_uint_eq(svc->maxclients, 2);
	ck_assert_uint_eq(svc->startservers, 2);
}

static void
edited_service(const struct generation *g, const struct generation *orig)
{
	const struct service *svc = conf_service(g, "web");

	(void)orig;
	ck_assert_uint_eq(svc->nlisten, 1);
	ck_assert_str_eq(svc->listen[0].name, "127.0.0.1:9999");
	ck_assert_str_eq(svc->sched->name, "http");
}

static void
added_server(const struct generation *g, const struct generation *orig)
{
	const struct service *svc = conf_service(g, "web");

	(void)orig;
	ck_assert_uint_eq(svc->nrs, 4);
	ck_assert_uint_eq(svc->rs[3].weight, 7);
}

/* a rule with the pattern of an existing one gets the server */
static void
joined_rule(const struct generation *g, const struct generation *orig)
{
	const struct service *svc = conf_service(g, "web");

	(void)orig;
	ck_assert_uint_eq(svc->nrules, 2);
	ck_assert_uint_eq(svc->rules[0].servers, 0x5);
}

/* a new pattern is a new rule, last */
static void
new_rule(const struct generation *g, const struct generation *orig)
{
	const struct service *svc = conf_service(g, "web");

	(void)orig;
	ck_assert_uint_eq(svc->nrules, 3);
	ck_assert_uint_eq(svc->rules[2].servers, 0x4);
	ck_assert_uint_eq(svc->rules[2].match, 1);
}

/* one server out of a rule */
static void
server_out_of_rule(const struct generation *g,
    const struct generation *orig)
{
	(void)orig;
	ck_assert_uint_eq(conf_service(g, "web")->rules[1].servers, 0x5);
}

/* the last one out deletes the rule */
static void
last_out_of_rule(const struct generation *g, const struct generation *orig)
{
	(void)orig;
	ck_assert_uint_eq(conf_service(g, "web")->nrules, 1);
}

static void
rule_deleted(const struct generation *g, const struct generation *orig)
{
	(void)orig;
	ck_assert_uint_eq(conf_service(g, "web")->nrules, 1);
	ck_assert_str_eq(conf_service(g, "web")->rules[0].pattern,
	    "^/images/");
}

/* a server no rule names can go */
static void
server_deleted(const struct generation *g, const struct generation *orig)
{
	(void)orig;
	ck_assert_uint_eq(conf_service(g, "web")->nrs, 2);
}

static void
stopped(const struct generation *g, const struct generation *orig)
{
	(void)orig;
	ck_assert(conf_service(g, "web")->stopped);
}

static void
started(const struct generation *g, const struct generation *orig)
{
	(void)orig;
	ck_assert(!conf_service(g, "web")->stopped);
}

static unsigned
weight_times_ten(const struct realserver *rs, void *arg)
{
	(void)arg;
	return rs->weight * 10;
}

static void
weights_written(const struct generation *g, const struct generation *orig)
{
	(void)orig;
	ck_assert_uint_eq(conf_service(g, "web")->rs[1].weight, 20);
}

static void
no_service(const struct generation *g, const struct generation *orig)
{
	ck_assert_uint_eq(g->nsvc, 0);
	ck_assert_uint_eq(g->serverlimit, orig->serverlimit);
}

static const struct edit_case edits[] = {
	{ "add service", { .op = CONF_EDIT_ADD_SERVICE, .ident = "img",
	    .sched = "rr", .maxclients = 2 /* what serverlimit 256 leaves */,
	    .rs = -1 }, { 0 }, added_service },
	{ "edit service", { .op = CONF_EDIT_EDIT_SERVICE, .ident = "web",
	    .listen = "127.0.0.1:9999", .maxclients = 2, .rs = -1 }, { 0 },
	    edited_service },
	{ "add server", { .op = CONF_EDIT_ADD_SERVER, .ident = "web",
	    .server = "127.0.0.1:8084", .weight = 7, .rs = -1 }, { 0 },
	    added_server },
	{ "add rule, existing pattern", { .op = CONF_EDIT_ADD_RULE,
	    .ident = "web", .pattern = "^/images/", .rs = 2, .match = -1 },
	    { 0 }, joined_rule },
	{ "add rule, new pattern", { .op = CONF_EDIT_ADD_RULE, .ident = "web",
	    .pattern = "^/new/(.*)", .rs = 2, .match = 1 }, { 0 }, new_rule },
	{ "delete a server from a rule", { .op = CONF_EDIT_DEL_RULE,
	    .ident = "web", .pattern = ".*", .rs = 1 }, { 0 },
	    server_out_of_rule },
	{ "delete a rule's last server", { .op = CONF_EDIT_DEL_RULE,
	    .ident = "web", .pattern = "^/images/", .rs = 0 }, { 0 },
	    last_out_of_rule },
	{ "delete a rule", { .op = CONF_EDIT_DEL_RULE, .ident = "web",
	    .pattern = ".*", .rs = -1 }, { 0 }, rule_deleted },
	{ "delete a server no rule names", { .op = CONF_EDIT_DEL_RULE,
	    .ident = "web", .pattern = ".*", .rs = -1 },
	    { .op = CONF_EDIT_DEL_SERVER, .ident = "web", .pattern = ".*",
	    .rs = 2 }, server_deleted },
	{ "stop", { .op = CONF_EDIT_STOP, .rs = -1 }, { 0 }, stopped },
	{ "stop, start", { .op = CONF_EDIT_STOP, .rs = -1 },
	    { .op = CONF_EDIT_START, .ident = "web", .rs = -1 }, started },
	{ "weights written", { .op = CONF_EDIT_NONE, .rs = -1,
	    .weight_of = weight_times_ten }, { 0 }, weights_written },
	{ "delete service", { .op = CONF_EDIT_DEL_SERVICE, .ident = "web",
	    .rs = -1 }, { 0 }, no_service },
	{ "flush", { .op = CONF_EDIT_FLUSH, .ident = "web", .rs = -1 },
	    { 0 }, no_service },
};

START_TEST(test_edits)
{
	const struct edit_case *c = &edits[_i];
	struct generation *gen = load_file("conf/tcpvs.conf"), *g, *g2;
	char *errs = NULL;

	g = edited(gen, &c->e, &errs);
	ck_assert_msg(g != NULL, "%s: %s", c->name, errs);
	free(errs);
	if (c->then.op != CONF_EDIT_NONE) {
		errs = NULL;
		g2 = edited(g, &c->then, &errs);
		ck_assert_msg(g2 != NULL, "%s: %s", c->name, errs);
		free(errs);
		conf_free(g);
		g = g2;
	}
	c->check(g, gen);
	conf_free(g);
	conf_free(gen);
}
END_TEST

/* what the loader refuses in an edit is refused: a bad pattern */
START_TEST(test_edit_rejected)
{
	struct generation *gen = load_file("conf/tcpvs.conf"), *g;
	struct conf_edit e;
	char *errs = NULL;

	memset(&e, 0, sizeof(e));
	e.op = CONF_EDIT_ADD_RULE;
	e.ident = "web";
	e.pattern = "^/(a";
	e.rs = 0;
	e.match = -1;
	g = edited(gen, &e, &errs);
	ck_assert_ptr_null(g);
	ck_assert_ptr_nonnull(strstr(errs, "invalid pattern '^/(a': missing "
	    "closing parenthesis at offset 4"));
	free(errs);
	conf_free(gen);
}
END_TEST

static Suite *
dump_suite(void)
{
	Suite *s = suite_create("conf_dump");
	TCase *tc;

	tc = tcase_create("round_trip");
	tcase_add_loop_test(tc, test_round_trip, 0, sizeof(files) /
	    sizeof(files[0]));
	tcase_add_test(tc, test_quoting);
	tcase_add_test(tc, test_pool_from_cpus);
	tcase_add_test(tc, test_brace_in_string);
	tcase_add_test(tc, test_every_option);
	tcase_add_test(tc, test_every_value);
	tcase_add_test(tc, test_admin_written);
	tcase_add_test(tc, test_add_server_checked);
	suite_add_tcase(s, tc);
	tc = tcase_create("edits");
	tcase_add_loop_test(tc, test_edits, 0, sizeof(edits) /
	    sizeof(edits[0]));
	tcase_add_test(tc, test_edit_rejected);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dump_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
