/* brine inspect and brine decompile: facts about a file for troubleshooting
 * and for comparing brine's machine with CPython's (tests/diff/). Nothing is
 * judged here except the allowlist status shown beside each global.
 */
#include "scan_internal.h"
#include "../pickle/opcodes.h"
#include "../pickle/vm.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_CALLS 100000   /* call sites listed; more are counted */
#define MAX_STREAMS 4096

struct iglobal {
  unsigned uses;           /* bit per brine_use and BUILD/container */
};
#define IU_REF 1u
#define IU_CONSTRUCT 2u
#define IU_CALL 4u
#define IU_BUILD 8u
#define IU_CONTAINER 16u

struct icall {
  uint64_t off;
  uint8_t op;
  uint8_t kind;
  char *callee;            /* owned */
  char *args;              /* owned */
};

struct istream {
  uint64_t start, end, ops, memo_len, memo_max;
  int proto;
  bool complete;
  char *error;             /* owned, NULL when complete */
};

struct inspector {
  struct brine_ctx *ctx;
  struct pk_vm *vm;
  FILE *out;               /* decompile / disassembly output, or NULL */
  bool decompile, disasm;
  const struct brine_file_report *report;  /* the scan's view, or NULL */
  struct iglobal *g;
  size_t ng;
  struct icall *calls;
  size_t ncalls, calls_cap;
  uint64_t calls_dropped;
  char *sklearn_version;   /* owned */
  uint64_t persids, exts, buffers, frames_bad, computed;
  uint64_t op_counts[256];  /* opcodes run, by byte */
  bool oom;
};

static struct iglobal *ig(struct inspector *in, uint32_t gid)
{
  if(gid >= in->ng) {
    size_t n = in->ng;
    void *p = in->g;
    if(brinei_grow(in->ctx, &p, &n, (size_t)gid + 1, sizeof(*in->g),
                   SIZE_MAX / 8)) {
      in->oom = true;
      return NULL;
    }
    memset((struct iglobal *)p + in->ng, 0, (n - in->ng) * sizeof(*in->g));
    in->g = p;
    in->ng = n;
  }
  return &in->g[gid];
}

static void mark(struct inspector *in, const struct pv *v, unsigned bit)
{
  struct iglobal *g;
  if(v && v->kind == PV_GLOBAL && (g = ig(in, v->ref)) != NULL)
    g->uses |= bit;
}

static char *repr(struct inspector *in, const struct pv *v, size_t limit)
{
  struct brinei_sbuf b;
  brinei_sbuf_init(&b, in->ctx, 1 << 16);
  brinei_pv_repr(in->vm, &b, v, limit, 0);
  return brinei_sbuf_take(&b);
}

static char *args_repr(struct inspector *in, const struct pk_use *u)
{
  struct brinei_sbuf b;
  brinei_sbuf_init(&b, in->ctx, 1 << 16);
  if(!u->args_known)
    brinei_sbuf_puts(&b, "*<computed>");
  for(uint64_t i = 0; u->args_known && i < u->nkept && i < 16; i++) {
    if(i)
      brinei_sbuf_puts(&b, ", ");
    brinei_pv_repr(in->vm, &b, &u->args[i], 200, 1);
  }
  if(u->args_known && u->nargs > 16)
    brinei_sbuf_printf(&b, ", ...%llu arguments",
                       (unsigned long long)u->nargs);
  return brinei_sbuf_take(&b);
}

static void check_versions(struct inspector *in, const struct pv *state)
{
  /* scikit-learn records its version in every estimator's state
     (BaseEstimator.__getstate__: state["_sklearn_version"]) */
  const struct pnode *n;
  if(state->kind != PV_DICT || in->sklearn_version)
    return;
  n = state->u.node;
  if(!n)
    return;
  for(uint32_t i = 0; i + 1 < n->kept; i += 2) {
    size_t kl, vl;
    const uint8_t *k = brinei_pv_bytes(&n->items[i], &kl);
    const uint8_t *v = brinei_pv_bytes(&n->items[i + 1], &vl);
    if(k && v && kl == 16 && !memcmp(k, "_sklearn_version", 16) &&
       vl < 64) {
      in->sklearn_version = brinei_strndup(in->ctx, (const char *)v, vl);
      return;
    }
  }
}

static uint8_t on_use(void *ud, struct pk_vm *vm, const struct pk_use *u)
{
  struct inspector *in = ud;
  static const char *const kinds[] = { "call", "construct", "build",
                                       "container", "ext", "persid" };
  struct icall *c;
  switch(u->kind) {
  case PKU_CALL:
    mark(in, u->callee, IU_CALL);
    break;
  case PKU_CONSTRUCT:
    mark(in, u->callee, IU_CONSTRUCT);
    break;
  case PKU_BUILD:
    mark(in, u->callee, IU_BUILD);
    if(u->nkept)
      check_versions(in, &u->args[0]);
    break;
  case PKU_CONTAINER:
    mark(in, u->callee, IU_CONTAINER);
    break;
  case PKU_EXT:
    in->exts++;
    break;
  case PKU_PERSID:
    in->persids++;
    break;
  }
  if(in->decompile && in->out) {
    char *a = args_repr(in, u);
    char *f = u->callee ? repr(in, u->callee, 200) : NULL;
    unsigned long long id = vm->next_id + 1;  /* the result's number */
    switch(u->kind) {
    case PKU_CALL:
      fprintf(in->out, "_var%llu = %s(%s)\n", id, f ? f : "?", a ? a : "");
      break;
    case PKU_CONSTRUCT:
      fprintf(in->out, "_var%llu = %s.__new__(%s%s%s)\n", id, f ? f : "?",
              f ? f : "?", a && *a ? ", " : "", a ? a : "");
      break;
    case PKU_BUILD:
      fprintf(in->out, "%s.__setstate__(%s)\n", f ? f : "?", a ? a : "");
      break;
    case PKU_CONTAINER:
      fprintf(in->out, "%s.%s(...)  # %s\n", f ? f : "?",
              u->op == OP_ADDITEMS ? "add"
              : (u->op == OP_SETITEM || u->op == OP_SETITEMS) ? "__setitem__"
              : "extend", brinei_pk_opname(u->op));
      break;
    case PKU_EXT:
      fprintf(in->out, "_var%llu = copyreg._inverted_registry[%s]\n", id,
              a ? a : "?");
      break;
    case PKU_PERSID:
      fprintf(in->out, "_var%llu = persistent_load(%s)\n", id, a ? a : "?");
      break;
    }
    brinei_free(in->ctx, a);
    brinei_free(in->ctx, f);
  }
  if(in->decompile || u->kind == PKU_PERSID)
    return 0;
  if(in->ncalls >= MAX_CALLS) {
    in->calls_dropped++;
    return 0;
  }
  {
    void *p = in->calls;
    if(brinei_grow(in->ctx, &p, &in->calls_cap, in->ncalls + 1, sizeof(*c),
                   MAX_CALLS)) {
      in->oom = true;
      return 0;
    }
    in->calls = p;
  }
  c = &in->calls[in->ncalls++];
  c->off = u->off;
  c->op = u->op;
  c->kind = (uint8_t)u->kind;
  c->callee = u->callee ? repr(in, u->callee, 200)
                        : brinei_strndup(in->ctx, kinds[u->kind],
                                         strlen(kinds[u->kind]));
  c->args = args_repr(in, u);
  (void)kinds;
  return 0;
}

static void on_global(void *ud, struct pk_vm *vm, uint32_t gid, uint64_t off,
                      uint8_t op)
{
  struct inspector *in = ud;
  struct iglobal *g = ig(in, gid);
  (void)off;
  (void)op;
  if(g)
    g->uses |= IU_REF;
  if(in->decompile && in->out && g && !(g->uses & 0x100)) {
    /* calls are written with full dotted names: import the module */
    const struct pk_global *pg = &vm->globals[gid];
    bool seen = false;
    g->uses |= 0x100;
    for(size_t i = 0; i < in->ng && !seen; i++)  /* once per module */
      seen = i != gid && (in->g[i].uses & 0x100) &&
             vm->globals[i].modlen == pg->modlen &&
             !memcmp(vm->globals[i].name, pg->name, pg->modlen);
    if(!seen)
      fprintf(in->out, "import %.*s\n", (int)pg->modlen, pg->name);
  }
}

/* joblib object arrays: a whole pickle inline. inspect steps over it (scan
   judges its contents as a nested pickle). */
static size_t on_inline(void *ud, struct pk_vm *vm, size_t at)
{
  struct inspector *in = ud;
  struct pk_vm sub;
  size_t end = SIZE_MAX;
  if(brinei_pk_init(&sub, in->ctx, vm->data + at, vm->len - at, NULL))
    return SIZE_MAX;
  if(brinei_pk_run(&sub, 0) == PKS_STOP)
    end = at + sub.pos;
  brinei_pk_free(&sub);
  return end;
}

static void on_event(void *ud, struct pk_vm *vm, enum pk_event ev,
                     uint64_t off, const char *msg)
{
  struct inspector *in = ud;
  (void)vm;
  if(ev == PKE_FRAME)
    in->frames_bad++;
  else if(ev == PKE_BUFFER)
    in->buffers++;
  else if(ev == PKE_COMPUTED)
    in->computed++;
  if(in->decompile && in->out && ev != PKE_MALFORMED && ev != PKE_TRUNCATED)
    fprintf(in->out, "# byte %llu: %s\n", (unsigned long long)off, msg);
}

/* One disassembly line: offset, opcode, argument. */
static void disasm_op(struct inspector *in, struct pk_vm *vm, uint8_t op,
                      uint64_t off, uint64_t end)
{
  const uint8_t *a = vm->data + off + 1;
  size_t n = (size_t)(end - off - 1);
  struct brinei_sbuf b;
  brinei_sbuf_init(&b, in->ctx, 1 << 12);
  switch(brinei_pk_argkind(op)) {
  case ARG_NONE:
    break;
  case ARG_LINE:
  case ARG_LINE2:
    brinei_sbuf_pyrepr(&b, a, n, false, 120);
    break;
  case ARG_LEN1:
  case ARG_LEN4:
  case ARG_LEN4S:
  case ARG_LEN8: {
    size_t h = brinei_pk_argkind(op) == ARG_LEN1 ? 1
             : brinei_pk_argkind(op) == ARG_LEN8 ? 8 : 4;
    if(n >= h)
      brinei_sbuf_pyrepr(&b, a + h, n - h,
                         op == OP_BINBYTES || op == OP_SHORT_BINBYTES ||
                         op == OP_BINBYTES8 || op == OP_BYTEARRAY8 ||
                         op == OP_LONG1 || op == OP_LONG4, 80);
    break;
  }
  default: {
    uint64_t v = 0;
    for(size_t i = 0; i < n && i < 8; i++)
      v |= (uint64_t)a[i] << (8 * i);
    if(op == OP_BINFLOAT) {
      brinei_pv_repr(vm, &b, &vm->stack[vm->sp - 1], 80, 0);
    }
    else if(op == OP_BININT || op == OP_EXT4)
      brinei_sbuf_printf(&b, "%d", (int32_t)v);
    else
      brinei_sbuf_printf(&b, "%llu", (unsigned long long)v);
  }
  }
  fprintf(in->out, "%10llu: %-16s %s\n", (unsigned long long)off,
          brinei_pk_opname(op), b.p ? b.p : "");
  brinei_sbuf_free(&b);
}

static void on_op(void *ud, struct pk_vm *vm, uint8_t op, uint64_t off,
                  uint64_t end)
{
  struct inspector *in = ud;
  in->op_counts[op]++;
  if(in->disasm && in->out)
    disasm_op(in, vm, op, off, end);
  if(in->decompile && in->out && op == OP_STOP) {
    char *r = repr(in, &vm->result, 200);
    fprintf(in->out, "result = %s\n", r ? r : "?");
    brinei_free(in->ctx, r);
  }
}

/* Run every stream of data through the inspector. */
static size_t run_streams(struct inspector *in, struct pk_vm *vm,
                          struct istream *st, size_t max)
{
  size_t n = 0, pos = 0;
  while(pos < vm->len && n < max) {
    enum pk_status s = brinei_pk_run(vm, pos);
    if(s == PKS_EMPTY)
      break;
    st[n].start = pos;
    st[n].end = s == PKS_STOP ? vm->pos : vm->msg_off;
    st[n].ops = vm->ops;
    st[n].proto = vm->proto;
    st[n].memo_len = vm->memo_len;
    st[n].memo_max = vm->memo_max;
    st[n].complete = s == PKS_STOP;
    st[n].error = s == PKS_STOP ? NULL
                : brinei_strndup(in->ctx, vm->msg, strlen(vm->msg));
    vm->memo_max = 0;
    n++;
    if(s == PKS_LIMIT)
      break;
    if(s != PKS_STOP) {
      /* as the scan does: look for a later stream after the break */
      size_t q = brinei_pickle_next_start(vm->data, vm->len,
                                          (size_t)vm->msg_off + 1);
      if(in->decompile && in->out)
        fprintf(in->out, "# byte %llu: %s\n",
                (unsigned long long)vm->msg_off, vm->msg);
      if(q == SIZE_MAX)
        break;
      pos = q;
      continue;
    }
    if(in->decompile && in->out && vm->pos < vm->len)
      fprintf(in->out, "# stream %zu ends at byte %zu\n", n, vm->pos);
    pos = vm->pos;
  }
  return n;
}

static void inspector_free(struct inspector *in)
{
  for(size_t i = 0; i < in->ncalls; i++) {
    brinei_free(in->ctx, in->calls[i].callee);
    brinei_free(in->ctx, in->calls[i].args);
  }
  brinei_free(in->ctx, in->calls);
  brinei_free(in->ctx, in->g);
  brinei_free(in->ctx, in->sklearn_version);
}

static json_t *inspect_json(struct inspector *in, struct pk_vm *vm,
                            const struct brine_policy *pol, const char *path,
                            bool is_pickle, struct istream *st, size_t nst)
{
  json_t *o = json_object(), *a, *cnt;
  struct brine_ctx *ctx = in->ctx;
  json_object_set_new(o, "path", brinei_json_str(ctx, path));
  json_object_set_new(o, "format",
                      json_string(in->report ? in->report->format
                                  : is_pickle ? "pickle" : "unrecognized"));
  if(in->report && in->report->nmembers) {
    json_t *mem = json_array();
    for(size_t i = 0; i < in->report->nmembers; i++) {
      const struct brine_member_report *mr = &in->report->members[i];
      json_t *mo = json_object();
      json_object_set_new(mo, "member", brinei_json_str(ctx, mr->member));
      json_object_set_new(mo, "format", json_string(mr->format));
      json_object_set_new(mo, "verdict",
                          json_string(brine_verdict_name(mr->verdict)));
      json_array_append_new(mem, mo);
    }
    json_object_set_new(o, "members", mem);
  }
  json_object_set_new(o, "size", json_integer((json_int_t)vm->len));
  a = json_array();
  for(size_t i = 0; i < nst; i++)
    json_array_append_new(a, json_pack(
      "{s:I,s:I,s:i,s:I,s:b,s:o,s:{s:I,s:I}}",
      "start", (json_int_t)st[i].start, "end", (json_int_t)st[i].end,
      "protocol", st[i].proto, "opcodes", (json_int_t)st[i].ops,
      "complete", st[i].complete,
      "error", st[i].error ? brinei_json_str(ctx, st[i].error)
                           : json_null(),
      "memo", "entries", (json_int_t)st[i].memo_len, "max_index",
      (json_int_t)st[i].memo_max));
  json_object_set_new(o, "streams", a);
  cnt = json_object();
  for(int op = 0; op < 256; op++)
    if(in->op_counts[op] && brinei_pk_opname((uint8_t)op))
      json_object_set_new(cnt, brinei_pk_opname((uint8_t)op),
                          json_integer((json_int_t)in->op_counts[op]));
  json_object_set_new(o, "opcode_counts", cnt);
  a = json_array();
  for(size_t i = 0; i < vm->nglobals; i++) {
    const struct pk_global *g = &vm->globals[i];
    unsigned u = i < in->ng ? in->g[i].uses : 0;
    json_t *uses = json_array();
    if(u & IU_CALL)
      json_array_append_new(uses, json_string("call"));
    if(u & IU_CONSTRUCT)
      json_array_append_new(uses, json_string("construct"));
    if(u & IU_BUILD)
      json_array_append_new(uses, json_string("build"));
    if(u & IU_CONTAINER)
      json_array_append_new(uses, json_string("container"));
    if(!(u & (IU_CALL | IU_CONSTRUCT)))
      json_array_append_new(uses, json_string("reference"));
    char *mod = brinei_strndup(ctx, g->name, g->modlen);
    json_array_append_new(a, json_pack(
      "{s:o,s:o,s:o,s:I,s:s,s:b,s:o,s:s,s:b}",
      "global", brinei_json_str(ctx, g->name),
      "module", brinei_json_str(ctx, mod ? mod : ""),
      "name", brinei_json_str(ctx, g->name + g->modlen + 1),
      "first_offset", (json_int_t)g->first_off,
      "opcode", brinei_pk_opname(g->first_op),
      "mapped", (g->flags & PKG_MAPPED) != 0, "uses", uses,
      "allowed", brine_use_name(pol ? brine_policy_allowed(pol, g->name)
                                    : BRINE_USE_NONE),
      "denied", pol ? brine_policy_denied(pol, g->name) : 0));
    brinei_free(ctx, mod);
  }
  json_object_set_new(o, "globals", a);
  a = json_array();
  for(size_t i = 0; i < in->ncalls; i++) {
    static const char *const kinds[] = { "call", "construct", "build",
                                         "container", "ext", "persid" };
    json_array_append_new(a, json_pack(
      "{s:I,s:s,s:s,s:o,s:o}", "offset", (json_int_t)in->calls[i].off,
      "opcode", brinei_pk_opname(in->calls[i].op),
      "kind", kinds[in->calls[i].kind],
      "callable", brinei_json_str(ctx, in->calls[i].callee
                                         ? in->calls[i].callee : ""),
      "args", brinei_json_str(ctx, in->calls[i].args ? in->calls[i].args
                                                      : "")));
  }
  json_object_set_new(o, "calls", a);
  json_object_set_new(o, "calls_dropped",
                      json_integer((json_int_t)in->calls_dropped));
  json_object_set_new(o, "persistent_ids",
                      json_integer((json_int_t)in->persids));
  json_object_set_new(o, "memo", json_pack(
    "{s:I,s:I}", "puts", (json_int_t)vm->memo_puts, "gets",
    (json_int_t)vm->memo_gets));
  json_object_set_new(o, "versions", in->sklearn_version
                        ? json_pack("{s:o}", "sklearn",
                                    brinei_json_str(ctx, in->sklearn_version))
                        : json_object());
  return o;
}

static void inspect_text(struct inspector *in, struct pk_vm *vm,
                         const struct brine_policy *pol, const char *path,
                         bool is_pickle, struct istream *st, size_t nst,
                         FILE *out)
{
  fprintf(out, "%s: %s, %zu bytes\n", path,
          in->report ? in->report->format
          : is_pickle ? "pickle" : "unrecognized", vm->len);
  if(in->report && in->report->nmembers) {
    fprintf(out, "  members (%zu):\n", in->report->nmembers);
    for(size_t i = 0; i < in->report->nmembers; i++) {
      const struct brine_member_report *mr = &in->report->members[i];
      fprintf(out, "    %s: %s, %s\n", mr->member, mr->format,
              brine_verdict_name(mr->verdict));
    }
  }
  if(!is_pickle)
    return;
  for(size_t i = 0; i < nst; i++)
    fprintf(out, "  stream %zu: bytes %llu-%llu, protocol %d, %llu opcodes, "
            "memo %llu entries%s%s\n", i + 1,
            (unsigned long long)st[i].start, (unsigned long long)st[i].end,
            st[i].proto, (unsigned long long)st[i].ops,
            (unsigned long long)st[i].memo_len,
            st[i].complete ? "" : ", broken: ",
            st[i].complete ? "" : st[i].error);
  if(in->sklearn_version)
    fprintf(out, "  recorded versions: scikit-learn %s\n",
            in->sklearn_version);
  fprintf(out, "  globals (%zu):\n", vm->nglobals);
  for(size_t i = 0; i < vm->nglobals; i++) {
    unsigned u = i < in->ng ? in->g[i].uses : 0;
    brine_use al = pol ? brine_policy_allowed(pol, vm->globals[i].name)
                       : BRINE_USE_NONE;
    fprintf(out, "    %-60s %s%s%s%s  [allowed: %s%s]\n",
            vm->globals[i].name,
            (u & IU_CALL) ? "call " : "",
            (u & IU_CONSTRUCT) ? "construct " : "",
            (u & IU_BUILD) ? "build " : "",
            !(u & (IU_CALL | IU_CONSTRUCT)) ? "reference" : "",
            brine_use_name(al),
            pol && brine_policy_denied(pol, vm->globals[i].name)
              ? ", DENY LIST" : "");
  }
  fprintf(out, "  calls (%zu%s):\n", in->ncalls,
          in->calls_dropped ? "+" : "");
  for(size_t i = 0; i < in->ncalls && i < 200; i++)
    fprintf(out, "    @%-8llu %-12s %s(%s)\n",
            (unsigned long long)in->calls[i].off,
            brinei_pk_opname(in->calls[i].op), in->calls[i].callee,
            in->calls[i].args ? in->calls[i].args : "");
  if(in->ncalls > 200)
    fprintf(out, "    ... %zu more (use --format json)\n", in->ncalls - 200);
  fprintf(out, "  opcodes:");
  for(int op = 0; op < 256; op++)
    if(in->op_counts[op] && brinei_pk_opname((uint8_t)op))
      fprintf(out, " %s=%llu", brinei_pk_opname((uint8_t)op),
              (unsigned long long)in->op_counts[op]);
  fputc('\n', out);
}

static brine_result run_inspector(struct brine_ctx *ctx,
                                  const struct brine_policy *pol,
                                  const char *path, unsigned flags,
                                  brine_output fmt, FILE *out, bool decompile)
{
  struct brinei_map m;
  struct pk_vm vm;
  struct pk_sink sink;
  struct inspector in;
  struct istream *st;
  struct brine_scan *scan = NULL;
  size_t nst;
  brine_result rc = brinei_map_file(ctx, path, &m);
  bool is_pickle;
  if(rc)
    return rc;
  st = brinei_calloc(ctx, MAX_STREAMS, sizeof(*st));
  if(!st) {
    brinei_map_close(&m);
    return BRINE_E_NOMEM;
  }
  memset(&in, 0, sizeof(in));
  in.ctx = ctx;
  in.vm = &vm;
  in.decompile = decompile;
  in.disasm = !decompile && (flags & BRINE_INSPECT_OPCODES) &&
              fmt == BRINE_OUT_TEXT;
  in.out = decompile || in.disasm ? out : NULL;
  memset(&sink, 0, sizeof(sink));
  sink.ud = &in;
  sink.on_use = on_use;
  sink.on_global = on_global;
  sink.on_event = on_event;
  sink.on_op = on_op;
  sink.on_inline = on_inline;
  brinei_pk_init(&vm, ctx, m.data ? m.data : (const uint8_t *)"", m.len,
                 &sink);
  vm.keep_items = 64;
  vm.repr_vars = decompile;
  vm.map = &m;
  if(!decompile && pol) {
    /* the format and members as a scan sees them */
    rc = brine_scan_new(ctx, pol, 0, &scan);
    if(!rc)
      rc = brine_scan_path(scan, path);
    if(!rc && brine_scan_nfiles(scan) == 1)
      in.report = brine_scan_file(scan, 0);
  }
  /* the pickle view is for pickles and for what no format claims (it
     shows why bytes are not a pickle); over a tar or a safetensors file
     it would describe noise */
  if(in.report && strcmp(in.report->format, "pickle") &&
     strcmp(in.report->format, "joblib") &&
     strcmp(in.report->format, "pytorch-legacy") &&
     strcmp(in.report->format, "unrecognized"))
    nst = 0;
  else {
    if(in.disasm)
      fprintf(out, "disassembly of %s:\n", path);
    nst = run_streams(&in, &vm, st, MAX_STREAMS);
  }
  is_pickle = nst && brinei_pickle_recognised(m.data, m.len, st[0].complete,
                                               st[0].ops, vm.nglobals > 0 ||
                                               in.ncalls > 0);
  if(in.report && !strcmp(in.report->format, "unrecognized"))
    is_pickle = false;  /* the scan's word on what the file is */
  if(decompile) {
    if(!is_pickle)
      fprintf(out, "# %s is not a pickle\n", path);
  }
  else if(fmt == BRINE_OUT_JSON) {
    json_t *doc = inspect_json(&in, &vm, pol, path, is_pickle, st, nst);
    if(!doc || json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
      rc = BRINE_E_IO;
    else
      fputc('\n', out);
    json_decref(doc);
  }
  else
    inspect_text(&in, &vm, pol, path, is_pickle, st, nst, out);
  for(size_t i = 0; i < nst; i++)
    brinei_free(ctx, st[i].error);
  brinei_free(ctx, st);
  if(in.oom && !rc)
    rc = BRINE_E_NOMEM;
  inspector_free(&in);
  brine_scan_free(scan);
  brinei_pk_free(&vm);
  brinei_map_close(&m);
  if(!rc && ferror(out))
    rc = BRINE_E_IO;
  return rc;
}

brine_result brine_inspect_path(struct brine_ctx *ctx,
                                const struct brine_policy *pol,
                                const char *path, unsigned flags,
                                brine_output fmt, FILE *out)
{
  return run_inspector(ctx, pol, path, flags, fmt, out, false);
}

brine_result brine_decompile_path(struct brine_ctx *ctx, const char *path,
                                  FILE *out)
{
  return run_inspector(ctx, NULL, path, 0, BRINE_OUT_TEXT, out, true);
}
