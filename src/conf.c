/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The configuration loader.  libconfuse parses tcpvs.conf against the
 * option tables below; validate callbacks check each value where it is
 * written (health-check values through conf_check.c), so errors carry its
 * line, and the builder then checks what spans options (spare-server
 * bounds, rule servers, duplicate listen addresses), compiles every PCRE2
 * rule and runs every scheduler's init_service.  Every error is printed
 * as "FILE:LINE: reason" and the result is a complete generation or
 * nothing.  Runs in the master (and in tcpvsd -t); never on the request
 * path.
 */
#include "config.h"

#include <ctype.h>
#include <arpa/inet.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <confuse.h>

#include "alog.h"
#include "conf.h"
#include "conf_load.h"
#include "conf_rule.h"
#include "http.h"
#include "log.h"
#include "rule.h"
#include "sched.h"
#include "tls_conf.h"
#include "util.h"

#ifndef TCPVS_PIDFILE
#define TCPVS_PIDFILE	"/run/tcpvsd.pid"
#endif
#ifndef TCPVS_CONTROL
#define TCPVS_CONTROL	"/run/tcpvsd.sock"
#endif

#define CONF_MAX_LINES	8192	/* option lines remembered per load */

/* where each option was written, recorded by the validate callbacks */
struct optline {
	const cfg_t	*sec;
	const char	*name;
	int		 line;
};

/* one load: the error sink and what it has seen */
struct loader {
	const char	*path;
	FILE		*errf;
	char		*text;		/* the file, to correct line numbers */
	size_t		 textlen;
	unsigned	 nerrors;
	struct optline	 lines[CONF_MAX_LINES];
	unsigned	 nlines;
};

/* libconfuse has no user pointer for callbacks; loads are not reentrant */
static struct loader *cur;

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

/* the string ones, judged and set by conf_check_set() */
static const char *const check_strs[] = {
	"check", "check_path", "check_host", "check_expect",
	"check_interval", "check_timeout",
};

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
	CFG_INT("backlog", CONF_DEF_BACKLOG, CFGF_NONE),
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
	{ "virtual|backlog", 1, 65535 },
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

/* the start of line n (1-based) of the source, or NULL */
static const char *
source_line(int n, size_t *len)
{
	const char *p = cur->text, *end = cur->text + cur->textlen, *nl;

	if (p == NULL || n < 1)
		return NULL;
	for (int i = 1; i < n; i++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return NULL;
		p = nl + 1;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	*len = nl ? (size_t)(nl - p) : (size_t)(end - p);
	return p;
}

/* does the line set option name ("name =" as a whole word) */
static int
line_sets(const char *p, size_t len, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i + nl <= len; i++) {
		size_t j = i + nl;

		if (memcmp(p + i, name, nl) != 0 || (i > 0 &&
		    (isalnum((unsigned char)p[i - 1]) || p[i - 1] == '_')))
			continue;
		while (j < len && (p[j] == ' ' || p[j] == '\t'))
			j++;
		if (j < len && p[j] == '=')
			return 1;
	}
	return 0;
}

/*
 * libconfuse reports the line its lexer has reached, which runs ahead of
 * the option after comments; the option is on the last line at or before
 * that one which sets it.
 */
static int
fix_line(const char *name, int line)
{
	const char *p;
	size_t len;

	for (int n = line; n >= 1 && n > line - 64; n--)
		if ((p = source_line(n, &len)) != NULL &&
		    line_sets(p, len, name))
			return n;
	return line;
}

__attribute__((format(printf, 3, 0)))
static void
conf_vmsg(int line, const char *what, const char *fmt, va_list ap)
{
	fprintf(cur->errf, "%s:%d: %s", cur->path, line, what);
	vfprintf(cur->errf, fmt, ap);
	fputc('\n', cur->errf);
}

void
conf_error(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vmsg(line, "", fmt, ap);
	va_end(ap);
	cur->nerrors++;
}

/* not an error: printed with the errors, which a caller logs */
__attribute__((format(printf, 2, 3)))
static void
conf_warning(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vmsg(line, "warning: ", fmt, ap);
	va_end(ap);
}

/* libconfuse's own messages (syntax, unknown option), same format */
static void
on_cfg_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512], name[128];
	int line = cfg ? cfg->line : 0;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (sscanf(msg, "no such option '%127[^']'", name) == 1)
		line = fix_line(name, line);
	fprintf(cur->errf, "%s:%d: %s\n", cur->path, line, msg);
	cur->nerrors++;
}

static const char *sec_label(cfg_t *);

/*
 * libconfuse keeps the last of an option written twice in a section:
 * an error naming both lines (a list may be extended with +=).
 */
static void
remember(cfg_t *sec, const char *name, int line)
{
	cfg_opt_t *opt = cfg_getopt(sec, name);

	for (unsigned i = 0; opt != NULL && !(opt->flags & CFGF_LIST) &&
	    i < cur->nlines; i++)
		if (cur->lines[i].sec == sec &&
		    strcmp(cur->lines[i].name, name) == 0) {
			conf_error(line, "%s%s set twice, on line %d and line "
			    "%d", sec_label(sec), name, cur->lines[i].line,
			    line);
			break;
		}
	if (cur->nlines < CONF_MAX_LINES) {
		cur->lines[cur->nlines].sec = sec;
		cur->lines[cur->nlines].name = name;
		cur->lines[cur->nlines].line = line;
		cur->nlines++;
	}
}

/* the line an option of sec was written on, else the section's */
static int
line_of(cfg_t *sec, const char *name)
{
	for (unsigned i = cur->nlines; i-- > 0;)
		if (cur->lines[i].sec == sec &&
		    strcmp(cur->lines[i].name, name) == 0)
			return cur->lines[i].line;
	for (unsigned i = 0; i < cur->nlines; i++)
		if (cur->lines[i].sec == sec)
			return cur->lines[i].line;
	return sec->line;
}

static const char *
sec_label(cfg_t *cfg)
{
	static char buf[128];

	if (strcmp(cfg->name, "virtual") == 0)
		snprintf(buf, sizeof(buf), "virtual %s: ", cfg_title(cfg));
	else if (strcmp(cfg->name, "server") == 0)
		snprintf(buf, sizeof(buf), "server %s: ", cfg_title(cfg));
	else
		buf[0] = '\0';
	return buf;
}

static int
validate_range(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);

	int line = fix_line(opt->name, cfg->line);

	remember(cfg, opt->name, line);
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const char *leaf = strrchr(ranges[i].path, '|');

		leaf = leaf ? leaf + 1 : ranges[i].path;
		if (strcmp(leaf, opt->name) != 0)
			continue;
		if (v < ranges[i].min || v > ranges[i].max) {
			conf_error(line, "%s%s %ld: out of range, expected "
			    "%ld to %ld", sec_label(cfg), opt->name, v,
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
	int line = fix_line(opt->name, cfg->line);
	const char *v = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	char err[128];

	remember(cfg, opt->name, line);
	if (v != NULL && alog_check(v, err, sizeof(err)) == -1)
		conf_error(line, "%s%s: %s", sec_label(cfg), opt->name, err);
	return 0;
}

/* an IPv4 netmask, dotted, contiguous ones (ipvsadm -M) */
static int
validate_netmask(cfg_t *cfg, cfg_opt_t *opt)
{
	int line = fix_line(opt->name, cfg->line);
	const char *v = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	struct in_addr a;
	uint32_t m;

	remember(cfg, opt->name, line);
	if (v == NULL || inet_pton(AF_INET, v, &a) != 1 ||
	    ((m = ntohl(a.s_addr)) != 0 && (~m & (~m + 1)) != 0))
		conf_error(line, "%s%s '%s': expected a dotted IPv4 netmask "
		    "such as 255.255.255.0", sec_label(cfg), opt->name,
		    v != NULL ? v : "");
	return 0;
}

/* a cookie name or server id: 1 to 32 of [A-Za-z0-9_.-] */
static int
validate_token(cfg_t *cfg, cfg_opt_t *opt)
{
	int line = fix_line(opt->name, cfg->line);
	const char *v = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	size_t n = v != NULL ? strlen(v) : 0;

	remember(cfg, opt->name, line);
	if (n == 0 || n > CONF_TOKEN_MAX || strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n) {
		conf_error(line, "%s%s '%s': expected 1 to %d letters, "
		    "digits, '_', '.' or '-'", sec_label(cfg), opt->name,
		    v != NULL ? v : "", CONF_TOKEN_MAX);
	}
	return 0;
}

static int
validate_any(cfg_t *cfg, cfg_opt_t *opt)
{
	int line = fix_line(opt->name, cfg->line);

	remember(cfg, opt->name, line);
	return 0;
}

static int
validate_loglevel(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	int line = fix_line(opt->name, cfg->line);

	remember(cfg, opt->name, line);
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

	int line = fix_line(opt->name, cfg->line);

	remember(cfg, opt->name, line);
	if (sched_lookup(v) == NULL) {
		sched_list(names, sizeof(names));
		conf_error(line, "%sscheduler '%s': unknown scheduler, "
		    "expected one of %s", sec_label(cfg), v, names);
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
	int line = fix_line(opt->name, cfg->line);

	remember(cfg, opt->name, line);
	if (!sched_rule_capable(ops))
		conf_error(line, "%srule_scheduler '%s': expected a scheduler "
		    "that is not content-rule based (rr, wrr, lc, wlc, sed, "
		    "nq, sh, dh, mh, lblc, lblcr)", sec_label(cfg),
		    v != NULL ? v : "");
	return 0;
}

static int
validate_addr(cfg_t *cfg, cfg_opt_t *opt)
{
	struct util_addr ua;
	char err[256];

	int line = fix_line(opt->name, cfg->line);

	remember(cfg, opt->name, line);
	for (unsigned i = 0; i < cfg_opt_size(opt); i++)
		if (util_addr_parse(cfg_opt_getnstr(opt, i), strcmp(opt->name,
		    "server") == 0 ? CONF_SERVER_PORT : NULL, &ua, err,
		    sizeof(err)) == -1) {
			conf_error(line, "%s%s: %s", sec_label(cfg),
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

	int line = fix_line(opt->name, cfg->line);

	remember(cfg, opt->name, line);
	if (conf_check_set(NULL, opt->name, v, why, sizeof(why)) == -1)
		conf_error(line, "%s%s '%s': %s", sec_label(cfg), opt->name,
		    v, why);
	return 0;
}

/* a server's admin state: active, drain or disable */
static int
validate_admin(cfg_t *cfg, cfg_opt_t *opt)
{
	int line = fix_line(opt->name, cfg->line);
	const char *v = cfg_opt_getnstr(opt, 0);

	remember(cfg, opt->name, line);
	if (conf_admin_parse(v) == -1)
		conf_error(line, "%sadmin '%s': expected active, drain or "
		    "disable", sec_label(cfg), v != NULL ? v : "");
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
	for (size_t i = 0; i < sizeof(check_strs) / sizeof(check_strs[0]);
	    i++) {
		char p[64];

		snprintf(p, sizeof(p), "virtual|%s", check_strs[i]);
		cfg_set_validate_func(cfg, p, validate_check);
		snprintf(p, sizeof(p), "virtual|server|%s", check_strs[i]);
		cfg_set_validate_func(cfg, p, validate_check);
	}
	conf_rule_validators(cfg);
}

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
static const struct tls_conf_env tls_env = { line_of, conf_error };

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

static int	written(cfg_t *, const char *);

/* a pool option as written, else its default from the CPU count */
static unsigned
pool_opt(cfg_t *vs, struct service *svc, const char *name, unsigned bit)
{
	if (written(vs, name) != 0)
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
	svc->backlog = (unsigned)cfg_getint(vs, "backlog");
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

/* the line name was written on in sec, 0 when it keeps its default */
static int
written(cfg_t *sec, const char *name)
{
	for (unsigned i = cur->nlines; i-- > 0;)
		if (cur->lines[i].sec == sec &&
		    strcmp(cur->lines[i].name, name) == 0)
			return cur->lines[i].line;
	return 0;
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
	int llo = written(vs, lo_name), lhi = written(vs, hi_name);

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
		conf_error(line_of(vs, "max_request_line"), "virtual %s: "
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
		conf_error(line_of(vs, "listen"), "virtual %s: %u listen "
		    "addresses, at most %d", svc->ident, n, CONF_MAX_LISTEN);
		n = CONF_MAX_LISTEN;
	}
	for (unsigned i = 0; i < n; i++) {
		struct conf_listen *l = &svc->listen[i];
		const char *s = cfg_getnstr(vs, "listen", i);

		util_strlcpy(l->name, s, sizeof(l->name));
		set_addr(&l->addr, &l->addrlen, s);
		l->line = (unsigned)line_of(vs, "listen");
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
		conf_error(line_of(vs, "server"), "virtual %s: %u servers, at "
		    "most %d", svc->ident, n, CONF_MAX_SERVERS);
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
		rs->line = (unsigned)line_of(ss, "weight");
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
		conf_error(line_of(vs, opt), "virtual %s: %s %s: %s", svc->ident,
		    opt, strcmp(opt, "scheduler") == 0 ? svc->sched->name :
		    svc->rule_sched->name, err);
		svc->sched = NULL;
		svc->rule_sched = NULL;
	}
}

/* the check options written in sec override those in c */
static void
apply_check(cfg_t *sec, struct conf_check *c)
{
	char why[256];

	for (size_t i = 0; i < sizeof(check_strs) / sizeof(check_strs[0]);
	    i++)
		if (cfg_size(sec, check_strs[i]) > 0) {	/* judged already */
			(void)conf_check_set(c, check_strs[i], cfg_getstr(sec,
			    check_strs[i]), why, sizeof(why));
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
		conf_error(line_of(vs, "listen"), "virtual '%s': invalid "
		    "ident, expected 1 to %d letters, digits, '_', '.' or '-'",
		    ident, CONF_IDENT_MAX - 1);
	util_strlcpy(svc->ident, ident, sizeof(svc->ident));
	svc->index = index;
	svc->sb_index = -1;
	svc->line = (unsigned)line_of(vs, "listen");
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
					conf_error(line_of(cfg_getnsec(
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
		conf_error(line_of(cfg, "serverlimit"), "serverlimit (%u) is "
		    "less than the sum of maxclients of all services (%lu)",
		    gen->serverlimit, sum);
}

/* a worker's exchanges must fit its scoreboard slots */
static void
check_inflightlimit(cfg_t *cfg, const struct generation *gen)
{
	for (unsigned i = 0; i < gen->nsvc; i++)
		if (gen->svc[i].maxinflight > gen->inflightlimit)
			conf_error(line_of(cfg_getnsec(cfg, "virtual", i),
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
			conf_error(line_of(cfg, "group"), "group '%s' without "
			    "user, expected user = \"NAME\" as well", g);
		return;
	}
	if ((pw = getpwnam(u)) == NULL) {
		conf_error(line_of(cfg, "user"), "user '%s': no such user", u);
		return;
	}
	gen->user = xstrdup(u);
	gen->uid = pw->pw_uid;
	gen->gid = pw->pw_gid;
	if (g == NULL)
		return;
	if ((gr = getgrnam(g)) == NULL) {
		conf_error(line_of(cfg, "group"), "group '%s': no such group",
		    g);
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
			conf_error(line_of(cfg, "control"), "control '%s': "
			    "expected an absolute path", path);
		else if (strlen(path) >= CONF_CONTROL_PATH_MAX)
			conf_error(line_of(cfg, "control"), "control '%s': "
			    "path longer than %d bytes", path,
			    CONF_CONTROL_PATH_MAX - 1);
		else
			gen->control = xstrdup(path);
	}
	if (g == NULL)
		return;
	if ((gr = getgrnam(g)) == NULL) {
		conf_error(line_of(cfg, "control_group"), "control_group "
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

static void
read_source(struct loader *l)
{
	FILE *f = fopen(l->path, "re");
	char buf[8192];
	size_t n;
	FILE *m;

	if (f == NULL || (m = open_memstream(&l->text, &l->textlen)) == NULL) {
		if (f != NULL)
			fclose(f);
		return;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	fclose(m);
	fclose(f);
}

/*
 * libconfuse closes sections left open at the end of the file without a
 * word; an unbalanced '{' is a mistake, reported at its line.
 */
static void
check_braces(const struct loader *l)
{
	int depth = 0, line = 1, open_line[32], instr = 0;

	for (size_t i = 0; l->text != NULL && i < l->textlen; i++) {
		char c = l->text[i];

		if (c == '\n')
			line++;
		if (instr) {	/* the quote that opened the string */
			if (c == '\\' && i + 1 < l->textlen)
				i++;
			else if (c == instr)
				instr = 0;
			continue;
		}
		if (c == '"' || c == '\'')
			instr = c;
		else if (c == '#' || (c == '/' && i + 1 < l->textlen &&
		    l->text[i + 1] == '/')) {
			while (i + 1 < l->textlen && l->text[i + 1] != '\n')
				i++;
		} else if (c == '{' && depth < 32)
			open_line[depth++] = line;
		else if (c == '}' && depth > 0)
			depth--;
	}
	if (depth > 0)
		conf_error(open_line[depth - 1], "unterminated section: '{' "
		    "without a matching '}'");
}

static struct generation *
build(cfg_t *cfg, const char *path)
{
	struct generation *gen = xcalloc(1, sizeof(*gen));
	unsigned n = cfg_size(cfg, "virtual");

	gen->path = xstrdup(path);
	build_global(cfg, gen);
	if (n > CONF_MAX_SERVICES) {
		conf_error(line_of(cfg_getnsec(cfg, "virtual",
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

/* text NULL: read the file path; else parse text, named path in errors */
static struct generation *
load(const char *path, const char *text, FILE *errf)
{
	struct loader *l = xcalloc(1, sizeof(*l));
	struct generation *gen = NULL;
	cfg_t *cfg;
	int rc;

	l->path = path;
	l->errf = errf;
	cur = l;
	cfg = cfg_init(global_opts, CFGF_NONE);
	cfg_set_error_function(cfg, on_cfg_error);
	set_validators(cfg);
	if (text != NULL) {
		l->text = xstrdup(text);
		l->textlen = strlen(text);
		rc = cfg_parse_buf(cfg, text);
	} else {
		read_source(l);
		rc = cfg_parse(cfg, path);
	}
	if (rc == CFG_SUCCESS)
		check_braces(l);
	if (rc == CFG_FILE_ERROR)
		fprintf(errf, "%s: cannot read: %s\n", path, strerror(errno));
	else if (rc == CFG_SUCCESS)
		gen = build(cfg, path);	/* reports what spans options too */
	if (gen != NULL && l->nerrors > 0) {
		conf_free(gen);
		gen = NULL;
	}
	if (rc == CFG_PARSE_ERROR && l->nerrors == 0)
		fprintf(errf, "%s: parse error\n", path);
	cfg_free(cfg);
	cur = NULL;
	free(l->text);
	free(l);
	return gen;
}

struct generation *
conf_load(const char *path, FILE *errf)
{
	return load(path, NULL, errf);
}

struct generation *
conf_load_buf(const char *name, const char *text, FILE *errf)
{
	return load(name, text, errf);
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

const struct service *
conf_service(const struct generation *gen, const char *ident)
{
	for (unsigned i = 0; i < gen->nsvc; i++)
		if (strcmp(gen->svc[i].ident, ident) == 0)
			return &gen->svc[i];
	return NULL;
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

/*
 * For conf_rule.c (conf_load.h).
 */

int
conf_opt_line(cfg_t *cfg, cfg_opt_t *opt)
{
	int line = fix_line(opt->name, cfg->line);

	remember(cfg, opt->name, line);
	return line;
}

int
conf_line_of(cfg_t *sec, const char *name)
{
	return line_of(sec, name);
}

const char *
conf_sec_label(cfg_t *cfg)
{
	return sec_label(cfg);
}
