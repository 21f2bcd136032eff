/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The schema of tcpvs.conf: the libconfuse option tables of the global,
 * virtual and server sections (the rule and TLS options come from
 * conf_rule.h and tls_conf.h), the range of every numeric option and the
 * validate callbacks that judge each value where it is written, so an
 * error carries its line.  conf.c runs a load against these tables and
 * conf_build.c turns the parsed tree into a generation.  Runs in the
 * master and tcpvsd -t.
 */
#include "config.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <confuse.h>

#include "alog.h"
#include "conf.h"
#include "conf_load.h"
#include "conf_rule.h"
#include "http.h"
#include "log.h"
#include "sched.h"
#include "tls_conf.h"
#include "util.h"


#ifndef TCPVS_PIDFILE
#define TCPVS_PIDFILE	"/run/tcpvsd.pid"
#endif
#ifndef TCPVS_CONTROL
#define TCPVS_CONTROL	"/run/tcpvsd.sock"
#endif

/* a service's health check, which each of its servers may override */
#define CHECK_OPTS \
	CFG_STR("check", NULL, CFGF_NODEFAULT), \
	CFG_STR("check_path", NULL, CFGF_NODEFAULT), \
	CFG_STR("check_host", NULL, CFGF_NODEFAULT), \
	CFG_STR("check_expect", NULL, CFGF_NODEFAULT), \
	CFG_STR("check_interval", NULL, CFGF_NODEFAULT), \
	CFG_STR("check_timeout", NULL, CFGF_NODEFAULT), \
	CFG_INT("check_port", 0, CFGF_NODEFAULT), \
	CFG_INT("rise", 0, CFGF_NODEFAULT), \
	CFG_INT("fall", 0, CFGF_NODEFAULT)

/* the string ones, judged and set by conf_check_set(); unsized, so
   that a count other than conf_load.h's is a conflicting definition */
const char *const conf_check_strs[] = {
	"check", "check_path", "check_host", "check_expect",
	"check_interval", "check_timeout",
};
_Static_assert(sizeof(conf_check_strs) / sizeof(conf_check_strs[0]) ==
    CONF_CHECK_NSTRS, "CONF_CHECK_NSTRS is the number of conf_check_strs");

static cfg_opt_t server_opts[] = {
	CFG_INT("weight", CONF_DEF_WEIGHT, CFGF_NONE),
	CFG_STR("admin", "active", CFGF_NONE),
	CFG_STR("id", NULL, CFGF_NODEFAULT),
	CHECK_OPTS,
	CONF_RULE_SERVER_OPTS,
	TLS_CONF_SERVER_OPTS,
	CFG_END()
};

static cfg_opt_t virtual_opts[] = {
	CFG_STR_LIST("listen", NULL, CFGF_NODEFAULT),
	CFG_STR("scheduler", "wlc", CFGF_NONE),
	CFG_STR("rule_scheduler", "wlc", CFGF_NONE),
	CFG_INT("mh_table_size", CONF_DEF_MH_TABLE_SIZE, CFGF_NONE),
	CFG_STR("mh_header", "", CFGF_NONE),
	CFG_INT("lblc_expiration", CONF_DEF_LBLC_EXPIRATION, CFGF_NONE),
	/* 0: not written, from the CPU count (build_pool) */
	CFG_INT("startservers", 0, CFGF_NONE),
	CFG_INT("minspareservers", 0, CFGF_NONE),
	CFG_INT("maxspareservers", 0, CFGF_NONE),
	CFG_INT("maxclients", 0, CFGF_NONE),
	CFG_INT("maxrequestsperchild", CONF_DEF_MAXREQUESTSPERCHILD,
	    CFGF_NONE),
	CFG_INT("maxinflight", CONF_DEF_MAXINFLIGHT, CFGF_NONE),
	CFG_INT("connect_timeout", CONF_DEF_CONNECT_TIMEOUT, CFGF_NONE),
	CFG_INT("read_timeout", CONF_DEF_READ_TIMEOUT, CFGF_NONE),
	CFG_INT("request_timeout", CONF_DEF_REQUEST_TIMEOUT, CFGF_NONE),
	CFG_INT("max_request_line", CONF_DEF_MAX_REQUEST_LINE, CFGF_NONE),
	CFG_INT("max_header_size", CONF_DEF_MAX_HEADER_SIZE, CFGF_NONE),
	CFG_INT("max_headers", CONF_DEF_MAX_HEADERS, CFGF_NONE),
	CFG_INT("max_body_size", 0, CFGF_NONE),
	CFG_INT("backlog", 0, CFGF_NONE),	/* 0: conf_build.c */
	CFG_BOOL("splice", cfg_true, CFGF_NONE),
	CFG_BOOL("defer_accept", cfg_true, CFGF_NONE),
	CFG_INT("request_min_rate", CONF_DEF_REQUEST_MIN_RATE, CFGF_NONE),
	CFG_INT("maxconnperip", 0, CFGF_NONE),
	CFG_INT("retries", CONF_DEF_RETRIES, CFGF_NONE),
	CFG_INT("persistent", 0, CFGF_NONE),
	CFG_STR("persistent_netmask", "255.255.255.255", CFGF_NONE),
	CFG_BOOL("keepalive", cfg_true, CFGF_NONE),
	CFG_INT("keepalive_timeout", CONF_DEF_KEEPALIVE_TIMEOUT, CFGF_NONE),
	CFG_INT("maxkeepaliverequests", CONF_DEF_MAXKEEPALIVEREQUESTS,
	    CFGF_NONE),
	CFG_INT("server_keepalive", CONF_DEF_SERVER_KEEPALIVE, CFGF_NONE),
	CFG_INT("server_keepalive_timeout", CONF_DEF_SERVER_KEEPALIVE_TIMEOUT,
	    CFGF_NONE),
	CFG_STR("redirect", NULL, CFGF_NODEFAULT),
	CFG_STR("cookie", CONF_DEF_COOKIE, CFGF_NONE),
	CFG_STR("accesslog", NULL, CFGF_NODEFAULT),
	CFG_STR("accesslog_format", NULL, CFGF_NODEFAULT),
	CFG_INT("slowstart", 0, CFGF_NONE),
	CHECK_OPTS,
	CFG_BOOL("stopped", cfg_false, CFGF_NONE),
	TLS_CONF_SERVICE_OPTS,
	CFG_SEC("server", server_opts, CFGF_TITLE | CFGF_MULTI |
	    CFGF_NO_TITLE_DUPES),
	CONF_RULE_SERVICE_OPTS,
	CFG_END()
};

static cfg_opt_t global_opts[] = {
	CFG_STR("pidfile", TCPVS_PIDFILE, CFGF_NONE),
	CFG_STR("errorlog", "syslog", CFGF_NONE),
	CFG_STR("loglevel", "info", CFGF_NONE),
	CFG_INT("serverlimit", CONF_DEF_SERVERLIMIT, CFGF_NONE),
	CFG_INT("inflightlimit", CONF_DEF_INFLIGHTLIMIT, CFGF_NONE),
	CFG_STR("scoreboardfile", NULL, CFGF_NODEFAULT),
	CFG_INT("graceful_timeout", CONF_DEF_GRACEFUL_TIMEOUT, CFGF_NONE),
	CFG_STR("status_listen", NULL, CFGF_NODEFAULT),
	CFG_STR("user", NULL, CFGF_NODEFAULT),
	CFG_STR("group", NULL, CFGF_NODEFAULT),
	CFG_STR("accesslog", NULL, CFGF_NODEFAULT),
	CFG_STR("accesslog_format", CONF_DEF_ACCESSLOG_FORMAT, CFGF_NONE),
	CFG_STR("control", TCPVS_CONTROL, CFGF_NONE),
	CFG_INT("control_mode", CONF_DEF_CONTROL_MODE, CFGF_NONE),
	CFG_STR("control_group", NULL, CFGF_NODEFAULT),
	TLS_CONF_GLOBAL_OPTS,
	CFG_SEC("virtual", virtual_opts, CFGF_TITLE | CFGF_MULTI |
	    CFGF_NO_TITLE_DUPES),
	CFG_END()
};

/* numeric options: name, lowest and highest value */
static const struct range {
	const char	*path;		/* libconfuse option path */
	long		 min;
	long		 max;
} ranges[] = {
	{ "serverlimit", 1, CONF_SERVERLIMIT_MAX },
	{ "inflightlimit", 1, CONF_INFLIGHTLIMIT_MAX },
	{ "graceful_timeout", 1, 86400 },
	{ "control_mode", 0, 0777 },
	{ "virtual|startservers", 0, CONF_SERVERLIMIT_MAX },
	{ "virtual|minspareservers", 0, CONF_SERVERLIMIT_MAX },
	{ "virtual|maxspareservers", 1, CONF_SERVERLIMIT_MAX },
	{ "virtual|maxclients", 1, CONF_SERVERLIMIT_MAX },
	{ "virtual|maxrequestsperchild", 0, 2147483647 },
	{ "virtual|maxinflight", 1, CONF_INFLIGHTLIMIT_MAX },
	{ "virtual|connect_timeout", 1, 3600 },
	{ "virtual|read_timeout", 1, 86400 },
	{ "virtual|request_timeout", 1, 3600 },
	{ "virtual|max_request_line", 64, 1048576 },
	{ "virtual|max_header_size", 256, 1048576 },
	{ "virtual|max_headers", 1, HTTP_MAX_HEADERS },
	{ "virtual|max_body_size", 0, 9223372036854775807L },
	{ "virtual|backlog", 1, CONF_BACKLOG_MAX },
	{ "virtual|keepalive_timeout", 1, 3600 },
	{ "virtual|request_min_rate", 0, 1048576 },
	{ "virtual|maxconnperip", 0, CONF_SERVERLIMIT_MAX },
	{ "virtual|retries", 0, CONF_MAX_SERVERS - 1 },
	{ "virtual|mh_table_size", 3, 1000003 },
	{ "virtual|lblc_expiration", 1, 86400 * 30 },
	{ "virtual|persistent", 0, 86400 * 31 },
	{ "virtual|maxkeepaliverequests", 0, 2147483647 },
	{ "virtual|server_keepalive", 0, CONF_SERVER_KEEPALIVE_MAX },
	{ "virtual|server_keepalive_timeout", 1, 3600 },
	{ "virtual|server|weight", 0, CONF_MAX_WEIGHT },
	{ "virtual|slowstart", 0, CONF_SLOWSTART_MAX },
	{ "virtual|check_port", 1, 65535 },
	{ "virtual|rise", 1, CONF_RISE_FALL_MAX },
	{ "virtual|fall", 1, CONF_RISE_FALL_MAX },
	{ "virtual|server|check_port", 1, 65535 },
	{ "virtual|server|rise", 1, CONF_RISE_FALL_MAX },
	{ "virtual|server|fall", 1, CONF_RISE_FALL_MAX },
	{ "virtual|rule|match", 0, 99 },
	{ "tls_ticket_rotate", TLS_TICKET_ROTATE_MIN, TLS_TICKET_ROTATE_MAX },
};

static int
validate_range(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);
	int line = conf_opt_line(cfg, opt);

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const char *leaf = strrchr(ranges[i].path, '|');

		leaf = leaf ? leaf + 1 : ranges[i].path;
		if (strcmp(leaf, opt->name) != 0)
			continue;
		if (v < ranges[i].min || v > ranges[i].max) {
			conf_error(line, "%s%s %ld: out of range, expected "
			    "%ld to %ld", conf_sec_label(cfg), opt->name, v,
			    ranges[i].min, ranges[i].max);
			return 0;	/* counted; parsing goes on */
		}
	}
	return 0;
}

/* every other option: remember its line, and check what is local */
/* an access log format: every % directive known (alog.c) */
static int
validate_logformat(cfg_t *cfg, cfg_opt_t *opt)
{
	int line = conf_opt_line(cfg, opt);
	const char *v = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	char err[128];

	if (v != NULL && alog_check(v, err, sizeof(err)) == -1)
		conf_error(line, "%s%s: %s", conf_sec_label(cfg), opt->name,
		    err);
	return 0;
}

/* an IPv4 netmask, dotted, contiguous ones (ipvsadm -M) */
static int
validate_netmask(cfg_t *cfg, cfg_opt_t *opt)
{
	int line = conf_opt_line(cfg, opt);
	const char *v = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	struct in_addr a;
	uint32_t m;

	if (v == NULL || inet_pton(AF_INET, v, &a) != 1 ||
	    ((m = ntohl(a.s_addr)) != 0 && (~m & (~m + 1)) != 0))
		conf_error(line, "%s%s '%s': expected a dotted IPv4 netmask "
		    "such as 255.255.255.0", conf_sec_label(cfg), opt->name,
		    v != NULL ? v : "");
	return 0;
}

/* a cookie name or server id: 1 to 32 of [A-Za-z0-9_.-] */
static int
validate_token(cfg_t *cfg, cfg_opt_t *opt)
{
	int line = conf_opt_line(cfg, opt);
	const char *v = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	size_t n = v != NULL ? strlen(v) : 0;

	if (n == 0 || n > CONF_TOKEN_MAX || strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n) {
		conf_error(line, "%s%s '%s': expected 1 to %d letters, "
		    "digits, '_', '.' or '-'", conf_sec_label(cfg), opt->name,
		    v != NULL ? v : "", CONF_TOKEN_MAX);
	}
	return 0;
}

static int
validate_any(cfg_t *cfg, cfg_opt_t *opt)
{
	(void)conf_opt_line(cfg, opt);
	return 0;
}

static int
validate_loglevel(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	int line = conf_opt_line(cfg, opt);

	if (log_level_parse(v) == -1) {
		conf_error(line, "loglevel '%s': unknown level, expected "
		    "error, warning, notice, info or debug", v);
		return 0;
	}
	return 0;
}

static void
sched_list(char *buf, size_t len)
{
	const char * const *n = sched_names();
	size_t off = 0;

	buf[0] = '\0';
	for (; *n != NULL && off < len; n++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    off ? ", " : "", *n);
}

static int
validate_scheduler(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	char names[256];
	int line = conf_opt_line(cfg, opt);

	if (sched_lookup(v) == NULL) {
		sched_list(names, sizeof(names));
		conf_error(line, "%sscheduler '%s': unknown scheduler, "
		    "expected one of %s", conf_sec_label(cfg), v, names);
		return 0;
	}
	return 0;
}

/* a scheduler for among a rule's servers: any but the content ones */
static int
validate_rule_scheduler(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	const struct sched_ops *ops = sched_lookup(v);
	int line = conf_opt_line(cfg, opt);

	if (!sched_rule_capable(ops))
		conf_error(line, "%srule_scheduler '%s': expected a scheduler "
		    "that is not content-rule based (rr, wrr, lc, wlc, sed, "
		    "nq, sh, dh, mh, lblc, lblcr)", conf_sec_label(cfg),
		    v != NULL ? v : "");
	return 0;
}

static int
validate_addr(cfg_t *cfg, cfg_opt_t *opt)
{
	struct util_addr ua;
	char err[256];
	int line = conf_opt_line(cfg, opt);

	for (unsigned i = 0; i < cfg_opt_size(opt); i++)
		if (util_addr_parse(cfg_opt_getnstr(opt, i), strcmp(opt->name,
		    "server") == 0 ? CONF_SERVER_PORT : NULL, &ua, err,
		    sizeof(err)) == -1) {
			conf_error(line, "%s%s: %s", conf_sec_label(cfg),
			    opt->name, err);
		}
	return 0;
}

/* check, check_path ...: the value's own syntax */
static int
validate_check(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	char why[256];
	int line = conf_opt_line(cfg, opt);

	if (conf_check_set(NULL, opt->name, v, why, sizeof(why)) == -1)
		conf_error(line, "%s%s '%s': %s", conf_sec_label(cfg),
		    opt->name, v, why);
	return 0;
}

/* a server's admin state: active, drain or disable */
static int
validate_admin(cfg_t *cfg, cfg_opt_t *opt)
{
	int line = conf_opt_line(cfg, opt);
	const char *v = cfg_opt_getnstr(opt, 0);

	if (conf_admin_parse(v) == -1)
		conf_error(line, "%sadmin '%s': expected active, drain or "
		    "disable", conf_sec_label(cfg), v != NULL ? v : "");
	return 0;
}

static const struct {
	const char	*path;
	cfg_validate_callback_t fn;
} validators[] = {
	{ "pidfile", validate_any },
	{ "errorlog", validate_any },
	{ "loglevel", validate_loglevel },
	{ "scoreboardfile", validate_any },
	{ "user", validate_any },
	{ "group", validate_any },
	{ "control", validate_any },
	{ "control_group", validate_any },
	{ "virtual|stopped", validate_any },
	{ "virtual|scheduler", validate_scheduler },
	{ "virtual|rule_scheduler", validate_rule_scheduler },
	{ "virtual|mh_header", validate_any },
	{ "virtual|listen", validate_addr },
	{ "virtual|redirect", validate_addr },
	{ "virtual|cookie", validate_token },
	{ "status_listen", validate_addr },
	{ "accesslog", validate_any },
	{ "accesslog_format", validate_logformat },
	{ "virtual|accesslog", validate_any },
	{ "virtual|accesslog_format", validate_logformat },
	{ "virtual|persistent_netmask", validate_netmask },
	{ "virtual|server|id", validate_token },
	{ "virtual|server|admin", validate_admin },
	{ "virtual|splice", validate_any },
	{ "virtual|keepalive", validate_any },
	{ "virtual|defer_accept", validate_any },
	{ "virtual|rule|pattern", validate_any },
	{ "virtual|rule|server", validate_addr },
	{ "virtual|tls_listen", validate_addr },
};

static void
set_validators(cfg_t *cfg)
{
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		cfg_set_validate_func(cfg, ranges[i].path, validate_range);
	for (size_t i = 0; i < sizeof(validators) / sizeof(validators[0]);
	    i++)
		cfg_set_validate_func(cfg, validators[i].path,
		    validators[i].fn);
	for (const char *const *p = tls_conf_paths; *p != NULL; p++)
		cfg_set_validate_func(cfg, *p, validate_any);
	for (size_t i = 0; i < CONF_CHECK_NSTRS;
	    i++) {
		char p[64];

		snprintf(p, sizeof(p), "virtual|%s", conf_check_strs[i]);
		cfg_set_validate_func(cfg, p, validate_check);
		snprintf(p, sizeof(p), "virtual|server|%s", conf_check_strs[i]);
		cfg_set_validate_func(cfg, p, validate_check);
	}
	conf_rule_validators(cfg);
}

static void
add_names(const cfg_opt_t *opts, const char **out, size_t *n, size_t max)
{
	for (; opts->name != NULL && *n + 1 < max; opts++) {
		out[(*n)++] = opts->name;
		if (opts->type == CFGT_SEC)
			add_names(opts->subopts, out, n, max);
	}
}

const char * const *
conf_option_names(void)
{
	static const char *names[256];
	static size_t n;

	if (n == 0)
		add_names(global_opts, names, &n, sizeof(names) /
		    sizeof(names[0]));
	return names;
}

cfg_t *
conf_schema_init(cfg_errfunc_t on_error)
{
	cfg_t *cfg = cfg_init(global_opts, CFGF_NONE);

	/* first: a validator's path that names no option is reported */
	cfg_set_error_function(cfg, on_error);
	set_validators(cfg);
	return cfg;
}
