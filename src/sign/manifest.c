/* The manifest of a model: enumerate its files as the reference
 * `model_signing` 1.1.x does, then hash every file (or shard) on a pool of
 * threads. Semantics: manifest.h and ../shared/reference/signing.md §1.5
 * (predicate, root digest), §1.6 (enumeration, ignore rules, symlinks,
 * empty files, ordering); OMS spec v1.0 §5-§6.
 *
 * Enumeration (one thread, errors on ctx) walks the tree with openat,
 * fdopendir and fstatat, so no entry is looked up through a path string
 * longer than its own name. Hashing (worker threads) never touches ctx:
 * each task records its failure in its own slot and the caller reports
 * the first one once the pool has returned.
 */
#include "../internal.h"
#include "manifest.h"
#include "../util/pool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define MF_CHUNK ((size_t)1 << 20)       /* bytes read at once */
#define MF_PROGRESS ((uint64_t)64 << 20) /* progress callback period */
#define MF_MAX_THREADS 64u               /* as util/pool.c */
#define MF_MAX_PATH ((size_t)1 << 20)    /* bytes of one relative path */

/* The default ignores of ignore_git_paths (hashing.Config; OMS §6.2.1). */
static const char *const git_paths[] = {
  ".git", ".gitattributes", ".github", ".gitignore",
};

/* ---- ordering (signing.md §1.6) ---- */

/* Python compares PurePosixPath keys as lists of components, each by code
   point (= UTF-8 byte order); a list that is a prefix of another sorts
   first. */
static int path_cmp(const char *a, const char *b)
{
  for(;;) {
    size_t la, lb;
    int c;
    while(*a == '/')
      a++;
    while(*b == '/')
      b++;
    if(!*a || !*b)
      return *a ? 1 : *b ? -1 : 0;
    la = strcspn(a, "/");
    lb = strcspn(b, "/");
    c = memcmp(a, b, la < lb ? la : lb);
    if(c)
      return c;
    if(la != lb)
      return la < lb ? -1 : 1;
    a += la;
    b += lb;
  }
}

int brinei_manifest_cmp(const struct brinei_mf_item *a,
                        const struct brinei_mf_item *b)
{
  int c = path_cmp(a->path ? a->path : "", b->path ? b->path : "");
  if(c)
    return c;
  /* _Shard(path, start, end): numeric, not textual, offsets */
  if(a->start != b->start)
    return a->start < b->start ? -1 : 1;
  if(a->end != b->end)
    return a->end < b->end ? -1 : 1;
  return 0;
}

/* ---- small helpers ---- */

static bool path_ignored(const char *rel, size_t len, char *const *ign,
                         size_t n)
{
  /* is_relative_to(model_path / p): the path itself or its subtree */
  for(size_t i = 0; i < n; i++) {
    size_t l = strlen(ign[i]);
    if(len >= l && !memcmp(rel, ign[i], l) && (len == l || rel[l] == '/'))
      return true;
  }
  return false;
}

static int str_ptr_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lexical normalisation of an absolute path (os.path.normpath): collapse
   "//", "." and "..", drop the trailing "/". In place; the result is "/"
   or "/a/b". */
static void normpath_abs(char *p)
{
  size_t out = 0;
  const char *s = p;
  while(*s) {
    size_t l;
    while(*s == '/')
      s++;
    l = strcspn(s, "/");
    if(!l)
      break;
    if(l == 1 && s[0] == '.') {
      /* nothing */
    }
    else if(l == 2 && s[0] == '.' && s[1] == '.') {
      /* drop the last component and its '/' ("/.." stays "/") */
      while(out > 0 && p[out - 1] != '/')
        out--;
      if(out > 0)
        out--;
    }
    else {
      /* s is at or after p + out + 1: memmove copes with the overlap */
      p[out] = '/';
      memmove(p + out + 1, s, l);
      out += 1 + l;
    }
    s += l;
  }
  if(!out)
    p[out++] = '/';
  p[out] = 0;
}

/* An absolute, normalised copy of p (relative to cwd). */
static brine_result abs_norm(struct brine_ctx *ctx, const char *cwd,
                             const char *p, char **out)
{
  size_t lc = p[0] == '/' ? 0 : strlen(cwd), lp = strlen(p);
  char *r;
  if(lp > MF_MAX_PATH)
    return BRINE_FAIL(ctx, BRINE_E_LIMIT, BRINE_NOOFF,
                      "ignore path longer than %zu bytes", MF_MAX_PATH);
  r = brinei_malloc(ctx, lc + lp + 2);
  if(!r)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
  memcpy(r, cwd, lc);
  r[lc] = '/';
  memcpy(r + lc + 1, p, lp + 1);
  normpath_abs(r);
  *out = r;
  return BRINE_OK;
}

/* A root-relative ignore path as pathlib joins it: empty and "."
   components vanish ("./a//b/" is "a/b"). NULL (ignores nothing) for an
   absolute path, which `model_path / p` would turn into a path outside
   the root, and for one that names the root itself. */
static char *rel_norm(struct brine_ctx *ctx, const char *p, bool *nomem)
{
  size_t n = strlen(p), out = 0;
  char *r;
  *nomem = false;
  if(p[0] == '/')
    return NULL;
  r = brinei_malloc(ctx, n + 1);
  if(!r) {
    *nomem = true;
    return NULL;
  }
  while(*p) {
    size_t l;
    while(*p == '/')
      p++;
    l = strcspn(p, "/");
    if(l && !(l == 1 && p[0] == '.')) {
      if(out)
        r[out++] = '/';
      memcpy(r + out, p, l);
      out += l;
    }
    p += l;
  }
  r[out] = 0;
  if(!out) {
    brinei_free(ctx, r);
    return NULL;
  }
  return r;
}

/* ---- the list of files ---- */

struct mfile {
  char *rel;      /* relative path, "" for a single-file model (owned) */
  uint64_t size;  /* at enumeration */
  bool link;      /* reached through a symbolic link (allow_symlinks) */
};

struct walk {
  struct brine_ctx *ctx;
  const struct brinei_hash_opts *opts;
  const char *model_path;   /* for messages */
  char **ign;               /* normalised ignore paths */
  size_t n_ign;
  struct mfile *files;
  size_t n_files, cap_files;
  uint64_t entries;         /* examined, against lim.entries */
  char *rel;                /* the current relative path */
  size_t rel_len, rel_cap;
};

static brine_result add_file(struct walk *w, const char *rel, size_t len,
                             uint64_t size, bool link)
{
  void *p = w->files;
  brine_result rc = brinei_grow(w->ctx, &p, &w->cap_files, w->n_files + 1,
                                sizeof(struct mfile),
                                SIZE_MAX / sizeof(struct mfile));
  char *s;
  if(rc)
    return BRINE_FAIL(w->ctx, rc, BRINE_NOOFF, "too many files");
  w->files = p;
  s = brinei_strndup(w->ctx, rel, len);
  if(!s)
    return BRINE_FAIL(w->ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
  w->files[w->n_files].rel = s;
  w->files[w->n_files].size = size;
  w->files[w->n_files].link = link;
  w->n_files++;
  return BRINE_OK;
}

static brine_result count_entry(struct walk *w)
{
  if(++w->entries > w->ctx->lim.entries)
    return BRINE_FAIL(w->ctx, BRINE_E_LIMIT, BRINE_NOOFF,
                      "%s: more than %llu entries (limit entries)",
                      w->model_path,
                      (unsigned long long)w->ctx->lim.entries);
  return BRINE_OK;
}

/* The checks of check_file_or_directory() on one entry already lstat'ed
   (st) at dfd/name, whose relative path is rel[0..len). Regular files are
   added; directories are reported through *is_dir; links to directories
   are skipped (glob("**") does not follow them). */
static brine_result classify(struct walk *w, int dfd, const char *name,
                             const char *rel, size_t len,
                             const struct stat *st, bool *is_dir)
{
  struct stat t;
  const char *mp = w->model_path;
  int rl = len > INT_MAX ? INT_MAX : (int)len;
  *is_dir = false;
  if(S_ISREG(st->st_mode))
    return add_file(w, rel, len, (uint64_t)st->st_size, false);
  if(S_ISDIR(st->st_mode)) {
    *is_dir = true;
    return BRINE_OK;
  }
  if(!S_ISLNK(st->st_mode))
    return BRINE_FAIL(w->ctx, BRINE_E_POLICY, BRINE_NOOFF,
                      "%s/%.*s is not a regular file or directory", mp, rl,
                      rel);
  if(!w->opts->allow_symlinks)
    return BRINE_FAIL(w->ctx, BRINE_E_POLICY, BRINE_NOOFF,
                      "%s/%.*s is a symbolic link (use --allow-symlinks)", mp,
                      rl, rel);
  if(fstatat(dfd, name, &t, 0) < 0)
    return BRINE_FAIL(w->ctx, BRINE_E_POLICY, BRINE_NOOFF,
                      "%s/%.*s is a broken symbolic link (%s)", mp, rl, rel,
                      strerror(errno));
  if(S_ISREG(t.st_mode))
    return add_file(w, rel, len, (uint64_t)t.st_size, true);
  if(S_ISDIR(t.st_mode))
    return BRINE_OK;
  return BRINE_FAIL(w->ctx, BRINE_E_POLICY, BRINE_NOOFF,
                    "%s/%.*s links to something neither a regular file "
                    "nor a directory", mp, rl, rel);
}

/* Room for `need` bytes in w->rel. */
static brine_result rel_reserve(struct walk *w, size_t need)
{
  void *p = w->rel;
  brine_result rc;
  if(need > MF_MAX_PATH)
    return BRINE_FAIL(w->ctx, BRINE_E_LIMIT, BRINE_NOOFF,
                      "%s: a path is longer than %zu bytes", w->model_path,
                      MF_MAX_PATH);
  if(need <= w->rel_cap)
    return BRINE_OK;
  rc = brinei_grow(w->ctx, &p, &w->rel_cap, need, 1, MF_MAX_PATH);
  if(rc)
    return BRINE_FAIL(w->ctx, rc, BRINE_NOOFF, "out of memory");
  w->rel = p;
  return BRINE_OK;
}

/* Append "/name" (or "name" at the top) to w->rel. */
static brine_result rel_push(struct walk *w, const char *name)
{
  size_t nl = strlen(name);
  brine_result rc = rel_reserve(w, w->rel_len + 1 + nl + 1);
  if(rc)
    return rc;
  if(w->rel_len)
    w->rel[w->rel_len++] = '/';
  memcpy(w->rel + w->rel_len, name, nl + 1);
  w->rel_len += nl;
  return BRINE_OK;
}

/* Walk the directory open at dfd (consumed), whose relative path is
   w->rel. Entries come in readdir order; the manifest is sorted later. */
static brine_result walk_dir(struct walk *w, int dfd, uint64_t depth)
{
  DIR *d = fdopendir(dfd);
  brine_result rc = BRINE_OK;
  size_t base = w->rel_len;
  int rl;
  if(!d) {
    int e = errno;
    close(dfd);
    rl = base > INT_MAX ? INT_MAX : (int)base;
    return BRINE_FAIL(w->ctx, BRINE_E_IO, BRINE_NOOFF, "%s/%.*s: %s",
                      w->model_path, rl, w->rel ? w->rel : "", strerror(e));
  }
  for(;;) {
    struct dirent *de;
    struct stat st;
    bool is_dir;
    errno = 0;
    de = readdir(d);
    if(!de) {
      if(errno) {
        rl = base > INT_MAX ? INT_MAX : (int)base;
        rc = BRINE_FAIL(w->ctx, BRINE_E_IO, BRINE_NOOFF, "%s/%.*s: %s",
                        w->model_path, rl, w->rel ? w->rel : "",
                        strerror(errno));
      }
      break;
    }
    if(!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    rc = rel_push(w, de->d_name);
    if(rc)
      break;
    /* ignored paths first: they may be links or special files (#550) */
    if(path_ignored(w->rel, w->rel_len, w->ign, w->n_ign)) {
      w->rel_len = base;
      continue;
    }
    rc = count_entry(w);
    if(rc)
      break;
    if(fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      rc = BRINE_FAIL(w->ctx, BRINE_E_IO, BRINE_NOOFF, "%s/%s: %s",
                      w->model_path, w->rel, strerror(errno));
      break;
    }
    rc = classify(w, dirfd(d), de->d_name, w->rel, w->rel_len, &st,
                  &is_dir);
    if(rc)
      break;
    if(is_dir) {
      int fd;
      if(depth + 1 > w->ctx->lim.dir_depth) {
        rc = BRINE_FAIL(w->ctx, BRINE_E_LIMIT, BRINE_NOOFF,
                        "%s/%s: directories nested deeper than %llu (limit "
                        "dir_depth)", w->model_path, w->rel,
                        (unsigned long long)w->ctx->lim.dir_depth);
        break;
      }
      fd = openat(dirfd(d), de->d_name,
                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if(fd < 0) {
        rc = BRINE_FAIL(w->ctx, BRINE_E_IO, BRINE_NOOFF, "%s/%s: %s",
                        w->model_path, w->rel, strerror(errno));
        break;
      }
      rc = walk_dir(w, fd, depth + 1);
      if(rc)
        break;
    }
    w->rel_len = base;
  }
  w->rel_len = base;
  if(w->rel)
    w->rel[base] = 0;
  closedir(d);
  return rc;
}

/* --ignore-unsigned-files: look up only the files `only` names (Python's
   files_to_hash). A name that does not exist is left out, so that the
   verifier reports it missing; a name with "..", ".", empty or absolute
   components cannot be one the signer enumerated and is left out too
   (never followed outside the root). Directories on the way must be real
   ones: a full walk does not enter symlinked directories either. */
static brine_result walk_only(struct walk *w, int rootfd)
{
  const struct brinei_manifest *only = w->opts->only;
  char **names;
  size_t n = 0;
  brine_result rc = BRINE_OK;
  if(!only->n)
    return BRINE_OK;
  if(only->n > SIZE_MAX / sizeof(char *))
    return BRINE_FAIL(w->ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
  names = brinei_malloc(w->ctx, only->n * sizeof(char *));
  if(!names)
    return BRINE_FAIL(w->ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
  for(size_t i = 0; i < only->n; i++)
    if(only->items[i].path)
      names[n++] = only->items[i].path;
  qsort(names, n, sizeof(char *), str_ptr_cmp);
  for(size_t i = 0; i < n && !rc; i++) {
    const char *p = names[i], *c;
    size_t len = strlen(p);
    struct stat st;
    bool bad = false, is_dir;
    if(i && !strcmp(p, names[i - 1]))
      continue;  /* shards of one file */
    if(!len || p[0] == '/' || p[len - 1] == '/' || len >= MF_MAX_PATH)
      continue;
    for(c = p; *c;) {
      size_t l = strcspn(c, "/");
      if(!l || (l == 1 && c[0] == '.') || (l == 2 && c[0] == '.' &&
                                            c[1] == '.'))
        bad = true;
      c += l;
      if(*c)
        c++;
    }
    if(bad || path_ignored(p, len, w->ign, w->n_ign))
      continue;
    rc = count_entry(w);
    if(rc)
      break;
    /* every directory on the way: a real directory, not a link */
    rc = rel_reserve(w, len + 1);
    if(rc)
      break;
    for(c = strchr(p, '/'); c && !bad; c = strchr(c + 1, '/')) {
      memcpy(w->rel, p, (size_t)(c - p));
      w->rel[c - p] = 0;
      if(fstatat(rootfd, w->rel, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
         !S_ISDIR(st.st_mode))
        bad = true;
    }
    if(rc)
      break;
    if(bad)
      continue;
    if(fstatat(rootfd, p, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if(errno == ENOENT || errno == ENOTDIR)
        continue;
      rc = BRINE_FAIL(w->ctx, BRINE_E_IO, BRINE_NOOFF, "%s/%s: %s",
                      w->model_path, p, strerror(errno));
      break;
    }
    rc = classify(w, rootfd, p, p, len, &st, &is_dir);
  }
  brinei_free(w->ctx, names);
  return rc;
}

/* ---- hashing on the pool ---- */

enum task_fail {
  TF_OK, TF_SKIPPED, TF_OPEN, TF_STAT, TF_NOTREG, TF_SIZE, TF_READ,
  TF_CRYPTO,
};

struct task {
  size_t item;       /* index into items (and its digest) */
  size_t file;       /* index into files */
  uint64_t len;      /* end - start: the pool runs the largest first */
  uint64_t got;      /* TF_SIZE: the size found when opened */
  int err;           /* errno of TF_OPEN, TF_STAT, TF_READ */
  enum task_fail fail;
};

struct hworker {
  struct brinei_md *md;
  uint8_t *buf;      /* MF_CHUNK bytes */
};

struct hjob {
  enum brinei_hash hash;
  int rootfd;                   /* directory model; -1 for a file */
  const char *model_path;       /* single-file model */
  const struct mfile *files;
  struct brinei_mf_item *items;
  struct task *tasks;
  struct hworker *w;
  uint64_t total;
  atomic_uint_fast64_t done;    /* bytes hashed by every worker */
  atomic_bool stop;             /* a task failed: skip the rest */
  uint64_t reported;            /* worker 0 only */
  brinei_progress_fn *progress;
  void *progress_ud;
};

static void hashed(struct hjob *j, unsigned worker, size_t n)
{
  uint64_t d = atomic_fetch_add_explicit(&j->done, n, memory_order_relaxed)
               + n;
  /* worker 0 is the calling thread: the only one allowed to report */
  if(worker == 0 && j->progress && d - j->reported >= MF_PROGRESS) {
    j->reported = d;
    j->progress(j->progress_ud, d, j->total);
  }
}

/* Hash [start, end) of fd, read 1 MiB at a time into the worker's buffer:
   resident memory stays at one buffer per worker whatever the model size.
   Reading beats mapping here: on a 4 GiB file (bench/hash.sh, 2-vCPU VM,
   page cache warm) pread hashes in 2.8 s where 64 MiB mmap windows
   released behind the hasher take 4.4-5.0 s (page faults and unmapping
   cost more than the copy), and a file truncated under us ends in a short
   read rather than SIGBUS. */
static enum task_fail hash_range(struct hjob *j, unsigned worker, int fd,
                                 uint64_t off, uint64_t end, int *err)
{
  struct hworker *w = &j->w[worker];
  if(end > off)
    (void)posix_fadvise(fd, (off_t)off, (off_t)(end - off),
                        POSIX_FADV_SEQUENTIAL);
  while(off < end) {
    size_t want = end - off < MF_CHUNK ? (size_t)(end - off) : MF_CHUNK;
    ssize_t r = pread(fd, w->buf, want, (off_t)off);
    if(r < 0 && errno == EINTR)
      continue;
    if(r < 0) {
      *err = errno;
      return TF_READ;
    }
    if(r == 0)
      return TF_SIZE;  /* shrank under us */
    if(!brinei_md_update(w->md, w->buf, (size_t)r))
      return TF_CRYPTO;
    off += (uint64_t)r;
    hashed(j, worker, (size_t)r);
  }
  return TF_OK;
}

static void hash_task(void *ud, size_t ti, unsigned worker)
{
  struct hjob *j = ud;
  struct task *t = &j->tasks[ti];
  const struct mfile *f = &j->files[t->file];
  struct brinei_mf_item *it = &j->items[t->item];
  struct brinei_md *md = j->w[worker].md;
  /* O_NONBLOCK: a file swapped for a FIFO since enumeration must not
     block the open; fstat below turns it away */
  int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
              (f->link ? 0 : O_NOFOLLOW);
  struct stat st;
  int fd;
  if(atomic_load_explicit(&j->stop, memory_order_relaxed)) {
    t->fail = TF_SKIPPED;
    return;
  }
  fd = j->rootfd < 0 ? open(j->model_path, flags)
                     : openat(j->rootfd, f->rel, flags);
  if(fd < 0) {
    t->err = errno;
    t->fail = TF_OPEN;
  }
  else if(fstat(fd, &st) < 0) {
    t->err = errno;
    t->fail = TF_STAT;
  }
  else if(!S_ISREG(st.st_mode))
    t->fail = TF_NOTREG;
  else if((uint64_t)st.st_size != f->size) {
    t->got = (uint64_t)st.st_size;
    t->fail = TF_SIZE;
  }
  else {
    /* an empty file (files mode) is the digest of "": nothing mapped */
    t->fail = hash_range(j, worker, fd, it->start, it->end, &t->err);
    if(t->fail == TF_SIZE)
      t->got = UINT64_MAX;
  }
  if(fd >= 0)
    close(fd);
  if(t->fail == TF_OK) {
    if(!brinei_md_final(md, it->digest))
      t->fail = TF_CRYPTO;
  }
  else {
    uint8_t scratch[BRINEI_HASH_MAX];
    (void)brinei_md_final(md, scratch);  /* reset for the next task */
  }
  if(t->fail != TF_OK)
    atomic_store_explicit(&j->stop, true, memory_order_relaxed);
}

static int task_cmp(const void *pa, const void *pb)
{
  const struct task *a = pa, *b = pb;
  if(a->len != b->len)
    return a->len > b->len ? -1 : 1;
  return a->item < b->item ? -1 : a->item > b->item ? 1 : 0;
}

static int file_cmp(const void *a, const void *b)
{
  return path_cmp(((const struct mfile *)a)->rel,
                  ((const struct mfile *)b)->rel);
}

/* A failed task as a sentence on ctx. */
static brine_result report_task(struct brine_ctx *ctx, const char *mp,
                                const struct mfile *files,
                                const struct task *t)
{
  const char *rel = files[t->file].rel, *sep = *rel ? "/" : "";
  switch(t->fail) {
  case TF_OPEN:
  case TF_STAT:
    return BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s%s%s: %s", mp, sep,
                      rel, strerror(t->err));
  case TF_READ:
    return BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s%s%s: read: %s", mp,
                      sep, rel, strerror(t->err));
  case TF_NOTREG:
    return BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF,
                      "%s%s%s: no longer a regular file", mp, sep, rel);
  case TF_SIZE:
    if(t->got == UINT64_MAX)
      return BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF,
                        "%s%s%s: shrank while being hashed", mp, sep, rel);
    return BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF,
                      "%s%s%s: changed size while being hashed (%llu bytes, "
                      "then %llu)", mp, sep, rel,
                      (unsigned long long)files[t->file].size,
                      (unsigned long long)t->got);
  case TF_CRYPTO:
    return BRINE_FAIL(ctx, BRINE_E_CRYPTO, BRINE_NOOFF,
                      "%s%s%s: the digest failed", mp, sep, rel);
  case TF_OK:
  case TF_SKIPPED:
    break;
  }
  return BRINE_OK;
}

/* Run every task on the pool; the first failure in manifest order
   becomes the result. */
static brine_result run_hash(struct brine_ctx *ctx, struct hjob *j,
                             size_t ntasks, unsigned threads)
{
  struct hworker *w;
  brine_result rc = BRINE_OK;
  if(!threads)
    threads = brinei_cpu_count();
  if(threads > MF_MAX_THREADS)
    threads = MF_MAX_THREADS;
  if(threads > ntasks)
    threads = (unsigned)ntasks;
  w = brinei_calloc(ctx, threads, sizeof(*w));
  if(!w)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
  for(unsigned i = 0; i < threads && !rc; i++) {
    w[i].md = brinei_md_new(j->hash);
    w[i].buf = brinei_malloc(ctx, MF_CHUNK);
    if(!w[i].md || !w[i].buf)
      rc = BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
  }
  if(!rc) {
    const struct task *first = NULL;
    j->w = w;
    /* same thread count as ours: worker ids index w[] */
    brinei_pool_run(threads, ntasks, hash_task, j);
    for(size_t i = 0; i < ntasks; i++) {
      const struct task *t = &j->tasks[i];
      if(t->fail != TF_OK && t->fail != TF_SKIPPED &&
         (!first || t->item < first->item))
        first = t;
    }
    if(first)
      rc = report_task(ctx, j->model_path, j->files, first);
  }
  for(unsigned i = 0; i < threads; i++) {
    brinei_md_free(w[i].md);
    brinei_free(ctx, w[i].buf);
  }
  brinei_free(ctx, w);
  return rc;
}

/* ---- ignore paths ---- */

static brine_result push_str(struct brine_ctx *ctx, char ***list, size_t *n,
                             size_t *cap, char *s)
{
  void *p = *list;
  brine_result rc;
  if(!s)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
  rc = brinei_grow(ctx, &p, cap, *n + 1, sizeof(char *),
                   SIZE_MAX / sizeof(char *));
  if(rc) {
    brinei_free(ctx, s);
    return BRINE_FAIL(ctx, rc, BRINE_NOOFF, "out of memory");
  }
  *list = p;
  (*list)[(*n)++] = s;
  return BRINE_OK;
}

static char *dup_str(struct brine_ctx *ctx, const char *s)
{
  return brinei_strndup(ctx, s, strlen(s));
}

/* The paths to skip (w->ign, normalised) and to record (m->ignore, sorted
   and unique): ignore_git's four, the user's paths that fall inside the
   root (os.path.relpath on lexically normalised absolute paths, as
   hashing.Config does; no symlink resolution), and ignore_rel. */
static brine_result build_ignores(struct brine_ctx *ctx,
                                  const char *model_path,
                                  const struct brinei_hash_opts *o,
                                  struct walk *w, struct brinei_manifest *m)
{
  size_t cap_ign = 0, cap_rec = 0;
  brine_result rc = BRINE_OK;
  if(o->ignore_git)
    for(size_t i = 0; i < BRINE_ARRAY_LEN(git_paths) && !rc; i++) {
      rc = push_str(ctx, &w->ign, &w->n_ign, &cap_ign,
                    dup_str(ctx, git_paths[i]));
      if(!rc)
        rc = push_str(ctx, &m->ignore, &m->n_ignore, &cap_rec,
                      dup_str(ctx, git_paths[i]));
    }
  if(!rc && o->n_ignore) {
    char cwd[PATH_MAX], *root = NULL;
    if(!getcwd(cwd, sizeof(cwd)))
      return BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF,
                        "the current directory: %s", strerror(errno));
    rc = abs_norm(ctx, cwd, model_path, &root);
    for(size_t i = 0; i < o->n_ignore && !rc; i++) {
      char *a = NULL;
      size_t lr = strlen(root);
      const char *rel = NULL;
      if(!o->ignore[i])
        continue;
      rc = abs_norm(ctx, cwd, o->ignore[i], &a);
      if(rc)
        break;
      if(lr == 1)
        rel = a + 1;  /* the root is "/" */
      else if(!strncmp(a, root, lr) && a[lr] == '/')
        rel = a + lr + 1;
      /* relpath ".." or "../x": outside the root, dropped (Python keeps
         only what does not start with "../"). "." (the root itself):
         model_path / "." would ignore everything; brine ignores and
         records nothing for it. */
      if(rel && *rel) {
        rc = push_str(ctx, &w->ign, &w->n_ign, &cap_ign, dup_str(ctx, rel));
        if(!rc)
          rc = push_str(ctx, &m->ignore, &m->n_ignore, &cap_rec,
                        dup_str(ctx, rel));
      }
      brinei_free(ctx, a);
    }
    brinei_free(ctx, root);
  }
  for(size_t i = 0; i < o->n_ignore_rel && !rc; i++) {
    bool nomem;
    char *r;
    if(!o->ignore_rel[i])
      continue;
    r = rel_norm(ctx, o->ignore_rel[i], &nomem);
    if(nomem)
      return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
    /* an entry that names the root ("", ".") or an absolute path ignores
       nothing here (a signature saying "." must not hide the whole
       model), and is not recorded */
    if(!r)
      continue;
    rc = push_str(ctx, &w->ign, &w->n_ign, &cap_ign, r);
    if(!rc)
      rc = push_str(ctx, &m->ignore, &m->n_ignore, &cap_rec,
                    dup_str(ctx, o->ignore_rel[i]));
  }
  if(rc)
    return rc;
  if(m->n_ignore) {
    size_t k = 1;
    qsort(m->ignore, m->n_ignore, sizeof(char *), str_ptr_cmp);
    for(size_t i = 1; i < m->n_ignore; i++) {
      if(!strcmp(m->ignore[i], m->ignore[k - 1]))
        brinei_free(ctx, m->ignore[i]);
      else
        m->ignore[k++] = m->ignore[i];
    }
    m->n_ignore = k;
  }
  return BRINE_OK;
}

/* ---- the manifest ---- */

/* model_path.name as pathlib gives it ("." components dropped), or the
   basename of the resolved path when that is empty or ".." (file.py). */
static const char *last_component(const char *s, size_t *len)
{
  const char *last = NULL;
  *len = 0;
  while(*s) {
    size_t l;
    while(*s == '/')
      s++;
    l = strcspn(s, "/");
    if(l && !(l == 1 && s[0] == '.')) {
      last = s;
      *len = l;
    }
    s += l;
  }
  return last;
}

static brine_result model_name(struct brine_ctx *ctx, const char *path,
                               char **out)
{
  size_t ll;
  const char *last = last_component(path, &ll), *b;
  char real[PATH_MAX];
  if(last && !(ll == 2 && last[0] == '.' && last[1] == '.')) {
    *out = brinei_strndup(ctx, last, ll);
  }
  else {
    if(!realpath(path, real))
      return BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s: %s", path,
                        strerror(errno));
    b = strrchr(real, '/');
    b = b ? b + 1 : real;
    *out = dup_str(ctx, b);
  }
  if(!*out)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
  return BRINE_OK;
}

/* One item per file (files) or per shard_size slice of a non-empty file
   (shards), in manifest order: the files are sorted by path components
   and the shards of each come by ascending start. */
static brine_result make_items(struct brine_ctx *ctx,
                               struct brinei_manifest *m, struct walk *w,
                               bool single, struct task **tasks_out)
{
  size_t n = 0, k = 0;
  struct task *tasks;
  for(size_t i = 0; i < w->n_files; i++) {
    uint64_t c = 1, sz = w->files[i].size;
    if(m->ser == BRINEI_SER_SHARDS)
      c = sz ? (sz - 1) / m->shard_size + 1 : 0;
    if(c > SIZE_MAX - n)
      return BRINE_FAIL(ctx, BRINE_E_LIMIT, BRINE_NOOFF, "too many shards");
    n += (size_t)c;
  }
  *tasks_out = NULL;
  if(!n)
    return BRINE_OK;
  if(n > SIZE_MAX / sizeof(struct brinei_mf_item))
    return BRINE_FAIL(ctx, BRINE_E_LIMIT, BRINE_NOOFF, "too many shards");
  m->items = brinei_calloc(ctx, n, sizeof(struct brinei_mf_item));
  tasks = brinei_calloc(ctx, n, sizeof(struct task));
  if(!m->items || !tasks) {
    brinei_free(ctx, tasks);
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
  }
  m->n = n;
  for(size_t i = 0; i < w->n_files; i++) {
    const struct mfile *f = &w->files[i];
    uint64_t step = m->ser == BRINEI_SER_SHARDS ? m->shard_size : f->size;
    uint64_t start = 0;
    /* Python's relative path of the model file itself is "." */
    const char *nm = single ? "." : f->rel;
    do {
      struct brinei_mf_item *it = &m->items[k];
      uint64_t end = f->size - start < step ? f->size : start + step;
      if(m->ser == BRINEI_SER_SHARDS && !f->size)
        break;  /* empty files have no shard (signing.md §1.6) */
      it->path = dup_str(ctx, f->rel);
      if(m->ser == BRINEI_SER_FILES)
        it->name = dup_str(ctx, nm);
      else {
        size_t len = strlen(nm) + 44;  /* ":" + 20 digits, twice, NUL */
        it->name = brinei_malloc(ctx, len);
        if(it->name)
          snprintf(it->name, len, "%s:%llu:%llu", nm,
                   (unsigned long long)start, (unsigned long long)end);
      }
      if(!it->path || !it->name) {
        brinei_free(ctx, tasks);
        return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
      }
      it->start = start;
      it->end = end;
      tasks[k].item = k;
      tasks[k].file = i;
      tasks[k].len = end - start;
      m->total_bytes += end - start;
      k++;
      start = end;
    } while(start < f->size);
  }
  *tasks_out = tasks;
  return BRINE_OK;
}

static brine_result check_opts(struct brine_ctx *ctx, const char *model_path,
                               const struct brinei_hash_opts *o)
{
  if(!model_path || !*model_path || !o)
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "no model path or options");
  /* model_signing hashes with sha256 or blake2b (blake3 is not offered) */
  if(o->hash != BRINEI_SHA256 && o->hash != BRINEI_BLAKE2B)
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "unsupported manifest hash");
  if(o->ser != BRINEI_SER_FILES && o->ser != BRINEI_SER_SHARDS)
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "unknown serialization");
  if((o->n_ignore && !o->ignore) || (o->n_ignore_rel && !o->ignore_rel))
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF,
                      "ignore count without a list");
  return BRINE_OK;
}

/* Open the model root and list its files into w. *rootfd stays open for
   a directory (-1 for a single file); *single tells which. */
static brine_result enumerate(struct brine_ctx *ctx, const char *model_path,
                              const struct brinei_hash_opts *o,
                              struct walk *w, int *rootfd, bool *single)
{
  struct stat st;
  bool link = false;
  int fd;
  *rootfd = -1;
  *single = false;
  if(lstat(model_path, &st) < 0) {
    if(errno == ENOENT || errno == ENOTDIR)
      return BRINE_FAIL(ctx, BRINE_E_NOTFOUND, BRINE_NOOFF,
                        "%s: no such file or directory", model_path);
    return BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s: %s", model_path,
                      strerror(errno));
  }
  /* check_file_or_directory() applies to the model path too */
  if(S_ISLNK(st.st_mode)) {
    if(!o->allow_symlinks)
      return BRINE_FAIL(ctx, BRINE_E_POLICY, BRINE_NOOFF,
                        "%s is a symbolic link (use --allow-symlinks)",
                        model_path);
    if(stat(model_path, &st) < 0)
      return BRINE_FAIL(ctx, BRINE_E_POLICY, BRINE_NOOFF,
                        "%s is a broken symbolic link (%s)", model_path,
                        strerror(errno));
    link = true;
  }
  if(S_ISREG(st.st_mode)) {
    *single = true;
    /* with `only`, the file is hashed when the signature names it: "."
       (model_signing) or its basename (OMS spec §6.1.2) */
    if(o->only) {
      size_t ll;
      const char *last = last_component(model_path, &ll);
      bool named = false;
      for(size_t i = 0; i < o->only->n && !named; i++) {
        const char *p = o->only->items[i].path;
        named = p && (!*p || !strcmp(p, ".") ||
                      (last && strlen(p) == ll && !memcmp(p, last, ll)));
      }
      if(!named)
        return BRINE_OK;
    }
    return add_file(w, "", 0, (uint64_t)st.st_size, link);
  }
  if(!S_ISDIR(st.st_mode))
    return BRINE_FAIL(ctx, BRINE_E_POLICY, BRINE_NOOFF,
                      "%s is not a regular file or directory", model_path);
  fd = open(model_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(fd < 0)
    return BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s: %s", model_path,
                      strerror(errno));
  *rootfd = fd;
  if(o->only)
    return walk_only(w, fd);
  fd = fcntl(*rootfd, F_DUPFD_CLOEXEC, 0);  /* walk_dir consumes its fd */
  if(fd < 0)
    return BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s: %s", model_path,
                      strerror(errno));
  return walk_dir(w, fd, 0);
}

brine_result brinei_manifest_build(struct brine_ctx *ctx,
                                   const char *model_path,
                                   const struct brinei_hash_opts *opts,
                                   struct brinei_manifest *out)
{
  struct brinei_manifest m;
  struct walk w;
  struct task *tasks = NULL;
  int rootfd = -1;
  bool single = false;
  brine_result rc = check_opts(ctx, model_path, opts);
  if(rc)
    return rc;
  memset(&m, 0, sizeof(m));
  memset(&w, 0, sizeof(w));
  m.hash = opts->hash;
  m.ser = opts->ser;
  m.shard_size = opts->shard_size ? opts->shard_size : BRINEI_SHARD_DEFAULT;
  m.allow_symlinks = opts->allow_symlinks;
  w.ctx = ctx;
  w.opts = opts;
  w.model_path = model_path;
  rc = build_ignores(ctx, model_path, opts, &w, &m);
  if(!rc)
    rc = enumerate(ctx, model_path, opts, &w, &rootfd, &single);
  if(!rc)
    rc = model_name(ctx, model_path, &m.model_name);
  if(!rc) {
    if(w.n_files)
      qsort(w.files, w.n_files, sizeof(struct mfile), file_cmp);
    rc = make_items(ctx, &m, &w, single, &tasks);
  }
  if(!rc && m.n) {
    struct hjob j;
    memset(&j, 0, sizeof(j));
    j.hash = m.hash;
    j.rootfd = rootfd;
    j.model_path = model_path;
    j.files = w.files;
    j.items = m.items;
    j.tasks = tasks;
    j.total = m.total_bytes;
    atomic_init(&j.done, 0);
    atomic_init(&j.stop, false);
    j.progress = opts->progress;
    j.progress_ud = opts->progress_ud;
    qsort(tasks, m.n, sizeof(struct task), task_cmp);
    rc = run_hash(ctx, &j, m.n, opts->threads);
  }
  if(!rc && opts->progress)
    opts->progress(opts->progress_ud, m.total_bytes, m.total_bytes);
  if(rootfd >= 0)
    close(rootfd);
  brinei_free(ctx, tasks);
  for(size_t i = 0; i < w.n_files; i++)
    brinei_free(ctx, w.files[i].rel);
  brinei_free(ctx, w.files);
  for(size_t i = 0; i < w.n_ign; i++)
    brinei_free(ctx, w.ign[i]);
  brinei_free(ctx, w.ign);
  brinei_free(ctx, w.rel);
  if(rc) {
    brinei_manifest_free(ctx, &m);
    return rc;
  }
  *out = m;
  return BRINE_OK;
}

void brinei_manifest_free(struct brine_ctx *ctx, struct brinei_manifest *m)
{
  if(!m)
    return;
  for(size_t i = 0; i < m->n; i++) {
    brinei_free(ctx, m->items[i].name);
    brinei_free(ctx, m->items[i].path);
  }
  brinei_free(ctx, m->items);
  for(size_t i = 0; i < m->n_ignore; i++)
    brinei_free(ctx, m->ignore[i]);
  brinei_free(ctx, m->ignore);
  brinei_free(ctx, m->model_name);
  memset(m, 0, sizeof(*m));
}

brine_result brinei_manifest_root(struct brine_ctx *ctx,
                                  const struct brinei_manifest *m,
                                  uint8_t root[32])
{
  /* SHA-256 over the raw digests in listed order, whatever hash_type
     (signing.md §1.5); no items gives SHA-256("") */
  struct brinei_md *md = brinei_md_new(BRINEI_SHA256);
  size_t hl = brinei_hash_len(m->hash);
  bool ok = md != NULL;
  if(!md)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF, "out of memory");
  for(size_t i = 0; i < m->n && ok; i++)
    ok = brinei_md_update(md, m->items[i].digest, hl);
  ok = ok && brinei_md_final(md, root);
  brinei_md_free(md);
  if(!ok)
    return BRINE_FAIL(ctx, BRINE_E_CRYPTO, BRINE_NOOFF,
                      "the root digest failed");
  return BRINE_OK;
}

void brinei_manifest_algorithm(const struct brinei_manifest *m, char *buf,
                               size_t n)
{
  /* ShardedFileHasher.digest_name: "sha256-sharded-1000000000" */
  if(!n)
    return;
  if(m->ser == BRINEI_SER_SHARDS)
    snprintf(buf, n, "%s-sharded-%llu", brinei_hash_name(m->hash),
             (unsigned long long)m->shard_size);
  else
    snprintf(buf, n, "%s", brinei_hash_name(m->hash));
}
