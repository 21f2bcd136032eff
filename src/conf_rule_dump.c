/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * conf_rule.c's options written back as tcpvs.conf text for conf_dump():
 * a rule's conditions and action, a service's header edits and
 * forwarding, a server's send_proxy, each only when it differs from the
 * default, so that what tcpvsadm -S writes loads back to the same rules.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "conf-t.h"
#include "conf.h"
#include "conf_rule.h"

#define IND	"        "	/* inside a rule section */

static void
list_start(FILE *f, const char *indent, const char *name, unsigned *n)
{
	fprintf(f, *n == 0 ? "%s%s = {" : ", ", indent, name);
	(*n)++;
}

static void
list_end(FILE *f, unsigned n)
{
	if (n > 0)
		fputs("}\n", f);
}

static void
dump_hosts(FILE *f, const struct rule *r)
{
	char buf[512];
	unsigned n = 0;

	for (unsigned i = 0; i < r->nhosts; i++) {
		const struct rule_host *h = &r->hosts[i];

		snprintf(buf, sizeof(buf), "%s%s", h->kind == RULE_HOST_REGEX ?
		    "~" : h->kind == RULE_HOST_WILDCARD ? "*" : "", h->name);
		list_start(f, IND, "host", &n);
		conf_dump_str(f, buf);
	}
	list_end(f, n);
}

static void
dump_fields(FILE *f, const char *name, const struct rule_field *fl,
    unsigned nf)
{
	char buf[1024];
	unsigned n = 0;

	for (unsigned i = 0; i < nf; i++) {
		snprintf(buf, sizeof(buf), "%s: %s", fl[i].name, fl[i].regex);
		list_start(f, IND, name, &n);
		conf_dump_str(f, buf);
	}
	list_end(f, n);
}

static void
dump_cidrs(FILE *f, const char *indent, const char *name,
    const struct cidr *c, unsigned nc)
{
	char buf[64];
	unsigned n = 0;

	for (unsigned i = 0; i < nc; i++) {
		cidr_format(&c[i], buf, sizeof(buf));
		list_start(f, indent, name, &n);
		conf_dump_str(f, buf);
	}
	list_end(f, n);
}

static void
dump_edits(FILE *f, const char *indent, const char *dir,
    const struct hdr_edits *e)
{
	static const char *const sfx[] = { [HDR_SET] = "set",
	    [HDR_ADD] = "add", [HDR_DEL] = "del" };
	static const enum hdr_op order[] = { HDR_DEL, HDR_SET, HDR_ADD };
	char name[64], buf[1024];
	unsigned n;

	for (int j = 0; j < 3; j++) {
		snprintf(name, sizeof(name), "%s_header_%s", dir,
		    sfx[order[j]]);
		n = 0;
		for (unsigned i = 0; i < e->n; i++) {
			if (e->e[i].op != order[j])
				continue;
			if (e->e[i].value != NULL)
				snprintf(buf, sizeof(buf), "%s: %s",
				    e->e[i].name, e->e[i].value);
			else
				snprintf(buf, sizeof(buf), "%s", e->e[i].name);
			list_start(f, indent, name, &n);
			conf_dump_str(f, buf);
		}
		list_end(f, n);
	}
}

void
conf_rule_dump_rule(FILE *f, const struct rule *r)
{
	unsigned n = 0;

	dump_hosts(f, r);
	for (unsigned i = 0; i < r->nmethods; i++) {
		list_start(f, IND, "method", &n);
		conf_dump_str(f, r->methods[i]);
	}
	list_end(f, n);
	dump_fields(f, "header", r->headers, r->nheaders);
	dump_fields(f, "cookie", r->cookies, r->ncookies);
	dump_cidrs(f, IND, "source", r->sources, r->nsources);
	if (r->query != NULL) {
		fputs(IND "query = ", f);
		conf_dump_str(f, r->query);
		fputc('\n', f);
	}
	if (r->ret != 0)
		fprintf(f, IND "return = %d\n", r->ret);
	if (r->location != NULL) {
		fputs(IND "location = ", f);
		conf_dump_str(f, r->location);
		fputc('\n', f);
	}
	if (r->body != NULL) {
		fputs(IND "body = ", f);
		conf_dump_str(f, r->body);
		fputc('\n', f);
	}
	dump_edits(f, IND, "request", &r->req_edits);
	dump_edits(f, IND, "response", &r->resp_edits);
}

void
conf_rule_dump_service(FILE *f, const struct service *svc)
{
	if (svc->forwarded != FWD_XFF)
		fprintf(f, "    forwarded = '%s'\n",
		    conf_fwd_str(svc->forwarded));
	dump_cidrs(f, "    ", "trusted_proxies", svc->trusted, svc->ntrusted);
	if (svc->accept_proxy)
		fputs("    accept_proxy = true\n", f);
	dump_edits(f, "    ", "request", &svc->req_edits);
	dump_edits(f, "    ", "response", &svc->resp_edits);
}

void
conf_rule_dump_server(FILE *f, const struct realserver *rs)
{
	if (rs->send_proxy != PROXY_SEND_NONE)
		fprintf(f, "        send_proxy = '%s'\n",
		    conf_proxy_send_str(rs->send_proxy));
}

/*
 * tcpvsadm's rules: a rule is named by its pattern and conditions, as
 * canonical text ("p=...\nh=a,*.b\n..."), the same for a loaded rule and
 * for the options of --add-rule and --del-rule.
 */

#define KEY_MAX	4096

/* one element of a tcpvsadm list, as a loaded rule would write it */
static void
canon(FILE *f, char tag, const char *v, size_t n)
{
	struct cidr c;
	char buf[256], err[128];

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (tag == 'h' && buf[0] != '~')
		for (char *p = buf; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	if (tag == 's' && cidr_parse(buf, &c, err, sizeof(err)) == 0)
		cidr_format(&c, buf, sizeof(buf));
	fputs(buf, f);
}

static void
key_list(FILE *f, char tag, const char *list)
{
	const char *p = list, *c;
	int n = 0;

	fprintf(f, "%c=", tag);
	while (p != NULL && *p != '\0') {
		c = strchr(p, ',');
		fputs(n++ ? "," : "", f);
		canon(f, tag, p, c != NULL ? (size_t)(c - p) : strlen(p));
		p = c != NULL ? c + 1 : NULL;
	}
	fputc('\n', f);
}

static void
key_of_rule(FILE *f, const struct rule *r)
{
	char buf[64];

	fprintf(f, "p=%s\nh=", r->pattern != NULL ? r->pattern : "\001");
	for (unsigned i = 0; i < r->nhosts; i++)
		fprintf(f, "%s%s%s", i ? "," : "", r->hosts[i].kind ==
		    RULE_HOST_REGEX ? "~" : r->hosts[i].kind ==
		    RULE_HOST_WILDCARD ? "*" : "", r->hosts[i].name);
	fputs("\nm=", f);
	for (unsigned i = 0; i < r->nmethods; i++)
		fprintf(f, "%s%s", i ? "," : "", r->methods[i]);
	fputs("\nH=", f);
	for (unsigned i = 0; i < r->nheaders; i++)
		fprintf(f, "%s%s: %s", i ? "\001" : "", r->headers[i].name,
		    r->headers[i].regex);
	fputs("\ns=", f);
	for (unsigned i = 0; i < r->nsources; i++) {
		cidr_format(&r->sources[i], buf, sizeof(buf));
		fprintf(f, "%s%s", i ? "," : "", buf);
	}
	fprintf(f, "\nc=%u\nq=%s\nr=%d\nl=%s\n", r->ncookies,
	    r->query != NULL ? r->query : "", r->ret,
	    r->location != NULL ? r->location : "");
}

static void
key_of_edit(FILE *f, const struct conf_edit *e)
{
	const char *h = e->header, *rest;
	size_t n;

	fprintf(f, "p=%s\n", e->pattern != NULL ? e->pattern : "\001");
	key_list(f, 'h', e->host);
	key_list(f, 'm', e->method);
	fputs("H=", f);
	if (h != NULL && (rest = strchr(h, ':')) != NULL) {
		n = (size_t)(rest - h);
		for (rest++; *rest == ' ' || *rest == '\t'; rest++)
			;
		fprintf(f, "%.*s: %s", (int)n, h, rest);
	} else if (h != NULL)
		fputs(h, f);
	fputc('\n', f);
	key_list(f, 's', e->source);
	fprintf(f, "c=0\nq=\nr=%d\nl=%s\n", e->ret,
	    e->location != NULL ? e->location : "");
}

int
conf_rule_find(const struct service *svc, const struct conf_edit *e)
{
	char want[KEY_MAX], have[KEY_MAX];
	FILE *f;

	memset(want, 0, sizeof(want));
	if ((f = fmemopen(want, sizeof(want) - 1, "w")) == NULL)
		return -1;
	key_of_edit(f, e);
	fclose(f);
	for (unsigned i = 0; i < svc->nrules; i++) {
		memset(have, 0, sizeof(have));
		if ((f = fmemopen(have, sizeof(have) - 1, "w")) == NULL)
			return -1;
		key_of_rule(f, &svc->rules[i]);
		fclose(f);
		if (strcmp(want, have) == 0)
			return (int)i;
	}
	return -1;
}

static void
dump_list(FILE *f, const char *name, const char *list)
{
	const char *p = list, *c;
	char buf[256];
	unsigned n = 0;
	size_t len;

	while (p != NULL && *p != '\0') {
		c = strchr(p, ',');
		len = c != NULL ? (size_t)(c - p) : strlen(p);
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, p, len);
		buf[len] = '\0';
		list_start(f, IND, name, &n);
		conf_dump_str(f, buf);
		p = c != NULL ? c + 1 : NULL;
	}
	list_end(f, n);
}

void
conf_rule_dump_edit(FILE *f, const struct conf_edit *e)
{
	dump_list(f, "host", e->host);
	dump_list(f, "method", e->method);
	if (e->header != NULL) {
		fputs(IND "header = ", f);
		conf_dump_str(f, e->header);
		fputc('\n', f);
	}
	dump_list(f, "source", e->source);
	if (e->ret != 0)
		fprintf(f, IND "return = %d\n", e->ret);
	if (e->location != NULL) {
		fputs(IND "location = ", f);
		conf_dump_str(f, e->location);
		fputc('\n', f);
	}
}
