/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * tcpvsadm's output.  The control socket answers with records ("service
 * ident=... listen=..."); this file lays them out as ipvsadm does: a
 * version line, a heading, each virtual service with its real servers
 * and rules under it (-L, with --stats totals or --rate per-second
 * rates), and Apache's scoreboard for --workers: each busy worker with
 * its exchanges by state, then each exchange in flight under it.
 * Without -n addresses are shown by name (reverse look-up), as ipvsadm
 * does.
 */
#include "config.h"

#include <sys/socket.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm.h"
#include "ctl.h"
#include "util.h"

#define ADM_SLOTS_PER_LINE	64

/* one record of the reply, parsed from a copy of its line */
struct rec {
	char		*buf;
	struct ctl_line	 l;
};

static int
rec_parse(struct rec *r, const char *line)
{
	char err[128];

	r->buf = xstrdup(line);
	if (ctl_parse(r->buf, &r->l, err, sizeof(err)) == -1) {
		free(r->buf);
		r->buf = NULL;
		return -1;
	}
	return 0;
}

static const char *
field(const struct rec *r, const char *name)
{
	const char *v = ctl_get(&r->l, name);

	return v != NULL ? v : "-";
}

static unsigned long long
num(const struct rec *r, const char *name)
{
	const char *v = ctl_get(&r->l, name);

	return v != NULL ? strtoull(v, NULL, 10) : 0;
}

/* "host:port" of a numeric address, by name unless numeric */
static const char *
show_addr(const char *a, bool numeric, char *buf, size_t len)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV], err[128];
	struct util_addr ua;

	if (numeric || strcmp(a, "-") == 0 ||
	    util_addr_parse(a, NULL, &ua, err, sizeof(err)) == -1 ||
	    getnameinfo((struct sockaddr *)&ua.ss, ua.len, host, sizeof(host),
	    serv, sizeof(serv), NI_NAMEREQD) != 0) {
		util_strlcpy(buf, a, len);
		return buf;
	}
	snprintf(buf, len, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host,
	    serv);
	return buf;
}

/* a comma-separated list of addresses, each shown by show_addr */
static const char *
show_addrs(const char *list, bool numeric, char *buf, size_t len)
{
	char *copy = xstrdup(list), *save = NULL, *a, one[NI_MAXHOST + 16];
	size_t off = 0;

	buf[0] = '\0';
	for (a = strtok_r(copy, ",", &save); a != NULL && off < len;
	    a = strtok_r(NULL, ",", &save))
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    off ? "," : "", show_addr(a, numeric, one, sizeof(one)));
	free(copy);
	if (buf[0] == '\0')
		util_strlcpy(buf, "-", len);
	return buf;
}

/* listen addresses, then tls_listen ones marked "/tls" (as -S: tls_listen) */
static char *
show_listen(const struct rec *r, bool numeric, char *buf, size_t len)
{
	const char *t = field(r, "tls_listen");
	char tls[2048], *save = NULL, *a;
	size_t off;

	show_addrs(field(r, "listen"), numeric, buf, len);
	if (*t == '\0' || strcmp(t, "-") == 0)
		return buf;
	if (strcmp(buf, "-") == 0)
		buf[0] = '\0';
	off = strlen(buf);
	show_addrs(t, numeric, tls, sizeof(tls));
	for (a = strtok_r(tls, ",", &save); a != NULL && off < len;
	    a = strtok_r(NULL, ",", &save))
		off += (size_t)snprintf(buf + off, len - off, "%s%s/tls",
		    off ? "," : "", a);
	return buf;
}

static void
heading(FILE *f, enum adm_list_mode mode)
{
	switch (mode) {
	case ADM_LIST_PLAIN:
		fprintf(f, "Ident            LocalAddress:Port              "
		    "Scheduler Flags\n");
		fprintf(f, "  -> RemoteAddress:Port           Weight "
		    "ActiveConn InActConn Health   Admin    Id\n");
		fprintf(f, "  -> rule 'Pattern' [match N] -> "
		    "RemoteAddress:Port,...\n");
		break;
	case ADM_LIST_STATS:
		fprintf(f, "Ident            LocalAddress:Port              "
		    "     Conns   Requests    InBytes   OutBytes\n");
		fprintf(f, "  -> RemoteAddress:Port\n");
		break;
	case ADM_LIST_RATE:
		fprintf(f, "Ident            LocalAddress:Port              "
		    "       CPS        RPS      InBPS     OutBPS\n");
		fprintf(f, "  -> RemoteAddress:Port\n");
		break;
	}
}

/* the counters of a service or server line, for --stats or --rate */
static void
counters(FILE *f, const struct rec *r, enum adm_list_mode mode)
{
	if (mode == ADM_LIST_STATS)
		fprintf(f, " %10llu %10llu %10llu %10llu\n", num(r, "conns"),
		    num(r, "requests"), num(r, "inbytes"),
		    num(r, "outbytes"));
	else
		fprintf(f, " %10llu %10llu %10llu %10llu\n", num(r, "cps"),
		    num(r, "rps"), num(r, "inbps"), num(r, "outbps"));
}

static void
print_service(FILE *f, const struct rec *r, enum adm_list_mode mode,
    bool numeric)
{
	char addrs[4096];

	fprintf(f, "%-16s %-30s", field(r, "ident"), show_listen(r, numeric,
	    addrs, sizeof(addrs)));
	if (mode == ADM_LIST_PLAIN) {
		fprintf(f, " %-9s %s", field(r, "sched"), field(r, "state"));
		/* as ipvsadm: "persistent 60 mask 255.255.255.0" */
		if (num(r, "persistent") > 0)
			fprintf(f, " persistent %llu mask %s",
			    num(r, "persistent"), field(r,
			    "persistent_netmask"));
		if (strcmp(field(r, "sched"), "chttp") == 0)
			fprintf(f, " cookie %s", field(r, "cookie"));
		fputc('\n', f);
	} else
		counters(f, r, mode);
}

/* a server line; true when it shows a value set with tcpvsadm ("*") */
static bool
print_server(FILE *f, const struct rec *r, enum adm_list_mode mode,
    bool numeric)
{
	char a[NI_MAXHOST + 16], w[32], admin[32];
	bool wset = num(r, "weight_set") != 0, aset = num(r, "admin_set") != 0;

	show_addr(field(r, "addr"), numeric, a, sizeof(a));
	if (mode != ADM_LIST_PLAIN) {
		fprintf(f, "  -> %-42s", a);
		counters(f, r, mode);
		return false;
	}
	snprintf(w, sizeof(w), "%llu%s", num(r, "weight"), wset ? "*" : "");
	snprintf(admin, sizeof(admin), "%s%s", field(r, "admin"),
	    aset ? "*" : "");
	fprintf(f, "  -> %-29s %-6s %-10llu %-9llu %-8s %-8s %s", a, w,
	    num(r, "active"), num(r, "inactive"), field(r, "health"), admin,
	    field(r, "id"));
	/* why it is down, as its last check said */
	if (ctl_get(&r->l, "check") != NULL)
		fprintf(f, " (%s)", ctl_get(&r->l, "check"));
	fputc('\n', f);
	return wset || aset;
}

static void
print_rule(FILE *f, const struct rec *r, bool numeric)
{
	char addrs[8192];

	static const char *const conds[] = { "host", "method", "header",
	    "source" };

	if (*field(r, "pattern") != '\0' && strcmp(field(r, "pattern"), "-"))
		fprintf(f, "  -> rule '%s'", field(r, "pattern"));
	else
		fprintf(f, "  -> rule");
	if (num(r, "match") != 0)
		fprintf(f, " match %llu", num(r, "match"));
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++)
		if (*field(r, conds[i]) != '\0' && strcmp(field(r, conds[i]),
		    "-") != 0)
			fprintf(f, " %s '%s'", conds[i], field(r, conds[i]));
	if (num(r, "return") != 0) {
		fprintf(f, " -> return %llu", num(r, "return"));
		if (*field(r, "location") != '\0' &&
		    strcmp(field(r, "location"), "-") != 0)
			fprintf(f, " location '%s'", field(r, "location"));
		fputc('\n', f);
		return;
	}
	fprintf(f, " -> %s\n", show_addrs(field(r, "servers"), numeric,
	    addrs, sizeof(addrs)));
}

void
adm_print_list(FILE *f, const struct ctl_reply *reply,
    enum adm_list_mode mode, bool numeric)
{
	struct rec r;
	bool set = false;

	for (size_t i = 0; i < reply->nlines; i++) {
		if (rec_parse(&r, reply->lines[i]) == -1)
			continue;
		if (strcmp(r.l.verb, "info") == 0) {
			fprintf(f, "tcpvs version %s (tcpvsd pid %llu, "
			    "generation %llu)\n", field(&r, "version"),
			    num(&r, "pid"), num(&r, "generation"));
			heading(f, mode);
		} else if (strcmp(r.l.verb, "service") == 0)
			print_service(f, &r, mode, numeric);
		else if (strcmp(r.l.verb, "server") == 0)
			set |= print_server(f, &r, mode, numeric);
		else if (strcmp(r.l.verb, "rule") == 0 &&
		    mode == ADM_LIST_PLAIN)
			print_rule(f, &r, numeric);
		free(r.buf);
	}
	if (set)
		fprintf(f, "* set with tcpvsadm, kept across reloads "
		    "(tcpvsadm --reset clears it)\n");
}

/*
 * The columns of a worker's exchanges by state: their names as the
 * scoreboard record lists them, each headed by its key character.
 */
#define ADM_MAX_XSTATES	8
struct xcols {
	unsigned	 n;
	char		 name[ADM_MAX_XSTATES][16];
	char		 ch[ADM_MAX_XSTATES];
};

/* the key character of name in key "C name,C name,...", else '?' */
static char
key_char(const char *key, const char *name)
{
	size_t n = strlen(name);

	for (const char *k = key; k != NULL && *k != '\0';) {
		if (k[1] == ' ' && strncmp(k + 2, name, n) == 0 &&
		    (k[2 + n] == ',' || k[2 + n] == '\0'))
			return k[0];
		if ((k = strchr(k, ',')) != NULL)
			k++;
	}
	return '?';
}

static void
xcols_parse(struct xcols *xc, const struct rec *r)
{
	char *names = xstrdup(field(r, "xstates")), *save = NULL, *k;

	xc->n = 0;
	for (k = strtok_r(names, ",", &save); k != NULL &&
	    xc->n < ADM_MAX_XSTATES; k = strtok_r(NULL, ",", &save)) {
		util_strlcpy(xc->name[xc->n], k, sizeof(xc->name[0]));
		xc->ch[xc->n++] = key_char(field(r, "key"), k);
	}
	free(names);
}

static void
print_scoreboard(FILE *f, const struct rec *r, struct xcols *xc)
{
	const char *s = field(r, "states");
	char *key = xstrdup(field(r, "key")), *save = NULL, *k;
	size_t n = strlen(s);

	fprintf(f, "Scoreboard: %llu worker slots, %llu exchange slots "
	    "each\n", num(r, "slots"), num(r, "inflight"));
	for (size_t i = 0; i < n; i += ADM_SLOTS_PER_LINE)
		fprintf(f, "%.*s\n", ADM_SLOTS_PER_LINE, s + i);
	/* the key comes from tcpvsd: "C name,C name,..." */
	fprintf(f, "Key:");
	for (k = strtok_r(key, ",", &save); k != NULL;
	    k = strtok_r(NULL, ",", &save))
		fprintf(f, " \"%c\" %s%s", k[0], k + 1 + (k[1] == ' '),
		    save != NULL && *save != '\0' ? "," : "");
	fprintf(f, "\n\n");
	free(key);
	xcols_parse(xc, r);
	fprintf(f, "%5s %7s %-16s %4s %-10s %5s", "Slot", "PID", "Ident",
	    "Gen", "State", "Secs");
	for (unsigned i = 0; i < xc->n; i++)
		fprintf(f, " %3c", xc->ch[i]);
	fprintf(f, " %6s %-16s %-22s %s\n", "Parked", "Client", "Server",
	    "Request");
}

/* client, real server and request line, the end of every line */
static void
print_what(FILE *f, const struct rec *r, bool numeric)
{
	char client[NI_MAXHOST], server[NI_MAXHOST + 16], err[64];
	const char *c = field(r, "client");
	struct util_addr ua;

	/* a client address has no port: show it with a dummy one */
	util_strlcpy(client, c, sizeof(client));
	if (!numeric && util_addr_parse(c, "1", &ua, err, sizeof(err)) == 0)
		(void)getnameinfo((struct sockaddr *)&ua.ss, ua.len, client,
		    sizeof(client), NULL, 0, 0);
	fprintf(f, " %-16s %-22s %s\n", client, show_addr(field(r, "server"),
	    numeric, server, sizeof(server)), field(r, "request"));
}

static void
print_worker(FILE *f, const struct rec *r, const struct xcols *xc,
    bool numeric)
{
	fprintf(f, "%5llu %7llu %-16s %4llu %-10s %5llu", num(r, "slot"),
	    num(r, "pid"), field(r, "ident"), num(r, "generation"),
	    field(r, "state"), num(r, "secs"));
	for (unsigned i = 0; i < xc->n; i++)
		fprintf(f, " %3llu", num(r, xc->name[i]));
	fprintf(f, " %6llu", num(r, "parked"));
	print_what(f, r, numeric);
}

/* an exchange under its worker: "slot-index", as Apache's "Srv" */
static void
print_exchange(FILE *f, const struct rec *r, const struct xcols *xc,
    bool numeric)
{
	char id[48];

	snprintf(id, sizeof(id), "%llu-%llu", num(r, "slot"),
	    num(r, "index"));
	fprintf(f, "%5s %7s %-16s %4s %-10s %5llu %*s", id, "", "", "",
	    field(r, "state"), num(r, "secs"), (int)(4 * xc->n + 6), "");
	print_what(f, r, numeric);
}

void
adm_print_workers(FILE *f, const struct ctl_reply *reply, bool numeric)
{
	struct xcols xc = { 0 };
	struct rec r;

	for (size_t i = 0; i < reply->nlines; i++) {
		if (rec_parse(&r, reply->lines[i]) == -1)
			continue;
		if (strcmp(r.l.verb, "scoreboard") == 0)
			print_scoreboard(f, &r, &xc);
		else if (strcmp(r.l.verb, "worker") == 0)
			print_worker(f, &r, &xc, numeric);
		else if (strcmp(r.l.verb, "exchange") == 0)
			print_exchange(f, &r, &xc, numeric);
		free(r.buf);
	}
}

/* -L -c, as ipvsadm -L -c: one line per persistence template */
void
adm_print_templates(FILE *f, const struct ctl_reply *reply, bool numeric)
{
	char server[NI_MAXHOST + 16];
	struct rec r;

	fprintf(f, "%-16s %-40s %-29s %s\n", "Ident", "Client", "Server",
	    "Expires");
	for (size_t i = 0; i < reply->nlines; i++) {
		if (rec_parse(&r, reply->lines[i]) == -1)
			continue;
		if (strcmp(r.l.verb, "template") == 0)
			fprintf(f, "%-16s %-40s %-29s %llus\n", field(&r,
			    "ident"), field(&r, "client"), show_addr(field(&r,
			    "server"), numeric, server, sizeof(server)),
			    num(&r, "expires"));
		free(r.buf);
	}
}

void
adm_print_lines(FILE *f, const struct ctl_reply *reply)
{
	for (size_t i = 0; i < reply->nlines; i++)
		fprintf(f, "%s\n", reply->lines[i]);
}
