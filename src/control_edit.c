/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The structural control commands, in the master: add, edit and delete
 * services, servers and rules, start and stop, load a whole file, and
 * save (-S).  Each checks what it names, then writes the running
 * generation out with the change (conf_dump), loads the text as a file
 * would be (conf_load_buf) and hands the new generation to the master,
 * which switches to it as SIGUSR1 does: a failed command changes
 * nothing.  control_cmd.c dispatches to them and holds the runtime
 * commands, which go straight to the scoreboard.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "control.h"
#include "ctl.h"
#include "listener.h"
#include "rule.h"
#include "sched.h"
#include "scoreboard.h"
#include "util.h"

#define LOAD(x)	atomic_load_explicit(&(x), memory_order_relaxed)

static int
check_sched(const char *name, char *err, size_t errlen)
{
	const char * const *n = sched_names();
	size_t off;

	if (name == NULL || sched_lookup(name) != NULL)
		return 0;
	off = (size_t)snprintf(err, errlen, "unknown scheduler '%s', expected "
	    "one of", name);
	for (; *n != NULL && off < errlen; n++)
		off += (size_t)snprintf(err + off, errlen - off, " %s", *n);
	return -1;
}

/* persistent: seconds, 0 (off) to 31 days, as in tcpvs.conf */
static int
check_persistent(const char *s, char *err, size_t errlen)
{
	unsigned long v;
	char *end;

	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    v > 86400UL * 31) {
		snprintf(err, errlen, "invalid persistent '%s': expected "
		    "seconds, 0 to %lu", s, 86400UL * 31);
		return -1;
	}
	return 0;
}

static int
check_listen(const char *s, char *err, size_t errlen)
{
	struct util_addr ua;

	return s == NULL ? 0 : control_parse_addr("listen", s, &ua, err,
	    errlen);
}

/*
 * The structural path: the running generation written out with e, with
 * configured weights and admin states (what tcpvsadm set stays in the
 * scoreboard, as across a reload).
 */

/* -S: what the server runs with (a slowstart's target weight) */
static unsigned
runtime_weight(const struct realserver *rs, void *arg)
{
	const struct sb *sb = arg;

	if (rs->sb_index < 0)
		return rs->weight;
	return LOAD(sb_server(sb, (unsigned)rs->sb_index)->conf_weight);
}

static int
runtime_admin(const struct realserver *rs, void *arg)
{
	const struct sb *sb = arg;

	if (rs->sb_index < 0)
		return rs->admin;
	return (int)LOAD(sb_server(sb, (unsigned)rs->sb_index)->admin);
}

/* the first error of a load, without "NAME:LINE: " */
static void
first_error(const char *errs, const char *name, char *err, size_t errlen)
{
	const char *p = errs;
	size_t n = strlen(name);

	if (strncmp(p, name, n) == 0 && p[n] == ':') {
		p += n + 1;
		p += strspn(p, "0123456789");
		if (*p == ':')
			p++;
		p += strspn(p, " ");
	}
	snprintf(err, errlen, "%.*s", (int)strcspn(p, "\n"), p);
}

static int
structural(struct control *c, struct conf_edit *e, char *err, size_t errlen)
{
	struct generation *next;
	char *text = NULL, *errs = NULL;
	size_t tlen = 0, elen = 0;
	FILE *f;

	if ((f = open_memstream(&text, &tlen)) == NULL)
		goto nomem;
	conf_dump(f, control_gen(c), e);
	fclose(f);
	if ((f = open_memstream(&errs, &elen)) == NULL) {
		free(text);
		goto nomem;
	}
	next = conf_load_buf("tcpvsadm", text, f);
	fclose(f);
	free(text);
	if (next == NULL)
		first_error(errs, "tcpvsadm", err, errlen);
	free(errs);
	if (next == NULL)
		return -1;
	return control_apply(c, next, err, errlen);
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static void
edit_init(struct conf_edit *e, enum conf_edit_op op, const char *ident)
{
	memset(e, 0, sizeof(*e));
	e->op = op;
	e->ident = ident;
	e->rs = -1;
	e->match = -1;
}

/* services */

static int
check_ident(const struct generation *gen, const char *ident, char *err,
    size_t errlen)
{
	size_t n;

	if (ident == NULL) {
		snprintf(err, errlen, "missing ident (-i IDENT)");
		return -1;
	}
	n = strlen(ident);
	if (n == 0 || n >= CONF_IDENT_MAX || strspn(ident,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-") != n) {
		snprintf(err, errlen, "invalid ident '%.40s': expected 1 to %d "
		    "letters, digits, '_', '.' or '-'", ident,
		    CONF_IDENT_MAX - 1);
		return -1;
	}
	if (conf_service(gen, ident) != NULL) {
		snprintf(err, errlen, "virtual service '%s' already exists",
		    ident);
		return -1;
	}
	if (gen->nsvc >= CONF_MAX_SERVICES) {
		snprintf(err, errlen, "%d virtual services already, the most "
		    "there can be", CONF_MAX_SERVICES);
		return -1;
	}
	return 0;
}

/* what serverlimit leaves for a new service's maxclients */
static int
room_for_service(const struct generation *gen, unsigned *maxclients,
    char *err, size_t errlen)
{
	unsigned long sum = 0;

	for (unsigned i = 0; i < gen->nsvc; i++)
		sum += gen->svc[i].maxclients;
	if (sum >= gen->serverlimit) {
		snprintf(err, errlen, "no worker slots left for a new service: "
		    "the services' maxclients take all of serverlimit (%u)",
		    gen->serverlimit);
		return -1;
	}
	*maxclients = gen->serverlimit - sum >= conf_pool_default("maxclients") ? 0 :
	    (unsigned)(gen->serverlimit - sum);
	return 0;
}

int
control_add_service(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	const struct generation *gen = control_gen(c);
	struct conf_edit e;

	edit_init(&e, CONF_EDIT_ADD_SERVICE, ctl_get(l, "ident"));
	e.sched = ctl_get(l, "sched");
	e.listen = ctl_get(l, "listen");
	if (check_ident(gen, e.ident, err, errlen) == -1 ||
	    check_sched(e.sched, err, errlen) == -1 ||
	    check_listen(e.listen, err, errlen) == -1 ||
	    room_for_service(gen, &e.maxclients, err, errlen) == -1)
		return -1;
	return structural(c, &e, err, errlen);
}

int
control_edit_service(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	const struct service *svc;
	struct conf_edit e;

	if ((svc = control_need_service(control_gen(c), l, err, errlen)) == NULL)
		return -1;
	edit_init(&e, CONF_EDIT_EDIT_SERVICE, svc->ident);
	e.sched = ctl_get(l, "sched");
	e.listen = ctl_get(l, "listen");
	e.persistent = ctl_get(l, "persistent");
	if (check_sched(e.sched, err, errlen) == -1 ||
	    check_listen(e.listen, err, errlen) == -1 ||
	    check_persistent(e.persistent, err, errlen) == -1)
		return -1;
	if (e.sched == NULL && e.listen == NULL && e.persistent == NULL)
		return 0;	/* nothing to change, as ipvsadm -E */
	return structural(c, &e, err, errlen);
}

int
control_del_service(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	const struct service *svc;
	struct conf_edit e;

	if ((svc = control_need_service(control_gen(c), l, err, errlen)) == NULL)
		return -1;
	edit_init(&e, CONF_EDIT_DEL_SERVICE, svc->ident);
	return structural(c, &e, err, errlen);
}

int
control_flush(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	struct conf_edit e;

	edit_init(&e, CONF_EDIT_FLUSH, NULL);
	return structural(c, &e, err, errlen);
}

/* start, stop: ident or every service */
static int
start_stop(struct control *c, const struct ctl_line *l, bool stop,
    char *err, size_t errlen)
{
	const struct generation *gen = control_gen(c);
	const struct service *svc = NULL;
	struct conf_edit e;
	bool change = false;

	if (ctl_get(l, "ident") != NULL &&
	    (svc = control_need_service(gen, l, err, errlen)) == NULL)
		return -1;
	if (svc != NULL && !stop && listener_count(svc) == 0) {
		snprintf(err, errlen, "virtual %s has no listen address: give "
		    "it one with -E -i %s -P PORT or -l ADDR:PORT", svc->ident,
		    svc->ident);
		return -1;
	}
	for (unsigned i = 0; i < gen->nsvc; i++)
		if ((svc == NULL || svc == &gen->svc[i]) &&
		    gen->svc[i].stopped != stop)
			change = true;
	if (!change)
		return 0;
	edit_init(&e, stop ? CONF_EDIT_STOP : CONF_EDIT_START,
	    svc != NULL ? svc->ident : NULL);
	return structural(c, &e, err, errlen);
}

int
control_start(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	return start_stop(c, l, false, err, errlen);
}

int
control_stop(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	return start_stop(c, l, true, err, errlen);
}

/* servers */

int
control_add_server(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	const struct service *svc;
	struct util_addr ua;
	struct conf_edit e;
	long w = CONF_DEF_WEIGHT;
	int i;

	if ((svc = control_need_service(control_gen(c), l, err, errlen)) == NULL)
		return -1;
	edit_init(&e, CONF_EDIT_ADD_SERVER, svc->ident);
	if ((e.server = ctl_get(l, "server")) == NULL) {
		snprintf(err, errlen, "missing server (-r ADDR:PORT)");
		return -1;
	}
	if (control_parse_addr("server", e.server, &ua, err, errlen) == -1 ||
	    control_get_number(l, "weight", CONF_MAX_WEIGHT, &w, err,
	    errlen) == -1)
		return -1;
	if ((i = conf_server_index(svc, (struct sockaddr *)&ua.ss)) != -1) {
		snprintf(err, errlen, "server %s is already a server of "
		    "virtual %s (as %s)", e.server, svc->ident,
		    svc->rs[i].name);
		return -1;
	}
	if (svc->nrs >= CONF_MAX_SERVERS) {
		snprintf(err, errlen, "virtual %s has %d servers, the most "
		    "there can be", svc->ident, CONF_MAX_SERVERS);
		return -1;
	}
	e.weight = (unsigned)w;
	return structural(c, &e, err, errlen);
}

int
control_del_server(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	const struct service *svc;
	struct conf_edit e;
	int i;

	if ((svc = control_need_service(control_gen(c), l, err, errlen)) == NULL ||
	    (i = control_need_server(svc, l, err, errlen)) == -1)
		return -1;
	for (unsigned k = 0; k < svc->nrules; k++)
		if ((svc->rules[k].servers >> i) & 1) {
			snprintf(err, errlen, "server %s is named by rule '%s' "
			    "of virtual %s: take it out of the rule first "
			    "(--del-rule)", svc->rs[i].name,
			    svc->rules[k].pattern, svc->ident);
			return -1;
		}
	edit_init(&e, CONF_EDIT_DEL_SERVER, svc->ident);
	e.rs = i;
	return structural(c, &e, err, errlen);
}

/* rules */

/* the pattern compiles, with its match group */
static int
check_pattern(const char *pattern, unsigned match, char *err, size_t errlen)
{
	struct rule r;
	int rc;

	for (const char *p = pattern; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f) {
			snprintf(err, errlen, "invalid pattern: control "
			    "character at offset %zu", (size_t)(p - pattern));
			return -1;
		}
	memset(&r, 0, sizeof(r));
	r.pattern = xstrdup(pattern);
	r.match = match;
	rc = rule_compile(&r, err, errlen);
	rule_free(&r);
	return rc;
}

/* the rule's conditions and return on the line (tcpvsadm --host ...) */
static int
rule_of_line(const struct service *svc, const struct ctl_line *l,
    struct conf_edit *e, char *err, size_t errlen)
{
	long ret = 0;

	e->pattern = ctl_get(l, "pattern");
	e->host = ctl_get(l, "host");
	e->method = ctl_get(l, "method");
	e->header = ctl_get(l, "header");
	e->source = ctl_get(l, "source");
	e->location = ctl_get(l, "location");
	if (control_get_number(l, "return", 599, &ret, err, errlen) == -1)
		return -1;
	e->ret = (int)ret;
	if (e->ret != 0 && ctl_get(l, "server") != NULL) {
		snprintf(err, errlen, "a rule has a server (-r) or a return "
		    "status (--return), not both");
		return -1;
	}
	(void)svc;
	return 0;
}

int
control_add_rule(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	const struct service *svc;
	struct conf_edit e;
	long match = -1;
	int i = -1, r;

	if ((svc = control_need_service(control_gen(c), l, err, errlen)) == NULL)
		return -1;
	edit_init(&e, CONF_EDIT_ADD_RULE, svc->ident);
	if (rule_of_line(svc, l, &e, err, errlen) == -1 ||
	    control_get_number(l, "match", 99, &match, err, errlen) == -1 ||
	    (e.ret == 0 && (i = control_need_server(svc, l, err,
	    errlen)) == -1))
		return -1;
	r = conf_rule_find(svc, &e);
	if (e.pattern != NULL && check_pattern(e.pattern, match >= 0 ?
	    (unsigned)match : r >= 0 ? svc->rules[r].match : 0, err,
	    errlen) == -1)
		return -1;
	if (r >= 0 && (e.ret != 0 || (svc->rules[r].servers >> i) & 1)) {
		snprintf(err, errlen, "virtual %s already has this rule%s%s",
		    svc->ident, e.ret != 0 ? "" : " with server ",
		    e.ret != 0 ? "" : svc->rs[i].name);
		return -1;
	}
	if (r < 0 && svc->nrules >= CONF_MAX_RULES) {
		snprintf(err, errlen, "virtual %s has %d rules, the most there "
		    "can be", svc->ident, CONF_MAX_RULES);
		return -1;
	}
	e.rs = i;
	e.match = (int)match;
	return structural(c, &e, err, errlen);
}

int
control_del_rule(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	const struct service *svc;
	struct conf_edit e;
	int r;

	if ((svc = control_need_service(control_gen(c), l, err, errlen)) == NULL)
		return -1;
	edit_init(&e, CONF_EDIT_DEL_RULE, svc->ident);
	if (rule_of_line(svc, l, &e, err, errlen) == -1)
		return -1;
	if ((r = conf_rule_find(svc, &e)) == -1) {
		snprintf(err, errlen, "unknown rule: virtual %s has no rule "
		    "with pattern '%s' and these conditions", svc->ident,
		    e.pattern != NULL ? e.pattern : "");
		return -1;
	}
	if (ctl_get(l, "server") != NULL) {
		if ((e.rs = control_need_server(svc, l, err, errlen)) == -1)
			return -1;
		if (!((svc->rules[r].servers >> e.rs) & 1)) {
			snprintf(err, errlen, "rule '%s' of virtual %s does "
			    "not name server %s", e.pattern != NULL ?
			    e.pattern : "", svc->ident, svc->rs[e.rs].name);
			return -1;
		}
	}
	return structural(c, &e, err, errlen);
}

/* load: a whole file, sent as a descriptor (the client's permissions) */
static char *
read_file(int fd, char *err, size_t errlen)
{
	struct stat st;
	char *text;
	size_t off = 0;
	ssize_t n;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "load: not a regular file");
		return NULL;
	}
	if (st.st_size > CTL_MAX_LOAD) {
		snprintf(err, errlen, "load: file larger than %d bytes",
		    CTL_MAX_LOAD);
		return NULL;
	}
	text = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size && (n = pread(fd, text + off,
	    (size_t)st.st_size - off, (off_t)off)) > 0)
		off += (size_t)n;
	text[off] = '\0';
	if (strlen(text) != off) {
		snprintf(err, errlen, "load: the file holds a NUL byte");
		free(text);
		return NULL;
	}
	return text;
}

int
control_load(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	const char *name = ctl_get(l, "path");
	struct generation *next;
	char *text, *errs = NULL;
	size_t elen = 0;
	FILE *f;

	if (passfd == -1) {
		snprintf(err, errlen, "load: no file descriptor came with the "
		    "request");
		return -1;
	}
	if ((text = read_file(passfd, err, errlen)) == NULL)
		return -1;
	if (name == NULL)
		name = "(loaded file)";
	if ((f = open_memstream(&errs, &elen)) == NULL) {
		free(text);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	next = conf_load_buf(name, text, f);
	fclose(f);
	free(text);
	if (next == NULL) {
		unsigned n = 0;

		for (const char *p = errs; (p = strchr(p, '\n')) != NULL; p++)
			n++;
		snprintf(err, errlen, "%s rejected with %u error%s; the running "
		    "configuration stays", name, n, n == 1 ? "" : "s");
		fputs(errs, out);	/* every error, one a line */
		free(errs);
		return -1;
	}
	free(errs);
	if (control_apply(c, next, err, errlen) == -1)
		return -1;
	/* tcpvsadm prints it: what a reload will do to this configuration */
	fprintf(out, "note: a reload of tcpvsd reads %s again and replaces "
	    "%s; copy it there to keep it\n", control_conf_path(c), name);
	return 0;
}

int
control_save(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	struct conf_edit e;

	edit_init(&e, CONF_EDIT_NONE, NULL);
	e.weight_of = runtime_weight;
	e.admin_of = runtime_admin;
	e.arg = control_sb(c);
	conf_dump(out, control_gen(c), &e);
	return 0;
}
