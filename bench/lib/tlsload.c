/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * tlsload: TLS handshake load for bench/run, a TLS connection per request.
 *
 *	tlsload [-r] PORT PATH SECONDS THREADS
 *
 * THREADS threads connect to 127.0.0.1:PORT in a loop, shake hands, send
 * "GET PATH" with Connection: close, read the answer to its end and close.
 * Without -r every handshake is a full one (the client keeps no session).
 * With -r each thread first makes one full handshake, untimed, then offers
 * the session it holds (the newest ticket the server sent) on every
 * connection, so each timed handshake is a resumption; how many the
 * server really resumed is counted and reported.
 *
 * wrk cannot do either: its ssl_close() calls SSL_clear(), which keeps the
 * session, so with Connection: close it resumes, and cannot be told not to.
 * Written in C, not Python, so that the client's own cost per handshake
 * stays close to the server's (bench/run runs both on the same CPUs).
 *
 * Writes what bench/run reads of wrk's output: "Requests/sec: N" and a
 * BENCH line with the fields of bench/lib/bench.lua's done() (latency in
 * microseconds; errors: connect (TCP or handshake), read, write, status
 * (answers other than 2xx), timeout), then a TLSLOAD line: handshakes full
 * and resumed, protocol and cipher.  A connection in flight at the end
 * has 10 s (socket timeouts) to finish, so a run ends by SECONDS + 10.
 *
 * Build: cc -O2 -o tlsload tlsload.c -lssl -lcrypto -lpthread
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

enum err { E_CONNECT, E_READ, E_WRITE, E_STATUS, E_TIMEOUT, E__COUNT };

struct th {
	pthread_t	 t;
	uint32_t	*lat;		/* microseconds */
	size_t		 n, cap;
	unsigned long	 full, resumed, bytes, err[E__COUNT];
	char		 proto[32], cipher[64];
};

static SSL_CTX		*ctx;
static int		 port, reuse;
static char		 req[1024];
static double		 t_end;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
tcp_connect(void)
{
	struct sockaddr_in sin;
	struct timeval tv = { 10, 0 };
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
io_err(int def)
{
	return errno == EAGAIN || errno == EWOULDBLOCK ? E_TIMEOUT : def;
}

/* one request on a new connection: -1 when answered 2xx, else an error;
 * *sess is offered, and replaced by the session the connection ends with */
static int
one(struct th *th, SSL_SESSION **sess)
{
	char buf[16384], head[16];
	size_t nh = 0;
	SSL *ssl;
	int fd, r, e = -1;

	if ((fd = tcp_connect()) < 0)
		return errno == ETIMEDOUT ? E_TIMEOUT : E_CONNECT;
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, "bench.local");
	if (*sess != NULL)
		SSL_set_session(ssl, *sess);
	errno = 0;
	if (SSL_connect(ssl) != 1) {
		e = io_err(E_CONNECT);
		goto out;
	}
	if (SSL_write(ssl, req, (int)strlen(req)) <= 0) {
		e = io_err(E_WRITE);
		goto out;
	}
	for (;;) {
		errno = 0;
		r = SSL_read(ssl, buf, sizeof(buf));
		if (r <= 0)
			break;
		th->bytes += r;
		for (int i = 0; i < r && nh < sizeof(head); i++)
			head[nh++] = buf[i];
	}
	if (SSL_get_error(ssl, r) != SSL_ERROR_ZERO_RETURN &&
	    SSL_get_error(ssl, r) != SSL_ERROR_SYSCALL) {
		e = io_err(E_READ);
		goto out;
	}
	if (nh < 10 || memcmp(head, "HTTP/1.", 7) != 0 || head[9] != '2') {
		e = nh == 0 ? io_err(E_READ) : E_STATUS;
		goto out;
	}
	if (SSL_session_reused(ssl))
		th->resumed++;
	else
		th->full++;
	snprintf(th->proto, sizeof(th->proto), "%s", SSL_get_version(ssl));
	snprintf(th->cipher, sizeof(th->cipher), "%s",
	    SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));
	if (reuse) {
		SSL_SESSION_free(*sess);
		*sess = SSL_get1_session(ssl);
	}
	(void)SSL_shutdown(ssl);
out:
	SSL_free(ssl);
	close(fd);
	ERR_clear_error();
	return e;
}

static void *
run(void *arg)
{
	struct th *th = arg;
	SSL_SESSION *sess = NULL;
	struct th scratch;
	double t0;
	int e;

	if (reuse) {	/* the session to offer: untimed, uncounted */
		memset(&scratch, 0, sizeof(scratch));
		(void)one(&scratch, &sess);
	}
	while ((t0 = now()) < t_end) {
		e = one(th, &sess);
		if (e >= 0) {
			th->err[e]++;
			continue;
		}
		if (th->n == th->cap) {
			th->cap = th->cap ? 2 * th->cap : 4096;
			th->lat = realloc(th->lat, th->cap * sizeof(*th->lat));
			if (th->lat == NULL) {
				perror("tlsload: realloc");
				exit(1);
			}
		}
		th->lat[th->n++] = (uint32_t)((now() - t0) * 1e6);
	}
	SSL_SESSION_free(sess);
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t
pct(const uint32_t *v, size_t n, double p)
{
	size_t i = (size_t)(n * p / 100.0);

	return n == 0 ? 0 : v[i < n ? i : n - 1];
}

int
main(int argc, char **argv)
{
	struct th *th;
	uint32_t *all;
	unsigned long full = 0, resumed = 0, bytes = 0, err[E__COUNT] = { 0 };
	const char *proto = "-", *cipher = "-";
	double t0, dur, sum = 0;
	size_t n = 0, k;
	int nth, i, j;

	if (argc > 1 && strcmp(argv[1], "-r") == 0) {
		reuse = 1;
		argv++;
		argc--;
	}
	if (argc != 5 || atoi(argv[1]) <= 0 || atof(argv[3]) <= 0 ||
	    atoi(argv[4]) <= 0) {
		fprintf(stderr, "usage: tlsload [-r] PORT PATH SECONDS THREADS\n");
		return 2;
	}
	port = atoi(argv[1]);
	nth = atoi(argv[4]);
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: bench\r\n"
	    "Connection: close\r\n\r\n", argv[2]);
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		fprintf(stderr, "tlsload: SSL_CTX_new failed\n");
		return 1;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);	/* as wrk */
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* no client cache: a session is offered only when -r sets it */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	th = calloc(nth, sizeof(*th));
	if (th == NULL)
		return 1;
	t0 = now();
	t_end = t0 + atof(argv[3]);
	for (i = 0; i < nth; i++)
		if (pthread_create(&th[i].t, NULL, run, &th[i]) != 0) {
			fprintf(stderr, "tlsload: pthread_create failed\n");
			return 1;
		}
	for (i = 0; i < nth; i++) {
		pthread_join(th[i].t, NULL);
		n += th[i].n;
	}
	dur = now() - t0;
	all = malloc((n ? n : 1) * sizeof(*all));
	if (all == NULL)
		return 1;
	for (i = 0, k = 0; i < nth; i++) {
		memcpy(all + k, th[i].lat, th[i].n * sizeof(*all));
		k += th[i].n;
		full += th[i].full;
		resumed += th[i].resumed;
		bytes += th[i].bytes;
		for (j = 0; j < E__COUNT; j++)
			err[j] += th[i].err[j];
		if (th[i].proto[0] != '\0') {
			proto = th[i].proto;
			cipher = th[i].cipher;
		}
	}
	qsort(all, n, sizeof(*all), cmp);
	for (k = 0; k < n; k++)
		sum += all[k];
	printf("Requests/sec: %.2f\n", n / dur);
	printf("BENCH requests=%zu duration_us=%.0f bytes=%lu connect=%lu "
	    "read=%lu write=%lu status=%lu timeout=%lu p50=%u p75=%u p90=%u "
	    "p99=%u p999=%u mean=%.1f max=%u\n", n, dur * 1e6, bytes,
	    err[E_CONNECT], err[E_READ], err[E_WRITE], err[E_STATUS],
	    err[E_TIMEOUT], pct(all, n, 50), pct(all, n, 75), pct(all, n, 90),
	    pct(all, n, 99), pct(all, n, 99.9), n ? sum / n : 0.0,
	    n ? all[n - 1] : 0);
	printf("TLSLOAD full=%lu resumed=%lu protocol=%s cipher=%s\n", full,
	    resumed, proto, cipher);
	return n ? 0 : 1;
}
