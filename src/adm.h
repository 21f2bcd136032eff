/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * tcpvsadm's output (adm_print.c): the records of a control reply
 * formatted as ipvsadm prints them.  tcpvsadm.c parses the command line
 * and talks to tcpvsd; this file only prints.
 */
#ifndef TCPVS_ADM_H
#define TCPVS_ADM_H

#include <stdbool.h>
#include <stdio.h>

struct ctl_reply;

enum adm_list_mode {
	ADM_LIST_PLAIN,		/* -L: weights, connections, health */
	ADM_LIST_STATS,		/* -L --stats: totals */
	ADM_LIST_RATE		/* -L --rate: per second */
};

/* -L from the records of "list"; numeric: no name look-ups (-n) */
void	adm_print_list(FILE *, const struct ctl_reply *, enum adm_list_mode,
	    bool numeric);
/* --workers from the records of "workers" */
void	adm_print_workers(FILE *, const struct ctl_reply *, bool numeric);
/* -L -c from the records of "templates" */
void	adm_print_templates(FILE *, const struct ctl_reply *, bool numeric);
/* every data line as it came: -S, and the errors of -f */
void	adm_print_lines(FILE *, const struct ctl_reply *);

#endif /* TCPVS_ADM_H */
