/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The configuration loader: libconfuse schema for tcpvs.conf, validation
 * that reports every error as "FILE:LINE: option: reason", PCRE2 rule
 * compilation and scheduler init_service.  What loads, runs.
 */
#ifndef TCPVS_CONF_H
#define TCPVS_CONF_H

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

#endif /* TCPVS_CONF_H */
