/*
 * The benchmark workloads against the system allocator (glibc malloc), for `npm run bench`
 * to compare with the model on the same work: the same generator (splitmix32, as
 * harness/rng.ts), the same loops as harness/workloads/*.ts. Prints one JSON object.
 *
 *   workloads random-mixed ITERS WS SEED
 *   workloads larson THREADS CHUNKS LIFETIMES MIN MAX SEED
 *   workloads xmalloc PAIRS OBJS SIZE SEED
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { uint32_t state; } rng_t;

static uint32_t next(rng_t *r) {
  r->state += 0x9e3779b9u;
  uint32_t z = r->state;
  z = (z ^ (z >> 16)) * 0x85ebca6bu;
  z = (z ^ (z >> 13)) * 0xc2b2ae35u;
  return z ^ (z >> 16);
}

static uint32_t below(rng_t *r, uint32_t n) { return next(r) % n; }

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void fail(const char *what) {
  fprintf(stderr, "workloads: %s\n", what);
  exit(2);
}

/* ------------------------------------------------------------ random-mixed */

static int random_mixed(long iters, long ws, uint32_t seed) {
  void **slots = calloc(ws, sizeof(void *));
  rng_t r = {seed};
  long ops = 0;
  double t0 = now();
  for (long i = 0; i < iters; i++) {
    long k = below(&r, ws);
    if (slots[k]) {
      free(slots[k]);
      slots[k] = NULL;
    } else {
      slots[k] = malloc(16 + below(&r, 1025));
      if (!slots[k]) fail("malloc failed");
      *(volatile char *)slots[k] = 1;
    }
    ops++;
  }
  for (long k = 0; k < ws; k++) if (slots[k]) { free(slots[k]); ops++; }
  double s = now() - t0;
  printf("{\"workload\":\"random-mixed\",\"ops\":%ld,\"seconds\":%.6f,\"opsPerSec\":%.0f}\n", ops, s, ops / s);
  free(slots);
  return 0;
}

/* ------------------------------------------------------------ larson */

typedef struct {
  void **blocks;
  long chunks, lifetimes, done, min, max;
  rng_t r;
  long ops;
} slot_t;

static void *larson_lifetime(void *arg) {
  slot_t *s = arg;
  for (long i = 0; i < s->chunks; i++) {
    long victim = below(&s->r, s->chunks);
    free(s->blocks[victim]);
    s->blocks[victim] = malloc(s->min + (s->max > s->min ? below(&s->r, s->max - s->min) : 0));
    if (!s->blocks[victim]) fail("malloc failed");
    *(volatile char *)s->blocks[victim] = 'a';
    s->ops += 2;
  }
  return NULL;
}

/* Each slot's thread runs one lifetime and is replaced by a new thread (larson's respawn). */
static void *larson_slot(void *arg) {
  slot_t *s = arg;
  for (; s->done < s->lifetimes; s->done++) {
    pthread_t t;
    if (pthread_create(&t, NULL, larson_lifetime, s)) fail("pthread_create");
    pthread_join(t, NULL);
  }
  return NULL;
}

static int larson(int threads, long chunks, long lifetimes, long min, long max, uint32_t seed) {
  long n = threads * chunks;
  void **blocks = malloc(n * sizeof(void *));
  rng_t r = {seed};
  for (long i = 0; i < n; i++) blocks[i] = malloc(min + (max > min ? below(&r, max - min) : 0));
  slot_t *slots = calloc(threads, sizeof(slot_t));
  pthread_t *ts = calloc(threads, sizeof(pthread_t));
  double t0 = now();
  for (int i = 0; i < threads; i++) {
    slots[i] = (slot_t){blocks + i * chunks, chunks, lifetimes, 0, min, max, {seed + 1 + i}, 0};
    if (pthread_create(&ts[i], NULL, larson_slot, &slots[i])) fail("pthread_create");
  }
  long ops = 0;
  for (int i = 0; i < threads; i++) { pthread_join(ts[i], NULL); ops += slots[i].ops; }
  double s = now() - t0;
  for (long i = 0; i < n; i++) free(blocks[i]);
  printf("{\"workload\":\"larson\",\"threads\":%d,\"ops\":%ld,\"seconds\":%.6f,\"opsPerSec\":%.0f}\n", threads, ops, s, ops / s);
  free(blocks); free(slots); free(ts);
  return 0;
}

/* ------------------------------------------------------------ xmalloc */

#define RING 1024
typedef struct {
  void *slots[RING];
  _Atomic long head, tail;
  long objs, size;
  rng_t r;
} ring_t;

static void *producer(void *arg) {
  ring_t *q = arg;
  for (long i = 0; i < q->objs; i++) {
    long tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    while (tail - atomic_load_explicit(&q->head, memory_order_acquire) == RING) ; /* full */
    q->slots[tail % RING] = malloc(1 + below(&q->r, q->size - 1));
    if (!q->slots[tail % RING]) fail("malloc failed");
    atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
  }
  return NULL;
}

static void *consumer(void *arg) {
  ring_t *q = arg;
  for (long i = 0; i < q->objs; i++) {
    long head = atomic_load_explicit(&q->head, memory_order_relaxed);
    while (atomic_load_explicit(&q->tail, memory_order_acquire) == head) ; /* empty */
    free(q->slots[head % RING]);
    atomic_store_explicit(&q->head, head + 1, memory_order_release);
  }
  return NULL;
}

static int xmalloc(int pairs, long objs, long size, uint32_t seed) {
  ring_t *rings = calloc(pairs, sizeof(ring_t));
  pthread_t *ts = calloc(2 * pairs, sizeof(pthread_t));
  double t0 = now();
  for (int p = 0; p < pairs; p++) {
    rings[p].objs = objs;
    rings[p].size = size;
    rings[p].r.state = seed + 2 * p;
    if (pthread_create(&ts[2 * p], NULL, producer, &rings[p]) || pthread_create(&ts[2 * p + 1], NULL, consumer, &rings[p])) fail("pthread_create");
  }
  for (int i = 0; i < 2 * pairs; i++) pthread_join(ts[i], NULL);
  double s = now() - t0;
  long ops = 2L * pairs * objs;
  printf("{\"workload\":\"xmalloc\",\"threads\":%d,\"ops\":%ld,\"seconds\":%.6f,\"opsPerSec\":%.0f}\n", 2 * pairs, ops, s, ops / s);
  free(rings); free(ts);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 5 && !strcmp(argv[1], "random-mixed")) return random_mixed(atol(argv[2]), atol(argv[3]), (uint32_t)atol(argv[4]));
  if (argc >= 8 && !strcmp(argv[1], "larson")) return larson(atoi(argv[2]), atol(argv[3]), atol(argv[4]), atol(argv[5]), atol(argv[6]), (uint32_t)atol(argv[7]));
  if (argc >= 6 && !strcmp(argv[1], "xmalloc")) return xmalloc(atoi(argv[2]), atol(argv[3]), atol(argv[4]), (uint32_t)atol(argv[5]));
  fail("usage: workloads random-mixed ITERS WS SEED | larson THREADS CHUNKS LIFETIMES MIN MAX SEED | xmalloc PAIRS OBJS SIZE SEED");
  return 2;
}
