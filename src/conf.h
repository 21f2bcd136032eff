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
void			 conf_free(struct generation *);

/* every option name the parser accepts, NULL-terminated (man-page test) */
const char * const	*conf_option_names(void);

/* a service of gen by ident, or NULL */
const struct service	*conf_service(const struct generation *,
			    const char *ident);
/* index of the real server named addr ("host:port") in svc, or -1 */
int			 conf_server_index(const struct service *,
			    const struct sockaddr *);

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

#endif /* TCPVS_CONF_H */
