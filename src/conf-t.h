/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Types of a configuration generation: the immutable in-memory form of
 * tcpvs.conf that conf_load() builds.  The master passes it as a const
 * pointer to every child; children inherit it through fork.  Nothing here
 * is written after conf_load() returns, except by the master before the
 * first fork of the generation (sb_index, listener descriptors).
 *
 * Types and constants only: include only system and other -t.h headers.
 */
#ifndef TCPVS_CONF_T_H
#define TCPVS_CONF_T_H

#include <sys/socket.h>
#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONF_MAX_SERVICES	64	/* virtual sections per generation */
#define CONF_MAX_SERVERS	64	/* servers per service: a uint64_t mask */
#define CONF_MAX_RULES		1024	/* rules per service */
#define CONF_MAX_LISTEN		16	/* listen addresses per service */
#define CONF_IDENT_MAX		32	/* ident length, NUL included */
#define CONF_NAME_MAX		128	/* "host:port" as written, NUL included */
#define CONF_SERVERLIMIT_MAX	20000	/* worker slots, like Apache's cap */
#define CONF_INFLIGHTLIMIT_MAX	4096	/* exchange slots per worker slot */
#define CONF_CONTROL_PATH_MAX	108	/* sizeof(sun_path), NUL included */
/* TCP_DEFER_ACCEPT's hold: the kernel hands over a silent connection
   after one SYN-ACK retransmission, 1 s (master.c, worker.c) */
#define CONF_DEFER_ACCEPT_SECS	1

/* struct service's pool_cpu */
#define CONF_POOL_START			0x1
#define CONF_POOL_MINSPARE		0x2
#define CONF_POOL_MAXSPARE		0x4
#define CONF_POOL_MAXCLIENTS		0x8
#define CONF_HOST_BACKLOG		0x10	/* from net.core.somaxconn */

/* defaults, documented in tcpvs.conf.5 */
#define CONF_DEF_SERVERLIMIT		1024
/* the pool options a service does not write come from the online CPU
   count n, at most CONF_POOL_CPUS (conf_pool_default()): startservers
   and maxspareservers n (maxspareservers at least startservers),
   minspareservers CONF_DEF_MINSPARE, maxclients CONF_POOL_PER_CPU * n */
#define CONF_DEF_MINSPARE		1
#define CONF_POOL_PER_CPU		2
#define CONF_POOL_CPUS			64
#define CONF_DEF_MAXINFLIGHT		32	/* exchanges a worker runs */
#define CONF_DEF_INFLIGHTLIMIT		256	/* like Apache's ThreadLimit */
#define CONF_DEF_MAXREQUESTSPERCHILD	0
#define CONF_DEF_CONNECT_TIMEOUT	5
#define CONF_DEF_READ_TIMEOUT		180	/* KTCPVS default */
#define CONF_DEF_REQUEST_TIMEOUT	30
#define CONF_DEF_MAX_REQUEST_LINE	8192
#define CONF_DEF_MAX_HEADER_SIZE	16384
#define CONF_DEF_MAX_HEADERS		100
/* backlog not written: the host's net.core.somaxconn (the most listen()
   gives), this if it cannot be read; at most CONF_BACKLOG_MAX */
#define CONF_DEF_BACKLOG		4096
#define CONF_BACKLOG_MAX		65535
#define CONF_DEF_GRACEFUL_TIMEOUT	30
#define CONF_DEF_KEEPALIVE_TIMEOUT	5	/* Apache KeepAliveTimeout */
#define CONF_DEF_REQUEST_MIN_RATE	500	/* bytes/s, mod_reqtimeout's */
#define CONF_DEF_RETRIES		2	/* other servers after a failure */
#define CONF_DEF_COOKIE			"TCPVSID"	/* chttp's cookie */
/* Apache's combined, then the real server, times in microseconds, how
   the exchange ended and why */
#define CONF_DEF_ACCESSLOG_FORMAT	"%h - - %t \"%r\" %s %b " \
	"\"%{Referer}i\" \"%{User-Agent}i\" %S %Tq %Tc %Tr %Tt %X \"%E\""
#define CONF_TOKEN_MAX			32	/* cookie name, server id */
#define CONF_DEF_MH_TABLE_SIZE		65537	/* a prime, IPVS's default */
#define CONF_DEF_LBLC_EXPIRATION	86400	/* IPVS lblc_expiration */
#define CONF_REQUEST_RATE_GRACE_MS	2000	/* before the rate applies */
#define CONF_DEF_MAXKEEPALIVEREQUESTS	100	/* Apache MaxKeepAliveRequests */
#define CONF_DEF_SERVER_KEEPALIVE	1	/* idle per server per worker */
#define CONF_DEF_SERVER_KEEPALIVE_TIMEOUT 30
#define CONF_SERVER_KEEPALIVE_MAX	16
#define CONF_DEF_CONTROL_MODE		0600
#define CONF_DEF_WEIGHT			1
#define CONF_MAX_WEIGHT			65535
#define CONF_DEF_CHECK_PATH		"/"
#define CONF_DEF_CHECK_INTERVAL_MS	2000
#define CONF_DEF_CHECK_TIMEOUT_MS	1000
#define CONF_DEF_RISE			2
#define CONF_DEF_FALL			3
#define CONF_CHECK_PATH_MAX		256	/* check_path, NUL included */
#define CONF_CHECK_MS_MIN		10	/* check_interval, check_timeout */
#define CONF_CHECK_MS_MAX		3600000
#define CONF_RISE_FALL_MAX		1000
#define CONF_SLOWSTART_MAX		3600

/* one listening address of a service */
struct conf_listen {
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	char			 name[CONF_NAME_MAX];	/* as written */
	unsigned		 line;
	int			 fd;	/* master: bound socket, -1 before */
};

/* HTTP statuses a check accepts: bit (code - 100), codes 100..599 */
struct conf_expect {
	uint64_t		 bits[8];
};

struct probe_ops;
struct tls_server;
struct tls_service;

/*
 * A real server's active health check: the service's check options, each
 * overridden by the server's own, resolved at load.
 */
struct conf_check {
	const struct probe_ops	*probe;		/* NULL: check = "none" */
	char			 path[CONF_CHECK_PATH_MAX];
	char			 host[CONF_NAME_MAX];	/* Host field */
	struct conf_expect	 expect;
	unsigned		 interval_ms;
	unsigned		 timeout_ms;
	unsigned		 rise;		/* successes to be up */
	unsigned		 fall;		/* failures to be down */
	unsigned		 port;		/* 0: the server's port */
	struct sockaddr_storage	 addr;		/* what a probe connects to */
	socklen_t		 addrlen;
	int			 send_proxy;	/* enum proxy_send of the server:
						   an HTTP check sends LOCAL */
	unsigned		 set;		/* CONF_CHK_*: options written at
						   this level (service or server),
						   for conf_dump() */
};

/* struct conf_check set bits, in the order conf_dump() writes them */
#define CONF_CHK_CHECK		0x001
#define CONF_CHK_PATH		0x002
#define CONF_CHK_HOST		0x004
#define CONF_CHK_EXPECT		0x008
#define CONF_CHK_INTERVAL	0x010
#define CONF_CHK_TIMEOUT	0x020
#define CONF_CHK_PORT		0x040
#define CONF_CHK_RISE		0x080
#define CONF_CHK_FALL		0x100

/* PROXY protocol header sent to a server: "send_proxy =" */
enum proxy_send {
	PROXY_SEND_NONE,
	PROXY_SEND_V1 = 1,
	PROXY_SEND_V2 = 2
};

/* a real server of a service (KTCPVS "server", IPVS "real server") */
struct realserver {
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	char			 name[CONF_NAME_MAX];	/* as written */
	char			 addrstr[CONF_NAME_MAX]; /* numeric a.b.c.d:p */
	char			 id[CONF_TOKEN_MAX + 1];	/* for cookies: see
						   conf_build.c server_id() */
	bool			 id_set;	/* id written, not derived */
	unsigned		 weight;	/* configured, 0..65535 */
	int			 admin;		/* configured: enum rs_admin
						   (scoreboard-t.h) */
	enum proxy_send		 send_proxy;	/* PROXY header on connect */
	unsigned		 line;
	int			 sb_index;	/* scoreboard server slot, -1 */
	struct conf_check	 check;
	struct tls_server	*tls;		/* tls_conf.h; NULL: plain */
};

/* an address block: IPv4 or IPv6 (source conditions, trusted_proxies) */
struct cidr {
	int			 family;	/* AF_INET or AF_INET6 */
	unsigned		 bits;		/* prefix length */
	uint8_t			 addr[16];	/* network order, masked */
};

/* one rule host condition: exact name, "*.suffix" or "~regex" */
enum rule_host_kind {
	RULE_HOST_EXACT,
	RULE_HOST_WILDCARD,	/* name holds ".suffix" */
	RULE_HOST_REGEX
};

struct rule_host {
	enum rule_host_kind	 kind;
	char			*name;		/* lowercase, or the regex */
	struct pcre2_real_code_8 *re;		/* RULE_HOST_REGEX */
};

/* a header or cookie condition: "Name: regex" */
struct rule_field {
	char			*name;
	char			*regex;
	struct pcre2_real_code_8 *re;
};

/* header rewriting (header.c): set, add or delete one field */
enum hdr_op {
	HDR_SET,
	HDR_ADD,
	HDR_DEL
};

struct hdr_edit {
	enum hdr_op		 op;
	char			*name;
	char			*value;		/* NULL for HDR_DEL */
};

/* the edits of one direction, in the order they apply */
struct hdr_edits {
	struct hdr_edit		*e;
	unsigned		 n;
};

/*
 * A content rule: conditions, all of which must hold (none: every request
 * matches), and an action: servers, or an answer of tcpvsd's own.
 */
struct rule {
	char			*pattern;	/* target regex, or NULL */
	struct pcre2_real_code_8 *re;	/* pcre2_code (8-bit), compiled */
	unsigned		 match;		/* match group for hhttp, 0 = whole */
	struct rule_host	*hosts;
	unsigned		 nhosts;
	char			**methods;
	unsigned		 nmethods;
	struct rule_field	*headers;
	unsigned		 nheaders;
	struct rule_field	*cookies;
	unsigned		 ncookies;
	struct cidr		*sources;
	unsigned		 nsources;
	char			*query;		/* query-string regex, or NULL */
	struct pcre2_real_code_8 *query_re;

	uint64_t		 servers;	/* mask of indices into svc->rs */
	int			 ret;		/* return = status, 0: servers */
	char			*location;	/* 3xx: with $host $path ... */
	char			*body;		/* other statuses, or NULL */
	struct hdr_edits	 req_edits;	/* override the service's when */
	struct hdr_edits	 resp_edits;	/* they have any */
	unsigned		 line;
};

/* how the client's identity goes upstream: "forwarded =" */
enum fwd_mode {
	FWD_XFF,		/* X-Forwarded-For, -Proto, -Host */
	FWD_RFC7239,		/* Forwarded */
	FWD_BOTH,
	FWD_NONE
};

struct sched_ops;

struct service {
	char			 ident[CONF_IDENT_MAX];
	unsigned		 line;
	unsigned		 index;		/* position in gen->svc */
	int			 sb_index;	/* scoreboard service slot, -1 */

	struct conf_listen	 listen[CONF_MAX_LISTEN];
	unsigned		 nlisten;
	unsigned		 backlog;

	const struct sched_ops	*sched;
	const struct sched_ops	*rule_sched;	/* among a rule's servers;
						   NULL: wlc */
	unsigned		 mh_table_size;	/* a prime */
	char			 mh_header[64];	/* mh key field; "": client */
	unsigned		 lblc_expiration; /* seconds */
	void			*sched_data;	/* scheduler's private, read-only
						   after init_service */
	size_t			 sched_shm;	/* bytes the scheduler asked for
						   in the scoreboard */

	/* pool, Apache prefork names */
	unsigned		 startservers;
	unsigned		 minspareservers;
	unsigned		 maxspareservers;
	unsigned		 maxclients;
	unsigned		 maxrequestsperchild;	/* 0 = unlimited */
	unsigned		 maxinflight;	/* exchanges a worker runs at
						   once; 1 = prefork */
	unsigned		 pool_cpu;	/* CONF_POOL_*, CONF_HOST_*
						   bits: options not written,
						   from this host (its CPU
						   count, somaxconn) */

	/* seconds */
	unsigned		 connect_timeout;
	unsigned		 read_timeout;
	unsigned		 request_timeout;

	/* request head limits (bytes, count) and body limit (0 = none) */
	unsigned		 max_request_line;
	unsigned		 max_header_size;
	unsigned		 max_headers;
	uint64_t		 max_body_size;

	bool			 splice;	/* zero-copy relay, else copy */
	unsigned		 slowstart;	/* seconds a server that comes up
						   takes to reach its weight */
	struct conf_check	 check;		/* the service's check options,
						   before servers override them */

	/* slow and greedy clients */
	bool			 defer_accept;	/* TCP_DEFER_ACCEPT, for
						   CONF_DEFER_ACCEPT_SECS */
	unsigned		 request_min_rate;	/* head bytes/s, 0 = any */
	unsigned		 maxconnperip;	/* per client address, 0 = any */
	unsigned		 retries;	/* servers tried after a failed
						   connect */
	char			 cookie[CONF_TOKEN_MAX + 1];	/* chttp */
	char			*accesslog;	/* path, or NULL: none */
	char			*accesslog_format;	/* alog.c directives */
	unsigned		 persistent;	/* seconds, 0 = off (ipvsadm -p) */
	uint32_t		 persistent_mask; /* IPv4, network order (-M) */
	bool			 stopped;	/* tcpvsadm --stop: no listening
						   socket, no workers */

	/* client side: persistent connections (Apache's names) */
	bool			 keepalive;
	unsigned		 keepalive_timeout;	/* idle seconds */
	unsigned		 maxkeepaliverequests;	/* 0 = unlimited */
	/* origin side: idle connections kept per real server per worker */
	unsigned		 server_keepalive;	/* 0 = none */
	unsigned		 server_keepalive_timeout; /* idle seconds */

	bool			 has_redirect;	/* sorry server */
	struct sockaddr_storage	 redirect;
	socklen_t		 redirectlen;
	char			 redirect_name[CONF_NAME_MAX];

	struct realserver	 rs[CONF_MAX_SERVERS];
	unsigned		 nrs;

	struct rule		*rules;
	unsigned		 nrules;

	/* headers and the client's identity (conf_rule.c, forwarded.c) */
	struct hdr_edits	 req_edits;
	struct hdr_edits	 resp_edits;
	enum fwd_mode		 forwarded;
	struct cidr		*trusted;	/* trusted_proxies */
	unsigned		 ntrusted;
	bool			 accept_proxy;	/* PROXY header on each
						   connection */
	struct tls_service	*tls;		/* tls_conf.h; NULL: no TLS */
};

struct generation {
	char			*path;		/* config file it was read from */
	unsigned		 id;		/* master: 1, 2, ... per reload */

	char			*pidfile;
	char			*errorlog;	/* "syslog", "stderr" or a path */
	int			 loglevel;	/* enum log_level */
	unsigned		 serverlimit;
	unsigned		 inflightlimit;	/* exchange slots per worker
						   slot, fixed at start */
	char			*scoreboardfile; /* Apache ScoreBoardFile: NULL =
						    anonymous shared mapping */
	unsigned		 graceful_timeout; /* seconds, SIGWINCH */
	char			*status_name;	/* status_listen as written */
	struct sockaddr_storage	 status_addr;
	socklen_t		 status_addrlen;	/* 0: no status server */
	int			 status_fd;	/* master: bound, -1 before */
	char			*accesslog;	/* global, or NULL: none; each
						   service has its own copy */
	char			*accesslog_format;	/* global */
	char			*user;		/* workers run as, or NULL */
	char			*group;
	uid_t			 uid;		/* resolved at load */
	gid_t			 gid;
	char			*control;	/* control socket path, NULL:
						   none */
	unsigned		 control_mode;	/* its permission bits */
	char			*control_group;	/* may use it too, or NULL */
	gid_t			 control_gid;	/* resolved, (gid_t)-1: none */
	unsigned		 tls_ticket_rotate; /* seconds a session ticket
						   key encrypts */

	struct service		*svc;
	unsigned		 nsvc;
};

#endif /* TCPVS_CONF_T_H */
