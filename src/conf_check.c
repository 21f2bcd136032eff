/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The health-check options of tcpvs.conf: their defaults, the syntax of
 * the string ones (check, check_path, check_host, check_expect,
 * check_interval, check_timeout) and the values they give a struct
 * conf_check.  conf.c reads the libconfuse sections and reports errors
 * with their line; this file only judges and converts values, so the unit
 * tests can call it.  The expected-status set is matched here too, for
 * probe_http.c.  A server's admin option (active, drain, disable) is
 * judged here too.  Pure functions; runs in the master and tcpvsd -t.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "probe.h"
#include "scoreboard-t.h"
#include "util.h"

#define EXPECT_MIN	100
#define EXPECT_MAX	599

void
conf_check_defaults(struct conf_check *c)
{
	memset(c, 0, sizeof(*c));
	c->probe = NULL;
	util_strlcpy(c->path, CONF_DEF_CHECK_PATH, sizeof(c->path));
	(void)conf_expect_parse("2xx 3xx", &c->expect, NULL, 0);
	c->interval_ms = CONF_DEF_CHECK_INTERVAL_MS;
	c->timeout_ms = CONF_DEF_CHECK_TIMEOUT_MS;
	c->rise = CONF_DEF_RISE;
	c->fall = CONF_DEF_FALL;
}

static void
expect_set(struct conf_expect *e, unsigned lo, unsigned hi)
{
	for (unsigned code = lo; code <= hi; code++)
		e->bits[(code - EXPECT_MIN) / 64] |=
		    (uint64_t)1 << ((code - EXPECT_MIN) % 64);
}

/* "200", "2xx" or "200-299"; 0, or -1 */
static int
expect_token(const char *t, size_t n, struct conf_expect *e)
{
	unsigned lo = 0, hi = 0;

	if (n == 3 && t[0] >= '1' && t[0] <= '5' &&
	    (t[1] == 'x' || t[1] == 'X') && (t[2] == 'x' || t[2] == 'X')) {
		lo = (unsigned)(t[0] - '0') * 100;
		expect_set(e, lo, lo + 99);
		return 0;
	}
	if (n == 7 && t[3] != '-')
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (i == 3 && n == 7)
			continue;
		if (!isdigit((unsigned char)t[i]))
			return -1;
		if (i < 3)
			lo = lo * 10 + (unsigned)(t[i] - '0');
		else
			hi = hi * 10 + (unsigned)(t[i] - '0');
	}
	if (n == 3)
		hi = lo;
	else if (n != 7)
		return -1;
	if (lo < EXPECT_MIN || hi > EXPECT_MAX || lo > hi)
		return -1;
	expect_set(e, lo, hi);
	return 0;
}

int
conf_expect_parse(const char *s, struct conf_expect *e, char *why,
    size_t len)
{
	static const char sep[] = " \t,";
	unsigned ntok = 0;
	size_t n;

	memset(e, 0, sizeof(*e));
	for (s += strspn(s, sep); *s != '\0'; s += n, s += strspn(s, sep)) {
		n = strcspn(s, sep);
		if (expect_token(s, n, e) == -1)
			break;
		ntok++;
	}
	if (*s == '\0' && ntok > 0)
		return 0;
	if (why != NULL)
		snprintf(why, len, "expected status codes (100 to 599), "
		    "classes like 2xx or ranges like 200-399, separated by "
		    "spaces");
	return -1;
}

int
conf_expect_match(const struct conf_expect *e, int status)
{
	unsigned i;

	if (status < EXPECT_MIN || status > EXPECT_MAX)
		return 0;
	i = (unsigned)status - EXPECT_MIN;
	return (e->bits[i / 64] >> (i % 64)) & 1;
}

void
conf_expect_format(const struct conf_expect *e, char *buf, size_t len)
{
	size_t used = 0;
	int lo = -1;

	if (len > 0)
		buf[0] = '\0';
	for (int code = EXPECT_MIN; code <= EXPECT_MAX + 1; code++) {
		int in = code <= EXPECT_MAX && conf_expect_match(e, code);
		int n = 0;

		if (in && lo == -1)
			lo = code;
		if (in || lo == -1)
			continue;
		if (lo == code - 1)
			n = snprintf(buf + used, len - used, "%s%d",
			    used ? " " : "", lo);
		else
			n = snprintf(buf + used, len - used, "%s%d-%d",
			    used ? " " : "", lo, code - 1);
		if (n < 0 || (size_t)n >= len - used)
			return;		/* truncated; 8 bytes a range */
		used += (size_t)n;
		lo = -1;
	}
}

/*
 * Seconds as "2" or "0.5" (at most milliseconds), or milliseconds as
 * "500ms"; 0, or -1 when invalid or outside CONF_CHECK_MS_MIN..MAX.
 */
static int
parse_ms(const char *s, unsigned *ms)
{
	unsigned long v = 0, scale = 1000;
	size_t i = 0, digits = 0;

	for (; isdigit((unsigned char)s[i]) && digits < 8; i++, digits++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	if (digits == 0)
		return -1;
	if (strcmp(s + i, "ms") == 0)
		scale = 1;
	else if (s[i] == '.') {
		v *= 1000;
		for (i++; isdigit((unsigned char)s[i]) && scale > 1; i++) {
			scale /= 10;
			v += (unsigned long)(s[i] - '0') * scale;
		}
		if (scale == 1000 || (s[i] != '\0' && strcmp(s + i, "s")))
			return -1;	/* "2." or more than 3 decimals */
		scale = 1;
	} else if (s[i] != '\0' && strcmp(s + i, "s") != 0)
		return -1;
	v *= scale;
	if (v < CONF_CHECK_MS_MIN || v > CONF_CHECK_MS_MAX)
		return -1;
	*ms = (unsigned)v;
	return 0;
}

/* printable, no space: nothing that could end a request line or field */
static int
visible(const char *s, const char *extra_bad)
{
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s >= 0x7f || strchr(extra_bad, *s) != NULL)
			return 0;
	return 1;
}

static int
set_probe(struct conf_check *c, const char *v)
{
	const struct probe_ops *p = NULL;

	if (strcmp(v, "none") != 0 && (p = probe_lookup(v)) == NULL)
		return -1;
	c->probe = p;
	return 0;
}

static int
set_str(char *dst, size_t dstlen, const char *v, int ok)
{
	if (!ok || *v == '\0' || strlen(v) >= dstlen)
		return -1;
	util_strlcpy(dst, v, dstlen);
	return 0;
}

int
conf_check_set(struct conf_check *c, const char *name, const char *v,
    char *why, size_t len)
{
	struct conf_check scratch;
	int rc = -1;

	if (c == NULL)
		c = &scratch;
	if (strcmp(name, "check") == 0) {
		if ((rc = set_probe(c, v)) == -1)
			snprintf(why, len, "unknown check, expected %s",
			    probe_choices());
	} else if (strcmp(name, "check_path") == 0) {
		if ((rc = set_str(c->path, sizeof(c->path), v, v[0] == '/' &&
		    visible(v, ""))) == -1)
			snprintf(why, len, "expected a path starting with '/', "
			    "without spaces or control characters, at most %d "
			    "bytes", CONF_CHECK_PATH_MAX - 1);
	} else if (strcmp(name, "check_host") == 0) {
		if ((rc = set_str(c->host, sizeof(c->host), v,
		    visible(v, "/?#@\"\\"))) == -1)
			snprintf(why, len, "expected a host name or address, "
			    "maybe with :port, at most %d bytes",
			    CONF_NAME_MAX - 1);
	} else if (strcmp(name, "check_expect") == 0)
		rc = conf_expect_parse(v, &c->expect, why, len);
	else if (strcmp(name, "check_interval") == 0 ||
	    strcmp(name, "check_timeout") == 0) {
		if ((rc = parse_ms(v, strcmp(name, "check_interval") == 0 ?
		    &c->interval_ms : &c->timeout_ms)) == -1)
			snprintf(why, len, "expected seconds from 0.01 to 3600 "
			    "(like 2 or 0.5) or milliseconds (like 500ms)");
	} else
		snprintf(why, len, "not a check option");
	return rc;
}

void
conf_check_finish(struct conf_check *c, const struct realserver *rs)
{
	struct sockaddr *sa = (struct sockaddr *)&c->addr;

	memcpy(&c->addr, &rs->addr, rs->addrlen);
	c->addrlen = rs->addrlen;
	if (c->port != 0 && sa->sa_family == AF_INET)
		((struct sockaddr_in *)(void *)sa)->sin_port =
		    htons((uint16_t)c->port);
	else if (c->port != 0 && sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)sa)->sin6_port =
		    htons((uint16_t)c->port);
	if (c->host[0] != '\0')
		return;
	if (c->port == 0)
		util_strlcpy(c->host, rs->name, sizeof(c->host));
	else
		util_addr_str(sa, c->host, sizeof(c->host));
}

/* a server's admin option: the words tcpvsadm -S writes */
static const char *const admin_words[] = {
	[RS_ADMIN_ACTIVE] = "active",
	[RS_ADMIN_DRAIN] = "drain",
	[RS_ADMIN_DISABLED] = "disable",
};

int
conf_admin_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(admin_words) / sizeof(admin_words[0]);
	    i++)
		if (s != NULL && strcmp(s, admin_words[i]) == 0)
			return (int)i;
	return -1;
}

const char *
conf_admin_str(int admin)
{
	if (admin < 0 || (size_t)admin >= sizeof(admin_words) /
	    sizeof(admin_words[0]))
		return "?";
	return admin_words[admin];
}
