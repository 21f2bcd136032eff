/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The control socket server, in the master.  A UNIX stream socket,
 * non-blocking, watched with its clients in one epoll set whose
 * descriptor sits in the master's poll loop.  Each connection carries one
 * request line (at most CTL_MAX_REQUEST bytes, with an optional
 * descriptor for "load") and gets one answer; a client has
 * CTL_CLIENT_TIMEOUT_MS for the whole exchange.  Peers are checked with
 * SO_PEERCRED: root, the daemon's own user, or a member of control_group.
 * What a command does is control_cmd.c's (and control_edit.c's).
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
#include "control.h"
#include "ctl.h"
#include "log.h"
#include "util.h"

#define CONTROL_BACKLOG		16
#define CONTROL_MAX_GROUPS	256

struct client {
	int		 fd;		/* -1: free */
	int		 passfd;	/* received with the request, or -1 */
	int64_t		 deadline;	/* monotonic ms */
	char		 in[CTL_MAX_REQUEST + 1];
	size_t		 inlen;
	char		*out;		/* the whole answer, once known */
	size_t		 outlen;
	size_t		 outoff;
	int		 done;		/* answered: waiting for its EOF */
};

struct control {
	int			 epfd;
	int			 fd;		/* listening, or -1 */
	char			 path[CONF_CONTROL_PATH_MAX];
	unsigned		 mode;
	gid_t			 gid;
	unsigned		 failed;	/* generation whose socket could
						   not be opened, logged; 0 */
	struct sb		*sb;
	const struct control_ops *ops;
	void			*arg;
	struct control_rates	*rates;
	struct client		 client[CTL_MAX_CLIENTS];
};

/* is a live server behind this socket file */
static int
socket_alive(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), alive;

	if (fd == -1)
		return 0;
	alive = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return alive;
}

static int
open_socket(const char *path, unsigned mode, gid_t gid)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	util_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	if (socket_alive(&sun)) {
		log_warnx("control %s: another tcpvsd is listening there",
		    path);
		return -1;
	}
	(void)unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("control %s: socket", path);
		return -1;
	}
	/* nobody may connect before the mode is set */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warnx("control %s: %s; the control option wants a path "
		    "in an existing, writable directory, or \"\" for no "
		    "control socket", path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	if ((gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) == -1) ||
	    chmod(path, (mode_t)mode) == -1 ||
	    listen(fd, CONTROL_BACKLOG) == -1) {
		log_warn("control %s", path);
		(void)unlink(path);
		close(fd);
		return -1;
	}
	return fd;
}

int
control_listen(const struct generation *gen, int *fd)
{
	*fd = -1;
	if (gen->control == NULL)
		return 0;
	if ((*fd = open_socket(gen->control, gen->control_mode,
	    gen->control_gid)) == -1)
		return -1;
	return 0;
}

static void
watch(struct control *c, int fd, uint32_t events, int op)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.fd = fd;
	if (epoll_ctl(c->epfd, op, fd, &ev) == -1)
		log_warn("control: epoll_ctl");
}

static void
adopt(struct control *c, int fd, const struct generation *gen)
{
	c->fd = fd;
	c->path[0] = '\0';
	if (gen->control != NULL)
		util_strlcpy(c->path, gen->control, sizeof(c->path));
	c->mode = gen->control_mode;
	c->gid = gen->control_gid;
	if (fd != -1)
		watch(c, fd, EPOLLIN, EPOLL_CTL_ADD);
}

struct control *
control_init(int fd, struct sb *sb, const struct control_ops *ops, void *arg)
{
	struct control *c = xcalloc(1, sizeof(*c));

	if ((c->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("control: epoll_create1");
	c->sb = sb;
	c->ops = ops;
	c->arg = arg;
	c->rates = control_rates_new(sb);
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++) {
		c->client[i].fd = -1;
		c->client[i].passfd = -1;
	}
	adopt(c, fd, ops->current(arg));
	if (fd != -1)
		log_info("control socket %s", c->path);
	return c;
}

int
control_fd(const struct control *c)
{
	return c->epfd;
}

static void
drop(struct control *c, struct client *cl)
{
	(void)epoll_ctl(c->epfd, EPOLL_CTL_DEL, cl->fd, NULL);
	close(cl->fd);
	if (cl->passfd != -1)
		close(cl->passfd);
	free(cl->out);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
	cl->passfd = -1;
}

static struct client *
client_of(struct control *c, int fd)
{
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->client[i].fd == fd)
			return &c->client[i];
	return NULL;
}

/*
 * Answered: half-close and wait for the client's end (bounded by its
 * deadline), discarding what it still sends, so that a reply to a client
 * that was still sending is not destroyed by a reset.
 */
static void
linger(struct control *c, struct client *cl)
{
	(void)shutdown(cl->fd, SHUT_WR);
	cl->done = 1;
	watch(c, cl->fd, EPOLLIN, EPOLL_CTL_MOD);
}

static void
discard(struct control *c, struct client *cl)
{
	char buf[4096];
	ssize_t n;

	while ((n = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		;
	if (n == 0 || (errno != EAGAIN && errno != EINTR))
		drop(c, cl);
}

/* send what is left of the answer, then linger */
static void
flush_out(struct control *c, struct client *cl)
{
	ssize_t n;

	while (cl->outoff < cl->outlen) {
		n = send(cl->fd, cl->out + cl->outoff, cl->outlen - cl->outoff,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			watch(c, cl->fd, EPOLLOUT, EPOLL_CTL_MOD);
			return;
		}
		if (n <= 0) {
			drop(c, cl);
			return;
		}
		cl->outoff += (size_t)n;
	}
	linger(c, cl);
}

/* dot-stuffed data lines, then "." */
static void
put_data(FILE *f, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (*p == '.')
			fputc('.', f);
		fwrite(p, 1, nl ? (size_t)(nl - p) : (size_t)(end - p), f);
		fputc('\n', f);
		p = nl ? nl + 1 : end;
	}
	fputs(".\n", f);
}

/* the answer: status line, then data */
static void
answer(struct control *c, struct client *cl, int ok, const char *status,
    const char *data, size_t len)
{
	FILE *f = open_memstream(&cl->out, &cl->outlen);

	if (f == NULL) {
		log_warn("control: open_memstream");
		drop(c, cl);
		return;
	}
	if (ok)
		fputs("ok\n", f);
	else
		fprintf(f, "error %s\n", status);
	put_data(f, data, len);
	fclose(f);
	cl->outoff = 0;
	flush_out(c, cl);
}

static void
execute(struct control *c, struct client *cl)
{
	struct ctl_line l;
	char err[1024], *data = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	cl->in[strcspn(cl->in, "\n")] = '\0';
	if (ctl_parse(cl->in, &l, err, sizeof(err)) == -1) {
		answer(c, cl, 0, err, "", 0);
		return;
	}
	if ((out = open_memstream(&data, &len)) == NULL) {
		answer(c, cl, 0, "out of memory", "", 0);
		return;
	}
	err[0] = '\0';
	rc = control_cmd(c, &l, cl->passfd, out, err, sizeof(err));
	fclose(out);
	if (rc == -1)
		log_warnx("control: %s: %s", l.verb, err);
	answer(c, cl, rc == 0, err, data, len);
	free(data);
}

static void
read_request(struct control *c, struct client *cl)
{
	ssize_t n;
	int fd;

	n = util_recv_fd(cl->fd, cl->in + cl->inlen,
	    CTL_MAX_REQUEST - cl->inlen, &fd, MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (fd != -1)
			close(fd);
		drop(c, cl);
		return;
	}
	/* a descriptor sent with the request: kept for "load", one at most */
	if (fd != -1 && cl->passfd == -1)
		cl->passfd = fd;
	else if (fd != -1)
		close(fd);
	cl->inlen += (size_t)n;
	cl->in[cl->inlen] = '\0';
	if (memchr(cl->in, '\n', cl->inlen) != NULL)
		execute(c, cl);
	else if (cl->inlen == CTL_MAX_REQUEST)
		answer(c, cl, 0, "request longer than 4096 bytes", "", 0);
}

/* root, the daemon's user, or a member of control_group */
static int
permitted(const struct control *c, const struct ucred *cr)
{
	gid_t groups[CONTROL_MAX_GROUPS];
	int n = CONTROL_MAX_GROUPS;
	struct passwd *pw;

	if (cr->uid == 0 || cr->uid == geteuid())
		return 1;
	if (c->gid == (gid_t)-1)
		return 0;
	if (cr->gid == c->gid)
		return 1;
	if ((pw = getpwuid(cr->uid)) == NULL ||
	    getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) == -1)
		return 0;
	for (int i = 0; i < n; i++)
		if (groups[i] == c->gid)
			return 1;
	return 0;
}

static struct client *
free_client(struct control *c)
{
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->client[i].fd == -1)
			return &c->client[i];
	return NULL;
}

static void
accept_one(struct control *c, int fd)
{
	static const char busy[] = "error busy: too many control clients\n.\n";
	struct client *cl = free_client(c);
	struct ucred cr = { 0, 0, 0 };
	socklen_t len = sizeof(cr);
	char msg[256];

	if (cl == NULL) {
		(void)send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL |
		    MSG_DONTWAIT);
		close(fd);
		return;
	}
	cl->fd = fd;
	cl->deadline = util_now_ms() + CTL_CLIENT_TIMEOUT_MS;
	watch(c, fd, EPOLLIN, EPOLL_CTL_ADD);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1 ||
	    !permitted(c, &cr)) {
		snprintf(msg, sizeof(msg), "permission denied: uid %ld is not "
		    "root, tcpvsd's user (uid %ld) or a member of "
		    "control_group", (long)cr.uid, (long)geteuid());
		log_warnx("control: %s", msg);
		answer(c, cl, 0, msg, "", 0);
	}
}

static void
accept_all(struct control *c)
{
	int fd;

	while ((fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) != -1)
		accept_one(c, fd);
	if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
		log_warn("control: accept");
}

void
control_handle(struct control *c)
{
	struct epoll_event ev[CTL_MAX_CLIENTS + 1];
	struct client *cl;
	int n;

	if ((n = epoll_wait(c->epfd, ev, CTL_MAX_CLIENTS + 1, 0)) <= 0)
		return;
	for (int i = 0; i < n; i++) {
		if (ev[i].data.fd == c->fd) {
			accept_all(c);
			continue;
		}
		if ((cl = client_of(c, ev[i].data.fd)) == NULL)
			continue;
		if (cl->done)
			discard(c, cl);
		else if (cl->out != NULL)
			flush_out(c, cl);
		else if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			read_request(c, cl);
	}
}

/* a reload that changed control, control_mode or control_group */
static void
follow_reload(struct control *c)
{
	const struct generation *gen = c->ops->current(c->arg);
	const char *path = gen->control != NULL ? gen->control : "";
	int fd;

	if (strcmp(path, c->path) == 0 && c->mode == gen->control_mode &&
	    c->gid == gen->control_gid)
		return;
	if (strcmp(path, c->path) == 0 && c->fd != -1) {
		if ((gen->control_gid != (gid_t)-1 && chown(c->path,
		    (uid_t)-1, gen->control_gid) == -1) ||
		    chmod(c->path, (mode_t)gen->control_mode) == -1)
			log_warn("control %s", c->path);
		c->mode = gen->control_mode;
		c->gid = gen->control_gid;
		return;
	}
	if (c->failed == gen->id)
		return;
	if (control_listen(gen, &fd) == -1) {
		log_warnx("control: keeping %s", *c->path ? c->path :
		    "no socket");
		c->failed = gen->id;
		return;
	}
	c->failed = 0;
	control_close(c);
	adopt(c, fd, gen);
	log_info("control socket %s", *c->path ? c->path : "disabled");
}

void
control_tick(struct control *c)
{
	int64_t now = util_now_ms();

	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->client[i].fd != -1 && now > c->client[i].deadline)
			drop(c, &c->client[i]);
	control_sample(c);
	follow_reload(c);
}

void
control_close_child(struct control *c)
{
	if (c == NULL)
		return;
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (c->client[i].fd != -1)
			close(c->client[i].fd);
		if (c->client[i].passfd != -1)
			close(c->client[i].passfd);
	}
	if (c->fd != -1)
		close(c->fd);
	close(c->epfd);
}

/* close the listening socket and remove its file; clients stay */
void
control_close(struct control *c)
{
	if (c == NULL || c->fd == -1)
		return;
	(void)epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	(void)unlink(c->path);
}

struct sb *
control_sb(const struct control *c)
{
	return c->sb;
}

const struct generation *
control_gen(const struct control *c)
{
	return c->ops->current(c->arg);
}

int
control_apply(struct control *c, struct generation *gen, char *err,
    size_t errlen)
{
	return c->ops->apply(c->arg, gen, err, errlen);
}

int
control_reopen_logs(struct control *c, char *err, size_t errlen)
{
	return c->ops->reopen_logs(c->arg, err, errlen);
}

const char *
control_conf_path(const struct control *c)
{
	return c->ops->conf_path(c->arg);
}

struct control_rates *
control_rates(struct control *c)
{
	return c->rates;
}
