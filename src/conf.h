/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The configuration loader: libconfuse schema for tcpvs.conf, validation
 * that reports every error as "FILE:LINE: option: reason", PCRE2 rule
 * compilation and scheduler init_service.  What loads, runs.
 */
#ifndef TCPVS_CONF_H
#define TCPVS_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "conf-t.h"

/*
 * Load path into a complete generation, or print every error to errf (one
 * per line, "FILE:LINE: reason") and return NULL.  Nothing else is printed.
 */
struct generation	*conf_load(const char *path, FILE *errf);
/* the same from text in memory; name stands for the file in errors */
struct generation	*conf_load_buf(const char *name, const char *text,
			    FILE *errf);
void			 conf_free(struct generation *);

/* every option name the parser accepts, NULL-terminated (man-page test) */
const char * const	*conf_option_names(void);

/* the listen backlog's default on this machine (conf-t.h) */
unsigned		 conf_backlog_default(void);
/* a pool option's default on this machine (conf-t.h, CONF_POOL_*) */
unsigned		 conf_pool_default(const char *name);
/* a service of gen by ident, or NULL */
const struct service	*conf_service(const struct generation *,
			    const char *ident);
/* index of the real server named addr ("host:port") in svc, or -1 */
int			 conf_server_index(const struct service *,
			    const struct sockaddr *);

/* a server's admin option (conf_check.c): enum rs_admin of "active",
   "drain", "disable", or -1; and the word for one */
int			 conf_admin_parse(const char *);
const char		*conf_admin_str(int);

/*
 * Health-check options (conf_check.c).  Defaults: no check, path "/",
 * statuses 2xx and 3xx, interval 2 s, timeout 1 s, rise 2, fall 3.
 */
void			 conf_check_defaults(struct conf_check *);
/*
 * Set the string option name (check, check_path, check_host, check_expect,
 * check_interval, check_timeout) of c to value, or only judge it when c is
 * NULL.  Returns 0, or -1 with what is expected written to why.
 */
int			 conf_check_set(struct conf_check *, const char *name,
			    const char *value, char *why, size_t len);
/* the address a probe of rs connects to, and the Host field's default */
void			 conf_check_finish(struct conf_check *,
			    const struct realserver *);
/* "200 301", "2xx 3xx", "200-399"; 0, or -1 with a reason in why */
int			 conf_expect_parse(const char *, struct conf_expect *,
			    char *why, size_t len);
int			 conf_expect_match(const struct conf_expect *,
			    int status);
/* the set as conf_expect_parse() reads it: "200-399 404" */
void			 conf_expect_format(const struct conf_expect *,
			    char *buf, size_t len);
/* does svc accept connections: has a listen address and is not stopped */
int			 conf_listening(const struct service *);

/*
 * One structural change, applied by conf_dump() while it writes a
 * generation out: the text of the next generation a tcpvsadm command
 * builds.  The caller has checked that it applies (the ident exists,
 * servers are servers of the service, ...); conf_load_buf() then checks
 * the result as it would a file.
 */
enum conf_edit_op {
	CONF_EDIT_NONE,
	CONF_EDIT_ADD_SERVICE,		/* ident, sched, listen */
	CONF_EDIT_EDIT_SERVICE,		/* ident, sched and/or listen */
	CONF_EDIT_DEL_SERVICE,		/* ident */
	CONF_EDIT_FLUSH,		/* every service */
	CONF_EDIT_ADD_SERVER,		/* ident, server, weight */
	CONF_EDIT_DEL_SERVER,		/* ident, rs */
	CONF_EDIT_ADD_RULE,		/* ident, pattern, rs, match */
	CONF_EDIT_DEL_RULE,		/* ident, pattern, rs or -1: all */
	CONF_EDIT_START,		/* ident, NULL: every service */
	CONF_EDIT_STOP			/* ident, NULL: every service */
};

struct conf_edit {
	enum conf_edit_op	 op;
	const char		*ident;
	const char		*sched;		/* NULL: keep, or the default */
	const char		*listen;	/* NULL: keep, or none */
	const char		*persistent;	/* edit service: seconds, NULL:
						   keep */
	unsigned		 maxclients;	/* add service: 0 = default */
	const char		*server;	/* add server: as written */
	unsigned		 weight;	/* add server */
	int			 rs;		/* index into the service's rs */
	const char		*pattern;	/* rules, exact text, or NULL */
	int			 match;		/* add rule: -1 keeps or 0 */
	/* rules: more conditions (comma-separated lists but header), and
	   a return status (0: servers) with its location; NULL: none */
	const char		*host;
	const char		*method;
	const char		*header;
	const char		*source;
	int			 ret;
	const char		*location;
	/* a server's weight to write, when not the configured one */
	unsigned		(*weight_of)(const struct realserver *,
				    void *arg);
	/* a server's admin state (enum rs_admin) to write, likewise */
	int			(*admin_of)(const struct realserver *,
				    void *arg);
	void			*arg;
};

/*
 * Write gen as a tcpvs.conf that conf_load() accepts, every option spelt
 * out, with edit (NULL: none) applied: tcpvsadm -S, and the next
 * generation of a structural change.
 */
void			 conf_dump(FILE *, const struct generation *,
			    const struct conf_edit *);
/*
 * Index of the first rule of svc whose pattern and conditions (and return
 * and location) are those of the edit, or -1 (conf_rule_dump.c).
 */
int			 conf_rule_find(const struct service *,
			    const struct conf_edit *);
/* a single-quoted string, and "INDENTname = 'v'", as conf_dump writes */
void			 conf_dump_str(FILE *, const char *);
void			 conf_dump_opt(FILE *, const char *indent,
			    const char *name, const char *v);
/* index of the first rule of svc with exactly this pattern, or -1 */
int			 conf_rule_index(const struct service *,
			    const char *pattern);

#endif /* TCPVS_CONF_H */
