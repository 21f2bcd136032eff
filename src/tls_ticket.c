/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Session ticket keys shared by a service's pool.  A ticket is encrypted
 * with keys the client cannot read; when every worker has the same keys a
 * ticket one worker issued resumes on any other.  The master maps them
 * once (MAP_SHARED, anonymous, a mapping of their own, never the
 * scoreboard, locked in memory and left out of core dumps) the first time
 * a context asks, before any worker is forked, so workers of every later
 * generation inherit the same mapping and reloads keep the keys.  It
 * rotates them on its tick every tls_ticket_rotate seconds into a ring of
 * three: the current key encrypts, the one before still decrypts (and
 * its tickets are renewed), the third is the one being written.  Workers
 * only read, in OpenSSL's ticket callback.
 */
#include "config.h"

#include <sys/mman.h>

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "conf-t.h"
#include "tls.h"
#include "util.h"

#define TICKET_KEYS	3	/* current, previous, being written */

struct ticket_key {
	unsigned char	 name[16];
	unsigned char	 aes[32];	/* AES-256-CBC */
	unsigned char	 hmac[32];	/* HMAC-SHA256 */
	uint32_t	 valid;
};

/* the shared mapping: written by the master only */
struct ticket_shm {
	_Atomic uint32_t	 cur;		/* key[cur % 3] encrypts */
	_Atomic int64_t		 rotated_ms;	/* monotonic */
	struct ticket_key	 key[TICKET_KEYS];
};

static struct ticket_shm *shm;

static int
make_key(struct ticket_key *k)
{
	if (RAND_bytes(k->name, sizeof(k->name)) != 1 ||
	    RAND_bytes(k->aes, sizeof(k->aes)) != 1 ||
	    RAND_bytes(k->hmac, sizeof(k->hmac)) != 1)
		return -1;
	k->valid = 1;
	return 0;
}

int
tls_ticket_init(void)
{
	void *p;

	if (shm != NULL)
		return 0;
	p = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	(void)madvise(p, sizeof(*shm), MADV_DONTDUMP);
	(void)mlock(p, sizeof(*shm));	/* never swapped, when allowed */
	shm = p;
	if (make_key(&shm->key[0]) == -1) {
		munmap(p, sizeof(*shm));
		shm = NULL;
		errno = EIO;
		return -1;
	}
	atomic_store(&shm->rotated_ms, util_now_ms());
	return 0;
}

void
tls_ticket_rotate_now(void)
{
	uint32_t cur;
	struct ticket_key *k;

	if (shm == NULL)
		return;
	cur = atomic_load_explicit(&shm->cur, memory_order_relaxed);
	k = &shm->key[(cur + 1) % TICKET_KEYS];
	k->valid = 0;
	atomic_thread_fence(memory_order_release);
	if (make_key(k) == -1)
		return;		/* the current one stays */
	atomic_store_explicit(&shm->cur, cur + 1, memory_order_release);
	atomic_store(&shm->rotated_ms, util_now_ms());
}

void
tls_ticket_tick(const struct generation *gen, int64_t now_ms)
{
	if (shm == NULL || gen->tls_ticket_rotate == 0)
		return;
	if (now_ms - atomic_load(&shm->rotated_ms) >=
	    (int64_t)gen->tls_ticket_rotate * 1000)
		tls_ticket_rotate_now();
}

static int
mac_init(EVP_MAC_CTX *hctx, const struct ticket_key *k)
{
	OSSL_PARAM params[3];

	params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
	    (void *)(uintptr_t)k->hmac, sizeof(k->hmac));
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)(uintptr_t)"SHA256", 0);
	params[2] = OSSL_PARAM_construct_end();
	return EVP_MAC_CTX_set_params(hctx, params);
}

/*
 * OpenSSL's ticket key callback: encrypt with the current key; decrypt
 * with the key the ticket names if it is the current (1) or the previous
 * one (2: issue a fresh ticket), else 0: a full handshake.
 */
static int
ticket_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
    EVP_CIPHER_CTX *ectx, EVP_MAC_CTX *hctx, int enc)
{
	uint32_t cur = atomic_load_explicit(&shm->cur, memory_order_acquire);
	struct ticket_key k;

	(void)ssl;
	if (enc) {
		k = shm->key[cur % TICKET_KEYS];
		if (!k.valid || RAND_bytes(iv, 16) != 1)
			return -1;
		memcpy(name, k.name, sizeof(k.name));
		if (EVP_EncryptInit_ex(ectx, EVP_aes_256_cbc(), NULL, k.aes,
		    iv) != 1 || mac_init(hctx, &k) != 1)
			return -1;
		OPENSSL_cleanse(&k, sizeof(k));
		return 1;
	}
	for (uint32_t back = 0; back < TICKET_KEYS - 1 && back <= cur;
	    back++) {
		k = shm->key[(cur - back) % TICKET_KEYS];
		if (!k.valid || memcmp(name, k.name, sizeof(k.name)) != 0)
			continue;
		if (EVP_DecryptInit_ex(ectx, EVP_aes_256_cbc(), NULL, k.aes,
		    iv) != 1 || mac_init(hctx, &k) != 1)
			return -1;
		OPENSSL_cleanse(&k, sizeof(k));
		return back == 0 ? 1 : 2;
	}
	OPENSSL_cleanse(&k, sizeof(k));
	return 0;
}

int
tls_ticket_attach(struct ssl_ctx_st *ctx)
{
	if (tls_ticket_init() == -1)
		return -1;
	return SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb) == 1 ?
	    0 : -1;
}
