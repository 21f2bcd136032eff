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

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "sched.h"

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

static void
dump_global(FILE *f, const struct generation *gen)
{
	opt_str(f, "", "pidfile", gen->pidfile ? gen->pidfile : "");
	opt_str(f, "", "errorlog", gen->errorlog);
	opt_str(f, "", "loglevel", log_level_str((enum log_level)
	    gen->loglevel));
	fprintf(f, "serverlimit = %u\n", gen->serverlimit);
	if (gen->scoreboardfile != NULL)
		opt_str(f, "", "scoreboardfile", gen->scoreboardfile);
	fprintf(f, "graceful_timeout = %u\n", gen->graceful_timeout);
	if (gen->user != NULL)
		opt_str(f, "", "user", gen->user);
	if (gen->group != NULL)
		opt_str(f, "", "group", gen->group);
	opt_str(f, "", "control", gen->control ? gen->control : "");
	fprintf(f, "control_mode = 0%o\n", gen->control_mode);
	if (gen->control_group != NULL)
		opt_str(f, "", "control_group", gen->control_group);
}

static void
dump_pool(FILE *f, const struct service *svc)
{
	const struct { const char *name; unsigned long long v; } n[] = {
		{ "startservers", svc->startservers },
		{ "minspareservers", svc->minspareservers },
		{ "maxspareservers", svc->maxspareservers },
		{ "maxclients", svc->maxclients },
		{ "maxrequestsperchild", svc->maxrequestsperchild },
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
	};

	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		fprintf(f, "    %s = %llu\n", n[i].name, n[i].v);
	fprintf(f, "    splice = %s\n", svc->splice ? "true" : "false");
	fprintf(f, "    keepalive = %s\n", svc->keepalive ? "true" : "false");
}

static bool
edits(const struct conf_edit *e, enum conf_edit_op op, const char *ident)
{
	return e != NULL && e->op == op && (e->ident == NULL ||
	    strcmp(e->ident, ident) == 0);
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

static void
dump_servers(FILE *f, const struct service *svc, const struct conf_edit *e)
{
	for (unsigned i = 0; i < svc->nrs; i++) {
		const struct realserver *rs = &svc->rs[i];
		unsigned w = rs->weight;

		if (edits(e, CONF_EDIT_DEL_SERVER, svc->ident) &&
		    e->rs == (int)i)
			continue;
		if (e != NULL && e->weight_of != NULL)
			w = e->weight_of(rs, e->arg);
		fprintf(f, "    server ");
		put_str(f, rs->name);
		fprintf(f, " { weight = %u }\n", w);
	}
	if (edits(e, CONF_EDIT_ADD_SERVER, svc->ident)) {
		fprintf(f, "    server ");
		put_str(f, e->server);
		fprintf(f, " { weight = %u }\n", e->weight);
	}
}

static void
dump_rule(FILE *f, const struct service *svc, const char *pattern,
    uint64_t servers, unsigned match)
{
	unsigned n = 0;

	fprintf(f, "    rule {\n        pattern = ");
	put_str(f, pattern);
	fprintf(f, "\n        server = {");
	for (unsigned i = 0; i < svc->nrs; i++)
		if ((servers >> i) & 1) {
			fputs(n++ ? ", " : "", f);
			put_str(f, svc->rs[i].name);
		}
	fprintf(f, "}\n        match = %u\n    }\n", match);
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
	    conf_rule_index(svc, e->pattern) == (int)i) {
		*servers |= bit;
		if (e->match >= 0)
			*match = (unsigned)e->match;
	}
	if (edits(e, CONF_EDIT_DEL_RULE, svc->ident) &&
	    strcmp(r->pattern, e->pattern) == 0) {
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
			dump_rule(f, svc, svc->rules[i].pattern, servers,
			    match);
	if (edits(e, CONF_EDIT_ADD_RULE, svc->ident) &&
	    conf_rule_index(svc, e->pattern) == -1)
		dump_rule(f, svc, e->pattern, (uint64_t)1 << e->rs,
		    e->match >= 0 ? (unsigned)e->match : 0);
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
	fprintf(f, "    stopped = %s\n", stopped ? "true" : "false");
	dump_pool(f, svc);
	if (svc->has_redirect)
		opt_str(f, "    ", "redirect", svc->redirect_name);
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
		if (e->maxclients < CONF_DEF_STARTSERVERS)
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
	return !svc->stopped && svc->nlisten > 0;
}
