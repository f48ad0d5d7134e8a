/* A scan session: files and directories examined by content, one report
 * per file (contract.md §1-2). Formats other than pickle are recognised by
 * the formats layer as it grows; a file of no known format is
 * `unrecognized` and never treated as a pickle.
 */
#include "walk.h"
#include "../util/pool.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* A worker's context and arena (parallel directory scans). */
struct lane {
  struct brine_ctx *ctx;              /* owned */
  struct brinei_arena arena;          /* strings of the reports it built */
};

struct brine_scan {
  struct brine_ctx *ctx;
  const struct brine_policy *pol;
  unsigned flags;
  unsigned threads;                   /* 0: every core */
  struct brinei_arena arena;          /* strings of every report */
  struct brine_file_report *files;    /* owned */
  size_t nfiles, files_cap;
  struct lane *lanes;                 /* owned, with their contexts */
  size_t nlanes, lanes_cap;
};

const char *brine_verdict_name(brine_verdict v)
{
  static const char *const n[] = { "unrecognized", "safe", "unknown",
                                   "error", "unsafe" };
  return (unsigned)v < BRINE_ARRAY_LEN(n) ? n[v] : "error";
}

const char *brine_severity_name(brine_severity s)
{
  static const char *const n[] = { "info", "warning", "error", "critical" };
  return (unsigned)s < BRINE_ARRAY_LEN(n) ? n[s] : "error";
}

const char *brine_use_name(brine_use u)
{
  static const char *const n[] = { "none", "reference", "construct",
                                   "call" };
  return (unsigned)u < BRINE_ARRAY_LEN(n) ? n[u] : "none";
}

/* ---- findings --------------------------------------------------------- */

static void finding_vadd(struct brinei_findings *f, enum brinei_rule r,
                         bool escalate, uint64_t off, const char *member,
                         const char *global, brine_use use, const char *fmt,
                         va_list ap) BRINE_PRINTF(8, 0);

static void finding_vadd(struct brinei_findings *f, enum brinei_rule r,
                         bool escalate, uint64_t off, const char *member,
                         const char *global, brine_use use, const char *fmt,
                         va_list ap)
{
  struct brine_finding *x;
  char msg[1024];
  void *p = f->v;
  if(f->n >= f->ctx->lim.findings ||
     brinei_grow(f->ctx, &p, &f->cap, f->n + 1, sizeof(*f->v),
                 (size_t)f->ctx->lim.findings)) {
    f->dropped++;
    f->lost = true;
    return;
  }
  f->v = p;
  vsnprintf(msg, sizeof(msg), fmt, ap);
  x = &f->v[f->n];
  x->rule = brinei_rules[r].id;
  x->rule_name = brinei_rules[r].name;
  x->severity = escalate ? BRINE_SEV_CRITICAL : brinei_rules[r].severity;
  x->verdict = escalate ? BRINE_VERDICT_UNSAFE : brinei_rules[r].verdict;
  x->offset = off;
  x->member = brinei_arena_strndup(f->arena, member ? member : "",
                                   member ? strlen(member) : 0);
  x->global = global ? brinei_arena_strndup(f->arena, global,
                                            strlen(global)) : NULL;
  x->use = use;
  x->message = brinei_arena_strndup(f->arena, msg, strlen(msg));
  if(!x->member || !x->message || (global && !x->global)) {
    f->dropped++;
    f->lost = true;
    return;
  }
  f->n++;
}

void brinei_finding_add(struct brinei_findings *f, enum brinei_rule r,
                        uint64_t off, const char *member, const char *global,
                        brine_use use, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  finding_vadd(f, r, false, off, member, global, use, fmt, ap);
  va_end(ap);
}

void brinei_finding_add_esc(struct brinei_findings *f, enum brinei_rule r,
                            bool escalate, uint64_t off, const char *member,
                            const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  finding_vadd(f, r, escalate, off, member, NULL, BRINE_USE_NONE, fmt, ap);
  va_end(ap);
}

brine_verdict brinei_findings_verdict(const struct brinei_findings *f,
                                      size_t from, brine_verdict floor)
{
  brine_verdict v = floor;
  if(f->lost && v < BRINE_VERDICT_ERROR)
    v = BRINE_VERDICT_ERROR;  /* what was lost might have been worse */
  for(size_t i = from; i < f->n; i++) {
    brine_verdict r = f->v[i].verdict;
    if(r > v)
      v = r;
  }
  return v;
}

/* ---- the session ------------------------------------------------------ */

brine_result brine_scan_new(struct brine_ctx *ctx,
                            const struct brine_policy *pol, unsigned flags,
                            struct brine_scan **out)
{
  struct brine_scan *s = brinei_calloc(ctx, 1, sizeof(*s));
  *out = NULL;
  if(!s)
    return BRINE_E_NOMEM;
  s->ctx = ctx;
  s->pol = pol;
  s->flags = flags;
  s->threads = 1;
  brinei_arena_init(&s->arena, ctx);
  *out = s;
  return BRINE_OK;
}

void brine_scan_free(struct brine_scan *s)
{
  if(!s)
    return;
  for(size_t i = 0; i < s->nfiles; i++) {
    brinei_free(s->ctx, (void *)s->files[i].findings);
    brinei_free(s->ctx, (void *)s->files[i].members);
  }
  brinei_free(s->ctx, s->files);
  brinei_arena_free(&s->arena);
  for(size_t i = 0; i < s->nlanes; i++) {
    brinei_arena_free(&s->lanes[i].arena);
    brine_ctx_free(s->lanes[i].ctx);
  }
  brinei_free(s->ctx, s->lanes);
  brinei_free(s->ctx, s);
}

size_t brine_scan_nfiles(const struct brine_scan *s) { return s->nfiles; }

struct brine_ctx *brinei_scan_ctx(const struct brine_scan *s)
{
  return s->ctx;
}

const struct brine_file_report *brine_scan_file(const struct brine_scan *s,
                                                size_t i)
{
  return i < s->nfiles ? &s->files[i] : NULL;
}

int brine_scan_exit_code(const struct brine_scan *s)
{
  bool err = false;
  for(size_t i = 0; i < s->nfiles; i++) {
    brine_verdict v = s->files[i].verdict;
    if(v == BRINE_VERDICT_UNSAFE ||
       (v == BRINE_VERDICT_UNKNOWN && (s->flags & BRINE_SCAN_STRICT)))
      return 1;
    if(v == BRINE_VERDICT_ERROR)
      err = true;
  }
  return err ? 2 : 0;
}

static struct brine_file_report *new_report(struct brine_scan *s,
                                            const char *path)
{
  struct brine_file_report *r;
  void *p = s->files;
  if(brinei_grow(s->ctx, &p, &s->files_cap, s->nfiles + 1, sizeof(*r),
                 SIZE_MAX / sizeof(*r)))
    return NULL;
  s->files = p;
  r = &s->files[s->nfiles];
  memset(r, 0, sizeof(*r));
  r->path = brinei_arena_strndup(&s->arena, path, strlen(path));
  if(!r->path)
    return NULL;
  s->nfiles++;
  return r;
}

static void finish_report(struct brine_file_report *r,
                          struct brinei_findings *f)
{
  r->findings = f->v;
  r->nfindings = f->n;
  r->members = f->members;
  r->nmembers = f->nmembers;
  r->findings_dropped = f->dropped;
}

/* Examine bytes as a whole file into report r, building findings with
   ctx and arena (the session's or a worker's); dir is the directory the
   file lives in on disk (ONNX external data is resolved against it), or
   NULL. */
static void examine(struct brine_scan *s, struct brine_ctx *ctx,
                    struct brinei_arena *arena, struct brine_file_report *r,
                    const uint8_t *data, size_t len, struct brinei_map *map,
                    const char *dir)
{
  struct brinei_findings f;
  struct brinei_walk w;
  memset(&f, 0, sizeof(f));
  f.ctx = ctx;
  f.arena = arena;
  brinei_walk_init(&w, ctx, s->pol, &f, s->flags);
  w.map = map;
  w.dir = dir;
  r->verdict = brinei_walk_top(&w, data, len, &r->format);
  finish_report(r, &f);
}

brine_result brine_scan_buffer(struct brine_scan *s, const char *name,
                               const void *data, size_t len)
{
  struct brine_file_report *r = new_report(s, name);
  if(!r)
    return BRINE_E_NOMEM;
  examine(s, s->ctx, &s->arena, r, data, len, NULL, NULL);
  return BRINE_OK;
}

/* A file reported with one finding and no content scanned. */
static brine_result report_one(struct brine_scan *s, const char *path,
                               enum brinei_rule rule, const char *msg)
{
  struct brine_file_report *r = new_report(s, path);
  struct brinei_findings f;
  if(!r)
    return BRINE_E_NOMEM;
  memset(&f, 0, sizeof(f));
  f.ctx = s->ctx;
  f.arena = &s->arena;
  brinei_finding_add(&f, rule, BRINE_NOOFF, "", NULL, BRINE_USE_NONE, "%s",
                     msg);
  r->format = "unrecognized";
  r->verdict = brinei_findings_verdict(&f, 0, BRINE_VERDICT_UNRECOGNIZED);
  finish_report(r, &f);
  return BRINE_OK;
}

static brine_result report_io(struct brine_scan *s, const char *path,
                              const char *msg)
{
  return report_one(s, path, R_IO, msg);
}

/* Examine the file at path into the report reserved at index ri,
   building findings and strings with ctx and arena (the session's, or a
   worker's). Only out of memory before anything could be reported
   fails. */
static brine_result fill_report(struct brine_scan *s, struct brine_ctx *ctx,
                                struct brinei_arena *arena, size_t ri,
                                const char *path)
{
  struct brine_file_report *r = &s->files[ri];
  struct brinei_map m;
  const char *slash = strrchr(path, '/');
  char *dir;
  brine_result rc = brinei_map_file(ctx, path, &m);
  if(rc == BRINE_E_NOMEM)
    return rc;
  if(rc) {
    struct brinei_findings f;
    memset(&f, 0, sizeof(f));
    f.ctx = ctx;
    f.arena = arena;
    brinei_finding_add(&f, R_IO, BRINE_NOOFF, "", NULL, BRINE_USE_NONE, "%s",
                       ctx->err.message);
    r->format = "unrecognized";
    r->verdict = brinei_findings_verdict(&f, 0, BRINE_VERDICT_UNRECOGNIZED);
    finish_report(r, &f);
    return BRINE_OK;
  }
  dir = slash ? brinei_strndup(ctx, path, (size_t)(slash - path) + 1)
              : brinei_strndup(ctx, ".", 1);
  if(!dir) {
    brinei_map_close(&m);
    return BRINE_E_NOMEM;
  }
  examine(s, ctx, arena, r, m.data ? m.data : (const uint8_t *)"", m.len, &m,
          dir);
  brinei_free(ctx, dir);
  brinei_map_close(&m);
  return BRINE_OK;
}

/* A file found by the directory walk, examined after it (maybe on a
   worker thread) into its reserved report. */
struct job {
  size_t report;
  uint64_t size;
  char *path;          /* owned (session ctx) */
  brine_result rc;
  unsigned lane;       /* worker that examined it */
};

struct walk_state {
  struct job *jobs;
  size_t njobs, cap;
};

static brine_result add_job(struct brine_scan *s, struct walk_state *ws,
                            char *path, uint64_t size)
{
  void *p = ws->jobs;
  if(!new_report(s, path) ||
     brinei_grow(s->ctx, &p, &ws->cap, ws->njobs + 1, sizeof(struct job),
                 SIZE_MAX / sizeof(struct job)))
    return BRINE_E_NOMEM;
  ws->jobs = p;
  ws->jobs[ws->njobs].report = s->nfiles - 1;
  ws->jobs[ws->njobs].size = size;
  ws->jobs[ws->njobs].path = path;
  ws->jobs[ws->njobs].rc = BRINE_OK;
  ws->jobs[ws->njobs].lane = 0;
  ws->njobs++;
  return BRINE_OK;
}

static int cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reserve a report for every entry under dir in sorted order; regular
   files become jobs, the rest are reported at once. */
static brine_result walk(struct brine_scan *s, struct walk_state *ws,
                         const char *dir, unsigned depth)
{
  DIR *d;
  struct dirent *e;
  char **names = NULL;
  size_t n = 0, cap = 0;
  brine_result rc = BRINE_OK;
  if(depth > s->ctx->lim.dir_depth)
    return report_io(s, dir, "directory nesting exceeds limit dir_depth");
  d = opendir(dir);
  if(!d) {
    char msg[512];
    snprintf(msg, sizeof(msg), "%s: %s", dir, strerror(errno));
    return report_io(s, dir, msg);
  }
  /* sorted, so reports come in a stable order */
  while((e = readdir(d)) != NULL) {
    void *p = names;
    if(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    if(brinei_grow(s->ctx, &p, &cap, n + 1, sizeof(char *), SIZE_MAX / 8)) {
      rc = BRINE_E_NOMEM;
      break;
    }
    names = p;
    names[n] = brinei_strndup(s->ctx, e->d_name, strlen(e->d_name));
    if(!names[n]) {
      rc = BRINE_E_NOMEM;
      break;
    }
    n++;
  }
  closedir(d);
  if(!rc)
    qsort(names, n, sizeof(char *), cmp_names);
  for(size_t i = 0; !rc && i < n; i++) {
    struct stat st;
    size_t dl = strlen(dir), pl = dl + strlen(names[i]) + 2;
    char *p = brinei_malloc(s->ctx, pl);
    if(!p) {
      rc = BRINE_E_NOMEM;
      break;
    }
    snprintf(p, pl, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
             names[i]);
    if(lstat(p, &st) < 0) {
      char msg[512];
      snprintf(msg, sizeof(msg), "%s: %s", p, strerror(errno));
      rc = report_io(s, p, msg);
    }
    else if(S_ISLNK(st.st_mode)) {
      /* links are reported, never followed out of the scanned root */
      rc = report_one(s, p, R_SYMLINK, "symbolic link, not followed (scan "
                      "its target by naming it)");
    }
    else if(S_ISDIR(st.st_mode))
      rc = walk(s, ws, p, depth + 1);
    else if(S_ISREG(st.st_mode)) {
      rc = add_job(s, ws, p, (uint64_t)st.st_size);
      if(!rc)
        p = NULL;  /* the job owns it */
    }
    brinei_free(s->ctx, p);
  }
  for(size_t i = 0; i < n; i++)
    brinei_free(s->ctx, names[i]);
  brinei_free(s->ctx, names);
  return rc;
}

/* ---- parallel examination ---------------------------------------------
   Each worker has its own context (same limits and allocator: the memory
   limit holds per file in flight) and arena; the arenas live as long as
   the session, since the reports point into them. Findings and member
   arrays are moved to the session's context after the pool. */

struct pool_run {
  struct brine_scan *s;
  struct walk_state *ws;
  size_t *order;          /* job indexes, biggest file first */
  struct lane *lanes;     /* this run's workers */
};

static void run_job(void *ud, size_t task, unsigned worker)
{
  struct pool_run *pr = ud;
  struct job *j = &pr->ws->jobs[pr->order[task]];
  j->lane = worker;
  j->rc = fill_report(pr->s, pr->lanes[worker].ctx, &pr->lanes[worker].arena,
                      j->report, j->path);
}

static int cmp_size_desc(const void *a, const void *b, void *ud)
{
  const struct job *jobs = ud;
  uint64_t x = jobs[*(const size_t *)a].size;
  uint64_t y = jobs[*(const size_t *)b].size;
  return x < y ? 1 : x > y ? -1 : 0;
}

/* Copy what a worker allocated for report r into the session context. */
static brine_result adopt(struct brine_scan *s, struct brine_ctx *wctx,
                          struct brine_file_report *r)
{
  void *fv = NULL, *mv = NULL;
  if(r->nfindings) {
    fv = brinei_malloc(s->ctx, r->nfindings * sizeof(*r->findings));
    if(fv)
      memcpy(fv, r->findings, r->nfindings * sizeof(*r->findings));
  }
  if(r->nmembers) {
    mv = brinei_malloc(s->ctx, r->nmembers * sizeof(*r->members));
    if(mv)
      memcpy(mv, r->members, r->nmembers * sizeof(*r->members));
  }
  brinei_free(wctx, (void *)r->findings);
  brinei_free(wctx, (void *)r->members);
  r->findings = fv;
  r->members = mv;
  if((r->nfindings && !fv) || (r->nmembers && !mv)) {
    r->nfindings = 0;
    r->nmembers = 0;
    return BRINE_E_NOMEM;
  }
  return BRINE_OK;
}

static brine_result run_parallel(struct brine_scan *s, struct walk_state *ws,
                                 unsigned threads)
{
  struct pool_run pr = {s, ws, NULL, NULL};
  brine_result rc = BRINE_OK;
  size_t first = s->nlanes;
  void *p = s->lanes;
  if(brinei_grow(s->ctx, &p, &s->lanes_cap, s->nlanes + threads,
                 sizeof(struct lane), 1024))
    return BRINE_E_NOMEM;
  s->lanes = p;
  for(unsigned i = 0; i < threads; i++) {
    struct brine_ctx *c = brine_ctx_new(&s->ctx->lim, &s->ctx->alloc);
    if(!c)
      return BRINE_E_NOMEM;
    s->lanes[s->nlanes].ctx = c;
    brinei_arena_init(&s->lanes[s->nlanes].arena, c);
    s->nlanes++;
  }
  pr.lanes = &s->lanes[first];
  pr.order = brinei_malloc(s->ctx, ws->njobs * sizeof(size_t));
  if(!pr.order)
    return BRINE_E_NOMEM;
  for(size_t i = 0; i < ws->njobs; i++)
    pr.order[i] = i;
  qsort_r(pr.order, ws->njobs, sizeof(size_t), cmp_size_desc, ws->jobs);
  brinei_pool_run(threads, ws->njobs, run_job, &pr);
  brinei_free(s->ctx, pr.order);
  for(size_t i = 0; i < ws->njobs; i++) {
    brine_result r1 = ws->jobs[i].rc;
    if(!rc && r1)
      rc = r1;
    r1 = adopt(s, pr.lanes[ws->jobs[i].lane].ctx,
               &s->files[ws->jobs[i].report]);
    if(!rc && r1)
      rc = r1;
  }
  return rc;
}

static unsigned session_threads(const struct brine_scan *s, size_t njobs)
{
  unsigned t = s->threads ? s->threads : brinei_cpu_count();
  return njobs < t ? (unsigned)njobs : t;
}

brine_result brine_scan_path(struct brine_scan *s, const char *path)
{
  struct walk_state ws = {NULL, 0, 0};
  struct stat st;
  brine_result rc;
  unsigned threads;
  if(stat(path, &st) < 0) {
    char msg[512];
    snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
    return report_io(s, path, msg);
  }
  if(!S_ISDIR(st.st_mode)) {
    if(!new_report(s, path))
      return BRINE_E_NOMEM;
    return fill_report(s, s->ctx, &s->arena, s->nfiles - 1, path);
  }
  rc = walk(s, &ws, path, 0);
  threads = session_threads(s, ws.njobs);
  if(!rc && threads > 1)
    rc = run_parallel(s, &ws, threads);
  else
    for(size_t i = 0; !rc && i < ws.njobs; i++)
      rc = fill_report(s, s->ctx, &s->arena, ws.jobs[i].report,
                       ws.jobs[i].path);
  for(size_t i = 0; i < ws.njobs; i++)
    brinei_free(s->ctx, ws.jobs[i].path);
  brinei_free(s->ctx, ws.jobs);
  return rc;
}

void brine_scan_set_threads(struct brine_scan *s, unsigned threads)
{
  s->threads = threads;
}
