/*
 * The recorder's self-test program (test/trace-record.test.ts runs it under the shim):
 * THREADS threads allocate with every traced call (malloc, calloc, realloc — growing,
 * shrinking, to 0 —, posix_memalign, aligned_alloc, memalign, valloc) and hand every
 * fourth block to the next thread through a locked ring, which frees it (cross-thread
 * frees); meanwhile the main thread forks twice: a child that allocates and exits (its
 * events must not appear in the parent's trace: size CHILD_SIZE marks them) and one that
 * execs this program with "child", which traces into its own file.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 4
#define ROUNDS 3000
#define RING 64
#define CHILD_SIZE 123457

static void *ring[THREADS][RING];
static int head[THREADS], tail[THREADS];
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static void *volatile sink; /* keeps the compiler from eliding a malloc/free pair */

static void churn(void) {
  for (int i = 0; i < 100; i++) {
    sink = malloc(CHILD_SIZE);
    free(sink);
  }
}

static void give(int to, void *p) {
  pthread_mutex_lock(&ring_lock);
  if (head[to] - tail[to] < RING) {
    ring[to][head[to]++ % RING] = p;
    p = NULL;
  }
  pthread_mutex_unlock(&ring_lock);
  free(p); /* the ring is full: free it here */
}

static void *take(int self) {
  void *p = NULL;
  pthread_mutex_lock(&ring_lock);
  if (tail[self] < head[self]) p = ring[self][tail[self]++ % RING];
  pthread_mutex_unlock(&ring_lock);
  return p;
}

static void *worker(void *arg) {
  int self = (int)(long)arg;
  unsigned x = 12345u + (unsigned)self;
  void *held[8] = { 0 };
  for (int i = 0; i < ROUNDS; i++) {
    x = x * 1103515245u + 12345u;
    int k = (int)((x >> 8) % 8);
    size_t size = 1 + (x >> 12) % 3000;
    void *p = NULL;
    switch (i % 8) {
      case 0: p = calloc(1 + size % 7, 16); break;
      case 1: if (posix_memalign(&p, 64, size) != 0) p = NULL; break;
      case 2: p = aligned_alloc(32, 64); break;
      case 3: p = memalign(128, size); break;
      case 4: p = realloc(NULL, size); break;
      default: p = malloc(size); break;
    }
    if (held[k] != NULL) {
      if (i % 5 == 0) held[k] = realloc(held[k], size * 2);
      else if (i % 7 == 0) held[k] = realloc(held[k], size / 4 + 1);
      if (i % 4 == 0) give((self + 1) % THREADS, held[k]);
      else free(held[k]);
    }
    held[k] = p;
    void *q;
    while ((q = take(self)) != NULL) free(q);
  }
  for (int k = 0; k < 8; k++) {
    if (held[k] != NULL) held[k] = realloc(held[k], 0); /* glibc: frees, returns NULL */
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) {
    churn();
    return 0;
  }
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)(long)i);
  pid_t child = fork();
  if (child == 0) {
    churn();
    exit(0); /* exit, not _exit: the shim's destructor runs and must not write */
  }
  sink = valloc(100);
  free(sink);
  pid_t execd = fork();
  if (execd == 0) {
    execl("/proc/self/exe", argv[0], "child", (char *)NULL);
    _exit(127);
  }
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  int s1 = 0, s2 = 0;
  waitpid(child, &s1, 0);
  waitpid(execd, &s2, 0);
  while (head[0] + head[1] + head[2] + head[3] > tail[0] + tail[1] + tail[2] + tail[3]) {
    for (int i = 0; i < THREADS; i++) free(take(i));
  }
  printf("selftest ok\n");
  return WIFEXITED(s1) && WEXITSTATUS(s1) == 0 && WIFEXITED(s2) && WEXITSTATUS(s2) == 0 ? 0 : 1;
}
