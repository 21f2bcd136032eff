/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Between the loader (conf.c) and the files that hold parts of its
 * schema (conf_rule.c): the error sink and the lines options were
 * written on.  Not for other modules.
 */
#ifndef TCPVS_CONF_LOAD_H
#define TCPVS_CONF_LOAD_H

#include <confuse.h>

/* a real server's port when its address has none, as tcpvsadm's */
#define CONF_SERVER_PORT	"80"

/* "FILE:LINE: reason", counted: the load fails */
__attribute__((format(printf, 2, 3)))
void		 conf_error(int line, const char *fmt, ...);
/* validate callbacks: the option's line, remembered for conf_line_of() */
int		 conf_opt_line(cfg_t *, cfg_opt_t *);
/* the line an option of sec was written on, else the section's */
int		 conf_line_of(cfg_t *sec, const char *name);
/* "virtual NAME: ", "server NAME: " or "" */
const char	*conf_sec_label(cfg_t *);

#endif /* TCPVS_CONF_LOAD_H */
