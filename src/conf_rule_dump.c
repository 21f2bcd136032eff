/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * conf_rule.c's options written back as tcpvs.conf text for conf_dump():
 * a rule's conditions and action, a service's header edits and
 * forwarding, a server's send_proxy, each only when it differs from the
 * default, so that what tcpvsadm -S writes loads back to the same rules.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cidr.h"
#include "conf-t.h"
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
