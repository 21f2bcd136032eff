/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Writes a generation out as tcpvs.conf text that conf_load() reads back
 * to the same generation: every option spelt out, strings single-quoted
 * (libconfuse does not expand ${VAR} in them).  An edit is applied on the
 * way, so a tcpvsadm structural change is the running generation written
 * out with the change, loaded again and checked like a file: the running
 * generation is the one model of the configuration.  Runs in the master.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "conf_rule.h"
#include "log.h"
#include "probe.h"
#include "sched.h"
#include "scoreboard-t.h"
#include "tls_conf.h"

static void
put_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '\'')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void
opt_str(FILE *f, const char *indent, const char *name, const char *v)
{
	fprintf(f, "%s%s = ", indent, name);
	put_str(f, v);
	fputc('\n', f);
}

void
conf_dump_str(FILE *f, const char *s)
{
	put_str(f, s);
}

void
conf_dump_opt(FILE *f, const char *indent, const char *name, const char *v)
{
	opt_str(f, indent, name, v);
}

static void
dump_global(FILE *f, const struct generation *gen)
{
	opt_str(f, "", "pidfile", gen->pidfile ? gen->pidfile : "");
	opt_str(f, "", "errorlog", gen->errorlog);
	opt_str(f, "", "loglevel", log_level_str((enum log_level)
	    gen->loglevel));
	fprintf(f, "serverlimit = %u\n", gen->serverlimit);
	fprintf(f, "inflightlimit = %u\n", gen->inflightlimit);
	if (gen->scoreboardfile != NULL)
		opt_str(f, "", "scoreboardfile", gen->scoreboardfile);
	fprintf(f, "graceful_timeout = %u\n", gen->graceful_timeout);
	if (gen->status_name != NULL)
		opt_str(f, "", "status_listen", gen->status_name);
	if (gen->accesslog != NULL)
		opt_str(f, "", "accesslog", gen->accesslog);
	opt_str(f, "", "accesslog_format", gen->accesslog_format);
	if (gen->user != NULL)
		opt_str(f, "", "user", gen->user);
	if (gen->group != NULL)
		opt_str(f, "", "group", gen->group);
	opt_str(f, "", "control", gen->control ? gen->control : "");
	fprintf(f, "control_mode = 0%o\n", gen->control_mode);
	if (gen->control_group != NULL)
		opt_str(f, "", "control_group", gen->control_group);
	tls_conf_dump_global(f, gen);
}

static bool
edits(const struct conf_edit *e, enum conf_edit_op op, const char *ident)
{
	return e != NULL && e->op == op && (e->ident == NULL ||
	    strcmp(e->ident, ident) == 0);
}

/* an option not written, taken from this host (its CPU count, somaxconn) */
static bool
from_cpus(const struct service *svc, const char *name)
{
	static const struct { const char *name; unsigned bit; } p[] = {
		{ "startservers", CONF_POOL_START },
		{ "minspareservers", CONF_POOL_MINSPARE },
		{ "maxspareservers", CONF_POOL_MAXSPARE },
		{ "maxclients", CONF_POOL_MAXCLIENTS },
		{ "backlog", CONF_HOST_BACKLOG },
	};

	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (strcmp(p[i].name, name) == 0)
			return (svc->pool_cpu & p[i].bit) != 0;
	return false;
}

static void
dump_pool(FILE *f, const struct service *svc, const struct conf_edit *e)
{
	const struct { const char *name; unsigned long long v; } n[] = {
		{ "startservers", svc->startservers },
		{ "minspareservers", svc->minspareservers },
		{ "maxspareservers", svc->maxspareservers },
		{ "maxclients", svc->maxclients },
		{ "maxrequestsperchild", svc->maxrequestsperchild },
		{ "maxinflight", svc->maxinflight },
		{ "connect_timeout", svc->connect_timeout },
		{ "read_timeout", svc->read_timeout },
		{ "request_timeout", svc->request_timeout },
		{ "max_request_line", svc->max_request_line },
		{ "max_header_size", svc->max_header_size },
		{ "max_headers", svc->max_headers },
		{ "max_body_size", svc->max_body_size },
		{ "backlog", svc->backlog },
		{ "keepalive_timeout", svc->keepalive_timeout },
		{ "maxkeepaliverequests", svc->maxkeepaliverequests },
		{ "server_keepalive", svc->server_keepalive },
		{ "server_keepalive_timeout", svc->server_keepalive_timeout },
		{ "request_min_rate", svc->request_min_rate },
		{ "maxconnperip", svc->maxconnperip },
		{ "retries", svc->retries },
		{ "persistent", svc->persistent },
		{ "slowstart", svc->slowstart },
		{ "mh_table_size", svc->mh_table_size },
		{ "lblc_expiration", svc->lblc_expiration },
	};
	char mask[INET_ADDRSTRLEN];
	struct in_addr a = { .s_addr = svc->persistent_mask };

	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		if (from_cpus(svc, n[i].name))
			continue;	/* not written: the next host's */
		else if (strcmp(n[i].name, "persistent") == 0 &&
		    edits(e, CONF_EDIT_EDIT_SERVICE, svc->ident) &&
		    e->persistent != NULL)
			fprintf(f, "    persistent = %s\n", e->persistent);
		else
			fprintf(f, "    %s = %llu\n", n[i].name, n[i].v);
	fprintf(f, "    splice = %s\n", svc->splice ? "true" : "false");
	fprintf(f, "    keepalive = %s\n", svc->keepalive ? "true" : "false");
	fprintf(f, "    defer_accept = %s\n", svc->defer_accept ? "true" :
	    "false");
	if (inet_ntop(AF_INET, &a, mask, sizeof(mask)) != NULL)
		opt_str(f, "    ", "persistent_netmask", mask);
	opt_str(f, "    ", "cookie", svc->cookie);
	opt_str(f, "    ", "mh_header", svc->mh_header);
	if (svc->accesslog != NULL)
		opt_str(f, "    ", "accesslog", svc->accesslog);
	if (svc->accesslog_format != NULL)
		opt_str(f, "    ", "accesslog_format", svc->accesslog_format);
}

/* the check options of c that were written at its level (c->set) */
static void
dump_check(FILE *f, const char *indent, const struct conf_check *c)
{
	char buf[512];

	if (c->set & CONF_CHK_CHECK)
		opt_str(f, indent, "check", c->probe != NULL ? c->probe->name :
		    "none");
	if (c->set & CONF_CHK_PATH)
		opt_str(f, indent, "check_path", c->path);
	if (c->set & CONF_CHK_HOST)
		opt_str(f, indent, "check_host", c->host);
	if (c->set & CONF_CHK_EXPECT) {
		conf_expect_format(&c->expect, buf, sizeof(buf));
		opt_str(f, indent, "check_expect", buf);
	}
	if (c->set & CONF_CHK_INTERVAL)
		fprintf(f, "%scheck_interval = '%ums'\n", indent,
		    c->interval_ms);
	if (c->set & CONF_CHK_TIMEOUT)
		fprintf(f, "%scheck_timeout = '%ums'\n", indent, c->timeout_ms);
	if (c->set & CONF_CHK_PORT)
		fprintf(f, "%scheck_port = %u\n", indent, c->port);
	if (c->set & CONF_CHK_RISE)
		fprintf(f, "%srise = %u\n", indent, c->rise);
	if (c->set & CONF_CHK_FALL)
		fprintf(f, "%sfall = %u\n", indent, c->fall);
}

static void
dump_listen(FILE *f, const struct service *svc, const struct conf_edit *e)
{
	if (edits(e, CONF_EDIT_EDIT_SERVICE, svc->ident) && e->listen != NULL) {
		opt_str(f, "    ", "listen", e->listen);
		return;
	}
	if (svc->nlisten == 0)
		return;
	fprintf(f, "    listen = {");
	for (unsigned i = 0; i < svc->nlisten; i++) {
		fputs(i ? ", " : "", f);
		put_str(f, svc->listen[i].name);
	}
	fprintf(f, "}\n");
}

/* a server's admin state, when not the default (active) */
static void
dump_admin(FILE *f, const char *before, int admin, const char *after)
{
	if (admin == RS_ADMIN_ACTIVE)
		return;
	fprintf(f, "%sadmin = ", before);
	put_str(f, conf_admin_str(admin));
	fputs(after, f);
}

static void
dump_servers(FILE *f, const struct service *svc, const struct conf_edit *e)
{
	for (unsigned i = 0; i < svc->nrs; i++) {
		const struct realserver *rs = &svc->rs[i];
		unsigned w = rs->weight;
		int admin = rs->admin;

		if (edits(e, CONF_EDIT_DEL_SERVER, svc->ident) &&
		    e->rs == (int)i)
			continue;
		if (e != NULL && e->weight_of != NULL)
			w = e->weight_of(rs, e->arg);
		if (e != NULL && e->admin_of != NULL)
			admin = e->admin_of(rs, e->arg);
		fprintf(f, "    server ");
		put_str(f, rs->name);
		if (!rs->id_set && rs->check.set == 0 &&
		    rs->send_proxy == PROXY_SEND_NONE && rs->tls == NULL) {
			fprintf(f, " { weight = %u", w);
			dump_admin(f, " ", admin, "");
			fprintf(f, " }\n");
			continue;
		}
		fprintf(f, " {\n        weight = %u\n", w);
		dump_admin(f, "        ", admin, "\n");
		if (rs->id_set)
			opt_str(f, "        ", "id", rs->id);
		dump_check(f, "        ", &rs->check);
		conf_rule_dump_server(f, rs);
		tls_conf_dump_server(f, rs);
		fprintf(f, "    }\n");
	}
	if (edits(e, CONF_EDIT_ADD_SERVER, svc->ident)) {
		fprintf(f, "    server ");
		put_str(f, e->server);
		fprintf(f, " { weight = %u }\n", e->weight);
	}
}

/* r: the rule as loaded, or NULL for the one tcpvsadm adds (e) */
static void
dump_rule(FILE *f, const struct service *svc, const struct rule *r,
    const struct conf_edit *e, uint64_t servers, unsigned match)
{
	const char *pattern = r != NULL ? r->pattern : e->pattern;
	unsigned n = 0;

	fprintf(f, "    rule {\n");
	if (pattern != NULL) {
		fprintf(f, "        pattern = ");
		put_str(f, pattern);
		fputc('\n', f);
	}
	if (r != NULL)
		conf_rule_dump_rule(f, r);
	else
		conf_rule_dump_edit(f, e);
	if (r != NULL ? r->ret == 0 : e->ret == 0) {
		fprintf(f, "        server = {");
		for (unsigned i = 0; i < svc->nrs; i++)
			if ((servers >> i) & 1) {
				fputs(n++ ? ", " : "", f);
				put_str(f, svc->rs[i].name);
			}
		fprintf(f, "}\n");
	}
	fprintf(f, "        match = %u\n    }\n", match);
}

/* a rule's servers and match group after the edit; false: dropped */
static bool
edit_rule(const struct service *svc, unsigned i, const struct conf_edit *e,
    uint64_t *servers, unsigned *match)
{
	const struct rule *r = &svc->rules[i];
	uint64_t bit = e != NULL && e->rs >= 0 ? (uint64_t)1 << e->rs : 0;

	*servers = r->servers;
	*match = r->match;
	if (edits(e, CONF_EDIT_DEL_SERVER, svc->ident))
		*servers &= ~bit;
	if (edits(e, CONF_EDIT_ADD_RULE, svc->ident) &&
	    conf_rule_find(svc, e) == (int)i) {
		*servers |= bit;
		if (e->match >= 0)
			*match = (unsigned)e->match;
	}
	if (edits(e, CONF_EDIT_DEL_RULE, svc->ident) &&
	    conf_rule_find(svc, e) == (int)i) {
		if (e->rs < 0)
			return false;
		*servers &= ~bit;
		return *servers != 0;
	}
	return true;
}

static void
dump_rules(FILE *f, const struct service *svc, const struct conf_edit *e)
{
	uint64_t servers;
	unsigned match;

	for (unsigned i = 0; i < svc->nrules; i++)
		if (edit_rule(svc, i, e, &servers, &match))
			dump_rule(f, svc, &svc->rules[i], NULL, servers,
			    match);
	if (edits(e, CONF_EDIT_ADD_RULE, svc->ident) &&
	    conf_rule_find(svc, e) == -1)
		dump_rule(f, svc, NULL, e, e->rs >= 0 ? (uint64_t)1 << e->rs :
		    0, e->match >= 0 ? (unsigned)e->match : 0);
}

static void
dump_service(FILE *f, const struct service *svc, const struct conf_edit *e)
{
	const char *sched = svc->sched != NULL ? svc->sched->name : "wlc";
	bool stopped = svc->stopped;

	if (edits(e, CONF_EDIT_EDIT_SERVICE, svc->ident) && e->sched != NULL)
		sched = e->sched;
	if (edits(e, CONF_EDIT_START, svc->ident))
		stopped = false;
	if (edits(e, CONF_EDIT_STOP, svc->ident))
		stopped = true;
	fprintf(f, "\nvirtual %s {\n", svc->ident);
	dump_listen(f, svc, e);
	opt_str(f, "    ", "scheduler", sched);
	opt_str(f, "    ", "rule_scheduler", svc->rule_sched != NULL ?
	    svc->rule_sched->name : "wlc");
	fprintf(f, "    stopped = %s\n", stopped ? "true" : "false");
	dump_pool(f, svc, e);
	if (svc->has_redirect)
		opt_str(f, "    ", "redirect", svc->redirect_name);
	dump_check(f, "    ", &svc->check);
	conf_rule_dump_service(f, svc);
	tls_conf_dump_service(f, svc);
	dump_servers(f, svc, e);
	dump_rules(f, svc, e);
	fprintf(f, "}\n");
}

/* a new service: what tcpvsadm -A said; every other option its default */
static void
dump_new_service(FILE *f, const struct conf_edit *e)
{
	fprintf(f, "\nvirtual %s {\n", e->ident);
	if (e->listen != NULL)
		opt_str(f, "    ", "listen", e->listen);
	if (e->sched != NULL)
		opt_str(f, "    ", "scheduler", e->sched);
	if (e->maxclients > 0) {
		fprintf(f, "    maxclients = %u\n", e->maxclients);
		if (e->maxclients < conf_pool_default("startservers"))
			fprintf(f, "    startservers = %u\n", e->maxclients);
	}
	fprintf(f, "}\n");
}

void
conf_dump(FILE *f, const struct generation *gen, const struct conf_edit *e)
{
	fprintf(f, "# tcpvs.conf: the running configuration of tcpvsd\n");
	dump_global(f, gen);
	if (e != NULL && e->op == CONF_EDIT_FLUSH)
		return;
	for (unsigned i = 0; i < gen->nsvc; i++)
		if (!edits(e, CONF_EDIT_DEL_SERVICE, gen->svc[i].ident))
			dump_service(f, &gen->svc[i], e);
	if (e != NULL && e->op == CONF_EDIT_ADD_SERVICE)
		dump_new_service(f, e);
}

int
conf_rule_index(const struct service *svc, const char *pattern)
{
	for (unsigned i = 0; i < svc->nrules; i++)
		if (svc->rules[i].pattern != NULL &&
		    strcmp(svc->rules[i].pattern, pattern) == 0)
			return (int)i;
	return -1;
}

int
conf_listening(const struct service *svc)
{
	return !svc->stopped && (svc->nlisten > 0 ||
	    (svc->tls != NULL && svc->tls->nlisten > 0));
}
