/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The rule, header and forwarding part of tcpvs.conf: the rule section's
 * schema (conditions: pattern, host, method, header, cookie, source,
 * query; actions: server, or return with location or body), the header
 * rewrites of a service and of a rule, forwarded, trusted_proxies,
 * accept_proxy and a server's send_proxy.  Each value is judged where it
 * is written (its line in the error); what spans options (server or
 * return, location with a redirect status) when the service is built.
 * Runs in the master (and tcpvsd -t), never on the request path.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cidr.h"
#include "conf-t.h"
#include "conf.h"
#include "conf_load.h"
#include "conf_rule.h"
#include "http.h"
#include "rule.h"
#include "util.h"

cfg_opt_t conf_rule_opts[] = {
	CFG_STR("pattern", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("host", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("method", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("header", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("cookie", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("source", NULL, CFGF_NODEFAULT),
	CFG_STR("query", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("server", NULL, CFGF_NODEFAULT),
	CFG_INT("match", 0, CFGF_NONE),
	CFG_INT("return", 0, CFGF_NODEFAULT),
	CFG_STR("location", NULL, CFGF_NODEFAULT),
	CFG_STR("body", NULL, CFGF_NODEFAULT),
	CONF_HDR_OPTS,
	CFG_END()
};

#define CONF_BODY_MAX	8192	/* a return rule's body, bytes */

static const char *const hdr_opts[] = {
	"request_header_del", "request_header_set", "request_header_add",
	"response_header_del", "response_header_set", "response_header_add",
};

/*
 * Values.
 */

static bool
all_of(const char *s, size_t n, int (*ok)(unsigned char))
{
	for (size_t i = 0; i < n; i++)
		if (!ok((unsigned char)s[i]))
			return false;
	return n > 0;
}

static int
is_hostchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("-._[]:", c));
}

/* bytes a field value may not hold, or that end it early */
static bool
clean_text(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

/* "Name: rest": the name's length, or 0 when not of that form */
static size_t
field_name(const char *s, const char **rest)
{
	const char *colon = strchr(s, ':');
	size_t n = colon != NULL ? (size_t)(colon - s) : 0;

	if (n == 0 || !all_of(s, n, http_is_tchar))
		return 0;
	for (colon++; *colon == ' ' || *colon == '\t'; colon++)
		;
	*rest = colon;
	return n;
}

/* hop-by-hop and framing fields: tcpvsd's, never rewritten */
static bool
owned_field(const char *v)
{
	static const char *const owned[] = { "connection", "keep-alive",
	    "proxy-connection", "te", "trailer", "upgrade",
	    "transfer-encoding", "content-length" };
	size_t n = strcspn(v, ":");

	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		if (strlen(owned[i]) == n && strncasecmp(v, owned[i], n) == 0)
			return true;
	return false;
}

static const char *
check_host(const char *v)
{
	if (v[0] == '~')
		return v[1] != '\0' ? NULL : "expected a regex after '~'";
	if (v[0] == '*')
		return v[1] == '.' && all_of(v + 2, strlen(v + 2),
		    is_hostchar) ? NULL : "expected *.domain";
	return all_of(v, strlen(v), is_hostchar) ? NULL :
	    "expected a host name, *.domain or ~regex";
}

static const char *
check_value(const char *name, const char *v)
{
	const char *rest;

	if (strcmp(name, "host") == 0)
		return check_host(v);
	if (strcmp(name, "method") == 0)
		return all_of(v, strlen(v), 
		    http_is_tchar) ? NULL : "expected a method such as GET";
	if (strcmp(name, "header") == 0 || strcmp(name, "cookie") == 0)
		return field_name(v, &rest) > 0 ? NULL :
		    "expected \"Name: regex\"";
	if (strncmp(name, "request_header_", 15) == 0 ||
	    strncmp(name, "response_header_", 16) == 0) {
		if (owned_field(v))
			return "tcpvsd sets this field itself";
		if (strstr(name, "_del") != NULL)
			return all_of(v, strlen(v), 
			    http_is_tchar) ? NULL : "expected a field name";
		if (field_name(v, &rest) == 0)
			return "expected \"Name: value\"";
		return clean_text(rest) ? NULL :
		    "a value may not hold CR or LF";
	}
	if (strcmp(name, "location") == 0 || strcmp(name, "body") == 0)
		return clean_text(v) || strcmp(name, "body") == 0 ? NULL :
		    "may not hold CR or LF";
	return NULL;
}

/* every string option of this file: each value's own syntax */
static int
validate_str(cfg_t *cfg, cfg_opt_t *opt)
{
	int line = conf_opt_line(cfg, opt);
	struct cidr c;
	const char *why, *v;
	char err[256];

	for (unsigned i = 0; i < cfg_opt_size(opt); i++) {
		v = cfg_opt_getnstr(opt, i);
		if (v == NULL)
			continue;
		if (strcmp(opt->name, "source") == 0 ||
		    strcmp(opt->name, "trusted_proxies") == 0) {
			if (cidr_parse(v, &c, err, sizeof(err)) == -1)
				conf_error(line, "%s%s %s", conf_sec_label(cfg),
				    opt->name, err);
			continue;
		}
		if ((why = check_value(opt->name, v)) != NULL)
			conf_error(line, "%s%s '%s': %s", conf_sec_label(cfg),
			    opt->name, v, why);
	}
	return 0;
}

static const char *const fwd_names[] = {
	[FWD_XFF] = "xff", [FWD_RFC7239] = "rfc7239", [FWD_BOTH] = "both",
	[FWD_NONE] = "none",
};
static const char *const proxy_names[] = {
	[PROXY_SEND_NONE] = "none", [PROXY_SEND_V1] = "v1",
	[PROXY_SEND_V2] = "v2",
};

static int
name_index(const char *const *names, size_t n, const char *v)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		if (strcmp(names[i], v) == 0)
			return (int)i;
	return -1;
}

const char *
conf_fwd_str(enum fwd_mode m)
{
	return fwd_names[m];
}

const char *
conf_proxy_send_str(enum proxy_send p)
{
	return proxy_names[p];
}

static int
validate_enum(cfg_t *cfg, cfg_opt_t *opt)
{
	int line = conf_opt_line(cfg, opt);
	const char *v = cfg_opt_getnstr(opt, 0);

	if (strcmp(opt->name, "forwarded") == 0 && name_index(fwd_names,
	    4, v) == -1)
		conf_error(line, "%sforwarded '%s': expected xff, rfc7239, "
		    "both or none", conf_sec_label(cfg), v ? v : "");
	if (strcmp(opt->name, "send_proxy") == 0 && name_index(proxy_names,
	    3, v) == -1)
		conf_error(line, "%ssend_proxy '%s': expected none, v1 or v2",
		    conf_sec_label(cfg), v ? v : "");
	return 0;
}

static int
validate_return(cfg_t *cfg, cfg_opt_t *opt)
{
	int line = conf_opt_line(cfg, opt);
	long v = cfg_opt_getnint(opt, 0);

	if (v < 200 || v > 599)
		conf_error(line, "%srule: return %ld: expected a status from "
		    "200 to 599", conf_sec_label(cfg), v);
	return 0;
}

static int
validate_line(cfg_t *cfg, cfg_opt_t *opt)
{
	(void)conf_opt_line(cfg, opt);
	return 0;
}

void
conf_rule_validators(cfg_t *cfg)
{
	static const char *const rule_strs[] = { "host", "method", "header",
	    "cookie", "source", "location", "body", "query" };
	char p[64];

	for (size_t i = 0; i < sizeof(rule_strs) / sizeof(rule_strs[0]);
	    i++) {
		snprintf(p, sizeof(p), "virtual|rule|%s", rule_strs[i]);
		cfg_set_validate_func(cfg, p, validate_str);
	}
	for (size_t i = 0; i < sizeof(hdr_opts) / sizeof(hdr_opts[0]); i++) {
		snprintf(p, sizeof(p), "virtual|rule|%s", hdr_opts[i]);
		cfg_set_validate_func(cfg, p, validate_str);
		snprintf(p, sizeof(p), "virtual|%s", hdr_opts[i]);
		cfg_set_validate_func(cfg, p, validate_str);
	}
	cfg_set_validate_func(cfg, "virtual|rule|return", validate_return);
	cfg_set_validate_func(cfg, "virtual|trusted_proxies", validate_str);
	cfg_set_validate_func(cfg, "virtual|forwarded", validate_enum);
	cfg_set_validate_func(cfg, "virtual|accept_proxy", validate_line);
	cfg_set_validate_func(cfg, "virtual|server|send_proxy",
	    validate_enum);
}

/*
 * Building.
 */

/* the header edits written in sec, deletions first, then set, then add */
static void
build_edits(cfg_t *sec, const char *dir, struct hdr_edits *e)
{
	static const enum hdr_op ops[] = { HDR_DEL, HDR_SET, HDR_ADD };
	static const char *const sfx[] = { "del", "set", "add" };
	unsigned n = 0, k = 0;
	char name[64];
	const char *v, *rest;
	size_t nl;

	for (int j = 0; j < 3; j++) {
		snprintf(name, sizeof(name), "%s_header_%s", dir, sfx[j]);
		n += cfg_size(sec, name);
	}
	if (n == 0)
		return;
	e->e = xcalloc(n, sizeof(*e->e));
	for (int j = 0; j < 3; j++) {
		snprintf(name, sizeof(name), "%s_header_%s", dir, sfx[j]);
		for (unsigned i = 0; i < cfg_size(sec, name); i++) {
			struct hdr_edit *he = &e->e[k++];

			v = cfg_getnstr(sec, name, i);
			he->op = ops[j];
			if (ops[j] == HDR_DEL || (nl = field_name(v, &rest))
			    == 0) {
				he->name = xstrdup(v);
				continue;
			}
			he->name = xstrdup(v);
			he->name[nl] = '\0';
			he->value = xstrdup(rest);
		}
	}
	e->n = k;
}

static struct cidr *
build_cidrs(cfg_t *sec, const char *name, unsigned *n)
{
	struct cidr *c;
	char err[256];

	*n = cfg_size(sec, name);
	if (*n == 0)
		return NULL;
	c = xcalloc(*n, sizeof(*c));
	for (unsigned i = 0; i < *n; i++)
		(void)cidr_parse(cfg_getnstr(sec, name, i), &c[i], err,
		    sizeof(err));	/* judged while parsing */
	return c;
}

static struct rule_field *
build_fields(cfg_t *rc, const char *name, unsigned *n)
{
	struct rule_field *f;
	const char *v, *rest;
	size_t nl;

	*n = cfg_size(rc, name);
	if (*n == 0)
		return NULL;
	f = xcalloc(*n, sizeof(*f));
	for (unsigned i = 0; i < *n; i++) {
		v = cfg_getnstr(rc, name, i);
		if ((nl = field_name(v, &rest)) == 0)
			rest = "";
		f[i].name = xstrdup(v);
		f[i].name[nl] = '\0';
		f[i].regex = xstrdup(rest);
	}
	return f;
}

static void
build_hosts(cfg_t *rc, struct rule *r)
{
	const char *v;

	r->nhosts = cfg_size(rc, "host");
	if (r->nhosts == 0)
		return;
	r->hosts = xcalloc(r->nhosts, sizeof(*r->hosts));
	for (unsigned i = 0; i < r->nhosts; i++) {
		v = cfg_getnstr(rc, "host", i);
		if (v[0] == '~') {
			r->hosts[i].kind = RULE_HOST_REGEX;
			r->hosts[i].name = xstrdup(v + 1);
			continue;
		}
		r->hosts[i].kind = v[0] == '*' ? RULE_HOST_WILDCARD :
		    RULE_HOST_EXACT;
		r->hosts[i].name = xstrdup(v[0] == '*' ? v + 1 : v);
		for (char *p = r->hosts[i].name; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	}
}

static void
build_conditions(cfg_t *rc, struct rule *r)
{
	const char *s;

	if ((s = cfg_getstr(rc, "pattern")) != NULL)
		r->pattern = xstrdup(s);
	r->match = (unsigned)cfg_getint(rc, "match");
	build_hosts(rc, r);
	r->nmethods = cfg_size(rc, "method");
	if (r->nmethods > 0)
		r->methods = xcalloc(r->nmethods, sizeof(*r->methods));
	for (unsigned i = 0; i < r->nmethods; i++)
		r->methods[i] = xstrdup(cfg_getnstr(rc, "method", i));
	r->headers = build_fields(rc, "header", &r->nheaders);
	r->cookies = build_fields(rc, "cookie", &r->ncookies);
	r->sources = build_cidrs(rc, "source", &r->nsources);
	if ((s = cfg_getstr(rc, "query")) != NULL)
		r->query = xstrdup(s);
}

static uint64_t
rule_servers(cfg_t *rc, const struct service *svc, int line)
{
	struct util_addr ua;
	uint64_t mask = 0;
	char err[256];
	int i;

	for (unsigned k = 0; k < cfg_size(rc, "server"); k++) {
		const char *s = cfg_getnstr(rc, "server", k);

		if (util_addr_parse(s, CONF_SERVER_PORT, &ua, err,
		    sizeof(err)) == -1)
			continue;	/* reported while parsing */
		if ((i = conf_server_index(svc, (struct sockaddr *)&ua.ss))
		    == -1) {
			conf_error(line, "virtual %s: rule names server %s, "
			    "which is not a server of this service", svc->ident,
			    s);
			continue;
		}
		mask |= (uint64_t)1 << i;
	}
	return mask;
}

static bool
is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 ||
	    status == 307 || status == 308;
}

/* server, or return with location (3xx) or an optional body */
static void
build_action(cfg_t *rc, const struct service *svc, struct rule *r)
{
	bool has_server = cfg_size(rc, "server") > 0;
	const char *s;
	int line = (int)r->line;

	r->ret = cfg_size(rc, "return") > 0 ? (int)cfg_getint(rc, "return") :
	    0;
	if (has_server && r->ret != 0)
		conf_error(line, "virtual %s: rule has both server and return, "
		    "expected one", svc->ident);
	else if (!has_server && r->ret == 0)
		conf_error(line, "virtual %s: rule has no server, expected "
		    "server = \"host:port\" or a list, or return = STATUS",
		    svc->ident);
	if (has_server)
		r->servers = rule_servers(rc, svc, line);
	if ((s = cfg_getstr(rc, "location")) != NULL)
		r->location = xstrdup(s);
	if ((s = cfg_getstr(rc, "body")) != NULL)
		r->body = xstrdup(s);
	if (is_redirect(r->ret) && r->location == NULL)
		conf_error(conf_line_of(rc, "return"), "virtual %s: rule: "
		    "return %d without location, expected location = \"URL\"",
		    svc->ident, r->ret);
	if (r->location != NULL && !is_redirect(r->ret))
		conf_error(conf_line_of(rc, "location"), "virtual %s: rule: "
		    "location is only for return 301, 302, 303, 307 or 308",
		    svc->ident);
	if (r->body != NULL && strlen(r->body) > CONF_BODY_MAX)
		conf_error(conf_line_of(rc, "body"), "virtual %s: rule: body "
		    "of %zu bytes, at most %d", svc->ident, strlen(r->body),
		    CONF_BODY_MAX);
	if (r->body != NULL && (r->ret == 0 || is_redirect(r->ret)))
		conf_error(conf_line_of(rc, "body"), "virtual %s: rule: body "
		    "is only for a return status that is not a redirect",
		    svc->ident);
}

/* the line of a rule: its first option written */
static unsigned
rule_line(cfg_t *rc)
{
	static const char *const first[] = { "pattern", "host", "method",
	    "header", "cookie", "source", "query", "return", "server" };

	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		if (cfg_size(rc, first[i]) > 0)
			return (unsigned)conf_line_of(rc, first[i]);
	return (unsigned)rc->line;
}

static void
build_rules(cfg_t *vs, struct service *svc)
{
	unsigned n = cfg_size(vs, "rule");
	char err[512];

	if (n > CONF_MAX_RULES) {
		conf_error(conf_line_of(vs, "rule"), "virtual %s: %u rules, at "
		    "most %d", svc->ident, n, CONF_MAX_RULES);
		n = CONF_MAX_RULES;
	}
	svc->rules = xcalloc(n, sizeof(*svc->rules));
	for (unsigned i = 0; i < n; i++) {
		cfg_t *rc = cfg_getnsec(vs, "rule", i);
		struct rule *r = &svc->rules[i];

		r->line = rule_line(rc);
		svc->nrules++;
		build_conditions(rc, r);
		build_action(rc, svc, r);
		build_edits(rc, "request", &r->req_edits);
		build_edits(rc, "response", &r->resp_edits);
		if (rule_compile(r, err, sizeof(err)) == -1)
			conf_error((int)r->line, "virtual %s: rule: %s",
			    svc->ident, err);
	}
}

void
conf_rule_build_service(cfg_t *vs, struct service *svc)
{
	int f = name_index(fwd_names, 4, cfg_getstr(vs, "forwarded"));

	svc->forwarded = f >= 0 ? (enum fwd_mode)f : FWD_XFF;
	svc->trusted = build_cidrs(vs, "trusted_proxies", &svc->ntrusted);
	svc->accept_proxy = cfg_getbool(vs, "accept_proxy") == cfg_true;
	if (svc->accept_proxy && svc->ntrusted == 0)
		conf_error(conf_line_of(vs, "accept_proxy"), "virtual %s: "
		    "accept_proxy without trusted_proxies, expected the "
		    "addresses the PROXY headers may come from", svc->ident);
	build_edits(vs, "request", &svc->req_edits);
	build_edits(vs, "response", &svc->resp_edits);
	build_rules(vs, svc);
	/* the checks were built: they send what the server expects */
	for (unsigned i = 0; i < svc->nrs; i++)
		svc->rs[i].check.send_proxy = (int)svc->rs[i].send_proxy;
}

void
conf_rule_build_server(cfg_t *ss, struct realserver *rs)
{
	int p = name_index(proxy_names, 3, cfg_getstr(ss, "send_proxy"));

	rs->send_proxy = p >= 0 ? (enum proxy_send)p : PROXY_SEND_NONE;
}

void
conf_rule_free_service(struct service *svc)
{
	for (unsigned j = 0; j < svc->nrules; j++)
		rule_free(&svc->rules[j]);
	free(svc->rules);
	svc->rules = NULL;
	svc->nrules = 0;
	rule_free_edits(&svc->req_edits);
	rule_free_edits(&svc->resp_edits);
	free(svc->trusted);
	svc->trusted = NULL;
}
