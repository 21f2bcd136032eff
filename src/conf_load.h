/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Between the files of the configuration loader: conf.c (one load: the
 * error sink and the lines options were written on), conf_schema.c (the
 * option tables and their validate callbacks), conf_build.c (the
 * generation built from the parsed tree) and conf_rule.c (the rule
 * options).  Not for other modules.
 */
#ifndef TCPVS_CONF_LOAD_H
#define TCPVS_CONF_LOAD_H

#include <confuse.h>

struct generation;

/* a real server's port when its address has none, as tcpvsadm's */
#define CONF_SERVER_PORT	"80"

/* conf.c */
/* "FILE:LINE: reason", counted: the load fails */
__attribute__((format(printf, 2, 3)))
void		 conf_error(int line, const char *fmt, ...);
/* "FILE:LINE: warning: reason", not counted */
__attribute__((format(printf, 2, 3)))
void		 conf_warning(int line, const char *fmt, ...);
/* validate callbacks: the option's line, remembered for conf_line_of() */
int		 conf_opt_line(cfg_t *, cfg_opt_t *);
/* the line an option of sec was written on, else the section's */
int		 conf_line_of(cfg_t *sec, const char *name);
/* the line name was written on in sec, 0 when it keeps its default */
int		 conf_written(cfg_t *sec, const char *name);
/* "virtual NAME: ", "server NAME: " or "" */
const char	*conf_sec_label(cfg_t *);

/* conf_schema.c */
/* the string health-check options, judged and set by conf_check_set() */
#define CONF_CHECK_NSTRS	6
extern const char *const conf_check_strs[CONF_CHECK_NSTRS];
/* a parser for tcpvs.conf, every validate callback set, errors to fn */
cfg_t		*conf_schema_init(cfg_errfunc_t fn);

/* conf_build.c: the generation of a parsed tree (errors: conf_error) */
struct generation *conf_build(cfg_t *, const char *path);

#endif /* TCPVS_CONF_LOAD_H */
