/* HDF5 files (legacy Keras .h5, model.weights.h5) read by libhdf5 in a
 * forked child. libhdf5 is not hardened against hostile files, so it
 * never runs in the scanning process: the child gets CPU, address-space,
 * file-size, descriptor and wall-clock limits, opens the bytes as an
 * in-memory file image (core driver, no copy), reads the root attributes
 * model_config and training_config, writes them to a pipe as records and
 * exits. The parent reads at most H5_MAX_OUT bytes, reaps the child and
 * judges the configs with brinei_keras_check_config.
 *
 * SPEC: HDF5 1.10 H5Pset_fapl_core, H5Pset_file_image_callbacks (the
 * H5LTopen_file_image H5LT_FILE_IMAGE_DONT_COPY idea, without hdf5_hl),
 * H5Aread of variable- and fixed-length strings; Keras
 * legacy_h5_format.py (root attributes model_config, training_config);
 * reference/formats.md §A8; reference/c-style.md (isolation).
 *
 * Record stream, child to parent: u8 tag, u32 little-endian length, bytes.
 * Tags: 'K' model_config exists; 'M' model_config text; 'T'
 * training_config text; 'E' an attribute is not a readable string; 'B' an
 * attribute is over the size limit; 'F' libhdf5 cannot open the file;
 * 'Z' end (the last record).
 *
 * The child allocates only through libhdf5 (its buffers go straight to
 * the pipe) and ends with _exit: no atexit handlers, no stdio flushes, no
 * state of the parent touched.
 */
#include "../internal.h"
#include "formats.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <dlfcn.h>

/* libhdf5 is loaded in the child only (dlopen): the parent never maps it,
   and brine's start does not pay for it and the libraries it pulls in. */
#ifndef BRINE_HDF5_SONAME
#define BRINE_HDF5_SONAME "libhdf5_serial.so.103"
#endif

#define H5_FUNCS(X) \
  X(H5Aexists) \
  X(H5Aget_space) \
  X(H5Aget_type) \
  X(H5Aopen) \
  X(H5Aread) \
  X(H5Eset_auto2) \
  X(H5Fopen) \
  X(H5Pcreate) \
  X(H5Pset_fapl_core) \
  X(H5Pset_file_image) \
  X(H5Pset_file_image_callbacks) \
  X(H5Sget_simple_extent_npoints) \
  X(H5Tcopy) \
  X(H5Tget_class) \
  X(H5Tget_cset) \
  X(H5Tget_size) \
  X(H5Tis_variable_str) \
  X(H5Tset_cset) \
  X(H5Tset_size) \
  X(H5allocate_memory) \
  X(H5free_memory) \
  X(H5open)

static struct {
#define X(f) __typeof__(&f) f;
  H5_FUNCS(X)
#undef X
  hid_t *c_s1, *fapl_cls;   /* H5T_C_S1_g, H5P_CLS_FILE_ACCESS_ID_g */
} L;

/* the two handles hdf5.h reaches through globals, after H5open() */
#undef H5T_C_S1
#define H5T_C_S1 (L.H5open(), *L.c_s1)
#undef H5P_FILE_ACCESS
#define H5P_FILE_ACCESS (L.H5open(), *L.fapl_cls)
#undef H5F_ACC_RDONLY
#define H5F_ACC_RDONLY (L.H5open(), 0x0000u)

static bool lib_load(void)
{
  void *h = dlopen(BRINE_HDF5_SONAME, RTLD_NOW | RTLD_LOCAL);
  if(!h)
    return false;
#define X(f)                                   \
  if(!(*(void **)&L.f = dlsym(h, #f)))         \
    return false;
  H5_FUNCS(X)
#undef X
  L.c_s1 = dlsym(h, "H5T_C_S1_g");
  L.fapl_cls = dlsym(h, "H5P_CLS_FILE_ACCESS_ID_g");
  return L.c_s1 && L.fapl_cls;
}


#define H5_MAX_OUT (64u << 20)   /* record bytes the parent accepts */
#define H5_MAX_ATTR (H5_MAX_OUT - 64u)
#define H5_GRACE_MS 5000         /* parent waits this long past the alarm */

/* Limits of the child. Tests lower the wall clock and make the child
   misbehave through brinei_h5_test_hook. */
static unsigned h5_wall_s = 20;          /* alarm() */
static unsigned h5_cpu_s = 10;           /* RLIMIT_CPU soft (hard + 1) */
static uint64_t h5_mem = 1ull << 30;     /* address space beyond the
                                            inherited mappings */
static int h5_test_mode;

enum {
  TM_NONE = 0,
  TM_SPIN = 1,      /* loop forever: the wall-clock/CPU limit */
  TM_CRASH = 2,     /* SIGSEGV */
  TM_HOG = 3,       /* allocate until the memory limit */
  TM_GARBAGE = 4,   /* malformed record stream */
  TM_EXIT = 5,      /* exit 3 without records */
};

/* Test hook (not in formats.h): make the next children misbehave (mode
   TM_*) and set the wall-clock limit; (0, 0) restores the defaults. */
void brinei_h5_test_hook(int mode, unsigned wall_s);
void brinei_h5_test_hook(int mode, unsigned wall_s)
{
  h5_test_mode = mode;
  h5_wall_s = wall_s ? wall_s : 20;
}

/* ---- the child -------------------------------------------------------- */

static bool write_all(int fd, const void *p, size_t n)
{
  const uint8_t *q = p;
  while(n) {
    ssize_t w = write(fd, q, n);
    if(w < 0 && errno == EINTR)
      continue;
    if(w <= 0)
      return false;
    q += w;
    n -= (size_t)w;
  }
  return true;
}

struct out {
  int fd;
  uint64_t left;     /* record bytes still allowed */
};

static void put(struct out *o, uint8_t tag, const void *p, size_t n)
{
  uint8_t h[5];
  if(n > H5_MAX_ATTR || 5 + (uint64_t)n > o->left)
    _exit(4);  /* the parent would refuse it anyway */
  o->left -= 5 + n;
  h[0] = tag;
  h[1] = (uint8_t)n;
  h[2] = (uint8_t)(n >> 8);
  h[3] = (uint8_t)(n >> 16);
  h[4] = (uint8_t)(n >> 24);
  if(!write_all(o->fd, h, 5) || (n && !write_all(o->fd, p, n)))
    _exit(5);
}

/* Whether n text bytes fit, keeping room for the messages and the end
   record after them. */
static bool fits(const struct out *o, size_t n)
{
  return n <= H5_MAX_ATTR && (uint64_t)n + 5 + 1024 <= o->left;
}

static void put_msg(struct out *o, uint8_t tag, const char *name,
                    const char *what)
{
  char m[160];
  int n = snprintf(m, sizeof(m), "%s %s", name, what);
  put(o, tag, m, n > 0 ? ((size_t)n < sizeof(m) ? (size_t)n : sizeof(m) - 1)
                       : 0);
}

/* File image callbacks that hand libhdf5 the caller's bytes instead of
   copies (read-only open: they are never written or resized). */
static void *img_malloc(size_t size, H5FD_file_image_op_t op, void *udata)
{
  (void)size;
  (void)op;
  return udata;
}

static void *img_memcpy(void *dest, const void *src, size_t size,
                        H5FD_file_image_op_t op, void *udata)
{
  (void)src;
  (void)size;
  (void)op;
  (void)udata;
  return dest;   /* dest is the image itself */
}

static void *img_realloc(void *ptr, size_t size, H5FD_file_image_op_t op,
                         void *udata)
{
  (void)ptr;
  (void)size;
  (void)op;
  (void)udata;
  return NULL;
}

static herr_t img_free(void *ptr, H5FD_file_image_op_t op, void *udata)
{
  (void)ptr;
  (void)op;
  (void)udata;
  return 0;
}

static void *img_udata_copy(void *udata)
{
  return udata;
}

static herr_t img_udata_free(void *udata)
{
  (void)udata;
  return 0;
}

/* Send one root attribute as text, or say why it cannot be. */
static void send_attr(struct out *o, hid_t file, const char *name,
                      uint8_t tag)
{
  hid_t a, t = -1, s = -1, mt = -1;
  hssize_t npoints;
  if(L.H5Aexists(file, name) <= 0)
    return;
  if(tag == 'M')
    put(o, 'K', NULL, 0);
  a = L.H5Aopen(file, name, H5P_DEFAULT);
  if(a < 0) {
    put_msg(o, 'E', name, "attribute cannot be opened");
    return;
  }
  t = L.H5Aget_type(a);
  s = L.H5Aget_space(a);
  npoints = s < 0 ? -1 : L.H5Sget_simple_extent_npoints(s);
  if(t < 0 || L.H5Tget_class(t) != H5T_STRING)
    put_msg(o, 'E', name, "attribute is not a string");
  else if(npoints != 1)
    put_msg(o, 'E', name, "attribute does not hold one string");
  else if(L.H5Tis_variable_str(t) > 0) {
    char *p = NULL;
    mt = L.H5Tcopy(H5T_C_S1);
    if(mt < 0 || L.H5Tset_size(mt, H5T_VARIABLE) < 0 ||
       L.H5Tset_cset(mt, L.H5Tget_cset(t)) < 0 ||
       L.H5Aread(a, mt, &p) < 0 || !p)
      put_msg(o, 'E', name, "string cannot be read");
    else {
      size_t n = strlen(p);
      if(!fits(o, n))
        put_msg(o, 'B', name, "is over the 64 MiB output limit; not "
                "examined");
      else
        put(o, tag, p, n);
    }
    if(p)
      L.H5free_memory(p);
  }
  else {
    size_t sz = L.H5Tget_size(t);
    char *p;
    if(!sz || !fits(o, sz)) {
      put_msg(o, sz ? 'B' : 'E', name, sz ? "is over the 64 MiB output "
              "limit; not examined" : "string has no size");
    }
    else if(!(p = L.H5allocate_memory(sz, 1)) ||
            (mt = L.H5Tcopy(t)) < 0 || L.H5Aread(a, mt, p) < 0)
      put_msg(o, 'E', name, "string cannot be read");
    else
      put(o, tag, p, strnlen(p, sz));  /* NUL padding ends the text */
  }
  /* everything else is released by _exit */
}

/* Address space already mapped (the parent's), so the limit is on growth. */
static uint64_t vm_size(void)
{
  char buf[64];
  unsigned long long pages = 0;
  long pg = sysconf(_SC_PAGESIZE);
  ssize_t n;
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if(fd < 0)
    return 0;
  n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if(n <= 0)
    return 0;
  buf[n] = '\0';
  for(char *q = buf; *q >= '0' && *q <= '9'; q++)
    pages = pages * 10 + (unsigned)(*q - '0');
  return pg > 0 ? (uint64_t)pages * (uint64_t)pg : 0;
}

/* A macro: glibc types the resource as an enum under _GNU_SOURCE. Never
   run libhdf5 unconfined: a limit that cannot be set ends the child. */
#define SET_LIMIT(res, soft, hard)                                        \
  do {                                                                    \
    struct rlimit rl_;                                                    \
    rlim_t h_ = (rlim_t)(hard);                                           \
    if(getrlimit(res, &rl_))                                              \
      _exit(6);                                                           \
    if(rl_.rlim_max != RLIM_INFINITY && rl_.rlim_max < h_)                \
      h_ = rl_.rlim_max;  /* an unprivileged child cannot raise it */     \
    rl_.rlim_max = h_;                                                    \
    rl_.rlim_cur = (rlim_t)(soft) < h_ ? (rlim_t)(soft) : h_;             \
    if(setrlimit(res, &rl_))                                              \
      _exit(6);                                                           \
  } while(0)

static void close_fds_from(int first)
{
#if defined(SYS_close_range)
  if(!syscall(SYS_close_range, (unsigned)first, ~0u, 0u))
    return;
#endif
  {
    long max = sysconf(_SC_OPEN_MAX);
    if(max < 0 || max > 65536)
      max = 65536;
    for(int fd = first; fd < (int)max; fd++)
      close(fd);
  }
}

static void confine(int *wfd)
{
  static const int sigs[] = { SIGALRM, SIGXCPU, SIGXFSZ, SIGPIPE, SIGSEGV,
                              SIGBUS, SIGABRT, SIGTERM, SIGINT, SIGHUP };
  sigset_t none;
  int null, w = *wfd;
  uint64_t base = vm_size();
  for(size_t i = 0; i < BRINE_ARRAY_LEN(sigs); i++)
    signal(sigs[i], SIG_DFL);
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  /* descriptors: /dev/null as 0-2, the pipe as 3, nothing else */
  null = open("/dev/null", O_RDWR);
  if(null < 0)
    _exit(7);
  if(w < 3 && (w = fcntl(w, F_DUPFD, 3)) < 0)
    _exit(7);
  if(dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
    _exit(7);
  if(w != 3) {
    if(dup2(w, 3) < 0)
      _exit(7);
    w = 3;
  }
  close_fds_from(4);
  *wfd = w;
  SET_LIMIT(RLIMIT_CORE, 0, 0);
  SET_LIMIT(RLIMIT_FSIZE, 0, 0);
  SET_LIMIT(RLIMIT_NOFILE, 8, 8);
  SET_LIMIT(RLIMIT_CPU, h5_cpu_s, (uint64_t)h5_cpu_s + 1);
  if(base)
    SET_LIMIT(RLIMIT_AS, base + h5_mem, base + h5_mem);
  else
    SET_LIMIT(RLIMIT_DATA, h5_mem, h5_mem);
  alarm(h5_wall_s);
}

static void test_misbehave(struct out *o)
{
  switch(h5_test_mode) {
  case TM_SPIN:
    for(volatile unsigned long i = 0;; i++) {
    }
  case TM_CRASH:
    raise(SIGSEGV);
    _exit(9);
  case TM_HOG:
    for(;;) {
      char *p = L.H5allocate_memory(16u << 20, 1);
      if(!p)
        _exit(8);
      p[0] = 1;
    }
  case TM_GARBAGE:
    put(o, 'M', "{}", 2);
    if(!write_all(o->fd, "\x4d\xff\xff\xff\x7f", 5))
      _exit(5);
    _exit(0);
  case TM_EXIT:
    _exit(3);
  default:
    break;
  }
}

static void child(int wfd, const uint8_t *d, size_t len)
{
  H5FD_file_image_callbacks_t cb = {
    img_malloc, img_memcpy, img_realloc, img_free, img_udata_copy,
    img_udata_free, (void *)(uintptr_t)d
  };
  struct out o;
  hid_t fapl, file;
  /* loaded before the limits: mapping the library is not what they are
     for, and its files must still be openable */
  if(!lib_load())
    _exit(10);
  confine(&wfd);
  o.fd = wfd;
  o.left = H5_MAX_OUT;
  test_misbehave(&o);
  L.H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  fapl = L.H5Pcreate(H5P_FILE_ACCESS);
  if(fapl < 0 || L.H5Pset_fapl_core(fapl, 1u << 16, 0) < 0 ||
     L.H5Pset_file_image_callbacks(fapl, &cb) < 0 ||
     L.H5Pset_file_image(fapl, (void *)(uintptr_t)d, len) < 0) {
    put_msg(&o, 'F', "file", "image cannot be set up");
    put(&o, 'Z', NULL, 0);
    _exit(0);
  }
  /* the name is only a label for the core driver: nothing is opened */
  file = L.H5Fopen("brine-image.h5", H5F_ACC_RDONLY, fapl);
  if(file < 0)
    put_msg(&o, 'F', "libhdf5", "cannot open it (corrupt or over a limit)");
  else {
    send_attr(&o, file, "model_config", 'M');
    send_attr(&o, file, "training_config", 'T');
  }
  put(&o, 'Z', NULL, 0);
  _exit(0);
}

/* ---- the parent ------------------------------------------------------- */

static int64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void kill_reap(pid_t pid, int *status)
{
  kill(pid, SIGKILL);
  while(waitpid(pid, status, 0) < 0 && errno == EINTR) {
  }
}

static void h5_fail(const struct brinei_fcheck *c, const char *fmt, ...)
    BRINE_PRINTF(2, 3);

static void h5_fail(const struct brinei_fcheck *c, const char *fmt, ...)
{
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  brinei_finding_add(c->f, R_FMT_CHILD, BRINE_NOOFF, c->member, NULL,
                     BRINE_USE_NONE, "HDF5 reader %s", msg);
}

/* Judge the records of a child that finished cleanly. */
static void h5_records(const struct brinei_fcheck *c, const uint8_t *p,
                       size_t n, bool *is_keras)
{
  struct brinei_rd r = brinei_rd_make(p, n);
  bool keras = false, end = false;
  /* check the whole stream before acting on any of it */
  while(brinei_rd_left(&r) && !end) {
    uint8_t tag = brinei_rd_u8(&r);
    uint32_t len = brinei_rd_u32(&r);
    if(r.bad || !brinei_rd_take(&r, len) || !strchr("KMTEBFZ", tag) || !tag)
      break;
    end = tag == 'Z';
  }
  if(!end || brinei_rd_left(&r)) {
    h5_fail(c, "sent malformed output");
    return;
  }
  r = brinei_rd_make(p, n);
  for(;;) {
    uint8_t tag = brinei_rd_u8(&r);
    uint32_t len = brinei_rd_u32(&r);
    const uint8_t *q = brinei_rd_take(&r, len);
    if(tag == 'Z')
      break;
    switch(tag) {
    case 'K':
      keras = true;
      break;
    case 'M':
      brinei_keras_check_config(c, "model_config", q, len);
      break;
    case 'T':
      brinei_keras_check_config(c, "training_config", q, len);
      break;
    case 'E': case 'F':
      brinei_finding_add(c->f, R_FMT_MALFORMED, BRINE_NOOFF, c->member,
                         NULL, BRINE_USE_NONE, "HDF5: %.*s", (int)len,
                         (const char *)q);
      break;
    default:  /* 'B' */
      brinei_finding_add(c->f, R_FMT_BUDGET, BRINE_NOOFF, c->member, NULL,
                         BRINE_USE_NONE, "HDF5: %.*s", (int)len,
                         (const char *)q);
      break;
    }
  }
  *is_keras = keras;
}

void brinei_h5_check(const struct brinei_fcheck *c, const uint8_t *d,
                     size_t len, bool *is_keras)
{
  struct brinei_sbuf b;
  uint8_t chunk[1 << 14];
  int fds[2], status = 0;
  pid_t pid;
  int64_t deadline;
  bool timed_out = false, too_big = false, nomem = false, reaped = false;
  *is_keras = false;
  if(pipe2(fds, O_CLOEXEC)) {
    h5_fail(c, "could not start: pipe: %s", strerror(errno));
    return;
  }
  pid = brinei_fork();  /* never mid-dlopen in another thread */
  if(pid < 0) {
    int e = errno;
    close(fds[0]);
    close(fds[1]);
    h5_fail(c, "could not start: fork: %s", strerror(e));
    return;
  }
  if(pid == 0) {
    close(fds[0]);
    child(fds[1], d, len);
    _exit(10);
  }
  close(fds[1]);
  brinei_sbuf_init(&b, c->ctx, H5_MAX_OUT);
  deadline = now_ms() + (int64_t)h5_wall_s * 1000 + H5_GRACE_MS;
  for(;;) {
    struct pollfd pfd = { fds[0], POLLIN, 0 };
    int64_t left = deadline - now_ms();
    ssize_t got;
    int pr;
    if(left <= 0) {
      timed_out = true;
      break;
    }
    pr = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
    if(pr < 0 && errno != EINTR)
      break;
    if(pr <= 0)
      continue;
    got = read(fds[0], chunk, sizeof(chunk));
    if(got < 0 && errno == EINTR)
      continue;
    if(got <= 0)
      break;  /* EOF: the child is done or dead */
    if((size_t)got > b.max - b.len) {
      too_big = true;
      break;
    }
    brinei_sbuf_add(&b, chunk, (size_t)got);
    if(b.failed) {
      nomem = true;
      break;
    }
  }
  close(fds[0]);
  if(timed_out || too_big || nomem) {
    kill_reap(pid, &status);
    reaped = true;
  }
  else {
    /* the pipe closed; the child may still be running (it cannot close
       the pipe without exiting, but do not trust that) */
    for(;;) {
      pid_t w = waitpid(pid, &status, WNOHANG);
      struct timespec ts = { 0, 5 * 1000 * 1000 };
      if(w == pid) {
        reaped = true;
        break;
      }
      if(w < 0 && errno != EINTR)
        break;  /* ECHILD: reaped elsewhere (SIGCHLD ignored) */
      if(now_ms() >= deadline) {
        kill_reap(pid, &status);
        reaped = timed_out = true;
        break;
      }
      nanosleep(&ts, NULL);
    }
  }
  if(timed_out)
    h5_fail(c, "timed out after %u s", h5_wall_s);
  else if(too_big)
    h5_fail(c, "sent more than %u MiB", H5_MAX_OUT >> 20);
  else if(nomem)
    c->f->lost = true;  /* brine's own memory: not examined */
  else if(reaped && WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if(sig == SIGALRM)
      h5_fail(c, "timed out after %u s", h5_wall_s);
    else if(sig == SIGKILL || sig == SIGXCPU)
      h5_fail(c, "killed by signal %d (memory or CPU limit)", sig);
    else
      h5_fail(c, "crashed (signal %d)", sig);
  }
  else if(reaped && WIFEXITED(status) && WEXITSTATUS(status)) {
    int st = WEXITSTATUS(status);
    h5_fail(c, "exited with status %d%s", st,
            st == 6 ? " (could not set its resource limits)"
            : st == 7 ? " (could not set up its descriptors)"
            : st == 10 ? " (could not load " BRINE_HDF5_SONAME ")" : "");
  }
  else
    /* exited 0, or reaped elsewhere (SIGCHLD ignored): the end record
       decides */
    h5_records(c, (const uint8_t *)b.p, b.len, is_keras);
  brinei_sbuf_free(&b);
}
