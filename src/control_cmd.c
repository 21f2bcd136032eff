/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The control commands, in the master.  Every command is checked whole
 * before anything changes: a failed command changes nothing and says
 * what is wrong.  This file dispatches a request to its command, holds
 * what commands share to check what a request names (service, server,
 * numbers), and carries out the runtime ones: weight and
 * drain/disable/enable go straight to the scoreboard, marked as
 * overrides of the configured values that every new generation keeps
 * (reset clears them).  Structural changes (services, listen addresses,
 * schedulers, servers, rules, start/stop, load, save) are
 * control_edit.c's; listings and counters are control_stat.c's.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "control.h"
#include "ctl.h"
#include "log.h"
#include "scoreboard.h"
#include "util.h"

/* checking what a command names */

const struct service *
control_need_service(const struct generation *gen, const struct ctl_line *l,
    char *err, size_t errlen)
{
	const char *ident = ctl_get(l, "ident");
	const struct service *svc;

	if (ident == NULL) {
		snprintf(err, errlen, "missing ident (-i IDENT)");
		return NULL;
	}
	if ((svc = conf_service(gen, ident)) == NULL)
		snprintf(err, errlen, "unknown ident '%s': no such virtual "
		    "service", ident);
	return svc;
}

int
control_parse_addr(const char *what, const char *s, struct util_addr *ua,
    char *err, size_t errlen)
{
	char why[256];

	if (util_addr_parse(s, NULL, ua, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "invalid %s address %s", what, why);
		return -1;
	}
	return 0;
}

/* index of the server the command names in svc, or -1 */
int
control_need_server(const struct service *svc, const struct ctl_line *l,
    char *err, size_t errlen)
{
	const char *s = ctl_get(l, "server");
	struct util_addr ua;
	int i;

	if (s == NULL) {
		snprintf(err, errlen, "missing server (-r ADDR:PORT)");
		return -1;
	}
	if (control_parse_addr("server", s, &ua, err, errlen) == -1)
		return -1;
	if ((i = conf_server_index(svc, (struct sockaddr *)&ua.ss)) == -1)
		snprintf(err, errlen, "unknown server %s: not a server of "
		    "virtual %s", s, svc->ident);
	return i;
}

/* an optional number field; 0, or -1 with err */
int
control_get_number(const struct ctl_line *l, const char *name,
    unsigned long max, long *out, char *err, size_t errlen)
{
	const char *s = ctl_get(l, name);
	char *end;
	unsigned long v;

	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v > max) {
		snprintf(err, errlen, "invalid %s '%s': expected 0 to %lu",
		    name, s, max);
		return -1;
	}
	*out = (long)v;
	return 0;
}

/* weight, drain, disable, enable: the scoreboard only */

/* a value tcpvsadm set is an override unless it is the configured one */
static void
mark_override(struct sb_server *s, enum rs_override bit, bool configured)
{
	if (configured)
		atomic_fetch_and(&s->overrides, ~(uint32_t)bit);
	else
		atomic_fetch_or(&s->overrides, (uint32_t)bit);
}

static struct sb_server *
runtime_server(struct control *c, const struct ctl_line *l,
    const struct realserver **rsp, char *err, size_t errlen)
{
	const struct service *svc;
	int i;

	if ((svc = control_need_service(control_gen(c), l, err, errlen)) == NULL ||
	    (i = control_need_server(svc, l, err, errlen)) == -1)
		return NULL;
	*rsp = &svc->rs[i];
	if (svc->rs[i].sb_index < 0) {
		snprintf(err, errlen, "server %s has no scoreboard slot",
		    svc->rs[i].name);
		return NULL;
	}
	return sb_server(control_sb(c), (unsigned)svc->rs[i].sb_index);
}

static int
cmd_edit_server(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	const struct realserver *rs;
	struct sb_server *s;
	long w = -1;

	if ((s = runtime_server(c, l, &rs, err, errlen)) == NULL ||
	    control_get_number(l, "weight", CONF_MAX_WEIGHT, &w, err,
	    errlen) == -1)
		return -1;
	if (w == -1) {
		snprintf(err, errlen, "missing weight (-w WEIGHT): a weight "
		    "is all -e changes");
		return -1;
	}
	mark_override(s, RS_OVR_WEIGHT, (unsigned)w == rs->weight);
	atomic_store(&s->conf_weight, (uint32_t)w);
	atomic_store(&s->weight, (uint32_t)w);
	log_info("control: server %s: weight %ld%s", s->key, w,
	    (unsigned)w == rs->weight ? " (configured)" : "");
	return 0;
}

static int
set_admin(struct control *c, const struct ctl_line *l, enum rs_admin a,
    char *err, size_t errlen)
{
	const struct realserver *rs;
	struct sb_server *s;

	if ((s = runtime_server(c, l, &rs, err, errlen)) == NULL)
		return -1;
	mark_override(s, RS_OVR_ADMIN, (int)a == rs->admin);
	atomic_store(&s->admin, a);
	log_info("control: server %s: %s%s", s->key, sb_admin_str(a),
	    (int)a == rs->admin ? " (configured)" : "");
	return 0;
}

static int
cmd_drain(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	return set_admin(c, l, RS_ADMIN_DRAIN, err, errlen);
}

static int
cmd_disable(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	return set_admin(c, l, RS_ADMIN_DISABLED, err, errlen);
}

static int
cmd_enable(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	return set_admin(c, l, RS_ADMIN_ACTIVE, err, errlen);
}

/* reset: the configured weight and admin state, no override left */
static int
cmd_reset(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	const struct realserver *rs;
	struct sb_server *s;

	if ((s = runtime_server(c, l, &rs, err, errlen)) == NULL)
		return -1;
	atomic_store(&s->overrides, 0);
	atomic_store(&s->conf_weight, rs->weight);
	atomic_store(&s->weight, rs->weight);
	atomic_store(&s->admin, rs->admin);
	log_info("control: server %s: reset to weight %u, %s", s->key,
	    rs->weight, sb_admin_str((enum rs_admin)rs->admin));
	return 0;
}

static int
cmd_reopen_logs(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	return control_reopen_logs(c, err, errlen);
}

static int
cmd_list(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	return control_list(c, l, out, err, errlen);
}

static int
cmd_templates(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	return control_templates(c, l, out, err, errlen);
}

static int
cmd_workers(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	return control_workers(c, out);
}

static int
cmd_zero(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	return control_zero(c, l, err, errlen);
}

static const struct {
	const char	*verb;
	int		(*fn)(struct control *, const struct ctl_line *,
			    int passfd, FILE *, char *err, size_t errlen);
} commands[] = {
	{ "list", cmd_list },
	{ "templates", cmd_templates },
	{ "workers", cmd_workers },
	{ "save", control_save },
	{ "add-service", control_add_service },
	{ "edit-service", control_edit_service },
	{ "del-service", control_del_service },
	{ "flush", control_flush },
	{ "start", control_start },
	{ "stop", control_stop },
	{ "add-server", control_add_server },
	{ "edit-server", cmd_edit_server },
	{ "del-server", control_del_server },
	{ "drain", cmd_drain },
	{ "disable", cmd_disable },
	{ "enable", cmd_enable },
	{ "reset", cmd_reset },
	{ "reopen-logs", cmd_reopen_logs },
	{ "add-rule", control_add_rule },
	{ "del-rule", control_del_rule },
	{ "load", control_load },
	{ "zero", cmd_zero },
};

/*
 * An error message is the status line of the answer and may quote what
 * the client sent (an ident, a pattern): control bytes become \xNN, so
 * that no newline ends it early.  Backslashes stay, for patterns.
 */
static void
one_line(char *err, size_t errlen)
{
	static const char hex[] = "0123456789abcdef";
	char raw[1024];
	size_t o = 0;

	util_strlcpy(raw, err, sizeof(raw));
	for (const char *p = raw; *p != '\0' && o + 5 < errlen; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch >= 0x20 && ch != 0x7f) {
			err[o++] = (char)ch;
			continue;
		}
		err[o++] = '\\';
		err[o++] = 'x';
		err[o++] = hex[ch >> 4];
		err[o++] = hex[ch & 15];
	}
	if (errlen > 0)
		err[o] = '\0';
}

int
control_cmd(struct control *c, const struct ctl_line *l, int passfd,
    FILE *out, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].verb, l->verb) == 0) {
			if (commands[i].fn(c, l, passfd, out, err, errlen) == 0)
				return 0;
			/*
			 * The message is the status line of the answer and
			 * may quote what the client sent (an ident, a
			 * pattern): no newline may end it early.
			 */
			one_line(err, errlen);
			return -1;
		}
	snprintf(err, errlen, "unknown command '%.40s'", l->verb);
	one_line(err, errlen);
	return -1;
}
