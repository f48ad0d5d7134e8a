/* ZIP archives: every member examined by content, every disagreement
 * between the archive's structures reported (B1-B4, B11, B12 of
 * pickle-threats.md), and the archive's flavour told from its members:
 * PyTorch (`<root>/data.pkl`, as torch's reader finds it from the first
 * entry's folder), TorchScript (`code/`, `constants.pkl`), Keras
 * (`config.json` + `metadata.json`), skops (`schema.json`) and NumPy .npz
 * (every member an .npy).
 *
 * A ZIP anomaly is a warning on its own; when the member it concerns holds
 * a pickle it is escalated to critical, since then it hides or disguises
 * the pickle from some reader.
 */
#include "walk.h"

#include <stdio.h>
#include <stdlib.h>

struct zwalk {
  struct brinei_walk *w;
  struct brinei_zip *z;
  const char *member;       /* the archive's member path */
  unsigned depth;
  bool *done;               /* per entry: examined or accounted for */
  bool *pickled;            /* per entry: holds a pickle */
  bool *crc_bad;            /* per entry: CRC-32 mismatch */
  enum brinei_fmt *fmt;     /* per entry: its format */
  char root[256];           /* torch's archive folder, "" if none */
  bool torch, torchscript, keras, skops;
};

static size_t find(const struct zwalk *zw, const char *name)
{
  for(size_t i = 0; i < zw->z->n; i++)
    if(!strcmp(zw->z->e[i].name, name))
      return i;
  return SIZE_MAX;
}

static size_t find_rooted(const struct zwalk *zw, const char *rest)
{
  char name[512];
  if((size_t)snprintf(name, sizeof(name), "%s/%s", zw->root, rest) >=
     sizeof(name))
    return SIZE_MAX;
  return find(zw, name);
}

/* torch's PyTorchStreamReader takes the archive folder from the first
   entry's name, up to its first '/' (caffe2/serialize/inline_container.cc
   init()). */
static void classify(struct zwalk *zw)
{
  const struct brinei_zip *z = zw->z;
  const char *slash;
  if(!z->n)
    return;
  slash = strchr(z->e[0].name, '/');
  if(slash && (size_t)(slash - z->e[0].name) < sizeof(zw->root)) {
    size_t rl = (size_t)(slash - z->e[0].name);
    memcpy(zw->root, z->e[0].name, rl);
    zw->root[rl] = '\0';
    zw->torch = find_rooted(zw, "data.pkl") != SIZE_MAX;
  }
  if(zw->torch) {
    size_t rl = strlen(zw->root);
    zw->torchscript = find_rooted(zw, "constants.pkl") != SIZE_MAX;
    for(size_t i = 0; i < z->n && !zw->torchscript; i++)
      zw->torchscript = !strncmp(z->e[i].name, zw->root, rl) &&
                        !strncmp(z->e[i].name + rl, "/code/", 6);
  }
  zw->skops = find(zw, "schema.json") != SIZE_MAX;
  zw->keras = find(zw, "config.json") != SIZE_MAX &&
              find(zw, "metadata.json") != SIZE_MAX;
}

static bool is_dir_entry(const struct brinei_zip_entry *e)
{
  return e->name_len && e->name[e->name_len - 1] == '/' && !e->usize;
}

/* Read entry i; NULL data when it cannot be read (a finding says why). */
static const uint8_t *read_entry(struct zwalk *zw, size_t i, bool crc,
                                 size_t *len, uint8_t **owned)
{
  struct brinei_walk *w = zw->w;
  const struct brinei_zip_entry *e = &zw->z->e[i];
  const uint8_t *data = NULL;
  uint32_t c = 0;
  brine_result rc;
  *owned = NULL;
  rc = brinei_zip_read(zw->z, i, w->inflate_left, &data, len, owned,
                       crc ? &c : NULL);
  if(rc) {
    char what[300];
    snprintf(what, sizeof(what), "zip member \"%.200s\"", e->name);
    brinei_walk_failure(w, rc, zw->member, what);
    return NULL;
  }
  if(*owned && !brinei_walk_charge(w, zw->member, *len)) {
    brinei_free(w->ctx, *owned);
    *owned = NULL;
    return NULL;
  }
  if(crc && c != e->crc)
    zw->crc_bad[i] = true;
  return data;
}

/* Examine entry i as a member, with a pickle context for torch records. */
static void examine_entry(struct zwalk *zw, size_t i, int context,
                          struct brinei_pickle_facts *pf,
                          enum brinei_fmt check)
{
  struct brinei_walk *w = zw->w;
  const struct brinei_zip_entry *e = &zw->z->e[i];
  struct brinei_member_hint hint = { context, pf, check };
  uint8_t *owned;
  size_t len;
  const uint8_t *data;
  zw->done[i] = true;
  if(is_dir_entry(e))
    return;
  data = read_entry(zw, i, true, &len, &owned);
  if(!data)
    return;
  (void)brinei_walk_member(w, zw->member, e->name, data, len, zw->depth + 1,
                           &hint, &zw->pickled[i], &zw->fmt[i]);
  brinei_free(w->ctx, owned);
}

/* ---- PyTorch records ---------------------------------------------------- */

static void check_storages(struct zwalk *zw, const char *pkl,
                           const char *dir,
                           const struct brinei_pickle_facts *pf)
{
  struct brinei_walk *w = zw->w;
  const char *mpath = zw->member;
  for(size_t s = 0; s < pf->nst; s++) {
    const struct brinei_torch_storage *st = &pf->st[s];
    char rest[400];
    size_t i;
    unsigned es = brinei_torch_elem_size(st->type);
    uint64_t need;
    snprintf(rest, sizeof(rest), "%s/%.300s", dir, st->key);
    i = find_rooted(zw, rest);
    if(i == SIZE_MAX) {
      brinei_finding_add(w->f, R_TORCH_STORAGE, BRINE_NOOFF, mpath, NULL,
                         BRINE_USE_NONE, "%s refers to storage \"%.200s\" "
                         "but the archive has no %s/%s record", pkl, st->key,
                         zw->root, rest);
      continue;
    }
    if(zw->done[i])
      continue;  /* two ids for one record: checked once */
    zw->done[i] = true;
    if(!es)
      es = 1;  /* UntypedStorage and unknown classes: numel is bytes */
    if(st->numel > UINT64_MAX / es ||
       st->numel * es > zw->z->e[i].usize) {
      brinei_finding_add(w->f, R_TORCH_SIZE, BRINE_NOOFF, mpath, NULL,
                         BRINE_USE_NONE, "storage \"%.200s\" claims %llu "
                         "elements of %u bytes but its record holds %llu "
                         "bytes", st->key, (unsigned long long)st->numel, es,
                         (unsigned long long)zw->z->e[i].usize);
    }
    need = st->need;
    if(need > st->numel)
      brinei_finding_add(w->f, R_TORCH_SIZE, st->need_off, mpath, NULL,
                         BRINE_USE_NONE, "a tensor rebuilt at byte %llu of "
                         "%s reaches element %llu of storage \"%.200s\", "
                         "which has %llu", (unsigned long long)st->need_off,
                         pkl, (unsigned long long)need, st->key,
                         (unsigned long long)st->numel);
    if(w->flags & BRINE_SCAN_DEEP) {
      uint8_t *owned;
      size_t len;
      (void)read_entry(zw, i, true, &len, &owned);
      brinei_free(w->ctx, owned);
    }
  }
}

static void check_version(struct zwalk *zw)
{
  struct brinei_walk *w = zw->w;
  size_t i = find_rooted(zw, "version");
  uint8_t *owned;
  size_t len;
  const uint8_t *v;
  if(i == SIZE_MAX)
    i = find_rooted(zw, ".data/version");
  if(i == SIZE_MAX) {
    brinei_finding_add(w->f, R_TORCH_LAYOUT, BRINE_NOOFF, zw->member, NULL,
                       BRINE_USE_NONE, "the archive has no %s/version "
                       "record", zw->root);
    return;
  }
  zw->done[i] = true;
  v = read_entry(zw, i, true, &len, &owned);
  if(v) {
    size_t k = 0;
    while(k < len && k < 8 && v[k] >= '0' && v[k] <= '9')
      k++;
    if(!k || k == 8 || (k < len && !(k + 1 == len && v[k] == '\n')))
      brinei_finding_add(w->f, R_TORCH_LAYOUT, BRINE_NOOFF, zw->member, NULL,
                         BRINE_USE_NONE, "the version record is not a "
                         "small number");
  }
  brinei_free(w->ctx, owned);
}

static void walk_torch(struct zwalk *zw)
{
  struct brinei_pickle_facts pf;
  int context = zw->torchscript ? PCTX_TORCHSCRIPT : PCTX_TORCH_ZIP;
  static const struct { const char *pkl, *dir; } recs[] = {
    { "data.pkl", "data" }, { "constants.pkl", "constants" },
  };
  for(size_t r = 0; r < BRINE_ARRAY_LEN(recs); r++) {
    size_t i = find_rooted(zw, recs[r].pkl);
    if(i == SIZE_MAX)
      continue;
    memset(&pf, 0, sizeof(pf));
    examine_entry(zw, i, context, &pf, F_UNRECOGNIZED);
    if(pf.st_lost)
      brinei_finding_add(zw->w->f, R_LIMIT, BRINE_NOOFF, zw->member, NULL,
                         BRINE_USE_NONE, "storages of %s could not all be "
                         "recorded (memory)", recs[r].pkl);
    check_storages(zw, recs[r].pkl, recs[r].dir, &pf);
    brinei_pickle_facts_free(zw->w->ctx, &pf);
  }
  check_version(zw);
}

/* ---- anomalies ------------------------------------------------------------ */

static void report_entry(struct zwalk *zw, size_t i)
{
  struct brinei_walk *w = zw->w;
  const struct brinei_zip_entry *e = &zw->z->e[i];
  bool esc = zw->pickled[i];
  const char *m = zw->member;
  const char *n = e->name;
  if(e->anomalies & ZA_NAME)
    brinei_finding_add_esc(w->f, R_ZIP_NAME, esc, e->local_off, m,
                           "member \"%.200s\": the local header names it "
                           "\"%.200s\"", n,
                           e->local_name ? e->local_name : "?");
  if(zw->crc_bad[i])
    brinei_finding_add_esc(w->f, R_ZIP_CRC, esc, e->data_off, m,
                           "member \"%.200s\" does not match its CRC-32 "
                           "%08x", n, (unsigned)e->crc);
  if(e->anomalies & ZA_FLAGS)
    brinei_finding_add_esc(w->f, R_ZIP_FLAGS, esc, e->local_off, m,
                           "member \"%.200s\" sets flag bits 0x%04x (local "
                           "0x%04x): zipfile refuses it, PyTorch reads it",
                           n, (unsigned)e->flags, (unsigned)e->local_flags);
  if(e->anomalies & (ZA_HEADER | ZA_ZIP64))
    brinei_finding_add_esc(w->f, R_ZIP_HEADER, esc, e->local_off, m,
                           "member \"%.200s\": local header and central "
                           "directory disagree (method %u/%u, flags "
                           "0x%04x/0x%04x%s)", n, (unsigned)e->local_method,
                           (unsigned)e->method, (unsigned)e->local_flags,
                           (unsigned)e->flags,
                           e->anomalies & ZA_ZIP64 ? ", ZIP64 fields" : "");
  if(e->anomalies & (ZA_OVERLAP | ZA_DUP))
    brinei_finding_add_esc(w->f, R_ZIP_OVERLAP, esc, e->local_off, m,
                           "member \"%.200s\" %s", n,
                           e->anomalies & ZA_DUP
                               ? "repeats the name of an earlier entry"
                               : "shares bytes with another entry");
  if(e->anomalies & ZA_PATH)
    brinei_finding_add_esc(w->f, R_ZIP_PATH, esc, BRINE_NOOFF, m,
                           "member name \"%.200s\" leads outside the "
                           "extraction directory", n);
  if((e->anomalies & ZA_BOUNDS) && !zw->done[i])
    brinei_finding_add(w->f, R_FMT_MALFORMED, e->local_off, m, NULL,
                       BRINE_USE_NONE, "member \"%.200s\" lies outside the "
                       "archive", n);
}

static void report_region(struct zwalk *zw, size_t ri)
{
  static const char *const what[] = {
    [ZR_PREFIX] = "before the first entry",
    [ZR_GAP] = "between entries",
    [ZR_UNLISTED] = "in a local entry missing from the central directory",
    [ZR_TAIL] = "after the central directory",
  };
  struct brinei_walk *w = zw->w;
  const struct brinei_zip_region_info *r = &zw->z->r[ri];
  bool pickled = false;
  if(r->kind == ZR_UNLISTED) {
    uint8_t *owned = NULL;
    const uint8_t *data;
    size_t len;
    char name[300];
    brine_result rc = brinei_zip_read_region(zw->z, ri, w->inflate_left,
                                             &data, &len, &owned);
    snprintf(name, sizeof(name), "%.200s@%llu", r->name ? r->name : "?",
             (unsigned long long)r->off);
    if(rc)
      brinei_walk_failure(w, rc, zw->member, "unlisted zip entry");
    else if(!owned || brinei_walk_charge(w, zw->member, len))
      (void)brinei_walk_member(w, zw->member, name, data, len,
                               zw->depth + 1, NULL, &pickled, NULL);
    brinei_free(w->ctx, owned);
    brinei_finding_add_esc(w->f, R_ZIP_UNLISTED, pickled, r->off,
                           zw->member, "%llu bytes at byte %llu hold a local "
                           "entry \"%.200s\" that the central directory does "
                           "not list", (unsigned long long)r->len,
                           (unsigned long long)r->off,
                           r->name ? r->name : "?");
    return;
  }
  if(r->off < zw->z->len && r->len) {
    enum brinei_fmt f;
    uint64_t before = w->pickles;
    size_t n = (size_t)(r->len < zw->z->len - r->off ? r->len
                                                     : zw->z->len - r->off);
    (void)brinei_walk_pickle(w, zw->member, zw->z->data + r->off, n,
                             PCTX_PLAIN, true, NULL, &f);
    pickled = w->pickles > before;
  }
  brinei_finding_add_esc(w->f, R_ZIP_HIDDEN, pickled, r->off, zw->member,
                         "%llu bytes at byte %llu %s%s",
                         (unsigned long long)r->len,
                         (unsigned long long)r->off, what[r->kind],
                         pickled ? " hold a pickle" : "");
}

/* ---- the archive ------------------------------------------------------------ */

brine_verdict brinei_walk_zip(struct brinei_walk *w, const char *member,
                              const uint8_t *d, size_t len, unsigned depth,
                              enum brinei_fmt *fmt)
{
  struct zwalk zw;
  size_t from = w->f->n, nfiles = 0, nnpy = 0;
  bool any_pickle = false;
  brine_result rc;
  memset(&zw, 0, sizeof(zw));
  zw.w = w;
  zw.member = member;
  zw.depth = depth;
  rc = brinei_zip_open(w->ctx, d, len, &zw.z);
  if(rc) {
    brinei_walk_failure(w, rc, member, "zip");
    return brinei_findings_verdict(w->f, from, BRINE_VERDICT_SAFE);
  }
  zw.done = brinei_calloc(w->ctx, zw.z->n + 1, sizeof(bool));
  zw.pickled = brinei_calloc(w->ctx, zw.z->n + 1, sizeof(bool));
  zw.crc_bad = brinei_calloc(w->ctx, zw.z->n + 1, sizeof(bool));
  zw.fmt = brinei_calloc(w->ctx, zw.z->n + 1, sizeof(enum brinei_fmt));
  if(!zw.done || !zw.pickled || !zw.crc_bad || !zw.fmt) {
    brinei_finding_add(w->f, R_LIMIT, BRINE_NOOFF, member, NULL,
                       BRINE_USE_NONE, "memory budget exhausted (limit "
                       "memory)");
    goto out;
  }
  classify(&zw);
  if(zw.torch)
    walk_torch(&zw);
  for(size_t i = 0; i < zw.z->n; i++) {
    const char *n = zw.z->e[i].name;
    enum brinei_fmt check = F_UNRECOGNIZED;
    if(zw.done[i])
      continue;
    size_t nl = strlen(n);
    if(zw.torchscript && ((nl > 4 && !strcmp(n + nl - 4, ".pkl")) ||
                          (nl > 10 && !strcmp(n + nl - 10, ".debug_pkl")))) {
      /* TorchScript's own pickles (the .debug_pkl files under code/), read
         by torch.jit.load's unpickler */
      examine_entry(&zw, i, PCTX_TORCHSCRIPT, NULL, F_UNRECOGNIZED);
      continue;
    }
    if(zw.keras && !strcmp(n, "config.json"))
      check = F_KERAS;
    else if(zw.skops && !strcmp(n, "schema.json"))
      check = F_SKOPS;
    examine_entry(&zw, i, PCTX_PLAIN, NULL, check);
  }
  if(zw.skops) {
    const char **names = brinei_calloc(w->ctx, zw.z->n + 1, sizeof(char *));
    size_t i = find(&zw, "schema.json");
    uint8_t *owned;
    size_t sl;
    const uint8_t *s;
    struct brinei_fcheck c = { w->ctx, w->pol, w->f, member, NULL };
    char path[512];
    const char *sp;
    snprintf(path, sizeof(path), "%s%sschema.json", member,
             member[0] ? "!" : "");
    sp = brinei_arena_strndup(w->f->arena, path, strlen(path));
    if(sp)
      c.member = sp;  /* findings belong to the schema member */
    if(names) {
      for(size_t k = 0; k < zw.z->n; k++)
        names[k] = zw.z->e[k].name;
      s = read_entry(&zw, i, false, &sl, &owned);
      if(s)
        brinei_skops_check(&c, s, sl, names, zw.z->n);
      brinei_free(w->ctx, owned);
      brinei_free(w->ctx, names);
    }
  }
  for(size_t i = 0; i < zw.z->n; i++) {
    any_pickle |= zw.pickled[i];
    if(!is_dir_entry(&zw.z->e[i])) {
      nfiles++;
      nnpy += zw.fmt[i] == F_NPY;
    }
    report_entry(&zw, i);
  }
  for(size_t r = 0; r < zw.z->nr; r++)
    report_region(&zw, r);
  if(zw.z->comment_msg)
    brinei_finding_add_esc(w->f, R_ZIP_HEADER, any_pickle, BRINE_NOOFF,
                           member, "%s", zw.z->comment_msg);
  *fmt = zw.torchscript ? F_TORCHSCRIPT
         : zw.torch     ? F_PYTORCH_ZIP
         : zw.skops     ? F_SKOPS
         : zw.keras     ? F_KERAS
         : nfiles && nnpy == nfiles ? F_NPZ
                        : F_ZIP;
out:
  brinei_free(w->ctx, zw.done);
  brinei_free(w->ctx, zw.pickled);
  brinei_free(w->ctx, zw.crc_bad);
  brinei_free(w->ctx, zw.fmt);
  brinei_zip_free(zw.z);
  return brinei_findings_verdict(w->f, from, BRINE_VERDICT_SAFE);
}
