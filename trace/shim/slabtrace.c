/*
 * slabtrace: an LD_PRELOAD malloc recorder writing slabcheck's trace format
 * (trace/format.ts), one line per event, in one global order:
 *   <tid> m <size> <ptr> | <tid> c <nmemb> <size> <ptr> | <tid> r <old> <size> <new>
 *   <tid> a <align> <size> <ptr> | <tid> f <ptr>
 * Order rules: an allocation is logged after the real call returns, a free before the
 * real free, a realloc under the lock together with its line; so a replay never sees a
 * live pointer handed out twice.
 *
 * Environment: SLABTRACE_OUT (the file; unset = record nothing), SLABTRACE_MAX (stop
 * after N events), SLABTRACE_PARENT (the recorder's pid: the process it started writes
 * SLABTRACE_OUT, any other process that loads the shim — an exec'd child — writes
 * SLABTRACE_OUT.<pid>).
 *
 * - Thread-safe: one mutex orders the lines; tids are dense per process (0 = first seen).
 * - Fork-safe: the lock is taken across fork; the child stops tracing (it inherits the
 *   parent's live pointers, so its frees would name pointers its own trace never saw).
 *   A child that execs loads the shim afresh and writes its own file.
 * - No recursion: the real allocator is glibc's __libc_* entry points (no dlsym), the
 *   shim formats lines itself (no stdio) and a per-thread flag ignores nested calls.
 * - Bounded buffer: 64 KB, written out with write(2) when full and at exit.
 * - Lazy open: the file is created at the first flush.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);

#define TLS __thread __attribute__((tls_model("initial-exec")))
#define BUF_BYTES (64 * 1024)
#define LINE_MAX_BYTES 96

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char buf[BUF_BYTES];
static size_t used;
static int fd = -1;
static int enabled;        /* logging: SLABTRACE_OUT set, under --max, not closed */
static int owner;          /* this process writes the buffer out (not a forked child, no write error) */
static long long events;
static long long max_events = -1;
static char path[4096];
static int next_tid;
static int generation;     /* bumped in a forked child: every thread's tid is stale */

static TLS int my_tid = -1;
static TLS int my_generation;
static TLS int busy;

static void append_str(char **p, const char *s) { while (*s) *(*p)++ = *s++; }

static void append_dec(char **p, unsigned long long v) {
  char tmp[24];
  int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v != 0);
  while (n > 0) *(*p)++ = tmp[--n];
}

static void append_hex(char **p, uintptr_t v) {
  char tmp[20];
  int n = 0;
  do { tmp[n++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v != 0);
  while (n > 0) *(*p)++ = tmp[--n];
}

static void flush_locked(void) {
  if (used == 0) return;
  if (fd < 0) {
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) { enabled = owner = 0; used = 0; return; }
  }
  size_t off = 0;
  while (off < used) {
    ssize_t n = write(fd, buf + off, used - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) { enabled = owner = 0; break; }
    off += (size_t)n;
  }
  used = 0;
}

/* Under the lock: the caller's dense tid, assigned on its first event. */
static int tid_locked(void) {
  if (my_tid < 0 || my_generation != generation) {
    my_tid = next_tid++;
    my_generation = generation;
  }
  return my_tid;
}

/* One line under the lock: op, then `count` numbers; bit i of `hex` prints number i in hex. */
static void log_locked(char op, int count, const unsigned long long *vals, unsigned hex) {
  if (!enabled) return;
  if (max_events >= 0 && events >= max_events) { enabled = 0; return; }
  if (used + LINE_MAX_BYTES > BUF_BYTES) flush_locked();
  char *p = buf + used;
  append_dec(&p, (unsigned long long)tid_locked());
  *p++ = ' ';
  *p++ = op;
  for (int i = 0; i < count; i++) {
    *p++ = ' ';
    if (hex & (1u << i)) append_hex(&p, (uintptr_t)vals[i]);
    else append_dec(&p, vals[i]);
  }
  *p++ = '\n';
  used = (size_t)(p - buf);
  events++;
}

static void log_event(char op, int count, unsigned long long a, unsigned long long b, unsigned long long c, unsigned hex) {
  if (!enabled || busy) return;
  busy = 1;
  unsigned long long vals[3] = { a, b, c };
  pthread_mutex_lock(&lock);
  log_locked(op, count, vals, hex);
  pthread_mutex_unlock(&lock);
  busy = 0;
}

static void before_fork(void) { pthread_mutex_lock(&lock); }
static void after_fork_parent(void) { pthread_mutex_unlock(&lock); }
static void after_fork_child(void) {
  pthread_mutex_init(&lock, NULL);
  enabled = owner = 0; /* the parent writes what the buffer holds */
  used = 0;
  generation++;
}

__attribute__((constructor)) static void slabtrace_init(void) {
  const char *out = getenv("SLABTRACE_OUT");
  if (out == NULL || *out == '\0' || strlen(out) + 24 > sizeof path) return;
  char *p = path;
  append_str(&p, out);
  const char *parent = getenv("SLABTRACE_PARENT");
  if (parent == NULL || strtol(parent, NULL, 10) != (long)getppid()) {
    *p++ = '.';
    append_dec(&p, (unsigned long long)getpid());
  }
  *p = '\0';
  const char *max = getenv("SLABTRACE_MAX");
  if (max != NULL && *max != '\0') max_events = strtoll(max, NULL, 10);
  pthread_atfork(before_fork, after_fork_parent, after_fork_child);
  enabled = owner = 1;
}

__attribute__((destructor)) static void slabtrace_fini(void) {
  pthread_mutex_lock(&lock);
  if (owner) flush_locked();
  enabled = owner = 0;
  if (fd >= 0) close(fd);
  fd = -1;
  pthread_mutex_unlock(&lock);
}

void *malloc(size_t size) {
  void *r = __libc_malloc(size);
  log_event('m', 2, size, (uintptr_t)r, 0, 2);
  return r;
}

void *calloc(size_t nmemb, size_t size) {
  void *r = __libc_calloc(nmemb, size);
  log_event('c', 3, nmemb, size, (uintptr_t)r, 4);
  return r;
}

void free(void *ptr) {
  if (ptr != NULL) log_event('f', 1, (uintptr_t)ptr, 0, 0, 1);
  __libc_free(ptr);
}

/* glibc: realloc(p, 0) frees p and returns NULL; a failed realloc leaves p live. */
void *realloc(void *ptr, size_t size) {
  if (!enabled || busy) return __libc_realloc(ptr, size);
  busy = 1;
  pthread_mutex_lock(&lock);
  void *r = __libc_realloc(ptr, size);
  unsigned long long vals[3] = { (uintptr_t)ptr, size, (uintptr_t)r };
  log_locked('r', 3, vals, 5);
  pthread_mutex_unlock(&lock);
  busy = 0;
  return r;
}

static void *aligned(size_t align, size_t size, void *r) {
  log_event('a', 3, align, size, (uintptr_t)r, 4);
  return r;
}

void *memalign(size_t align, size_t size) { return aligned(align, size, __libc_memalign(align, size)); }
void *aligned_alloc(size_t align, size_t size) { return aligned(align, size, __libc_memalign(align, size)); }
void *valloc(size_t size) { return aligned((size_t)sysconf(_SC_PAGESIZE), size, __libc_valloc(size)); }
void *pvalloc(size_t size) { return aligned((size_t)sysconf(_SC_PAGESIZE), size, __libc_pvalloc(size)); }

int posix_memalign(void **out, size_t align, size_t size) {
  if (align < sizeof(void *) || (align & (align - 1)) != 0) return EINVAL;
  void *r = aligned(align, size, __libc_memalign(align, size));
  if (r == NULL) return ENOMEM;
  *out = r;
  return 0;
}
