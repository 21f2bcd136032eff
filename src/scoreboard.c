/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The scoreboard: one MAP_SHARED mapping, created by the master before the
 * first fork and inherited by every worker and the health checker.  This
 * file sizes and carves it (one function, asserting the carving), assigns
 * service and real-server slots by stable key so counters survive
 * reloads, keeps the in-flight exchange slots and their counts, gives
 * back the connections a dead worker and its exchanges held, and takes
 * the workers' passive failure reports.  It never blocks and holds no lock.
 * What the scoreboard says of a service's workers (sb_census, sb_room,
 * sb_spare) is in scoreboard_census.c.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
#include "sched.h"
#include "scoreboard.h"
#include "util.h"

static size_t
align_up(size_t n)
{
	return (n + SB_CACHELINE - 1) & ~((size_t)SB_CACHELINE - 1);
}

/* offsets of each array; the one place the layout is decided */
static size_t
carve(struct sb_header *h, unsigned nworkers, unsigned inflight,
    unsigned nservices, unsigned nservers, unsigned sched_bytes)
{
	size_t off = align_up(sizeof(struct sb_header));

	h->nworkers = nworkers;
	h->nservices = nservices;
	h->nservers = nservers;
	h->sched_bytes = (uint32_t)align_up(sched_bytes);
	h->off_workers = off;
	off += align_up((size_t)nworkers * sizeof(struct sb_worker));
	h->off_services = off;
	off += align_up((size_t)nservices * sizeof(struct sb_service));
	h->off_servers = off;
	off += align_up((size_t)nservers * sizeof(struct sb_server));
	h->off_sched = off;
	off += (size_t)nservices * h->sched_bytes;
	off = align_up(off);
	h->off_persist = off;
	off += (size_t)nservices * SB_PERSIST_ENTRIES *
	    sizeof(struct sb_persist);
	/* last: the largest, mostly never touched */
	off = align_up(off);
	h->inflight = inflight;
	h->off_exchanges = off;
	off += (size_t)nworkers * inflight * sizeof(struct sb_exchange);
	h->size = off;
	assert(h->off_workers % SB_CACHELINE == 0);
	assert(h->off_services % SB_CACHELINE == 0);
	assert(h->off_servers % SB_CACHELINE == 0);
	assert(h->off_sched % SB_CACHELINE == 0);
	assert(h->off_persist % SB_CACHELINE == 0);
	assert(h->off_exchanges % SB_CACHELINE == 0);
	assert(h->off_exchanges >= h->off_persist + (uint64_t)nservices *
	    SB_PERSIST_ENTRIES * sizeof(struct sb_persist));
	return off;
}

size_t
sb_size(unsigned nworkers, unsigned inflight, unsigned nservices,
    unsigned nservers, unsigned sched_bytes)
{
	struct sb_header h;

	return carve(&h, nworkers, inflight, nservices, nservers,
	    sched_bytes);
}

static struct sb *
view(void *base, size_t size)
{
	struct sb *sb = xcalloc(1, sizeof(*sb));
	unsigned char *p = base;

	sb->hdr = base;
	sb->size = size;
	sb->workers = (struct sb_worker *)(void *)(p + sb->hdr->off_workers);
	sb->services = (struct sb_service *)(void *)(p +
	    sb->hdr->off_services);
	sb->servers = (struct sb_server *)(void *)(p + sb->hdr->off_servers);
	sb->sched = p + sb->hdr->off_sched;
	sb->persist = (struct sb_persist *)(void *)(p +
	    sb->hdr->off_persist);
	sb->exchanges = (struct sb_exchange *)(void *)(p +
	    sb->hdr->off_exchanges);
	return sb;
}

static void
init_slots(struct sb *sb)
{
	for (unsigned i = 0; i < sb->hdr->nworkers; i++) {
		atomic_init(&sb->workers[i].state, WS_DEAD);
		atomic_init(&sb->workers[i].server, -1);
		atomic_init(&sb->workers[i].last_server, -1);
		atomic_init(&sb->workers[i].service, -1);
	}
}

struct sb *
sb_create(unsigned nworkers, unsigned inflight, unsigned sched_bytes,
    const char *file)
{
	struct sb_header h;
	size_t size;
	void *base;
	int fd = -1, saved;

	if (sched_bytes < SB_SCHED_MIN)
		sched_bytes = SB_SCHED_MIN;
	memset(&h, 0, sizeof(h));
	size = carve(&h, nworkers, inflight, SB_MAX_SERVICES, SB_MAX_SERVERS,
	    sched_bytes);
	if (file != NULL) {
		(void)unlink(file);
		fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd == -1)
			return NULL;
		if (ftruncate(fd, (off_t)size) == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			return NULL;
		}
		base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);
		saved = errno;
		close(fd);
		errno = saved;
	} else
		base = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	/*
	 * Fresh (anonymous, or a file just created and truncated), hence
	 * zero: no memset, so a page costs memory only once it is written
	 * (the persistence tables, the server and exchange slots in use).
	 */
	memcpy(base, &h, sizeof(h));
	((struct sb_header *)base)->magic = SB_MAGIC;
	((struct sb_header *)base)->version = SB_VERSION;
	atomic_store(&((struct sb_header *)base)->start_ms, util_wall_ms());
	atomic_store(&((struct sb_header *)base)->master_pid, getpid());
	{
		struct sb *sb = view(base, size);

		init_slots(sb);
		return sb;
	}
}

struct sb *
sb_open_readonly(const char *file)
{
	return sb_open_file(file, 0);
}

struct sb *
sb_open_file(const char *file, int writable)
{
	struct sb_header h;
	struct stat st;
	void *base;
	int fd;

	if ((fd = open(file, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC)) ==
	    -1)
		return NULL;
	if (fstat(fd, &st) == -1 || (size_t)st.st_size < sizeof(h) ||
	    pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    h.magic != SB_MAGIC || h.version != SB_VERSION ||
	    h.size != (uint64_t)st.st_size) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	base = mmap(NULL, h.size, PROT_READ | (writable ? PROT_WRITE : 0),
	    MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED)
		return NULL;
	return view(base, h.size);
}

void
sb_destroy(struct sb *sb)
{
	if (sb == NULL)
		return;
	munmap(sb->hdr, sb->size);
	free(sb);
}

/* no free slot below the high-water mark *used: the next one, or -1 */
static int
next_slot(_Atomic uint32_t *used, unsigned n)
{
	uint32_t hw = atomic_load(used);

	if (hw >= n)
		return -1;
	atomic_store(used, hw + 1);
	return (int)hw;
}

static int
find_service(struct sb *sb, const char *ident)
{
	unsigned used = atomic_load(&sb->hdr->services_used);
	int freeslot = -1;

	for (unsigned i = 0; i < used; i++) {
		struct sb_service *ss = &sb->services[i];

		if (atomic_load(&ss->in_use) &&
		    strcmp(ss->ident, ident) == 0)
			return (int)i;
		if (freeslot == -1 && !atomic_load(&ss->in_use))
			freeslot = (int)i;
	}
	if (freeslot == -1 && (freeslot = next_slot(&sb->hdr->services_used,
	    sb->hdr->nservices)) == -1)
		return -1;
	{
		struct sb_service *ss = &sb->services[freeslot];

		memset(ss, 0, sizeof(*ss));
		util_strlcpy(ss->ident, ident, sizeof(ss->ident));
		memset(sb_sched(sb, (unsigned)freeslot), 0,
		    sb->hdr->sched_bytes);
		atomic_store(&ss->in_use, 1);
	}
	return freeslot;
}

/* a service whose scheduler changed starts with clean shared state */
static void
set_sched(struct sb *sb, const struct service *svc)
{
	struct sb_service *ss = &sb->services[svc->sb_index];
	char name[sizeof(ss->sched)];

	sched_state_name(svc, name, sizeof(name));
	if (strncmp(ss->sched, name, sizeof(ss->sched)) == 0)
		return;
	memset(sb_sched(sb, (unsigned)svc->sb_index), 0,
	    sb->hdr->sched_bytes);
	util_strlcpy(ss->sched, name, sizeof(ss->sched));
}

static void
server_key(const struct service *svc, const struct realserver *rs, char *key,
    size_t len)
{
	snprintf(key, len, "%s/%s", svc->ident, rs->addrstr);
}

static int
find_server(struct sb *sb, const char *key)
{
	unsigned used = atomic_load(&sb->hdr->servers_used);
	int freeslot = -1;

	for (unsigned i = 0; i < used; i++) {
		struct sb_server *s = &sb->servers[i];

		if (atomic_load(&s->in_use) && strcmp(s->key, key) == 0)
			return (int)i;
		if (freeslot == -1 && !atomic_load(&s->in_use))
			freeslot = (int)i;
	}
	if (freeslot == -1 && (freeslot = next_slot(&sb->hdr->servers_used,
	    sb->hdr->nservers)) == -1)
		return -1;
	{
		struct sb_server *s = &sb->servers[freeslot];

		memset(s, 0, sizeof(*s));
		util_strlcpy(s->key, key, sizeof(s->key));
		atomic_store(&s->health, RS_HEALTH_UNKNOWN);
		atomic_store(&s->admin, RS_ADMIN_ACTIVE);
		atomic_store(&s->in_use, 1);
	}
	return freeslot;
}

/*
 * What tcpvsadm set (sb_server.overrides) survives a reload; the rest
 * comes from the file.  An override equal to the new file's value is one
 * no longer.
 */
static uint32_t
keep_overrides(struct sb_server *s, const struct realserver *rs)
{
	uint32_t ovr = atomic_load(&s->overrides);

	if ((ovr & RS_OVR_WEIGHT) && atomic_load(&s->conf_weight) ==
	    rs->weight)
		ovr &= ~(uint32_t)RS_OVR_WEIGHT;
	if ((ovr & RS_OVR_ADMIN) && atomic_load(&s->admin) == rs->admin)
		ovr &= ~(uint32_t)RS_OVR_ADMIN;
	atomic_store(&s->overrides, ovr);
	if (!(ovr & RS_OVR_ADMIN))
		atomic_store(&s->admin, rs->admin);
	return ovr;
}

/*
 * The configured weight, unless tcpvsadm set one; a server in slowstart
 * goes on ramping (the health checker sets its weight).  Nothing would
 * bring an unchecked server back up: it is no longer down.
 */
static void
attach_server(struct sb_server *s, const struct realserver *rs)
{
	int checked = rs->check.probe != NULL;

	atomic_store(&s->checked, (uint32_t)checked);
	if (!(keep_overrides(s, rs) & RS_OVR_WEIGHT)) {
		atomic_store(&s->conf_weight, rs->weight);
		if (!checked || atomic_load(&s->ramp_ms) == 0) {
			atomic_store(&s->ramp_ms, 0);
			atomic_store(&s->weight, rs->weight);
		}
	}
	if (!checked && atomic_load(&s->health) != RS_HEALTH_UNKNOWN) {
		atomic_store(&s->health, RS_HEALTH_UNKNOWN);
		atomic_store(&s->fails, 0);
		atomic_store(&s->check_oks, 0);
		atomic_store(&s->check_fails, 0);
		atomic_store(&s->change_ms, util_wall_ms());
	}
}

int
sb_attach(struct sb *sb, struct generation *gen, char *err, size_t errlen)
{
	char key[sizeof(((struct sb_server *)0)->key)];

	if (gen->inflightlimit > sb->hdr->inflight) {
		snprintf(err, errlen, "inflightlimit (%u) is greater than the "
		    "running scoreboard's (%u): stop and start tcpvsd to "
		    "raise it", gen->inflightlimit, sb->hdr->inflight);
		return -1;
	}
	for (unsigned i = 0; i < gen->nsvc; i++) {
		struct service *svc = &gen->svc[i];

		if (svc->sched_shm > sb->hdr->sched_bytes) {
			snprintf(err, errlen, "virtual %s: scheduler needs %zu "
			    "shared bytes, the scoreboard has %u (stop "
			    "tcpvsd, then start it)", svc->ident, svc->sched_shm,
			    sb->hdr->sched_bytes);
			return -1;
		}
		if ((svc->sb_index = find_service(sb, svc->ident)) == -1) {
			snprintf(err, errlen, "virtual %s: scoreboard service "
			    "table full (%u slots)", svc->ident,
			    sb->hdr->nservices);
			return -1;
		}
		set_sched(sb, svc);
		for (unsigned j = 0; j < svc->nrs; j++) {
			struct realserver *rs = &svc->rs[j];

			server_key(svc, rs, key, sizeof(key));
			if ((rs->sb_index = find_server(sb, key)) == -1) {
				snprintf(err, errlen, "virtual %s: server %s: "
				    "scoreboard server table full (%u slots)",
				    svc->ident, rs->name, sb->hdr->nservers);
				return -1;
			}
			attach_server(&sb->servers[rs->sb_index], rs);
		}
	}
	return 0;
}

static int
gen_uses_server(const struct generation *gen, int slot)
{
	if (gen == NULL)
		return 0;
	for (unsigned i = 0; i < gen->nsvc; i++)
		for (unsigned j = 0; j < gen->svc[i].nrs; j++)
			if (gen->svc[i].rs[j].sb_index == slot)
				return 1;
	return 0;
}

static int
gen_uses_service(const struct generation *gen, int slot)
{
	if (gen == NULL)
		return 0;
	for (unsigned i = 0; i < gen->nsvc; i++)
		if (gen->svc[i].sb_index == slot)
			return 1;
	return 0;
}

void
sb_detach(struct sb *sb, const struct generation *gone,
    const struct generation *kept)
{
	for (unsigned i = 0; i < gone->nsvc; i++) {
		const struct service *svc = &gone->svc[i];

		for (unsigned j = 0; j < svc->nrs; j++) {
			int slot = svc->rs[j].sb_index;

			if (slot >= 0 && !gen_uses_server(kept, slot))
				atomic_store(&sb->servers[slot].in_use, 0);
		}
		if (svc->sb_index >= 0 && !gen_uses_service(kept,
		    svc->sb_index))
			atomic_store(&sb->services[svc->sb_index].in_use, 0);
	}
}

int
sb_worker_alloc(struct sb *sb)
{
	for (unsigned i = 0; i < sb->hdr->nworkers; i++) {
		struct sb_worker *ws = &sb->workers[i];

		if (atomic_load(&ws->pid) == 0 &&
		    atomic_load(&ws->state) == WS_DEAD) {
			/* keep nothing of the previous occupant */
			memset(ws, 0, sizeof(*ws));
			atomic_store(&ws->server, -1);
			atomic_store(&ws->last_server, -1);
			atomic_store(&ws->service, -1);
			atomic_store(&ws->state, WS_STARTING);
			atomic_store(&ws->state_ms, util_wall_ms());
			return (int)i;
		}
	}
	return -1;
}

/* decrement, never below zero (a kill between two steps errs low) */
static void
dec_floor(_Atomic uint32_t *v)
{
	uint32_t cur = atomic_load_explicit(v, memory_order_relaxed);

	while (cur > 0 && !atomic_compare_exchange_weak(v, &cur, cur - 1))
		;
}

/* give back the server count an exchange or a worker holds */
static void
give_back(struct sb *sb, _Atomic int32_t *server)
{
	int32_t s = atomic_exchange(server, -1);

	if (s >= 0 && (unsigned)s < sb->hdr->nservers)
		dec_floor(&sb->servers[s].active);
}

/* master: end every exchange of a dead worker (see set_state) */
static void
repair_exchanges(struct sb *sb, unsigned slot)
{
	struct sb_worker *ws = &sb->workers[slot];
	uint32_t counted = 0;

	for (unsigned i = 0; i < XS__COUNT; i++)
		counted += atomic_load(&ws->xstates[i]);
	for (unsigned i = 0; counted > 0 && i < sb->hdr->inflight; i++) {
		struct sb_exchange *x = sb_exchange(sb, slot, i);

		if (atomic_load(&x->state) == XS_FREE)
			continue;
		give_back(sb, &x->server);
		atomic_store_explicit(&x->state, XS_FREE,
		    memory_order_release);
	}
	for (unsigned i = 0; i < XS__COUNT; i++)
		atomic_store(&ws->xstates[i], 0);
	atomic_store(&ws->parked, 0);
	atomic_store(&ws->queued, 0);
}

void
sb_worker_repair(struct sb *sb, unsigned slot)
{
	struct sb_worker *ws = &sb->workers[slot];

	give_back(sb, &ws->server);
	repair_exchanges(sb, slot);
	for (unsigned i = 0; i < CONF_MAX_SERVERS; i++) {
		uint32_t n = atomic_exchange(&ws->idle[i].n, 0);
		int32_t s = atomic_load(&ws->idle[i].server);

		while (n-- > 0 && s >= 0 && (unsigned)s < sb->hdr->nservers)
			dec_floor(&sb->servers[s].inactive);
	}
	atomic_store(&ws->retiring, 0);
	atomic_store(&ws->pid, 0);
	atomic_store_explicit(&ws->state, WS_DEAD, memory_order_release);
	atomic_store(&ws->state_ms, util_wall_ms());
}

void
sb_worker_state(struct sb_worker *ws, enum ws_state st)
{
	atomic_store_explicit(&ws->state, st, memory_order_release);
	atomic_store_explicit(&ws->state_ms, util_wall_ms(),
	    memory_order_relaxed);
}

void
sb_server_hold(struct sb *sb, struct sb_worker *ws, int server)
{
	struct sb_server *s = &sb->servers[server];

	sb_server_release(sb, ws);
	/* slot first: a worker killed between the two steps errs low */
	atomic_store(&ws->server, server);
	atomic_fetch_add(&s->active, 1);
}

void
sb_server_connected(struct sb *sb, int server)
{
	atomic_fetch_add_explicit(&sb->servers[server].conns, 1,
	    memory_order_relaxed);
}

void
sb_server_release(struct sb *sb, struct sb_worker *ws)
{
	int32_t s = atomic_load(&ws->server);

	if (s < 0)
		return;
	dec_floor(&sb->servers[s].active);
	atomic_store(&ws->server, -1);
}

/*
 * The new state counted in before the slot changes, the old one out
 * after: a worker killed at any step leaves counts that add up to at
 * least its slots in use, so the repair may skip a worker that counts
 * none without reading (and faulting in) its slots.
 */
static void
set_state(struct sb_worker *ws, struct sb_exchange *x, enum xs_state st)
{
	enum xs_state from = (enum xs_state)atomic_load_explicit(&x->state,
	    memory_order_relaxed);

	if (st != XS_FREE)
		atomic_fetch_add(&ws->xstates[st], 1);
	atomic_store_explicit(&x->state, st, memory_order_release);
	atomic_store_explicit(&x->state_ms, util_wall_ms(),
	    memory_order_relaxed);
	if (from != XS_FREE && (unsigned)from < XS__COUNT)
		dec_floor(&ws->xstates[from]);
}

void
sb_exchange_begin(struct sb_worker *ws, struct sb_exchange *x,
    const struct sockaddr_storage *client)
{
	/* before the state: a FREE slot's server means nothing */
	atomic_store_explicit(&x->server, -1, memory_order_relaxed);
	if (client != NULL)
		memcpy(&x->client, client, sizeof(x->client));
	else
		memset(&x->client, 0, sizeof(x->client));
	x->request[0] = '\0';
	set_state(ws, x, XS_READING);
}

void
sb_exchange_state(struct sb_worker *ws, struct sb_exchange *x,
    enum xs_state st)
{
	set_state(ws, x, st);
}

void
sb_exchange_request(struct sb_exchange *x, const char *line, size_t len)
{
	if (len >= sizeof(x->request))
		len = sizeof(x->request) - 1;
	memcpy(x->request, line, len);
	x->request[len] = '\0';
}

void
sb_exchange_hold(struct sb *sb, struct sb_exchange *x, int server)
{
	sb_exchange_release(sb, x);
	/* slot first: a worker killed between the two steps errs low */
	atomic_store(&x->server, server);
	atomic_fetch_add(&sb->servers[server].active, 1);
}

void
sb_exchange_release(struct sb *sb, struct sb_exchange *x)
{
	/* a load first: nothing written when nothing is held */
	if (atomic_load_explicit(&x->server, memory_order_relaxed) < 0)
		return;
	give_back(sb, &x->server);
}

void
sb_exchange_end(struct sb *sb, struct sb_worker *ws, struct sb_exchange *x)
{
	sb_exchange_release(sb, x);
	set_state(ws, x, XS_FREE);
}

const char *
sb_server_addr(const struct sb *sb, int server)
{
	const char *slash = server >= 0 && (unsigned)server <
	    sb->hdr->nservers ? strchr(sb->servers[server].key, '/') : NULL;

	return slash != NULL ? slash + 1 : "-";
}

void
sb_server_idle(struct sb *sb, struct sb_worker *ws, int server, int delta)
{
	unsigned i, free_i = CONF_MAX_SERVERS;

	for (i = 0; i < CONF_MAX_SERVERS; i++) {
		if (atomic_load_explicit(&ws->idle[i].n,
		    memory_order_relaxed) == 0) {
			if (free_i == CONF_MAX_SERVERS)
				free_i = i;
		} else if (atomic_load_explicit(&ws->idle[i].server,
		    memory_order_relaxed) == server)
			break;
	}
	if (i == CONF_MAX_SERVERS) {
		if (delta < 0 || free_i == CONF_MAX_SERVERS)
			return;		/* never counted */
		i = free_i;
		atomic_store(&ws->idle[i].server, server);
	}
	/* slot first on the way up, last on the way down: a worker
	   killed between the two steps errs low */
	if (delta > 0) {
		atomic_fetch_add(&ws->idle[i].n, 1);
		atomic_fetch_add(&sb->servers[server].inactive, 1);
	} else {
		dec_floor(&sb->servers[server].inactive);
		atomic_fetch_sub(&ws->idle[i].n, 1);
	}
}

int
sb_server_available(const struct sb_server *s)
{
	return atomic_load_explicit(&s->in_use, memory_order_relaxed) &&
	    atomic_load_explicit(&s->weight, memory_order_relaxed) > 0 &&
	    atomic_load_explicit(&s->health, memory_order_relaxed) !=
	    RS_HEALTH_DOWN &&
	    atomic_load_explicit(&s->admin, memory_order_relaxed) ==
	    RS_ADMIN_ACTIVE;
}

unsigned
sb_server_report_fail(struct sb *sb, int server, unsigned fall)
{
	struct sb_server *s = &sb->servers[server];
	unsigned n = atomic_fetch_add(&s->fails, 1) + 1;
	int32_t h;

	if (fall == 0 || n < fall || !atomic_load(&s->checked))
		return n;
	h = atomic_load(&s->health);
	while (h != RS_HEALTH_DOWN)
		if (atomic_compare_exchange_weak(&s->health, &h,
		    RS_HEALTH_DOWN)) {
			atomic_store(&s->change_ms, util_wall_ms());
			break;
		}
	return n;
}

unsigned
sb_server_report_ok(struct sb *sb, int server)
{
	struct sb_server *s = &sb->servers[server];

	/* a load first: no cache-line write on every request */
	if (atomic_load_explicit(&s->fails, memory_order_relaxed) == 0)
		return 0;
	return atomic_exchange(&s->fails, 0);
}
