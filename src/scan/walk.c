/* The walker: examines one input by content, descends into containers and
 * compression wrappers to any depth within the budgets, hands every pickle
 * to the pickle machine and every other format to its reader, and records
 * one member report per member (contract.md §2, §5, §6).
 *
 * Routing follows the loaders: torch.load, numpy.load and joblib.load all
 * decide by magic bytes, so a file with a container's or format's magic is
 * read as that format; anything without one is offered to the protobuf and
 * pickle probes (a pickle of protocol 0 or 1 has no magic at all).
 */
#include "walk.h"

#include <stdio.h>
#include <stdlib.h>

#include "../formats/formats.h"
#include "../pickle/vm.h"

static brine_verdict examine(struct brinei_walk *w, const char *member,
                             const uint8_t *d, size_t len, unsigned depth,
                             const struct brinei_member_hint *hint,
                             enum brinei_fmt *fmt);

/* Budgets and failures reported once per input. */
enum { TOLD_ENTRIES = 1, TOLD_INFLATE = 2, TOLD_READ = 4 };

static bool first_time(struct brinei_walk *w, unsigned bit)
{
  if(w->budget_told & bit)
    return false;
  w->budget_told |= bit;
  return true;
}

/* ---- helpers ---------------------------------------------------------- */

static const char *join(struct brinei_walk *w, const char *parent,
                        const char *name)
{
  size_t pl = strlen(parent), nl = strlen(name);
  char *p = brinei_arena_alloc(w->f->arena, pl + nl + 2);
  if(!p)
    return NULL;
  memcpy(p, parent, pl);
  if(pl)
    p[pl++] = '!';
  memcpy(p + pl, name, nl);
  p[pl + nl] = '\0';
  return p;
}

/* A budget finding is made once per budget and input. */
static void budget(struct brinei_walk *w, const char *member, unsigned bit,
                   const char *msg)
{
  if(!first_time(w, bit))
    return;
  brinei_finding_add(w->f, R_FMT_BUDGET, BRINE_NOOFF, member, NULL,
                     BRINE_USE_NONE, "%s", msg);
}

/* A finding carrying the context's last error message. */
static void ctx_finding(struct brinei_walk *w, enum brinei_rule r,
                        const char *member, const char *what)
{
  const char *msg = w->ctx->err.message[0] ? w->ctx->err.message
                                            : brine_strerror(w->ctx->err.code);
  size_t wl = strlen(what);
  if(!strncmp(msg, what, wl) && msg[wl] == ':')
    what = "";  /* the reader's message already names it */
  brinei_finding_add(w->f, r, w->ctx->err.offset, member, NULL,
                     BRINE_USE_NONE, "%s%s%s", what, what[0] ? ": " : "",
                     msg);
  brinei_clear_error(w->ctx);
}

void brinei_walk_failure(struct brinei_walk *w, brine_result rc,
                         const char *member, const char *what)
{
  if(rc == BRINE_E_LIMIT) {
    if(first_time(w, TOLD_READ))
      ctx_finding(w, R_FMT_BUDGET, member, what);
    else
      brinei_clear_error(w->ctx);
  }
  else if(rc == BRINE_E_UNSUPPORTED)
    ctx_finding(w, R_FMT_UNSUPPORTED, member, what);
  else if(rc == BRINE_E_NOMEM) {
    brinei_finding_add(w->f, R_LIMIT, BRINE_NOOFF, member, NULL,
                       BRINE_USE_NONE, "%s: memory budget exhausted (limit "
                       "memory)", what);
    brinei_clear_error(w->ctx);
  }
  else
    ctx_finding(w, R_FMT_MALFORMED, member, what);
}

/* Take n bytes out of the decompression budget. */
bool brinei_walk_charge(struct brinei_walk *w, const char *member,
                        uint64_t n)
{
  if(n > w->inflate_left) {
    w->inflate_left = 0;
    budget(w, member, TOLD_INFLATE, "decompressed and extracted bytes exceed the "
           "limit inflate_bytes");
    return false;
  }
  w->inflate_left -= n;
  return true;
}

/* ---- member reports ----------------------------------------------------- */

static size_t member_open(struct brinei_walk *w, const char *path)
{
  struct brinei_findings *f = w->f;
  struct brine_member_report *m;
  void *p = f->members;
  if(brinei_grow(w->ctx, &p, &f->mcap, f->nmembers + 1, sizeof(*m),
                 SIZE_MAX / sizeof(*m))) {
    f->lost = true;
    return SIZE_MAX;
  }
  f->members = p;
  m = &f->members[f->nmembers];
  memset(m, 0, sizeof(*m));
  m->member = path;
  m->first_finding = f->n;
  m->format = "unrecognized";
  return f->nmembers++;
}

static void member_close(struct brinei_walk *w, size_t slot,
                         enum brinei_fmt fmt, brine_verdict v)
{
  struct brine_member_report *m;
  if(slot == SIZE_MAX)
    return;
  m = &w->f->members[slot];
  m->format = brinei_fmt_name(fmt);
  m->verdict = v;
  m->nfindings = w->f->n - m->first_finding;
}

brine_verdict brinei_walk_member(struct brinei_walk *w, const char *parent,
                                 const char *name, const uint8_t *d,
                                 size_t len, unsigned depth,
                                 const struct brinei_member_hint *hint,
                                 bool *pickled, enum brinei_fmt *fmt_out)
{
  const char *path = join(w, parent, name);
  uint64_t pickles = w->pickles;
  enum brinei_fmt fmt = F_UNRECOGNIZED;
  brine_verdict v;
  size_t slot;
  if(pickled)
    *pickled = false;
  if(fmt_out)
    *fmt_out = F_UNRECOGNIZED;
  if(!path) {
    w->f->lost = true;
    return BRINE_VERDICT_ERROR;
  }
  if(++w->entries > w->ctx->lim.entries) {
    budget(w, parent, TOLD_ENTRIES, "more members than the limit entries");
    return BRINE_VERDICT_ERROR;
  }
  slot = member_open(w, path);
  v = examine(w, path, d, len, depth, hint, &fmt);
  member_close(w, slot, fmt, v);
  if(pickled)
    *pickled = w->pickles > pickles;
  if(fmt_out)
    *fmt_out = fmt;
  return v;
}

/* ---- pickles ------------------------------------------------------------ */

/* torch.serialization's MAGIC_NUMBER as the first stream of a legacy
   file: PROTO 2, LONG1 0x1950a86a20f9469cfc6c, STOP. */
static const uint8_t torch_legacy_magic[] = {
  0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8,
  0x50, 0x19, 0x2e
};

/* brinei_walk_pickle from byte `start` of d on (offsets stay those of
   d). */
static brine_verdict walk_pickle_at(struct brinei_walk *w, const char *member,
                                    const uint8_t *d, size_t len,
                                    size_t start, int context, bool probe,
                                    struct brinei_pickle_facts *pf,
                                    enum brinei_fmt *fmt)
{
  struct brinei_pickle_job job;
  struct brinei_pickle_facts local;
  bool is_pickle = false;
  brine_verdict v;
  if(!pf) {
    memset(&local, 0, sizeof(local));
    pf = &local;
  }
  if(context == PCTX_PLAIN && len - start >= sizeof(torch_legacy_magic) &&
     !memcmp(d + start, torch_legacy_magic, sizeof(torch_legacy_magic)))
    context = PCTX_TORCH_LEGACY;
  memset(&job, 0, sizeof(job));
  job.pol = w->pol;
  job.member = member;
  job.context = context;
  job.nest_budget = &w->nest_budget;
  job.map = w->map && w->map->data && d >= w->map->data &&
                    (size_t)(d - w->map->data) < w->map->len
                ? w->map : NULL;
  job.probe = probe;
  job.start = start;
  job.facts = pf;
  job.arena = w->f->arena;
  v = brinei_pickle_analyze(w->ctx, &job, d, len, w->f, &is_pickle);
  if(is_pickle) {
    w->pickles++;
    *fmt = context == PCTX_TORCH_LEGACY ? F_PYTORCH_LEGACY
           : pf->joblib ? F_JOBLIB : F_PICKLE;
    if(context == PCTX_TORCH_LEGACY)
      v = brinei_torch_legacy_storages(w, member, d, len, pf, v);
  }
  else
    *fmt = F_UNRECOGNIZED;
  if(pf == &local)
    brinei_pickle_facts_free(w->ctx, &local);
  return v;
}

brine_verdict brinei_walk_pickle(struct brinei_walk *w, const char *member,
                                 const uint8_t *d, size_t len, int context,
                                 bool probe, struct brinei_pickle_facts *pf,
                                 enum brinei_fmt *fmt)
{
  return walk_pickle_at(w, member, d, len, 0, context, probe, pf, fmt);
}

void brinei_walk_trailing(struct brinei_walk *w, const char *member,
                          const uint8_t *d, size_t len, size_t at,
                          size_t from, const char *what)
{
  enum brinei_fmt f;
  brinei_finding_add(w->f, R_FMT_TRAILING, at, member, NULL, BRINE_USE_NONE,
                     "%zu bytes follow the %s", len - at, what);
  (void)walk_pickle_at(w, member, d, len, from, PCTX_PLAIN, true, NULL, &f);
}

/* ---- compression wrappers ---------------------------------------------- */

static brine_verdict walk_compressed(struct brinei_walk *w,
                                     const char *member, const uint8_t *d,
                                     size_t len, unsigned depth,
                                     enum brinei_fmt fmt)
{
  uint8_t *out = NULL;
  size_t outlen = 0, used = 0;
  size_t from = w->f->n;
  brine_result rc = brinei_decompress(w->ctx, fmt, d, len, w->inflate_left,
                                      &out, &outlen, &used);
  if(rc) {
    brinei_walk_failure(w, rc, member, brinei_fmt_name(fmt));
    /* what was decoded before the damage still reaches a loader that
       reads as far as it can */
  }
  if(out && brinei_walk_charge(w, member, outlen)) {
    /* a wrapper is transparent: what it holds is this member's content
       (model.tar.gz!model/x.bin, as contract.md §6 writes paths) */
    enum brinei_fmt inner;
    (void)examine(w, member, out, outlen, depth + 1, NULL, &inner);
  }
  brinei_free(w->ctx, out);
  if(!rc && used < len) {
    size_t k = used;
    char what[32];
    while(k < len && d[k] == 0)
      k++;  /* NUL padding after the stream is common (tape blocks) */
    snprintf(what, sizeof(what), "%s stream", brinei_fmt_name(fmt));
    if(k < len)
      brinei_walk_trailing(w, member, d, len, used, k, what);
  }
  return brinei_findings_verdict(w->f, from, BRINE_VERDICT_SAFE);
}

/* ---- tar and 7z --------------------------------------------------------- */

struct arc_walk {
  struct brinei_walk *w;
  const char *member;
  unsigned depth;
  bool names[4];        /* sys_info, pickle, storages, tensors */
  size_t nfiles;
};

/* A member name leaving the extraction directory: a warning, critical
   when the member holds a pickle. */
static void report_escape(struct arc_walk *a, const char *name,
                          bool pickled)
{
  const char *path = join(a->w, a->member, name);
  brinei_finding_add_esc(a->w->f, R_ZIP_PATH, pickled, BRINE_NOOFF,
                         path ? path : a->member, "archive member name "
                         "\"%.200s\" leads outside the extraction directory%s",
                         name, pickled ? " and holds a pickle" : "");
}

static int arc_entry(void *arg, const struct brinei_archive_entry *e)
{
  static const char *const torch_names[] = { "sys_info", "pickle",
                                             "storages", "tensors" };
  struct arc_walk *a = arg;
  struct brinei_walk *w = a->w;
  const char *path;
  bool pickled = false;
  bool escapes = brinei_unsafe_member_path(e->name, strlen(e->name));
  if(e->type == 'e') {
    path = join(w, a->member, e->name);
    brinei_finding_add(w->f, R_FMT_UNSUPPORTED, BRINE_NOOFF,
                       path ? path : a->member, NULL, BRINE_USE_NONE,
                       "archive member \"%.200s\" is encrypted; its content "
                       "was not examined", e->name);
    return 0;
  }
  if(e->type == 'h' && e->data) {
    /* a hardlink with a body: bytes Python's tarfile reads as more
       entries (archive.c reports the disagreement); examine them so what
       hides there is judged */
    (void)brinei_walk_member(w, a->member, e->name, e->data, e->len,
                             a->depth + 1, NULL, &pickled, NULL);
    if(escapes)
      report_escape(a, e->name, pickled);
    return 0;
  }
  if(e->type != 'f') {
    if(escapes)
      report_escape(a, e->name, false);
    return 0;
  }
  for(size_t i = 0; i < BRINE_ARRAY_LEN(torch_names); i++)
    if(!strcmp(e->name, torch_names[i]))
      a->names[i] = true;
  a->nfiles++;
  (void)brinei_walk_member(w, a->member, e->name, e->data, e->len,
                           a->depth + 1, NULL, &pickled, NULL);
  if(escapes)
    report_escape(a, e->name, pickled);
  return 0;
}

static brine_verdict walk_archive(struct brinei_walk *w, const char *member,
                                  const uint8_t *d, size_t len,
                                  unsigned depth, enum brinei_fmt *fmt)
{
  struct arc_walk a;
  size_t from = w->f->n;
  brine_result rc;
  memset(&a, 0, sizeof(a));
  a.w = w;
  a.member = member;
  a.depth = depth;
  rc = brinei_archive_walk(w->ctx, *fmt, d, len, &w->inflate_left,
                           arc_entry, &a);
  if(rc)
    brinei_walk_failure(w, rc, member, brinei_fmt_name(*fmt));
  /* torch's pre-2017 layout: a tar of pickles named sys_info, pickle,
     storages and tensors (torch/serialization.py _legacy_load) */
  if(*fmt == F_TAR && a.names[0] && a.names[1] && a.names[2] && a.names[3])
    *fmt = F_PYTORCH_TAR;
  return brinei_findings_verdict(w->f, from, BRINE_VERDICT_SAFE);
}

/* ---- NumPy .npy ---------------------------------------------------------- */

static brine_verdict check_npy(struct brinei_walk *w, const char *member,
                               const uint8_t *d, size_t len)
{
  struct brinei_npy h;
  size_t from = w->f->n;
  brine_result rc = brinei_npy_parse(w->ctx, d, len, &h);
  if(rc) {
    brinei_walk_failure(w, rc, member, "numpy-npy header");
    return brinei_findings_verdict(w->f, from, BRINE_VERDICT_SAFE);
  }
  if(h.has_object) {
    /* numpy.load(allow_pickle=True) unpickles the data section */
    enum brinei_fmt pf;
    if(h.data_off < len)
      (void)brinei_walk_pickle(w, member, d + h.data_off, len - h.data_off,
                               PCTX_PLAIN, false, NULL, &pf);
    else
      brinei_finding_add(w->f, R_FMT_MALFORMED, h.data_off, member, NULL,
                         BRINE_USE_NONE, "object array without its pickle");
  }
  else if(h.data_len > len - h.data_off) {
    brinei_finding_add(w->f, R_FMT_MALFORMED, h.data_off, member, NULL,
                       BRINE_USE_NONE, "array data needs %llu bytes, %zu "
                       "remain", (unsigned long long)h.data_len,
                       len - h.data_off);
  }
  else if(h.data_len < len - h.data_off) {
    size_t at = h.data_off + (size_t)h.data_len;
    brinei_walk_trailing(w, member, d, len, at, at, "array data");
  }
  return brinei_findings_verdict(w->f, from, BRINE_VERDICT_SAFE);
}

/* ---- dispatch ------------------------------------------------------------ */

static brine_verdict examine_format(struct brinei_walk *w,
                                    const char *member, const uint8_t *d,
                                    size_t len, unsigned depth,
                                    const struct brinei_member_hint *hint,
                                    enum brinei_fmt *fmt);

/* Formats that are ZIP or tar archives themselves, or hold them. */
static bool is_archive(enum brinei_fmt f)
{
  switch(f) {
  case F_ZIP: case F_PYTORCH_ZIP: case F_TORCHSCRIPT: case F_NPZ:
  case F_KERAS: case F_SKOPS: case F_TAR: case F_PYTORCH_TAR: case F_7Z:
    return true;
  default:
    return false;
  }
}

static brine_verdict examine(struct brinei_walk *w, const char *member,
                             const uint8_t *d, size_t len, unsigned depth,
                             const struct brinei_member_hint *hint,
                             enum brinei_fmt *fmt)
{
  size_t from = w->f->n, start;
  brine_verdict v = examine_format(w, member, d, len, depth, hint, fmt);
  if(depth <= w->ctx->lim.container_depth && !is_archive(*fmt) &&
     brinei_zip_embedded(d, len, &start) && start < len) {
    /* a polyglot: Python's zipfile (Keras, skops, any zipfile.is_zipfile
       check) opens these bytes as a ZIP archive though they start as
       something else; what it would read is examined too */
    uint64_t pk0 = w->pickles;
    enum brinei_fmt zf = F_ZIP;
    (void)brinei_walk_zip(w, member, d + start, len - start, depth + 1, &zf);
    brinei_finding_add_esc(w->f, R_ZIP_HIDDEN, w->pickles > pk0, start,
                           member, "the %s bytes are also a ZIP archive "
                           "that Python's zipfile opens%s (its records "
                           "count from byte %zu)", brinei_fmt_name(*fmt),
                           w->pickles > pk0 ? ", holding a pickle" : "",
                           start);
    v = brinei_findings_verdict(w->f, from, v);
  }
  return v;
}

static brine_verdict examine_format(struct brinei_walk *w,
                                    const char *member, const uint8_t *d,
                                    size_t len, unsigned depth,
                                    const struct brinei_member_hint *hint,
                                    enum brinei_fmt *fmt)
{
  struct brinei_fcheck c;
  size_t from = w->f->n;
  enum brinei_fmt f;
  int context = hint ? hint->context : PCTX_PLAIN;
  struct brinei_pickle_facts *pf = hint ? hint->facts : NULL;
  enum brinei_fmt check = hint ? hint->check : F_UNRECOGNIZED;
  if(depth > w->ctx->lim.container_depth) {
    *fmt = F_UNRECOGNIZED;
    brinei_finding_add(w->f, R_FMT_BUDGET, BRINE_NOOFF, member, NULL,
                       BRINE_USE_NONE, "containers nested deeper than the "
                       "limit container_depth (%llu)",
                       (unsigned long long)w->ctx->lim.container_depth);
    return BRINE_VERDICT_ERROR;
  }
  f = brinei_sniff(d, len);
  c.ctx = w->ctx;
  c.pol = w->pol;
  c.f = w->f;
  c.member = member;
  c.dir = depth == 0 ? w->dir : NULL;
  *fmt = f;
  if(check == F_KERAS || check == F_SKOPS) {
    /* the config of a .keras or the schema of a .skops: JSON that
       decides what the loader imports (skops is checked with its member
       list by the archive) */
    if(check == F_KERAS)
      brinei_keras_check_config(&c, "config.json", d, len);
    *fmt = check;
    return brinei_findings_verdict(w->f, from, BRINE_VERDICT_SAFE);
  }
  if(context != PCTX_PLAIN)
    return brinei_walk_pickle(w, member, d, len, context, false, pf, fmt);
  switch(f) {
  case F_ZIP:
    return brinei_walk_zip(w, member, d, len, depth, fmt);
  case F_TAR:
  case F_7Z:
    return walk_archive(w, member, d, len, depth, fmt);
  case F_GZIP:
  case F_BZIP2:
  case F_XZ:
  case F_LZMA:
  case F_ZLIB:
  case F_LZ4:
  case F_ZSTD:
    return walk_compressed(w, member, d, len, depth, f);
  case F_NPY:
    return check_npy(w, member, d, len);
  case F_HDF5: {
    bool keras = false;
    brinei_h5_check(&c, d, len, &keras);
    *fmt = keras ? F_KERAS_H5 : F_UNRECOGNIZED;
    if(len && d[0] != 0x89) {
      /* the superblock may sit at 512, 1024, ...: pickle.load reads the
         bytes before it, so a user block is judged as a pickle too */
      enum brinei_fmt pk;
      (void)brinei_walk_pickle(w, member, d, len, PCTX_PLAIN, true, NULL,
                               &pk);
      if(!keras && pk != F_UNRECOGNIZED)
        *fmt = pk;
    }
    return brinei_findings_verdict(w->f, from,
                                   *fmt != F_UNRECOGNIZED
                                     ? BRINE_VERDICT_SAFE
                                     : BRINE_VERDICT_UNRECOGNIZED);
  }
  case F_GGUF:
    brinei_gguf_check(&c, d, len);
    return brinei_findings_verdict(w->f, from, BRINE_VERDICT_SAFE);
  case F_SAFETENSORS:
    brinei_safetensors_check(&c, d, len);
    return brinei_findings_verdict(w->f, from, BRINE_VERDICT_SAFE);
  default:
    break;
  }
  f = brinei_protobuf_probe(d, len);
  if(f == F_ONNX || f == F_TF_SAVEDMODEL) {
    *fmt = f;
    if(f == F_ONNX)
      brinei_onnx_check(&c, d, len);
    else
      brinei_savedmodel_check(&c, d, len);
    if(len && brinei_pk_opname(d[0])) {
      /* real models start with 0x08, not an opcode: bytes that are both
         a protobuf and a pickle are judged as both */
      enum brinei_fmt pk;
      (void)brinei_walk_pickle(w, member, d, len, PCTX_PLAIN, true, NULL,
                               &pk);
    }
    return brinei_findings_verdict(w->f, from, BRINE_VERDICT_SAFE);
  }
  return brinei_walk_pickle(w, member, d, len, PCTX_PLAIN, true, NULL, fmt);
}

void brinei_walk_init(struct brinei_walk *w, struct brine_ctx *ctx,
                      const struct brine_policy *pol,
                      struct brinei_findings *f, unsigned flags)
{
  memset(w, 0, sizeof(*w));
  w->ctx = ctx;
  w->pol = pol;
  w->f = f;
  w->flags = flags;
  w->inflate_left = ctx->lim.inflate_bytes;
  w->nest_budget = ctx->lim.nest_bytes;
}

brine_verdict brinei_walk_top(struct brinei_walk *w, const uint8_t *d,
                              size_t len, const char **format)
{
  enum brinei_fmt fmt = F_UNRECOGNIZED;
  brine_verdict v = examine(w, "", d, len, 0, NULL, &fmt);
  *format = brinei_fmt_name(fmt);
  return v;
}
