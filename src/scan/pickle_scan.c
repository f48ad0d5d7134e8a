/* Scanning the pickle streams of one member: every stream to the end of the
 * input (B25), bytes after a STOP or a break searched for further streams,
 * literals holding pickles scanned in turn (B32).
 *
 * A stream after the first counts as one when it completes, names a global
 * or produces a finding; otherwise the bytes are trailing data (PKL012) and
 * the search for a later stream goes on. A stream that breaks reports the
 * break (PKL013) after everything decoded before it (B7, B18, B34).
 */
#include "scan_internal.h"
#include "../policy/judge.h"

#include <stdio.h>

struct candidate {
  const uint8_t *p;
  size_t n;
  enum pk_nested_enc enc;
  uint64_t off;
  bool done;
  brine_verdict verdict;     /* once done */
};

struct driver {
  struct brine_ctx *ctx;
  const struct brinei_pickle_job *job;
  struct brinei_findings *f;
  const uint8_t *data;       /* the member's bytes */
  size_t len;
  struct candidate *cand;    /* owned */
  size_t ncand, cand_cap;
};

/* Next offset >= from where a stream could start: PROTO 2..5, or a
   protocol-0 GLOBAL line pair ("cmodule\nname\n"). */
static bool ident_char(uint8_t c)
{
  return c == '_' || c == '.' || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static size_t ident_line(const uint8_t *d, size_t len, size_t i)
{
  size_t s = i;
  while(i < len && i - s < 256 && ident_char(d[i]))
    i++;
  if(i == s || i >= len || d[i] != '\n')
    return 0;
  return i + 1 - s;
}

size_t brinei_pickle_next_start(const uint8_t *d, size_t len, size_t from)
{
  for(size_t i = from; i + 1 < len; i++) {
    if(d[i] == 0x80 && d[i + 1] >= 2 && d[i + 1] <= 5)
      return i;
    if(d[i] == 'c') {
      size_t a = ident_line(d, len, i + 1), b;
      if(a && (b = ident_line(d, len, i + 1 + a)) != 0)
        return i;
    }
  }
  return SIZE_MAX;
}

/* The job for a pickle nested in this one at `off` (member
   "<member>#<off><suffix>"), or false past limit nest_depth (reported). */
static bool nested_job(struct driver *dr, uint64_t off, const char *suffix,
                       struct brinei_pickle_job *sub, char *member,
                       size_t msize)
{
  const struct brinei_pickle_job *job = dr->job;
  if(job->depth + 1 > dr->ctx->lim.nest_depth) {
    brinei_finding_add(dr->f, R_LIMIT, off, job->member, NULL,
                       BRINE_USE_NONE, "a nested pickle at byte %llu is "
                       "deeper than %llu levels (limit nest_depth)",
                       (unsigned long long)off,
                       (unsigned long long)dr->ctx->lim.nest_depth);
    return false;
  }
  snprintf(member, msize, "%s#%llu%s", job->member, (unsigned long long)off,
           suffix);
  *sub = *job;
  sub->member = member;
  sub->depth = job->depth + 1;
  sub->map = NULL;
  sub->first_end = NULL;  /* only an inline stream reports where it ends */
  return true;
}

static brine_verdict scan_nested(struct driver *dr, const uint8_t *p,
                                 size_t n, enum pk_nested_enc enc,
                                 uint64_t off, int context, bool probe)
{
  const struct brinei_pickle_job *job = dr->job;
  struct brinei_pickle_job sub;
  struct brine_ctx *ctx = dr->ctx;
  uint8_t *buf = NULL;
  const uint8_t *src = p;
  size_t len = n, from = dr->f->n;
  char member[512];
  brine_verdict v;
  bool is_pickle = false, lost;
  static const char *const encname[] = { "", ":base64", ":hex" };

  if(!nested_job(dr, off, encname[enc], &sub, member, sizeof(member)))
    return BRINE_VERDICT_ERROR;
  if(n > *job->nest_budget) {
    brinei_finding_add(dr->f, R_LIMIT, off, job->member, NULL,
                       BRINE_USE_NONE, "nested pickles exceed %llu bytes "
                       "(limit nest_bytes)",
                       (unsigned long long)ctx->lim.nest_bytes);
    return BRINE_VERDICT_ERROR;
  }
  *job->nest_budget -= n;
  if(enc != PKN_RAW) {
    buf = brinei_malloc(ctx, n + 4);
    if(!buf) {
      brinei_finding_add(dr->f, R_LIMIT, off, job->member, NULL,
                         BRINE_USE_NONE, "memory budget exhausted "
                         "decoding a nested pickle (limit memory)");
      return BRINE_VERDICT_ERROR;
    }
    if(enc == PKN_BASE64)
      len = brinei_base64_decode(p, n, buf);
    else
      len = brinei_hex_decode(p, n, buf);
    if(len == SIZE_MAX) {
      brinei_free(ctx, buf);
      return BRINE_VERDICT_UNRECOGNIZED;
    }
    src = buf;
  }
  sub.context = context;
  sub.probe = probe;
  lost = dr->f->lost;
  v = brinei_pickle_analyze(ctx, &sub, src, len, dr->f, &is_pickle);
  brinei_free(ctx, buf);
  if(dr->f->lost && !lost)
    return BRINE_VERDICT_ERROR;  /* memory ran out: keep what was found */
  if(probe && (v == BRINE_VERDICT_ERROR || v == BRINE_VERDICT_SAFE ||
               !is_pickle)) {
    /* data that merely looks like a pickle, or a harmless one, leaves no
       trace; but a limit reached inside is inconclusive, never benign */
    for(size_t i = from; i < dr->f->n; i++)
      if(dr->f->v[i].rule == brinei_rules[R_LIMIT].id)
        return BRINE_VERDICT_ERROR;
    dr->f->n = from;
  }
  return is_pickle || !probe ? v : BRINE_VERDICT_UNRECOGNIZED;
}

static struct candidate *find_cand(struct driver *dr, const uint8_t *p,
                                   size_t n)
{
  /* by content: the same bytes reached through the memo, or a literal
     and the folded _codecs.encode result equal to it, are one pickle */
  for(size_t i = 0; i < dr->ncand; i++)
    if(dr->cand[i].n == n && (dr->cand[i].p == p || !memcmp(dr->cand[i].p,
                                                          p, n)))
      return &dr->cand[i];
  return NULL;
}

static brine_verdict nested_fn(struct judge *j, const uint8_t *p, size_t n,
                               uint64_t off, int context)
{
  struct driver *dr = j->driver;
  struct candidate *c = find_cand(dr, p, n);
  brine_verdict v;
  if(c && c->done)
    return c->verdict;
  v = scan_nested(dr, p, n, c ? c->enc : PKN_RAW, off, context, false);
  if(c) {
    c->done = true;
    c->verdict = v;
  }
  return v;
}

static void nested_candidate(struct judge *j, const uint8_t *p, size_t n,
                             enum pk_nested_enc enc, uint64_t off)
{
  struct driver *dr = j->driver;
  void *q = dr->cand;
  if(find_cand(dr, p, n))
    return;  /* the same literal again, through the memo */
  if(brinei_grow(dr->ctx, &q, &dr->cand_cap, dr->ncand + 1,
                 sizeof(struct candidate), (size_t)dr->ctx->lim.streams)) {
    brinei_finding_add(dr->f, R_LIMIT, off, dr->job->member, NULL,
                       BRINE_USE_NONE, "too many nested pickle candidates "
                       "(limit streams)");
    return;
  }
  dr->cand = q;
  dr->cand[dr->ncand].p = p;
  dr->cand[dr->ncand].n = n;
  dr->cand[dr->ncand].enc = enc;
  dr->cand[dr->ncand].off = off;
  dr->cand[dr->ncand].done = false;
  dr->ncand++;
}

static void report_break(struct driver *dr, struct pk_vm *vm);

/* joblib's object arrays: a whole pickle at `at`, read by pickle.load. */
static size_t on_inline(struct judge *j, size_t at)
{
  struct driver *dr = j->driver;
  struct brinei_pickle_job sub;
  char member[512];
  size_t end = SIZE_MAX;
  bool is_pickle;
  if(!nested_job(dr, at, "", &sub, member, sizeof(member)))
    return SIZE_MAX;
  sub.probe = false;
  sub.first_end = &end;
  (void)brinei_pickle_analyze(dr->ctx, &sub, dr->data + at, dr->len - at,
                              dr->f, &is_pickle);
  return end == SIZE_MAX ? SIZE_MAX : at + end;
}

static void report_break(struct driver *dr, struct pk_vm *vm)
{
  enum brinei_rule r = vm->status == PKS_LIMIT ? R_LIMIT : R_MALFORMED;
  brinei_finding_add(dr->f, r, vm->msg_off, dr->job->member, NULL,
                     BRINE_USE_NONE, "%s at byte %llu (stream starting at "
                     "byte %llu)", vm->msg, (unsigned long long)vm->msg_off,
                     (unsigned long long)vm->stream_start);
}

bool brinei_pickle_recognised(const uint8_t *d, size_t len, bool complete,
                              uint64_t ops, bool facts)
{
  if(complete || facts)
    return true;
  if(len >= 1 && d[0] == 0x80 && (len == 1 || d[1] < 16))
    return true;  /* PROTO, even an unsupported or truncated one */
  if(len && brinei_pk_opname(d[0]) && d[len - 1] == '.')
    return true;  /* an opcode first and STOP last: a broken pickle */
  return ops >= 4;
}

brine_verdict brinei_pickle_analyze(struct brine_ctx *ctx,
                                    const struct brinei_pickle_job *job,
                                    const uint8_t *data, size_t len,
                                    struct brinei_findings *f,
                                    bool *is_pickle)
{
  struct driver dr;
  struct judge j;
  struct pk_vm vm;
  size_t from = f->n, pos = job->start;
  uint64_t streams = 0, complete = 0;
  bool recognised = !job->probe;

  memset(&dr, 0, sizeof(dr));
  dr.ctx = ctx;
  dr.job = job;
  dr.f = f;
  dr.data = data;
  dr.len = len;
  brinei_judge_init(&j, ctx, job->pol, f, job->member, job->context);
  j.driver = &dr;
  j.nested_fn = nested_fn;
  j.nested_candidate = nested_candidate;
  j.inline_fn = on_inline;
  j.facts = job->facts;
  j.arena = job->arena;
  brinei_pk_init(&vm, ctx, data, len, &j.sink);
  vm.map = job->map;

  while(pos < len) {
    size_t mark = f->n;
    uint64_t globals_before = j.globals_seen;
    enum pk_status st;
    if(streams >= ctx->lim.streams) {
      brinei_finding_add(f, R_LIMIT, pos, job->member, NULL, BRINE_USE_NONE,
                         "more than %llu pickle streams (limit streams)",
                         (unsigned long long)ctx->lim.streams);
      break;
    }
    st = brinei_pk_run(&vm, pos);
    if(st == PKS_EMPTY)
      break;
    streams++;
    if(streams == 1 && job->probe) {
      recognised = brinei_pickle_recognised(data + job->start,
                                            len - job->start, st == PKS_STOP,
                                            vm.ops, j.plausible_globals > 0 ||
                                                      f->n > mark);
      if(!recognised) {
        f->n = from;
        break;
      }
    }
    else if(streams > 1 && st != PKS_STOP && f->n == mark &&
            j.globals_seen == globals_before) {
      /* not a stream: trailing bytes, up to a later stream if any */
      size_t q = brinei_pickle_next_start(data, len, pos + 1);
      if(!complete || job->context != PCTX_TORCH_LEGACY)
        brinei_finding_add(f, R_TRAILING, pos, job->member, NULL,
                           BRINE_USE_NONE, "%zu bytes at byte %zu are not "
                           "a pickle stream%s", (q == SIZE_MAX ? len : q) - pos,
                           pos, q == SIZE_MAX ? "" : " (a stream follows)");
      if(q == SIZE_MAX)
        break;
      pos = q;
      continue;
    }
    if(job->first_end) {
      /* an inline stream: the loader reads one pickle and goes on */
      *job->first_end = st == PKS_STOP ? vm.pos : SIZE_MAX;
      if(st != PKS_STOP)
        report_break(&dr, &vm);
      break;
    }
    if(st == PKS_STOP) {
      complete++;
      pos = vm.pos;
      if(job->facts) {
        job->facts->end = pos;
        job->facts->streams = complete;
      }
      if(job->context == PCTX_TORCH_LEGACY && complete == 5)
        break;  /* the storages follow, read by size, never unpickled */
      continue;
    }
    report_break(&dr, &vm);
    if(st == PKS_LIMIT)
      break;
    /* a loader that retries after the error reads on: look for a later
       stream in what follows */
    {
      size_t q = brinei_pickle_next_start(data, len, vm.msg_off + 1);
      if(q == SIZE_MAX)
        break;
      pos = q;
    }
  }
  if(recognised) {
    brinei_judge_finish(&j, &vm);
    if(job->facts)
      for(size_t i = 0; i < vm.nglobals && !job->facts->joblib; i++)
        job->facts->joblib =
            !strcmp(vm.globals[i].name,
                    "joblib.numpy_pickle.NumpyArrayWrapper");
    for(size_t i = 0; i < dr.ncand; i++) {
      struct candidate *c = &dr.cand[i];
      brine_verdict v;
      if(c->done)
        continue;
      v = scan_nested(&dr, c->p, c->n, c->enc, c->off, PCTX_PLAIN, true);
      if(v == BRINE_VERDICT_UNSAFE)
        brinei_finding_add(f, R_NESTED_UNSAFE, c->off, job->member, NULL,
                           BRINE_USE_NONE, "the literal at byte %llu holds "
                           "a pickle that is unsafe (findings under "
                           "member %s#%llu%s)", (unsigned long long)c->off,
                           job->member, (unsigned long long)c->off,
                           c->enc == PKN_BASE64 ? ":base64"
                           : c->enc == PKN_HEX ? ":hex" : "");
      else if(v == BRINE_VERDICT_UNKNOWN)
        brinei_finding_add(f, R_NESTED_UNKNOWN, c->off, job->member, NULL,
                           BRINE_USE_NONE, "the literal at byte %llu holds "
                           "a pickle with globals outside the allowlists",
                           (unsigned long long)c->off);
    }
  }
  if(j.oom)
    brinei_finding_add(f, R_LIMIT, BRINE_NOOFF, job->member, NULL,
                       BRINE_USE_NONE, "memory budget exhausted (limit "
                       "memory)");
  brinei_pk_free(&vm);
  brinei_judge_free(&j);
  brinei_free(ctx, dr.cand);
  if(is_pickle)
    *is_pickle = recognised;
  if(!recognised)
    return BRINE_VERDICT_UNRECOGNIZED;
  return brinei_findings_verdict(f, from, BRINE_VERDICT_SAFE);
}

void brinei_pickle_facts_free(struct brine_ctx *ctx,
                              struct brinei_pickle_facts *pf)
{
  brinei_free(ctx, pf->st);
  memset(pf, 0, sizeof(*pf));
}
