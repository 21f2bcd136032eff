/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Building a generation from the tree libconfuse parsed (conf.c loads it
 * against conf_schema.c's tables): the global settings, then each virtual
 * service with its pool, listen addresses, real servers, health checks,
 * rules (conf_rule.c), scheduler and TLS side (tls_conf.c); then the
 * checks that span options or services (pool bounds, duplicate listen
 * addresses, serverlimit, inflightlimit).  Errors go through conf_error()
 * with the line of the option concerned.  conf_free() undoes it.  Runs in
 * the master and tcpvsd -t.
 */
#include "config.h"

#include <arpa/inet.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <confuse.h>

#include "conf.h"
#include "conf_load.h"
#include "conf_rule.h"
#include "log.h"
#include "sched.h"
#include "tls_conf.h"
#include "util.h"

static void
set_addr(struct sockaddr_storage *ss, socklen_t *len, const char *s)
{
	struct util_addr ua;
	char err[256];

	/* validated while parsing; resolves the same way again */
	if (util_addr_parse(s, NULL, &ua, err, sizeof(err)) == -1) {
		memset(ss, 0, sizeof(*ss));
		*len = 0;
		return;
	}
	memcpy(ss, &ua.ss, ua.len);
	*len = ua.len;
}

/* what tls_conf.c reports errors with */
static const struct tls_conf_env tls_env = { conf_line_of, conf_error };

unsigned
conf_pool_default(const char *name)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > CONF_POOL_CPUS)
		n = CONF_POOL_CPUS;
	if (strcmp(name, "minspareservers") == 0)
		return CONF_DEF_MINSPARE;
	if (strcmp(name, "maxclients") == 0)
		return CONF_POOL_PER_CPU * (unsigned)n;
	return (unsigned)n;	/* startservers, maxspareservers */
}

/*
 * The listen backlog when none is written: as long as the host allows
 * (net.core.somaxconn; listen() takes no more), as HAProxy's follows
 * maxconn, not nginx's and Apache's 511: a burst of more connections
 * than the backlog holds while the workers accept loses some SYNs or
 * first segments, which the clients send again 200 ms to 1 s later.
 */
unsigned
conf_backlog_default(void)
{
	long n = util_proc_long("/proc/sys/net/core/somaxconn");

	if (n < 1)
		return CONF_DEF_BACKLOG;
	return n > CONF_BACKLOG_MAX ? CONF_BACKLOG_MAX : (unsigned)n;
}

/* a pool option as written, else its default from the CPU count */
static unsigned
pool_opt(cfg_t *vs, struct service *svc, const char *name, unsigned bit)
{
	if (conf_written(vs, name) != 0)
		return (unsigned)cfg_getint(vs, name);
	svc->pool_cpu |= bit;
	return conf_pool_default(name);
}

static void
build_pool(cfg_t *vs, struct service *svc)
{
	svc->pool_cpu = 0;
	svc->startservers = pool_opt(vs, svc, "startservers",
	    CONF_POOL_START);
	svc->minspareservers = pool_opt(vs, svc, "minspareservers",
	    CONF_POOL_MINSPARE);
	svc->maxspareservers = pool_opt(vs, svc, "maxspareservers",
	    CONF_POOL_MAXSPARE);
	svc->maxclients = pool_opt(vs, svc, "maxclients",
	    CONF_POOL_MAXCLIENTS);
	svc->maxrequestsperchild = (unsigned)cfg_getint(vs,
	    "maxrequestsperchild");
	svc->maxinflight = (unsigned)cfg_getint(vs, "maxinflight");
	svc->connect_timeout = (unsigned)cfg_getint(vs,
	    "connect_timeout");
	svc->read_timeout = (unsigned)cfg_getint(vs, "read_timeout");
	svc->request_timeout = (unsigned)cfg_getint(vs,
	    "request_timeout");
	svc->max_request_line = (unsigned)cfg_getint(vs,
	    "max_request_line");
	svc->max_header_size = (unsigned)cfg_getint(vs,
	    "max_header_size");
	svc->max_headers = (unsigned)cfg_getint(vs, "max_headers");
	svc->max_body_size = (uint64_t)cfg_getint(vs,
	    "max_body_size");
	if (conf_written(vs, "backlog") != 0)
		svc->backlog = (unsigned)cfg_getint(vs, "backlog");
	else {
		svc->backlog = conf_backlog_default();
		svc->pool_cpu |= CONF_HOST_BACKLOG;
	}
	svc->splice = cfg_getbool(vs, "splice") == cfg_true;
	svc->keepalive = cfg_getbool(vs, "keepalive") == cfg_true;
	svc->defer_accept = cfg_getbool(vs, "defer_accept") == cfg_true;
	svc->request_min_rate = (unsigned)cfg_getint(vs, "request_min_rate");
	svc->maxconnperip = (unsigned)cfg_getint(vs, "maxconnperip");
	svc->retries = (unsigned)cfg_getint(vs, "retries");
	util_strlcpy(svc->cookie, cfg_getstr(vs, "cookie"), sizeof(svc->cookie));
	svc->accesslog = cfg_getstr(vs, "accesslog") != NULL ?
	    xstrdup(cfg_getstr(vs, "accesslog")) : NULL;
	svc->accesslog_format = cfg_getstr(vs, "accesslog_format") != NULL ?
	    xstrdup(cfg_getstr(vs, "accesslog_format")) : NULL;
	svc->persistent = (unsigned)cfg_getint(vs, "persistent");
	{
		struct in_addr a;

		if (inet_pton(AF_INET, cfg_getstr(vs, "persistent_netmask"),
		    &a) == 1)
			svc->persistent_mask = a.s_addr;
		else
			svc->persistent_mask = 0xffffffffu;
	}
	svc->stopped = cfg_getbool(vs, "stopped") == cfg_true;
	svc->keepalive_timeout = (unsigned)cfg_getint(vs,
	    "keepalive_timeout");
	svc->maxkeepaliverequests = (unsigned)cfg_getint(vs,
	    "maxkeepaliverequests");
	svc->server_keepalive = (unsigned)cfg_getint(vs,
	    "server_keepalive");
	svc->server_keepalive_timeout = (unsigned)cfg_getint(vs,
	    "server_keepalive_timeout");
}

/*
 * Pool sizes where lo may not exceed hi: a default gives way to a value
 * written in the file (hi only when it may grow), with a warning; two
 * written values that contradict each other are an error naming both.
 */
static void
pool_order(cfg_t *vs, const char *ident, const char *lo_name, unsigned *lo,
    const char *hi_name, unsigned *hi, bool may_grow)
{
	int llo = conf_written(vs, lo_name), lhi = conf_written(vs, hi_name);

	if (*lo <= *hi)
		return;
	if (llo == 0 && lhi != 0) {
		conf_warning(lhi, "virtual %s: %s lowered from its default "
		    "(%u) to %s (%u)", ident, lo_name, *lo, hi_name, *hi);
		*lo = *hi;
	} else if (lhi == 0 && may_grow) {
		conf_warning(llo, "virtual %s: %s raised from its default "
		    "(%u) to %s (%u)", ident, hi_name, *hi, lo_name, *lo);
		*hi = *lo;
	} else if (lhi == 0)
		conf_error(llo, "virtual %s: %s (%u) is greater than %s (%u, "
		    "the default)", ident, lo_name, *lo, hi_name, *hi);
	else
		conf_error(llo, "virtual %s: %s (%u) is greater than %s (%u); "
		    "lines %d and %d", ident, lo_name, *lo, hi_name, *hi, llo,
		    lhi);
}

static void
check_pool(cfg_t *vs, struct service *svc)
{
	/* the workers started stay: a computed maxspareservers is at least
	   startservers */
	if ((svc->pool_cpu & CONF_POOL_MAXSPARE) &&
	    svc->maxspareservers < svc->startservers)
		svc->maxspareservers = svc->startservers;
	/* maxclients from the CPU count grows to what is written */
	pool_order(vs, svc->ident, "minspareservers", &svc->minspareservers,
	    "maxclients", &svc->maxclients, true);
	pool_order(vs, svc->ident, "minspareservers", &svc->minspareservers,
	    "maxspareservers", &svc->maxspareservers, true);
	pool_order(vs, svc->ident, "startservers", &svc->startservers,
	    "maxclients", &svc->maxclients, true);
	if (svc->max_request_line > svc->max_header_size)
		conf_error(conf_line_of(vs, "max_request_line"), "virtual %s: "
		    "max_request_line (%u) is greater than max_header_size "
		    "(%u)", svc->ident, svc->max_request_line,
		    svc->max_header_size);
}

static void
build_listen(cfg_t *vs, struct service *svc)
{
	unsigned n = cfg_size(vs, "listen");

	/* none: valid, the service does not listen until it has one */
	if (n > CONF_MAX_LISTEN) {
		conf_error(conf_line_of(vs, "listen"), "virtual %s: %u listen "
		    "addresses, at most %d", svc->ident, n, CONF_MAX_LISTEN);
		n = CONF_MAX_LISTEN;
	}
	for (unsigned i = 0; i < n; i++) {
		struct conf_listen *l = &svc->listen[i];
		const char *s = cfg_getnstr(vs, "listen", i);

		util_strlcpy(l->name, s, sizeof(l->name));
		set_addr(&l->addr, &l->addrlen, s);
		l->line = (unsigned)conf_line_of(vs, "listen");
		l->fd = -1;
	}
	svc->nlisten = n;
}

/*
 * A server's id, for cookies and hashes: the configured id, else derived
 * from the service ident and the numeric address (FNV-1a, 64 bits, in
 * hex), so every director with the same configuration agrees whatever
 * the order of the servers, and the address is not shown to clients.
 */
static void
server_id(const struct service *svc, cfg_t *ss, struct realserver *rs)
{
	const char *id = cfg_getstr(ss, "id");
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *parts[3] = { svc->ident, "/", rs->addrstr };

	if (id != NULL) {
		util_strlcpy(rs->id, id, sizeof(rs->id));
		rs->id_set = true;
		return;
	}
	for (int k = 0; k < 3; k++)
		for (const char *p = parts[k]; *p != '\0'; p++) {
			h ^= (unsigned char)*p;
			h *= 0x100000001b3ULL;
		}
	snprintf(rs->id, sizeof(rs->id), "%016llx", (unsigned long long)h);
}

static void
build_servers(cfg_t *vs, struct service *svc)
{
	unsigned n = cfg_size(vs, "server");

	if (n > CONF_MAX_SERVERS) {
		conf_error(conf_line_of(vs, "server"), "virtual %s: %u "
		    "servers, at most %d", svc->ident, n, CONF_MAX_SERVERS);
		n = CONF_MAX_SERVERS;
	}
	for (unsigned i = 0; i < n; i++) {
		cfg_t *ss = cfg_getnsec(vs, "server", i);
		struct realserver *rs = &svc->rs[i];
		struct util_addr ua;
		char err[256];

		util_strlcpy(rs->name, cfg_title(ss), sizeof(rs->name));
		rs->weight = (unsigned)cfg_getint(ss, "weight");
		rs->admin = conf_admin_parse(cfg_getstr(ss, "admin"));
		rs->line = (unsigned)conf_line_of(ss, "weight");
		rs->sb_index = -1;
		if (util_addr_parse(rs->name, CONF_SERVER_PORT, &ua, err,
		    sizeof(err)) == -1) {
			conf_error((int)rs->line, "virtual %s: server %s", 
			    svc->ident, err);
			continue;
		}
		memcpy(&rs->addr, &ua.ss, ua.len);
		rs->addrlen = ua.len;
		util_addr_str((struct sockaddr *)&rs->addr, rs->addrstr,
		    sizeof(rs->addrstr));
		server_id(svc, ss, rs);
		conf_rule_build_server(ss, rs);
		tls_conf_server(ss, svc, rs, &tls_env);
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(svc->rs[j].addrstr, rs->addrstr) == 0)
				conf_error((int)rs->line, "virtual %s: server "
				    "%s: duplicate of server %s", svc->ident,
				    rs->name, svc->rs[j].name);
			else if (strcmp(svc->rs[j].id, rs->id) == 0)
				conf_error((int)rs->line, "virtual %s: server "
				    "%s: id '%s' is also server %s's",
				    svc->ident, rs->name, rs->id,
				    svc->rs[j].name);
		}
	}
	svc->nrs = n;
}

int
conf_server_index(const struct service *svc, const struct sockaddr *sa)
{
	char s[CONF_NAME_MAX];

	util_addr_str(sa, s, sizeof(s));
	for (unsigned i = 0; i < svc->nrs; i++)
		if (strcmp(svc->rs[i].addrstr, s) == 0)
			return (int)i;
	return -1;
}

static void
build_redirect(cfg_t *vs, struct service *svc)
{
	const char *s = cfg_getstr(vs, "redirect");

	if (s == NULL)
		return;
	svc->has_redirect = true;
	util_strlcpy(svc->redirect_name, s, sizeof(svc->redirect_name));
	set_addr(&svc->redirect, &svc->redirectlen, s);
}

static void
build_sched(cfg_t *vs, struct service *svc)
{
	const char *opt;
	char err[512];

	svc->mh_table_size = (unsigned)cfg_getint(vs, "mh_table_size");
	util_strlcpy(svc->mh_header, cfg_getstr(vs, "mh_header"),
	    sizeof(svc->mh_header));
	svc->lblc_expiration = (unsigned)cfg_getint(vs, "lblc_expiration");
	svc->sched = sched_lookup(cfg_getstr(vs, "scheduler"));
	if (svc->sched == NULL)
		return;		/* reported while parsing */
	svc->rule_sched = sched_lookup(cfg_getstr(vs, "rule_scheduler"));
	if (sched_init(svc, err, sizeof(err), &opt) == -1) {
		conf_error(conf_line_of(vs, opt), "virtual %s: %s %s: %s",
		    svc->ident, opt, strcmp(opt, "scheduler") == 0 ?
		    svc->sched->name : svc->rule_sched->name, err);
		svc->sched = NULL;
		svc->rule_sched = NULL;
	}
}

/* the check options written in sec override those in c */
static void
apply_check(cfg_t *sec, struct conf_check *c)
{
	char why[256];

	for (size_t i = 0; i < CONF_CHECK_NSTRS; i++)
		if (cfg_size(sec, conf_check_strs[i]) > 0) {	/* judged */
			(void)conf_check_set(c, conf_check_strs[i],
			    cfg_getstr(sec, conf_check_strs[i]), why,
			    sizeof(why));
			c->set |= CONF_CHK_CHECK << i;
		}
	if (cfg_size(sec, "check_port") > 0) {
		c->port = (unsigned)cfg_getint(sec, "check_port");
		c->set |= CONF_CHK_PORT;
	}
	if (cfg_size(sec, "rise") > 0) {
		c->rise = (unsigned)cfg_getint(sec, "rise");
		c->set |= CONF_CHK_RISE;
	}
	if (cfg_size(sec, "fall") > 0) {
		c->fall = (unsigned)cfg_getint(sec, "fall");
		c->set |= CONF_CHK_FALL;
	}
}

static void
build_checks(cfg_t *vs, struct service *svc)
{
	struct conf_check def;

	conf_check_defaults(&def);
	apply_check(vs, &def);
	svc->check = def;
	def.set = 0;	/* a server's: what it overrides */
	svc->slowstart = (unsigned)cfg_getint(vs, "slowstart");
	for (unsigned i = 0; i < svc->nrs; i++) {
		struct realserver *rs = &svc->rs[i];

		rs->check = def;
		apply_check(cfg_getnsec(vs, "server", i), &rs->check);
		conf_check_finish(&rs->check, rs);
	}
}

static void
build_service(cfg_t *vs, struct service *svc, unsigned index)
{
	const char *ident = cfg_title(vs);

	if (strlen(ident) == 0 || strlen(ident) >= CONF_IDENT_MAX ||
	    strspn(ident, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-") != strlen(ident))
		conf_error(conf_line_of(vs, "listen"), "virtual '%s': invalid "
		    "ident, expected 1 to %d letters, digits, '_', '.' or '-'",
		    ident, CONF_IDENT_MAX - 1);
	util_strlcpy(svc->ident, ident, sizeof(svc->ident));
	svc->index = index;
	svc->sb_index = -1;
	svc->line = (unsigned)conf_line_of(vs, "listen");
	build_pool(vs, svc);
	check_pool(vs, svc);
	build_listen(vs, svc);
	build_servers(vs, svc);
	build_checks(vs, svc);
	build_redirect(vs, svc);
	conf_rule_build_service(vs, svc);
	build_sched(vs, svc);
	tls_conf_service(vs, svc, &tls_env);
}

/* across services: one listen address is served by one service */
static void
check_listen_dups(cfg_t *cfg, const struct generation *gen)
{
	for (unsigned i = 0; i < gen->nsvc; i++)
		for (unsigned j = 0; j < gen->svc[i].nlisten; j++)
			for (unsigned k = 0; k <= i; k++)
				for (unsigned m = 0; m < (k == i ? j :
				    gen->svc[k].nlisten); m++) {
					const struct conf_listen *a, *b;

					a = &gen->svc[i].listen[j];
					b = &gen->svc[k].listen[m];
					if (a->addrlen == 0 || a->addrlen !=
					    b->addrlen || memcmp(&a->addr,
					    &b->addr, a->addrlen) != 0)
						continue;
					conf_error(conf_line_of(cfg_getnsec(
					    cfg, "virtual", i),
					    "listen"), "virtual %s: listen %s: "
					    "already used by virtual %s",
					    gen->svc[i].ident, a->name,
					    gen->svc[k].ident);
				}
}

static void
check_serverlimit(cfg_t *cfg, const struct generation *gen)
{
	unsigned long sum = 0;

	for (unsigned i = 0; i < gen->nsvc; i++)
		sum += gen->svc[i].maxclients;
	if (sum > gen->serverlimit)
		conf_error(conf_line_of(cfg, "serverlimit"), "serverlimit (%u) "
		    "is less than the sum of maxclients of all services (%lu)",
		    gen->serverlimit, sum);
}

/* a worker's exchanges must fit its scoreboard slots */
static void
check_inflightlimit(cfg_t *cfg, const struct generation *gen)
{
	for (unsigned i = 0; i < gen->nsvc; i++)
		if (gen->svc[i].maxinflight > gen->inflightlimit)
			conf_error(conf_line_of(cfg_getnsec(cfg, "virtual", i),
			    "maxinflight"), "virtual %s: maxinflight (%u) is "
			    "greater than inflightlimit (%u)",
			    gen->svc[i].ident, gen->svc[i].maxinflight,
			    gen->inflightlimit);
}

static void
build_user(cfg_t *cfg, struct generation *gen)
{
	const char *u = cfg_getstr(cfg, "user");
	const char *g = cfg_getstr(cfg, "group");
	struct passwd *pw;
	struct group *gr;

	if (u == NULL) {
		if (g != NULL)
			conf_error(conf_line_of(cfg, "group"), "group '%s' "
			    "without user, expected user = \"NAME\" as well",
			    g);
		return;
	}
	if ((pw = getpwnam(u)) == NULL) {
		conf_error(conf_line_of(cfg, "user"), "user '%s': no such "
		    "user", u);
		return;
	}
	gen->user = xstrdup(u);
	gen->uid = pw->pw_uid;
	gen->gid = pw->pw_gid;
	if (g == NULL)
		return;
	if ((gr = getgrnam(g)) == NULL) {
		conf_error(conf_line_of(cfg, "group"), "group '%s': no such "
		    "group", g);
		return;
	}
	gen->group = xstrdup(g);
	gen->gid = gr->gr_gid;
}

/* the control socket: an absolute path that fits a sockaddr_un, or "" */
static void
build_control(cfg_t *cfg, struct generation *gen)
{
	const char *path = cfg_getstr(cfg, "control");
	const char *g = cfg_getstr(cfg, "control_group");
	struct group *gr;

	gen->control_mode = (unsigned)cfg_getint(cfg, "control_mode");
	gen->control_gid = (gid_t)-1;
	if (path != NULL && *path != '\0') {
		if (*path != '/')
			conf_error(conf_line_of(cfg, "control"), "control "
			    "'%s': expected an absolute path", path);
		else if (strlen(path) >= CONF_CONTROL_PATH_MAX)
			conf_error(conf_line_of(cfg, "control"), "control "
			    "'%s': path longer than %d bytes", path,
			    CONF_CONTROL_PATH_MAX - 1);
		else
			gen->control = xstrdup(path);
	}
	if (g == NULL)
		return;
	if ((gr = getgrnam(g)) == NULL) {
		conf_error(conf_line_of(cfg, "control_group"), "control_group "
		    "'%s': no such group", g);
		return;
	}
	gen->control_group = xstrdup(g);
	gen->control_gid = gr->gr_gid;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
build_global(cfg_t *cfg, struct generation *gen)
{
	const char *pidfile = cfg_getstr(cfg, "pidfile");

	gen->pidfile = pidfile != NULL && *pidfile != '\0' ?
	    xstrdup(pidfile) : NULL;
	gen->errorlog = xstrdup(cfg_getstr(cfg, "errorlog"));
	gen->loglevel = log_level_parse(cfg_getstr(cfg,
	    "loglevel"));
	gen->serverlimit = (unsigned)cfg_getint(cfg, "serverlimit");
	gen->inflightlimit = (unsigned)cfg_getint(cfg, "inflightlimit");
	gen->scoreboardfile = dup_or_null(cfg_getstr(cfg,
	    "scoreboardfile"));
	if (cfg_getstr(cfg, "status_listen") != NULL) {
		struct util_addr ua;
		char err[256];

		gen->status_name = xstrdup(cfg_getstr(cfg, "status_listen"));
		if (util_addr_parse(gen->status_name, NULL, &ua, err,
		    sizeof(err)) == 0) {
			memcpy(&gen->status_addr, &ua.ss, ua.len);
			gen->status_addrlen = ua.len;
		}
	}
	gen->status_fd = -1;
	gen->accesslog = dup_or_null(cfg_getstr(cfg, "accesslog"));
	gen->accesslog_format = xstrdup(cfg_getstr(cfg, "accesslog_format"));
	gen->graceful_timeout = (unsigned)cfg_getint(cfg,
	    "graceful_timeout");
	gen->tls_ticket_rotate = (unsigned)cfg_getint(cfg,
	    "tls_ticket_rotate");
	build_user(cfg, gen);
	build_control(cfg, gen);
}

struct generation *
conf_build(cfg_t *cfg, const char *path)
{
	struct generation *gen = xcalloc(1, sizeof(*gen));
	unsigned n = cfg_size(cfg, "virtual");

	gen->path = xstrdup(path);
	build_global(cfg, gen);
	if (n > CONF_MAX_SERVICES) {
		conf_error(conf_line_of(cfg_getnsec(cfg, "virtual",
		    CONF_MAX_SERVICES), "listen"), "%u virtual services, at "
		    "most %d", n, CONF_MAX_SERVICES);
		n = CONF_MAX_SERVICES;
	}
	gen->svc = xcalloc(n, sizeof(*gen->svc));
	for (unsigned i = 0; i < n; i++) {
		gen->nsvc++;
		build_service(cfg_getnsec(cfg, "virtual", i),
		    &gen->svc[i], i);
		/* the global access log for a service without its own */
		if (gen->svc[i].accesslog == NULL)
			gen->svc[i].accesslog = dup_or_null(gen->accesslog);
		if (gen->svc[i].accesslog_format == NULL)
			gen->svc[i].accesslog_format =
			    xstrdup(gen->accesslog_format);
	}
	check_listen_dups(cfg, gen);
	tls_conf_check_listen(cfg, gen, &tls_env);
	check_serverlimit(cfg, gen);
	check_inflightlimit(cfg, gen);
	return gen;
}

void
conf_free(struct generation *gen)
{
	if (gen == NULL)
		return;
	for (unsigned i = 0; i < gen->nsvc; i++) {
		struct service *svc = &gen->svc[i];

		if (svc->sched != NULL)
			sched_done(svc);
		conf_rule_free_service(svc);
		free(svc->accesslog);
		free(svc->accesslog_format);
		for (unsigned j = 0; j < svc->nrs; j++)
			tls_conf_free_server(&svc->rs[j]);
		tls_conf_free_service(svc);
	}
	free(gen->svc);
	free(gen->path);
	free(gen->pidfile);
	free(gen->errorlog);
	free(gen->scoreboardfile);
	free(gen->status_name);
	free(gen->accesslog);
	free(gen->accesslog_format);
	free(gen->user);
	free(gen->group);
	free(gen->control);
	free(gen->control_group);
	free(gen);
}
