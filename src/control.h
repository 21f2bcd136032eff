/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The master's control socket (tcpvsadm's other end): a UNIX stream
 * socket served from the master's poll loop, one command per connection.
 * control.c owns the socket and the clients; control_cmd.c dispatches
 * the commands and carries out the runtime ones, control_edit.c the
 * structural ones, control_stat.c the listings and counters.  Structural
 * changes go back to the master through control_ops.apply, which
 * switches generations as SIGUSR1 does; weight and drain changes are
 * written to the scoreboard directly.
 */
#ifndef TCPVS_CONTROL_H
#define TCPVS_CONTROL_H

#include <stddef.h>
#include <stdio.h>

struct control;
struct ctl_line;
struct generation;
struct sb;
struct service;
struct util_addr;

/* what the master lends the control socket */
struct control_ops {
	/* the generation serving now */
	const struct generation	*(*current)(void *arg);
	/*
	 * Switch to gen, gracefully (as SIGUSR1).  Takes gen in every case:
	 * returns 0, or -1 with the reason in err after freeing it.
	 */
	int			 (*apply)(void *arg, struct generation *gen,
				    char *err, size_t errlen);
	/* reopen the log files (as SIGUSR2): 0, or -1 with the reason */
	int			 (*reopen_logs)(void *arg, char *err,
				    size_t errlen);
	/* the configuration file a reload reads */
	const char		*(*conf_path)(void *arg);
};

/*
 * Before daemonizing, so that a mistake shows on the terminal: create the
 * socket gen->control names (none when it is not set: *fd = -1).  A stale
 * socket file is replaced; a live one (another tcpvsd) is an error.
 * Returns 0, or -1 after logging.
 */
int		 control_listen(const struct generation *, int *fd);
/* the master, before the first fork: serve fd (-1: no socket yet) */
struct control	*control_init(int fd, struct sb *, const struct control_ops *,
		    void *arg);
/* one descriptor for the master's poll set (POLLIN: call handle) */
int		 control_fd(const struct control *);
/* accept, read, answer: never blocks */
void		 control_handle(struct control *);
/*
 * The master's one-second tick: drop clients past their time, sample
 * counters for rates, follow a reload that changed the socket's options.
 */
void		 control_tick(struct control *);
/* in a child just forked: close every descriptor of the control socket */
void		 control_close_child(struct control *);
/* the master exits: close and remove the socket */
void		 control_close(struct control *);

/* control_cmd.c: carry out one request; 0, or -1 with err set */
int		 control_cmd(struct control *, const struct ctl_line *,
		    int passfd, FILE *out, char *err, size_t errlen);
/* control_cmd.c: rates, from the counters sampled once a second */
struct control_rates	*control_rates_new(const struct sb *);
void			 control_rates_free(struct control_rates *);
void			 control_sample(struct control *);

/* control_cmd.c: the virtual service the request's ident names, or
   NULL with err ("unknown ident ...") */
const struct service	*control_need_service(const struct generation *,
			    const struct ctl_line *, char *err, size_t errlen);

/* control_cmd.c, for control_edit.c: what a request names; 0 (for
   need_server the server's index in svc), or -1 with err */
int		 control_parse_addr(const char *what, const char *s,
		    struct util_addr *, char *err, size_t errlen);
int		 control_need_server(const struct service *,
		    const struct ctl_line *, char *err, size_t errlen);
/* an optional number field: out is left as it is when absent */
int		 control_get_number(const struct ctl_line *,
		    const char *name, unsigned long max, long *out, char *err,
		    size_t errlen);

/* control_edit.c: the structural commands, called by control_cmd() */
int		 control_add_service(struct control *,
		    const struct ctl_line *, int passfd, FILE *out, char *err,
		    size_t errlen);
int		 control_edit_service(struct control *,
		    const struct ctl_line *, int passfd, FILE *out, char *err,
		    size_t errlen);
int		 control_del_service(struct control *,
		    const struct ctl_line *, int passfd, FILE *out, char *err,
		    size_t errlen);
int		 control_flush(struct control *, const struct ctl_line *,
		    int passfd, FILE *out, char *err, size_t errlen);
int		 control_start(struct control *, const struct ctl_line *,
		    int passfd, FILE *out, char *err, size_t errlen);
int		 control_stop(struct control *, const struct ctl_line *,
		    int passfd, FILE *out, char *err, size_t errlen);
int		 control_add_server(struct control *,
		    const struct ctl_line *, int passfd, FILE *out, char *err,
		    size_t errlen);
int		 control_del_server(struct control *,
		    const struct ctl_line *, int passfd, FILE *out, char *err,
		    size_t errlen);
int		 control_add_rule(struct control *, const struct ctl_line *,
		    int passfd, FILE *out, char *err, size_t errlen);
int		 control_del_rule(struct control *, const struct ctl_line *,
		    int passfd, FILE *out, char *err, size_t errlen);
int		 control_load(struct control *, const struct ctl_line *,
		    int passfd, FILE *out, char *err, size_t errlen);
int		 control_save(struct control *, const struct ctl_line *,
		    int passfd, FILE *out, char *err, size_t errlen);

/* control_stat.c: list [ident], templates [ident], workers, zero [ident] */
int		 control_list(struct control *, const struct ctl_line *,
		    FILE *, char *err, size_t errlen);
int		 control_templates(struct control *, const struct ctl_line *,
		    FILE *, char *err, size_t errlen);
int		 control_workers(struct control *, FILE *);
int		 control_zero(struct control *, const struct ctl_line *,
		    char *err, size_t errlen);

/* what control_cmd.c, control_edit.c and control_stat.c need of control.c */
struct sb			*control_sb(const struct control *);
const struct generation		*control_gen(const struct control *);
int				 control_apply(struct control *,
				    struct generation *, char *err,
				    size_t errlen);
int				 control_reopen_logs(struct control *,
				    char *err, size_t errlen);
const char			*control_conf_path(const struct control *);
struct control_rates		*control_rates(struct control *);

#endif /* TCPVS_CONTROL_H */
