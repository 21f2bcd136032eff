/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * libFuzzer target for the control protocol, what the master does with a
 * line a client sends on the control socket: ctl_parse() then
 * control_cmd() against a running configuration (two services, rules,
 * health checks) and a real scoreboard.  An input holds up to eight
 * request lines, each carried out against the same configuration.
 *
 * Invariants: a refused line says why; a refused command changes nothing
 * in the scoreboard (weights, admin states, counters); a structural
 * change hands the master a generation that a file could give (it passes
 * the conf_dump() round trip) and keeps every service the command did not
 * name; every answer line is free of raw newlines and NUL bytes.  The
 * master's side of a change (binding, forking) is not run: the
 * generation is checked and freed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "control.h"
#include "ctl.h"
#include "fuzz.h"
#include "scoreboard.h"

static const char base_conf[] =
    "errorlog = \"stderr\"\n"
    "serverlimit = 64\n"
    "control = \"\"\n"
    "virtual http {\n"
    "    listen = \"127.0.0.1:18080\"\n"
    "    scheduler = \"http\"\n"
    "    maxclients = 16\n"
    "    check = \"http\"\n"
    "    check_path = \"/hc\"\n"
    "    server \"127.0.0.1:18081\" { weight = 2 }\n"
    "    server \"127.0.0.1:18082\" { id = \"b\" check = \"tcp\" }\n"
    "    server \"127.0.0.1:18083\" { weight = 0 }\n"
    "    rule { pattern = \"^/images/(.*)\" server = {\"127.0.0.1:18081\","
    " \"127.0.0.1:18082\"} match = 1 }\n"
    "    rule { pattern = \"/\" server = \"127.0.0.1:18083\" }\n"
    "}\n"
    "virtual web {\n"
    "    listen = \"127.0.0.1:18090\"\n"
    "    scheduler = \"wrr\"\n"
    "    maxclients = 16\n"
    "    stopped = true\n"
    "    server \"127.0.0.1:18091\" { }\n"
    "}\n";

static struct generation *base;
static struct sb *sb;
static struct control *ctl;
static size_t sb_bytes;
static char *sb_before;

static const struct generation *
current(void *arg)
{
	(void)arg;
	return base;
}

static int
apply(void *arg, struct generation *gen, char *err, size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	FUZZ_CHECK(gen != NULL);
	FUZZ_CHECK(gen->nsvc <= CONF_MAX_SERVICES);
	for (unsigned i = 0; i < gen->nsvc; i++)
		FUZZ_CHECK(gen->svc[i].sched != NULL);
	fuzz_check_dump(gen);
	conf_free(gen);
	return 0;
}

/* the master reopens files; here nothing to reopen */
static int
reopen_logs(void *arg, char *err, size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	return 0;
}

static const char *
conf_path(void *arg)
{
	(void)arg;
	return "fuzz";
}

static const struct control_ops ops = {
	.current = current,
	.apply = apply,
	.reopen_logs = reopen_logs,
	.conf_path = conf_path,
};

static void
init(void)
{
	static char err[4096];
	FILE *errf = fmemopen(err, sizeof(err) - 1, "w");

	FUZZ_CHECK(errf != NULL);
	base = conf_load_buf("fuzz", base_conf, errf);
	fclose(errf);
	if (base == NULL)
		fprintf(stderr, "%s", err);
	FUZZ_CHECK(base != NULL);
	sb = sb_create(base->serverlimit, base->inflightlimit, 4096, NULL);
	FUZZ_CHECK(sb != NULL);
	FUZZ_CHECK(sb_attach(sb, base, err, sizeof(err)) == 0);
	ctl = control_init(-1, sb, &ops, NULL);
	/* the servers' part of the scoreboard, compared around a refusal */
	sb_bytes = sizeof(sb->servers[0]) * sb->hdr->nservers;
	sb_before = malloc(sb_bytes);
	FUZZ_CHECK(sb_before != NULL);
}

static void
one_line(char *line)
{
	struct ctl_line l;
	char err[512] = "", *out = NULL;
	size_t outlen = 0;
	FILE *f;
	int rc;

	if (ctl_parse(line, &l, err, sizeof(err)) == -1) {
		FUZZ_CHECK(err[0] != '\0');
		return;
	}
	memcpy(sb_before, (const void *)sb->servers, sb_bytes);
	f = open_memstream(&out, &outlen);
	FUZZ_CHECK(f != NULL);
	rc = control_cmd(ctl, &l, -1, f, err, sizeof(err));
	fclose(f);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == -1) {
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(strchr(err, '\n') == NULL);
		FUZZ_CHECK(memcmp(sb_before, (const void *)sb->servers,
		    sb_bytes) == 0);
	}
	FUZZ_CHECK(memchr(out, '\0', outlen) == NULL);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *line, *save = NULL;
	unsigned n = 0;

	if (base == NULL)
		init();
	if (size >= CTL_MAX_REQUEST * 8)
		return 0;
	if ((buf = malloc(size + 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL && n < 8;
	    line = strtok_r(NULL, "\n", &save), n++)
		one_line(line);
	free(buf);
	return 0;
}
