/* tar (any compression filter) and 7z archives through libarchive: every
 * entry's name, type and link target, and each regular file's data read
 * whole into a budgeted buffer for the walker.
 *
 * SPEC: formats.md §A4 (tar header), §A15 (7z signature header); the
 * libarchive 3.6 read API (archive_read(3), archive_read_data(3)).
 * libarchive is lenient by design (c-style.md): warnings are read past as
 * tar(1) does, but a failed header or data read ends the walk as
 * malformed. Only the filters built into libarchive are enabled: the
 * "all" set would run external programs (lrzip, lzop, grzip) for some
 * inputs, and brine never executes anything.
 */
#include "../internal.h"
#include "formats.h"

#include <stdio.h>

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <pthread.h>

/* libarchive and the libraries it pulls in (libxml2, libcrypto, nettle,
   ...) cost tens of milliseconds of dynamic linking at every start; they
   are loaded the first time a tar or 7z archive is met instead. */
#ifndef BRINE_LIBARCHIVE_SONAME
#define BRINE_LIBARCHIVE_SONAME "libarchive.so.13"
#endif

#define ARCHIVE_FUNCS(X) \
  X(archive_entry_filetype) \
  X(archive_entry_hardlink) \
  X(archive_entry_is_encrypted) \
  X(archive_entry_pathname) \
  X(archive_entry_pathname_utf8) \
  X(archive_entry_size) \
  X(archive_entry_size_is_set) \
  X(archive_entry_symlink) \
  X(archive_entry_symlink_utf8) \
  X(archive_error_string) \
  X(archive_format) \
  X(archive_read_data) \
  X(archive_read_free) \
  X(archive_read_has_encrypted_entries) \
  X(archive_read_header_position) \
  X(archive_read_new) \
  X(archive_read_next_header) \
  X(archive_read_open_memory) \
  X(archive_read_support_filter_bzip2) \
  X(archive_read_support_filter_gzip) \
  X(archive_read_support_filter_lz4) \
  X(archive_read_support_filter_lzma) \
  X(archive_read_support_filter_xz) \
  X(archive_read_support_filter_zstd) \
  X(archive_read_support_format_7zip) \
  X(archive_read_support_format_tar)

static struct {
#define X(f) __typeof__(&f) f;
  ARCHIVE_FUNCS(X)
#undef X
} L;
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static const char *lib_missing;  /* what failed to load; NULL: loaded */

static void lib_open(void)
{
  void *h = dlopen(BRINE_LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
  if(!h) {
    lib_missing = BRINE_LIBARCHIVE_SONAME;
    return;
  }
#define X(f)                                   \
  if(!(*(void **)&L.f = dlsym(h, #f))) {       \
    lib_missing = #f;                          \
    return;                                    \
  }
  ARCHIVE_FUNCS(X)
#undef X
}

/* Once per process, whichever thread comes first. */
static bool lib_load(struct brine_ctx *ctx)
{
  if(pthread_once(&lib_once, lib_open) != 0)
    lib_missing = BRINE_LIBARCHIVE_SONAME;
  if(lib_missing)
    return BRINE_FAIL(ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "libarchive could not be loaded (%s)", lib_missing),
           false;
  return true;
}

#define DATA_FIRST (64u << 10)    /* first data buffer size */
#define DATA_HINT_MAX (16u << 20) /* most trusted from a declared size */

struct walk {
  struct brine_ctx *ctx;
  struct archive *a;
  const char *fname;      /* format name for messages */
  uint64_t *budget;       /* data bytes left over all entries */
  uint8_t *buf;           /* the current entry's data; owned */
  size_t len, cap;
};

static brine_result arc_error(struct walk *w, const char *what,
                              const char *name)
{
  const char *msg = L.archive_error_string(w->a);
  int64_t off = L.archive_read_header_position(w->a);
  if(!name && L.archive_format(w->a) != 0 &&
     L.archive_read_has_encrypted_entries(w->a) > 0)
    return BRINE_FAIL(w->ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "%s: encrypted archive (%.200s)", w->fname,
                      msg ? msg : "no detail");
  if(name)
    return BRINE_FAIL(w->ctx, BRINE_E_MALFORMED,
                      off >= 0 ? (uint64_t)off : BRINE_NOOFF,
                      "%s: %s of \"%.200s\" failed: %.200s", w->fname,
                      what, name, msg ? msg : "no detail");
  return BRINE_FAIL(w->ctx, BRINE_E_MALFORMED,
                    off >= 0 ? (uint64_t)off : BRINE_NOOFF,
                    "%s: %s failed: %.200s", w->fname, what,
                    msg ? msg : "no detail");
}

/* Grow the data buffer to hold at least one more byte, never beyond
   *budget + 1 (one byte past the budget shows it would be exceeded). */
static brine_result data_room(struct walk *w, size_t hint)
{
  size_t hard = *w->budget >= SIZE_MAX ? SIZE_MAX
                                       : (size_t)*w->budget + 1;
  size_t want;
  uint8_t *np;
  if(w->cap > w->len && (w->cap - w->len >= DATA_FIRST || w->cap == hard))
    return BRINE_OK;
  if(!w->cap)
    want = hint > DATA_FIRST ? hint : DATA_FIRST;
  else
    want = w->cap > SIZE_MAX / 2 ? SIZE_MAX : w->cap * 2;
  if(want > hard)
    want = hard;
  if(want <= w->len)
    return BRINE_E_LIMIT;  /* not reached: len <= budget < hard */
  np = brinei_realloc(w->ctx, w->buf, want);
  if(!np)
    return BRINE_FAIL(w->ctx, BRINE_E_NOMEM, BRINE_NOOFF,
                      "%s: no memory for %zu bytes of member data",
                      w->fname, want);
  w->buf = np;
  w->cap = want;
  return BRINE_OK;
}

/* Read the current entry's data whole (its declared size may be absent
   or wrong: 7z solid blocks, sparse files), so read until the end. */
static brine_result read_data(struct walk *w, struct archive_entry *ae,
                              const char *name)
{
  size_t hint = 0;
  w->len = 0;
  if(L.archive_entry_size_is_set(ae) && L.archive_entry_size(ae) > 0) {
    int64_t s = L.archive_entry_size(ae);
    hint = s > (int64_t)DATA_HINT_MAX ? DATA_HINT_MAX : (size_t)s;
  }
  for(;;) {
    la_ssize_t r;
    brine_result rc = data_room(w, hint);
    if(rc)
      return rc;
    r = L.archive_read_data(w->a, w->buf + w->len, w->cap - w->len);
    if(r == 0)
      break;
    if(r < 0)
      return arc_error(w, "reading the data", name);
    else {
      if((size_t)r > w->cap - w->len)
        return BRINE_FAIL(w->ctx, BRINE_E_MALFORMED, BRINE_NOOFF,
                          "%s: reader overran its buffer", w->fname);
      w->len += (size_t)r;
      if(w->len > *w->budget) {
        w->len = 0;
        return BRINE_FAIL(w->ctx, BRINE_E_LIMIT, BRINE_NOOFF,
                          "%s: member \"%.200s\" goes past the %llu bytes "
                          "left to extract (limit inflate_bytes)",
                          w->fname, name, (unsigned long long)*w->budget);
      }
    }
  }
  *w->budget -= w->len;
  return BRINE_OK;
}

static char entry_type(struct archive_entry *ae, const char **link)
{
  *link = NULL;
  if(L.archive_entry_hardlink(ae)) {
    *link = L.archive_entry_hardlink(ae);
    return 'h';
  }
  switch(L.archive_entry_filetype(ae)) {
  case AE_IFREG: return 'f';
  case AE_IFDIR: return 'd';
  case AE_IFLNK:
    *link = L.archive_entry_symlink(ae);
    if(!*link)
      *link = L.archive_entry_symlink_utf8(ae);
    if(!*link)
      *link = "";
    return 'l';
  default: return 'o';
  }
}

/* Register the reader for fmt and the built-in filters; an ARCHIVE_WARN
   from a filter means libarchive would run an external program. */
static brine_result setup(struct walk *w, enum brinei_fmt fmt)
{
  int (*const filters[])(struct archive *) = {
    L.archive_read_support_filter_gzip, L.archive_read_support_filter_bzip2,
    L.archive_read_support_filter_xz, L.archive_read_support_filter_lzma,
    L.archive_read_support_filter_lz4, L.archive_read_support_filter_zstd,
  };
  int r = ARCHIVE_OK;
  if(fmt != F_7Z)
    r = L.archive_read_support_format_tar(w->a);
  if(r == ARCHIVE_OK && fmt != F_TAR)
    r = L.archive_read_support_format_7zip(w->a);
  for(size_t i = 0; r == ARCHIVE_OK && i < BRINE_ARRAY_LEN(filters); i++)
    r = filters[i](w->a);
  if(r != ARCHIVE_OK) {
    const char *msg = L.archive_error_string(w->a);
    return BRINE_FAIL(w->ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "%s: libarchive lacks a built-in reader or filter "
                      "(%.200s)", w->fname, msg ? msg : "no detail");
  }
  return BRINE_OK;
}

/* The callback may fork (the HDF5 child): it runs outside the loader
   lock that every libarchive call is made under. */
static int call_cb(brinei_archive_cb cb, void *arg,
                   const struct brinei_archive_entry *e)
{
  int r;
  brinei_loader_leave();
  r = cb(arg, e);
  brinei_loader_enter();
  return r;
}

static brine_result walk_entries(struct walk *w, brinei_archive_cb cb,
                                 void *arg)
{
  static const uint8_t empty[1];
  bool encrypted = false, ambiguous = false;
  char amb_name[204];
  uint64_t n = 0;
  for(;;) {
    struct brinei_archive_entry e;
    struct archive_entry *ae;
    brine_result rc;
    int r = L.archive_read_next_header(w->a, &ae);
    if(r == ARCHIVE_EOF)
      break;
    /* ARCHIVE_RETRY is a damaged header libarchive would skip to look
       for the next one; Python's tarfile ends the archive there: both are
       damage here */
    if(r != ARCHIVE_OK && r != ARCHIVE_WARN)
      return arc_error(w, "reading an entry header", NULL);
    if(++n > w->ctx->lim.entries)
      return BRINE_FAIL(w->ctx, BRINE_E_LIMIT, BRINE_NOOFF,
                        "%s: more than %llu entries (limit entries)",
                        w->fname, (unsigned long long)w->ctx->lim.entries);
    memset(&e, 0, sizeof(e));
    /* the stored bytes (tar: raw); 7z names are UTF-16 and convert only
       through the locale, so fall back to the UTF-8 form */
    e.name = L.archive_entry_pathname(ae);
    if(!e.name)
      e.name = L.archive_entry_pathname_utf8(ae);
    if(!e.name)
      e.name = "";
    e.type = entry_type(ae, &e.link);
    if(L.archive_entry_is_encrypted(ae)) {
      /* 'e': data not readable; the walker reports it and moves on */
      e.type = 'e';
      e.link = NULL;
      encrypted = true;
      if(call_cb(cb, arg, &e))
        return BRINE_OK;
      continue;
    }
    if(e.type == 'h' && L.archive_entry_size(ae) > 0 && !ambiguous) {
      /* pax lets a hardlink carry a body and libarchive reads it as the
         entry's data; Python's tarfile never skips a link's size and reads
         those bytes as further headers (tarfile.py _proc_builtin). Hand
         the bytes over so the walker can look at what tarfile would see,
         and report the disagreement. */
      ambiguous = true;
      snprintf(amb_name, sizeof(amb_name), "%.200s", e.name);
    }
    if(e.type == 'f' || (e.type == 'h' && L.archive_entry_size(ae) > 0)) {
      rc = read_data(w, ae, e.name);
      if(rc)
        return rc;
      e.data = w->len ? w->buf : empty;
      e.len = w->len;
    }
    r = call_cb(cb, arg, &e);
    brinei_free(w->ctx, w->buf);  /* the data was valid for the callback */
    w->buf = NULL;
    w->len = w->cap = 0;
    if(r)
      return BRINE_OK;
  }
  if(ambiguous)
    return BRINE_FAIL(w->ctx, BRINE_E_AMBIGUOUS, BRINE_NOOFF,
                      "%s: hardlink \"%s\" has a body: libarchive reads it "
                      "as data, Python's tarfile as more entries", w->fname,
                      amb_name);
  if(encrypted)
    return BRINE_FAIL(w->ctx, BRINE_E_UNSUPPORTED, BRINE_NOOFF,
                      "%s: encrypted entries were not examined", w->fname);
  return BRINE_OK;
}

static brine_result walk_locked(struct brine_ctx *ctx, enum brinei_fmt fmt,
                                const uint8_t *d, size_t len,
                                uint64_t *budget, brinei_archive_cb cb,
                                void *arg);

brine_result brinei_archive_walk(struct brine_ctx *ctx, enum brinei_fmt fmt,
                                 const uint8_t *d, size_t len,
                                 uint64_t *budget, brinei_archive_cb cb,
                                 void *arg)
{
  brine_result rc;
  brinei_loader_enter();
  rc = walk_locked(ctx, fmt, d, len, budget, cb, arg);
  brinei_loader_leave();
  return rc;
}

static brine_result walk_locked(struct brine_ctx *ctx, enum brinei_fmt fmt,
                                const uint8_t *d, size_t len,
                                uint64_t *budget, brinei_archive_cb cb,
                                void *arg)
{
  struct walk w;
  brine_result rc;
  if(!lib_load(ctx))
    return BRINE_E_UNSUPPORTED;
  memset(&w, 0, sizeof(w));
  w.ctx = ctx;
  w.budget = budget;
  w.fname = brinei_fmt_name(fmt);
  w.a = L.archive_read_new();
  if(!w.a)
    return BRINE_FAIL(ctx, BRINE_E_NOMEM, BRINE_NOOFF,
                      "%s: no memory for libarchive", w.fname);
  rc = setup(&w, fmt);
  if(!rc && L.archive_read_open_memory(w.a, d, len) != ARCHIVE_OK) {
    /* no reader took it: nothing more to ask libarchive (its encryption
       query is not safe to call in this state) */
    const char *msg = L.archive_error_string(w.a);
    rc = BRINE_FAIL(ctx, BRINE_E_MALFORMED, 0, "%s: not readable: %.200s",
                    w.fname, msg ? msg : "no detail");
  }
  if(!rc)
    rc = walk_entries(&w, cb, arg);
  brinei_free(ctx, w.buf);
  L.archive_read_free(w.a);
  return rc;
}
