/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * origin: a small real HTTP/1.1 server for the integration tests.  It
 * forks a process per connection, speaks keep-alive, names itself in an
 * X-Origin header (and "Server: origin") and in its bodies, and answers
 * a few paths tests need:
 *   /bytes/N         N bytes of a fixed pseudo-random stream (xorshift32)
 *   /sha256          the SHA-256 and length of the request body
 *   /slow/MS         answers after MS milliseconds
 *   /status/CODE     that status
 *   /echo-headers    the request head it received, as the body
 *   /stats           "accepts=N requests=M resumed=K" for this origin
 *                    (K: TLS sessions resumed, with -c -k)
 *   /drip/N/P/US     /bytes/N written P bytes at a time (at most 65536),
 *                    US microseconds apart
 *   /chunked/N       N bytes of the /bytes stream, chunked (chunks of
 *                    varying size, a trailer field)
 *   /close/N         N bytes of the stream, no Content-Length: the body
 *                    ends when the origin closes
 *   /reset/N         announces N bytes of the stream, sends half, then
 *                    resets the connection
 *   /ws              with "Upgrade: websocket": 101, then echoes every
 *                    byte until the client closes
 *   anything else    "NAME\n"
 * A request with "Expect: 100-continue" gets "100 Continue" before its
 * body is read.  Every request is appended to the -r file, if given, as
 * its request line.
 * Usage: origin -l HOST:PORT -n NAME [-v] [-r FILE] [-D] [-c CERT -k KEY];
 * port 0 picks one.  -D: close a kept connection instead of answering its
 * second request (a server that timed the connection out just then).
 * -c, -k (built with OpenSSL): every connection speaks TLS with that
 * certificate (chain) and key, the same paths behind it.  It prints
 * "listening HOST:PORT" on its first line and exits on SIGTERM.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_OPENSSL
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

#define HEAD_MAX	65536

struct shared {
	_Atomic unsigned long	accepts;
	_Atomic unsigned long	requests;
	_Atomic unsigned long	resumed;	/* TLS sessions resumed */
};

static struct shared	*st;
static const char	*name = "origin";
static int		 verbose;
static int		 reqlog = -1;	/* -r: request lines, O_APPEND */
static int		 drop_second;	/* -D */
#ifdef HAVE_OPENSSL
static SSL_CTX		*tls_ctx;	/* -c, -k */
static SSL		*tls;		/* this process's connection's */
static int		 tls_fd = -1;
#endif

/* SHA-256, FIPS 180-4 */
struct sha256 {
	uint32_t	h[8];
	uint64_t	len;
	unsigned char	buf[64];
	size_t		n;
};

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

static void
sha_block(struct sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
		    (w[i - 15] >> 3)) + w[i - 7] + (ROR(w[i - 2], 17) ^
		    ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (int i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		    ((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void
sha_init(struct sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372,
	    0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
	s->n = 0;
}

static void
sha_update(struct sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->len += len;
	while (len > 0) {
		size_t c = 64 - s->n < len ? 64 - s->n : len;

		memcpy(s->buf + s->n, p, c);
		s->n += c;
		p += c;
		len -= c;
		if (s->n == 64) {
			sha_block(s, s->buf);
			s->n = 0;
		}
	}
}

static void
sha_hex(struct sha256 *s, char out[65])
{
	uint64_t bits = s->len * 8;
	unsigned char pad = 0x80, z = 0, lenb[8];

	sha_update(s, &pad, 1);
	while (s->n != 56)
		sha_update(s, &z, 1);
	for (int i = 0; i < 8; i++)
		lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha_update(s, lenb, 8);
	for (int i = 0; i < 8; i++)
		snprintf(out + 8 * i, 9, "%08x", s->h[i]);
}

/* one client connection's input */
struct in {
	int	fd;
	char	buf[HEAD_MAX];
	size_t	len;		/* bytes in buf */
};

/* read and write on a descriptor, through TLS on the connection's */
static ssize_t
io_read(int fd, void *p, size_t len)
{
#ifdef HAVE_OPENSSL
	if (tls != NULL && fd == tls_fd) {
		int n = SSL_read(tls, p, len > 65536 ? 65536 : (int)len);

		if (n > 0)
			return n;
		errno = EIO;
		return SSL_get_error(tls, n) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
	}
#endif
	return read(fd, p, len);
}

static ssize_t
io_write(int fd, const void *p, size_t len)
{
#ifdef HAVE_OPENSSL
	if (tls != NULL && fd == tls_fd) {
		int n = SSL_write(tls, p, len > 65536 ? 65536 : (int)len);

		errno = EIO;
		return n > 0 ? n : -1;
	}
#endif
	return write(fd, p, len);
}

static int
fill(struct in *in)
{
	ssize_t n;

	if (in->len == sizeof(in->buf))
		return -1;
	do
		n = io_read(in->fd, in->buf + in->len,
		    sizeof(in->buf) - in->len);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return -1;
	in->len += (size_t)n;
	return 0;
}

static void
consume(struct in *in, size_t n)
{
	memmove(in->buf, in->buf + n, in->len - n);
	in->len -= n;
}

static int
write_all(int fd, const void *p, size_t len)
{
	const char *c = p;
	ssize_t n;

	while (len > 0) {
		n = io_write(fd, c, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

/* read a line (without its CRLF) from in; -1 at EOF */
static int
get_line(struct in *in, char *out, size_t outlen)
{
	char *nl;
	size_t n;

	while ((nl = memchr(in->buf, '\n', in->len)) == NULL)
		if (fill(in) == -1)
			return -1;
	n = (size_t)(nl - in->buf);
	if (n > 0 && in->buf[n - 1] == '\r')
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, in->buf, n);
	out[n] = '\0';
	consume(in, (size_t)(nl - in->buf) + 1);
	return 0;
}

/* pass len body bytes to the digest (or nowhere) */
static int
body_bytes(struct in *in, uint64_t len, struct sha256 *s)
{
	while (len > 0) {
		size_t c;

		if (in->len == 0 && fill(in) == -1)
			return -1;
		c = in->len < len ? in->len : (size_t)len;
		if (s != NULL)
			sha_update(s, in->buf, c);
		consume(in, c);
		len -= c;
	}
	return 0;
}

static int
body_chunked(struct in *in, struct sha256 *s, uint64_t *total)
{
	char line[1024];
	uint64_t n;

	for (;;) {
		if (get_line(in, line, sizeof(line)) == -1)
			return -1;
		n = strtoull(line, NULL, 16);
		if (n == 0)
			break;
		if (body_bytes(in, n, s) == -1 ||
		    get_line(in, line, sizeof(line)) == -1)
			return -1;
		*total += n;
	}
	/* trailers up to the empty line */
	do
		if (get_line(in, line, sizeof(line)) == -1)
			return -1;
	while (line[0] != '\0');
	return 0;
}

struct req {
	char		method[16];
	char		path[2048];
	int		minor;
	int		chunked;
	int		close;
	int		keepalive;
	int		expect100;
	int		upgrade;
	int		has_cl;
	uint64_t	cl;
	char		head[HEAD_MAX];
	size_t		headlen;
};

static void
parse_header(struct req *r, const char *line)
{
	const char *v = strchr(line, ':');

	if (v == NULL)
		return;
	v++;
	while (*v == ' ' || *v == '\t')
		v++;
	if (strncasecmp(line, "content-length:", 15) == 0) {
		r->has_cl = 1;
		r->cl = strtoull(v, NULL, 10);
	} else if (strncasecmp(line, "transfer-encoding:", 18) == 0)
		r->chunked = strcasestr(v, "chunked") != NULL;
	else if (strncasecmp(line, "connection:", 11) == 0) {
		if (strcasestr(v, "close"))
			r->close = 1;
		if (strcasestr(v, "keep-alive"))
			r->keepalive = 1;
	} else if (strncasecmp(line, "expect:", 7) == 0)
		r->expect100 = strcasecmp(v, "100-continue") == 0;
	else if (strncasecmp(line, "upgrade:", 8) == 0)
		r->upgrade = strcasecmp(v, "websocket") == 0;
}

static int
read_request(struct in *in, struct req *r)
{
	char line[8192];

	memset(r, 0, sizeof(*r));
	do
		if (get_line(in, line, sizeof(line)) == -1)
			return -1;
	while (line[0] == '\0');
	if (sscanf(line, "%15s %2047s HTTP/1.%d", r->method, r->path,
	    &r->minor) != 3)
		return -1;
	r->headlen = (size_t)snprintf(r->head, sizeof(r->head), "%s\r\n",
	    line);
	for (;;) {
		if (get_line(in, line, sizeof(line)) == -1)
			return -1;
		if (line[0] == '\0')
			break;
		if (r->headlen + strlen(line) + 2 < sizeof(r->head))
			r->headlen += (size_t)snprintf(r->head + r->headlen,
			    sizeof(r->head) - r->headlen, "%s\r\n", line);
		parse_header(r, line);
	}
	return 0;
}

static int
respond(int fd, const struct req *r, int status, const char *body,
    size_t len, int keep)
{
	char head[4096];
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nX-Origin: %s\r\n"
	    "Server: origin\r\n"
	    "Content-Type: text/plain\r\nContent-Length: %zu\r\n%s\r\n",
	    status, name, len, keep ? "" : "Connection: close\r\n");
	if (strcmp(r->method, "HEAD") == 0 || status == 204 || status == 304)
		len = 0;
	/* one write when it fits: an origin killed under load (t_health_load)
	   then stops between responses, never inside one */
	if ((size_t)n < sizeof(head) && len <= sizeof(head) - (size_t)n) {
		memcpy(head + n, body, len);
		return write_all(fd, head, (size_t)n + len);
	}
	if (write_all(fd, head, (size_t)n) == -1)
		return -1;
	return write_all(fd, body, len);
}

/* n bytes of xorshift32 seeded 1 (the same stream for every origin),
   continuing from *x */
static void
stream(uint32_t *x, char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		*x ^= *x << 13;
		*x ^= *x >> 17;
		*x ^= *x << 5;
		buf[i] = (char)(*x & 0xff);
	}
}

enum framing { BY_LENGTH, BY_CHUNKS, BY_CLOSE };

/* N bytes of the stream, framed as asked, written piece bytes at a time
   (at most 65536), pause_us apart */
static int
send_bytes(int fd, const struct req *r, uint64_t n, int keep,
    enum framing how, size_t piece, unsigned pause_us)
{
	char head[512], buf[65536], line[32];
	uint32_t x = 1;
	size_t c, size = 1;
	int hl;

	if (how == BY_CLOSE)
		keep = 0;
	hl = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nX-Origin: %s\r\n"
	    "Content-Type: application/octet-stream\r\n", name);
	if (how == BY_LENGTH)
		hl += snprintf(head + hl, sizeof(head) - (size_t)hl,
		    "Content-Length: %llu\r\n", (unsigned long long)n);
	else if (how == BY_CHUNKS)
		hl += snprintf(head + hl, sizeof(head) - (size_t)hl,
		    "Transfer-Encoding: chunked\r\nTrailer: X-Sum\r\n");
	hl += snprintf(head + hl, sizeof(head) - (size_t)hl, "%s\r\n",
	    keep ? "" : "Connection: close\r\n");
	if (write_all(fd, head, (size_t)hl) == -1)
		return -1;
	if (strcmp(r->method, "HEAD") == 0)
		return 0;
	if (piece == 0 || piece > sizeof(buf))
		piece = sizeof(buf);
	while (n > 0) {
		c = n < piece ? (size_t)n : piece;
		if (how == BY_CHUNKS) {
			/* 1, 7, 49 ... bytes: many small chunks, some large */
			size = size * 7 % 65521;
			if (c > size)
				c = size;
			hl = snprintf(line, sizeof(line), "%zx\r\n", c);
			if (write_all(fd, line, (size_t)hl) == -1)
				return -1;
		}
		stream(&x, buf, c);
		if (write_all(fd, buf, c) == -1)
			return -1;
		if (how == BY_CHUNKS && write_all(fd, "\r\n", 2) == -1)
			return -1;
		n -= c;
		if (pause_us > 0 && n > 0)
			usleep(pause_us);
	}
	if (how == BY_CHUNKS && write_all(fd, "0\r\nX-Sum: none\r\n\r\n",
	    strlen("0\r\nX-Sum: none\r\n\r\n")) == -1)
		return -1;
	return how == BY_CLOSE ? 1 : 0;
}

/* a Content-Length of n, n / 2 bytes, then RST */
static int
reset_midway(int fd, uint64_t n)
{
	char head[256], buf[65536];
	struct linger lg = { 1, 0 };
	uint32_t x = 1;
	size_t c = n / 2 < sizeof(buf) ? (size_t)(n / 2) : sizeof(buf);
	int hl;

	hl = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nX-Origin: %s\r\n"
	    "Content-Length: %llu\r\n\r\n", name, (unsigned long long)n);
	stream(&x, buf, c);
	if (write_all(fd, head, (size_t)hl) == -1 || write_all(fd, buf, c) == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	return -1;
}

/* 101, then every byte back until EOF */
static int
echo(struct in *in)
{
	char head[256];
	ssize_t n;
	int hl;

	hl = snprintf(head, sizeof(head), "HTTP/1.1 101 Switching Protocols\r\n"
	    "Connection: Upgrade\r\nUpgrade: websocket\r\nX-Origin: %s\r\n"
	    "\r\n", name);
	if (write_all(in->fd, head, (size_t)hl) == -1)
		return -1;
	if (in->len > 0 && write_all(in->fd, in->buf, in->len) == -1)
		return -1;
	while ((n = io_read(in->fd, in->buf, sizeof(in->buf))) > 0)
		if (write_all(in->fd, in->buf, (size_t)n) == -1)
			return -1;
	return -1;
}

/* one request: read its body, answer; returns keep-alive or -1 */
static int
handle(struct in *in, struct req *r)
{
	char body[512], hex[65];
	struct sha256 s;
	uint64_t total = 0;
	int keep, want = strcmp(r->path, "/sha256") == 0;

	sha_init(&s);
	if (reqlog != -1) {
		char l[2100];
		int ln = snprintf(l, sizeof(l), "%s %s\n", r->method, r->path);

		(void)write_all(reqlog, l, (size_t)ln < sizeof(l) ? (size_t)ln :
		    sizeof(l) - 1);
	}
	if (r->expect100 && r->minor == 1 &&
	    write_all(in->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) == -1)
		return -1;
	if (r->chunked) {
		if (body_chunked(in, want ? &s : NULL, &total) == -1)
			return -1;
	} else if (r->has_cl) {
		if (body_bytes(in, r->cl, want ? &s : NULL) == -1)
			return -1;
		total = r->cl;
	}
	atomic_fetch_add(&st->requests, 1);
	keep = r->minor == 1 ? !r->close : r->keepalive;
	if (verbose)
		fprintf(stderr, "%s: %s %s\n", name, r->method, r->path);
	if (want) {
		sha_hex(&s, hex);
		snprintf(body, sizeof(body), "%s %llu\n", hex,
		    (unsigned long long)total);
		return respond(in->fd, r, 200, body, strlen(body), keep) ?
		    -1 : keep;
	}
	if (strncmp(r->path, "/bytes/", 7) == 0)
		return send_bytes(in->fd, r, strtoull(r->path + 7, NULL, 10),
		    keep, BY_LENGTH, 0, 0) ? -1 : keep;
	if (strncmp(r->path, "/drip/", 6) == 0) {
		unsigned long long n = 0, piece = 0, us = 0;

		(void)sscanf(r->path + 6, "%llu/%llu/%llu", &n, &piece, &us);
		return send_bytes(in->fd, r, n, keep, BY_LENGTH,
		    (size_t)piece, (unsigned)us) ? -1 : keep;
	}
	if (strncmp(r->path, "/chunked/", 9) == 0)
		return send_bytes(in->fd, r, strtoull(r->path + 9, NULL, 10),
		    keep, BY_CHUNKS, 0, 0) ? -1 : keep;
	if (strncmp(r->path, "/close/", 7) == 0) {
		send_bytes(in->fd, r, strtoull(r->path + 7, NULL, 10), 0,
		    BY_CLOSE, 0, 0);
		return -1;
	}
	if (strcmp(r->path, "/ws") == 0 && r->upgrade)
		return echo(in);
	if (strncmp(r->path, "/reset/", 7) == 0)
		return reset_midway(in->fd, strtoull(r->path + 7, NULL, 10));
	if (strncmp(r->path, "/slow/", 6) == 0)
		usleep((useconds_t)atoi(r->path + 6) * 1000);
	if (strncmp(r->path, "/status/", 8) == 0) {
		snprintf(body, sizeof(body), "%s status\n", name);
		return respond(in->fd, r, atoi(r->path + 8), body, strlen(body),
		    keep) ? -1 : keep;
	}
	if (strcmp(r->path, "/echo-headers") == 0)
		return respond(in->fd, r, 200, r->head, r->headlen, keep) ?
		    -1 : keep;
	if (strcmp(r->path, "/stats") == 0)
		snprintf(body, sizeof(body),
		    "accepts=%lu requests=%lu resumed=%lu\n",
		    atomic_load(&st->accepts), atomic_load(&st->requests),
		    atomic_load(&st->resumed));
	else
		snprintf(body, sizeof(body), "%s\n", name);
	return respond(in->fd, r, 200, body, strlen(body), keep) ? -1 : keep;
}

static void
serve(int fd)
{
	static struct in in;
	static struct req r;

	in.fd = fd;
	in.len = 0;
#ifdef HAVE_OPENSSL
	if (tls_ctx != NULL) {
		if ((tls = SSL_new(tls_ctx)) == NULL ||
		    SSL_set_fd(tls, fd) != 1 || SSL_accept(tls) != 1) {
			if (verbose)
				ERR_print_errors_fp(stderr);
			_exit(0);
		}
		tls_fd = fd;
		if (SSL_session_reused(tls))
			atomic_fetch_add(&st->resumed, 1);
	}
#endif
	for (int n = 0; read_request(&in, &r) == 0; n++) {
		if (drop_second && n == 1)
			break;
		if (handle(&in, &r) != 1)
			break;
	}
#ifdef HAVE_OPENSSL
	if (tls != NULL)
		(void)SSL_shutdown(tls);
#endif
	close(fd);
	_exit(0);
}

static void
on_child(int sig)
{
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static int
listen_on(const char *spec)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char host[64];
	int fd, one = 1, port;

	if (sscanf(spec, "%63[^:]:%d", host, &port) != 2) {
		fprintf(stderr, "origin: -l HOST:PORT expected, got %s\n", spec);
		exit(2);
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		fprintf(stderr, "origin: bad IPv4 address %s\n", host);
		exit(2);
	}
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 1024) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		fprintf(stderr, "origin: %s: %s\n", spec, strerror(errno));
		exit(1);
	}
	printf("listening %s:%d\n", host, ntohs(sin.sin_port));
	fflush(stdout);
	return fd;
}

/* -c, -k: a TLS server context with that certificate chain and key */
static int
tls_setup(const char *cert, const char *key)
{
	if (cert == NULL || key == NULL) {
		fprintf(stderr, "origin: -c CERT and -k KEY go together\n");
		return -1;
	}
#ifdef HAVE_OPENSSL
	if ((tls_ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_use_certificate_chain_file(tls_ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(tls_ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(tls_ctx) != 1) {
		fprintf(stderr, "origin: TLS with %s and %s:\n", cert, key);
		ERR_print_errors_fp(stderr);
		return -1;
	}
	return 0;
#else
	fprintf(stderr, "origin: built without TLS: -c, -k\n");
	return -1;
#endif
}

int
main(int argc, char *argv[])
{
	const char *spec = "127.0.0.1:0", *cert = NULL, *key = NULL;
	struct sigaction sa;
	int lfd, fd, ch, one = 1;

	while ((ch = getopt(argc, argv, "c:Dk:l:n:r:v")) != -1) {
		switch (ch) {
		case 'l':
			spec = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'r':
			reqlog = open(optarg, O_WRONLY | O_CREAT | O_APPEND |
			    O_CLOEXEC, 0644);
			if (reqlog == -1) {
				fprintf(stderr, "origin: %s: %s\n", optarg,
				    strerror(errno));
				return 1;
			}
			break;
		case 'D':
			drop_second = 1;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		default:
			fprintf(stderr, "usage: origin -l HOST:PORT -n NAME "
			    "[-v] [-r FILE] [-D] [-c CERT -k KEY]\n");
			return 2;
		}
	}
	if ((cert != NULL || key != NULL) && tls_setup(cert, key) == -1)
		return 2;
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_child;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(spec);
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) == -1)
			continue;
		atomic_fetch_add(&st->accepts, 1);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (fork() == 0) {
			close(lfd);
			signal(SIGTERM, SIG_DFL);
			/* a killed origin takes its kept connections along */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(0);
			serve(fd);
		}
		close(fd);
	}
}
