/* The symbolic pickle machine (see vm.h).
 *
 * SPEC: CPython 3.11 Modules/_pickle.c. Each load_* case below cites the
 * function it mirrors; the stack "fence" is Pdata.fence (the height of the
 * innermost MARK): no opcode but POP may take items below it, and POP at the
 * fence pops the MARK itself. Where CPython raises, the stream ends
 * (PKS_BROKEN) after everything before it has been reported (B7, B18, B34).
 */
#include "vm.h"
#include "opcodes.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define MEMO_EMPTY 0xff   /* kind of an empty slot of the sparse table */

struct memo_sparse {
  uint32_t *keys;
  struct pv *vals;
  size_t cap;        /* power of two; 0 when empty */
  size_t n;
};

/* ------------------------------------------------------------------ */
/* opcode names                                                        */

static const char *const op_names[256] = {
#define PK_NAME(name, byte, arg, proto) [byte] = #name,
  PK_OPCODES(PK_NAME)
#undef PK_NAME
};

static const signed char op_args[256] = {
#define PK_ARGK(name, byte, arg, proto) [byte] = (signed char)(arg + 1),
  PK_OPCODES(PK_ARGK)
#undef PK_ARGK
};

const char *brinei_pk_opname(uint8_t op) { return op_names[op]; }
int brinei_pk_argkind(uint8_t op) { return op_args[op] - 1; }

/* ------------------------------------------------------------------ */
/* failure helpers                                                     */

static enum pk_status stop_stream(struct pk_vm *vm, enum pk_status st,
                                  enum pk_event ev, uint64_t off,
                                  const char *fmt, ...) BRINE_PRINTF(5, 6);

static enum pk_status stop_stream(struct pk_vm *vm, enum pk_status st,
                                  enum pk_event ev, uint64_t off,
                                  const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(vm->msg, sizeof(vm->msg), fmt, ap);
  va_end(ap);
  vm->msg_off = off;
  vm->status = st;
  vm->ops_total += vm->ops;
  if(vm->sink->on_event)
    vm->sink->on_event(vm->sink->ud, vm, ev, off, vm->msg);
  return st;
}

#define BROKEN(off, ...) \
  stop_stream(vm, PKS_BROKEN, PKE_MALFORMED, (off), __VA_ARGS__)
#define TRUNC(off) \
  stop_stream(vm, PKS_BROKEN, PKE_TRUNCATED, (off), \
              "pickle data was truncated")
#define LIMIT(off, ...) \
  stop_stream(vm, PKS_LIMIT, PKE_LIMIT, (off), __VA_ARGS__)
#define NOMEM(off) \
  stop_stream(vm, PKS_LIMIT, PKE_NOMEM, (off), \
              "memory budget exhausted (limit memory)")

static void event(struct pk_vm *vm, enum pk_event ev, uint64_t off,
                  const char *fmt, ...) BRINE_PRINTF(4, 5);
static void event(struct pk_vm *vm, enum pk_event ev, uint64_t off,
                  const char *fmt, ...)
{
  char msg[200];
  va_list ap;
  if(!vm->sink->on_event)
    return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  vm->sink->on_event(vm->sink->ud, vm, ev, off, msg);
}

/* ------------------------------------------------------------------ */
/* values                                                              */

static struct pnode *node_new(struct pk_vm *vm)
{
  struct pnode *n = brinei_arena_alloc(&vm->arena, sizeof(*n));
  if(n)
    memset(n, 0, sizeof(*n));
  return n;
}

/* Record an item in a container, keeping at most `keep`. */
static bool node_add(struct pk_vm *vm, struct pnode *n, const struct pv *v,
                     uint64_t keep)
{
  n->n++;
  if(n->kept >= keep)
    return true;
  if(n->kept == n->cap) {
    uint32_t ncap = n->cap ? n->cap * 2 : 4;
    struct pv *items;
    if(ncap > keep)
      ncap = (uint32_t)keep;
    items = brinei_arena_alloc(&vm->arena, ncap * sizeof(*items));
    if(!items)
      return false;
    if(n->kept)
      memcpy(items, n->items, n->kept * sizeof(*items));
    n->items = items;
    n->cap = ncap;
  }
  n->items[n->kept++] = *v;
  return true;
}

const uint8_t *brinei_pv_bytes(const struct pv *v, size_t *n)
{
  if(v->kind != PV_STR && v->kind != PV_BYTES && v->kind != PV_BYTEARRAY)
    return NULL;
  *n = (size_t)v->len;
  return v->u.s;
}

static bool is_literal(uint8_t kind)
{
  return kind <= PV_FROZENSET;
}

/* ------------------------------------------------------------------ */
/* stack (Pdata)                                                       */

static inline bool push(struct pk_vm *vm, const struct pv *v)
{
  if(BRINE_UNLIKELY(vm->sp == vm->stack_cap)) {
    void *p = vm->stack;
    if(brinei_grow(vm->ctx, &p, &vm->stack_cap, vm->sp + 1,
                   sizeof(struct pv), (size_t)vm->ctx->lim.pickle_stack))
      return false;
    vm->stack = p;
  }
  vm->stack[vm->sp++] = *v;
  return true;
}

/* The "stack underflow" text CPython gives (Pdata_stack_underflow). */
static const char *underflow_msg(const struct pk_vm *vm)
{
  return vm->nmarks ? "unexpected MARK found" : "unpickling stack underflow";
}

/* marker(): pop the innermost MARK, return its stack height. */
static bool marker(struct pk_vm *vm, size_t *mark)
{
  if(!vm->nmarks)
    return false;
  *mark = vm->marks[--vm->nmarks];
  vm->fence = vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
  return true;
}

/* ------------------------------------------------------------------ */
/* memo (_Unpickler_MemoPut / _Unpickler_MemoGet)                      */

static struct pv *sparse_find(struct memo_sparse *s, uint32_t key,
                              bool insert)
{
  size_t mask, i;
  if(!s || !s->cap)
    return NULL;
  mask = s->cap - 1;
  i = (key * 2654435761u) & mask;
  for(;;) {
    if(s->vals[i].kind == MEMO_EMPTY)
      return insert ? &s->vals[i] : NULL;
    if(s->keys[i] == key)
      return &s->vals[i];
    i = (i + 1) & mask;
  }
}

static bool sparse_grow(struct pk_vm *vm)
{
  struct memo_sparse *s = vm->sparse, ns;
  size_t cap = s && s->cap ? s->cap * 2 : 64;
  if(!s) {
    s = brinei_calloc(vm->ctx, 1, sizeof(*s));
    if(!s)
      return false;
    vm->sparse = s;
  }
  ns.cap = cap;
  ns.n = s->n;
  ns.keys = brinei_malloc(vm->ctx, cap * sizeof(uint32_t));
  ns.vals = brinei_malloc(vm->ctx, cap * sizeof(struct pv));
  if(!ns.keys || !ns.vals) {
    brinei_free(vm->ctx, ns.keys);
    brinei_free(vm->ctx, ns.vals);
    return false;
  }
  for(size_t i = 0; i < cap; i++)
    ns.vals[i].kind = MEMO_EMPTY;
  for(size_t i = 0; i < s->cap; i++) {
    if(s->vals[i].kind != MEMO_EMPTY) {
      struct pv *slot = sparse_find(&ns, s->keys[i], true);
      slot->kind = 0;
      ns.keys[slot - ns.vals] = s->keys[i];
      *slot = s->vals[i];
    }
  }
  brinei_free(vm->ctx, s->keys);
  brinei_free(vm->ctx, s->vals);
  *s = ns;
  return true;
}

static struct pv *memo_get(struct pk_vm *vm, uint64_t idx)
{
  if(idx < vm->memo_cap && (vm->memo[idx].flags & PVF_MEMO))
    return &vm->memo[idx];
  if(idx > UINT32_MAX)
    return NULL;
  return sparse_find(vm->sparse, (uint32_t)idx, false);
}

/* Returns 0 ok, 1 limit, 2 nomem. */
static int memo_put(struct pk_vm *vm, uint64_t idx, const struct pv *v)
{
  struct pv *slot;
  vm->memo_puts++;
  if(idx >= vm->ctx->lim.pickle_memo)
    return 1;
  if(idx >= vm->memo_cap && idx < 2 * vm->memo_len + 65536) {
    /* first growth reserves what the input could ever fill (an entry
       needs a value and a PUT: 2 bytes), as zeroed memory the kernel maps
       only where it is touched */
    size_t old = vm->memo_cap;
    size_t ncap = old ? old * 2
                : (vm->len / 2 + 1024 < ((size_t)1 << 24)
                     ? vm->len / 2 + 1024 : ((size_t)1 << 24));
    struct pv *p;
    if(ncap <= idx)
      ncap = (size_t)idx + 1;
    if(ncap > vm->ctx->lim.pickle_memo)
      ncap = (size_t)vm->ctx->lim.pickle_memo;
    /* zeroed memory, untouched until a slot is used */
    p = brinei_calloc(vm->ctx, ncap, sizeof(struct pv));
    if(!p)
      return 2;
    brinei_hint_huge(p, ncap * sizeof(struct pv));
    if(old)
      memcpy(p, vm->memo, old * sizeof(struct pv));
    brinei_free(vm->ctx, vm->memo);
    vm->memo = p;
    vm->memo_cap = ncap;
    vm->memo_ready = old;
    /* move far entries that now fall in the dense part */
    if(vm->sparse && vm->sparse->n) {
      struct memo_sparse *s = vm->sparse;
      for(size_t i = 0; i < s->cap; i++) {
        if(s->vals[i].kind != MEMO_EMPTY && s->keys[i] < ncap) {
          vm->memo[s->keys[i]] = s->vals[i];  /* keeps PVF_MEMO */
          s->vals[i].kind = MEMO_EMPTY;
          s->n--;
        }
      }
      /* rebuild to keep probe chains intact */
      if(s->cap) {
        size_t n = s->n;
        s->n = 0;
        if(n || s->cap) {
          struct memo_sparse old_s = *s;
          s->keys = NULL;
          s->vals = NULL;
          s->cap = 0;
          s->n = 0;
          for(size_t i = 0; i < old_s.cap; i++) {
            if(old_s.vals[i].kind != MEMO_EMPTY) {
              if(s->n + 1 > s->cap / 2 && !sparse_grow(vm)) {
                brinei_free(vm->ctx, old_s.keys);
                brinei_free(vm->ctx, old_s.vals);
                return 2;
              }
              slot = sparse_find(s, old_s.keys[i], true);
              s->keys[slot - s->vals] = old_s.keys[i];
              *slot = old_s.vals[i];
              s->n++;
            }
          }
          brinei_free(vm->ctx, old_s.keys);
          brinei_free(vm->ctx, old_s.vals);
        }
      }
    }
  }
  if(idx < vm->memo_cap) {
    slot = &vm->memo[idx];
    if(!(slot->flags & PVF_MEMO))
      vm->memo_len++;
    *slot = *v;
    slot->flags |= PVF_MEMO;
  }
  else {
    struct memo_sparse *s = vm->sparse;
    if(vm->memo_len >= vm->ctx->lim.pickle_memo)
      return 1;
    if((!s || s->n + 1 > s->cap / 2) && !sparse_grow(vm))
      return 2;
    s = vm->sparse;
    slot = sparse_find(s, (uint32_t)idx, true);
    if(slot->kind == MEMO_EMPTY) {
      vm->memo_len++;
      s->n++;
    }
    s->keys[slot - s->vals] = (uint32_t)idx;
    *slot = *v;
    slot->flags |= PVF_MEMO;
  }
  if(idx > vm->memo_max)
    vm->memo_max = idx;
  return 0;
}

/* Fault in the next MiB of the dense memo in one call: on a hypervisor a
   page fault costs microseconds, and a memo fills sequentially. */
static void memo_prefault(struct pk_vm *vm, size_t idx)
{
  size_t step = ((size_t)1 << 20) / sizeof(struct pv);
  size_t end = idx + step < vm->memo_cap ? idx + step : vm->memo_cap;
  brinei_prefault(&vm->memo[idx], (end - idx) * sizeof(struct pv));
  vm->memo_ready = end;
}

static void memo_reset(struct pk_vm *vm)
{
  if(vm->memo_len && vm->memo)  /* far indices may have filled only the
                                   sparse table */
    memset(vm->memo, 0, vm->memo_cap * sizeof(struct pv));
  if(vm->sparse) {
    for(size_t i = 0; i < vm->sparse->cap; i++)
      vm->sparse->vals[i].kind = MEMO_EMPTY;
    vm->sparse->n = 0;
  }
  vm->memo_len = 0;
}

/* ------------------------------------------------------------------ */
/* globals (find_class)                                                */

static bool gtab_rehash(struct pk_vm *vm)
{
  size_t cap = vm->gtab_cap ? vm->gtab_cap * 2 : 256;
  uint32_t *t = brinei_malloc(vm->ctx, cap * sizeof(uint32_t));
  if(!t)
    return false;
  for(size_t i = 0; i < cap; i++)
    t[i] = PV_NOREF;
  for(size_t g = 0; g < vm->nglobals; g++) {
    struct pk_global *gl = &vm->globals[g];
    uint32_t h = brinei_hash32(gl->name, strlen(gl->name)) &
                 (uint32_t)(cap - 1);
    gl->hnext = t[h];
    t[h] = (uint32_t)g;
  }
  brinei_free(vm->ctx, vm->gtab);
  vm->gtab = t;
  vm->gtab_cap = cap;
  return true;
}

/* Is `name` equal to `prefix` or below it ("prefix.x")? */
static bool dotted_under(const char *name, const char *prefix)
{
  size_t n = strlen(prefix);
  return !strncmp(name, prefix, n) && (name[n] == '\0' || name[n] == '.');
}

/* Intern "module.name"; returns the gid, or PV_NOREF with vm->status set. */
static uint32_t intern_global(struct pk_vm *vm, const char *mod, size_t mlen,
                              const char *name, size_t nlen, uint64_t off,
                              uint8_t op, bool mapped)
{
  size_t total = mlen + 1 + nlen;
  char stackbuf[256], *full = stackbuf;
  uint32_t h, g;
  if(total >= sizeof(stackbuf)) {
    full = brinei_arena_alloc(&vm->arena, total + 1);
    if(!full) {
      NOMEM(off);
      return PV_NOREF;
    }
  }
  memcpy(full, mod, mlen);
  full[mlen] = '.';
  memcpy(full + mlen + 1, name, nlen);
  full[total] = '\0';
  h = brinei_hash32(full, total);
  if(vm->gtab_cap) {
    for(g = vm->gtab[h & (vm->gtab_cap - 1)]; g != PV_NOREF;
        g = vm->globals[g].hnext)
      if(!strcmp(vm->globals[g].name, full))
        return g;
  }
  if(vm->nglobals >= vm->ctx->lim.globals) {
    LIMIT(off, "more than %llu distinct globals (limit globals)",
          (unsigned long long)vm->ctx->lim.globals);
    return PV_NOREF;
  }
  {
    void *p = vm->globals;
    if(brinei_grow(vm->ctx, &p, &vm->globals_cap, vm->nglobals + 1,
                   sizeof(struct pk_global), (size_t)vm->ctx->lim.globals)) {
      NOMEM(off);
      return PV_NOREF;
    }
    vm->globals = p;
  }
  if(vm->nglobals + 1 > vm->gtab_cap / 2 && !gtab_rehash(vm)) {
    NOMEM(off);
    return PV_NOREF;
  }
  g = (uint32_t)vm->nglobals++;
  {
    struct pk_global *gl = &vm->globals[g];
    gl->name = full == stackbuf ? brinei_arena_strndup(&vm->arena, full, total)
                                : full;
    if(!gl->name) {
      vm->nglobals--;
      NOMEM(off);
      return PV_NOREF;
    }
    gl->modlen = (uint32_t)mlen;
    gl->flags = mapped ? PKG_MAPPED : 0;
    gl->first_off = off;
    gl->first_op = op;
    gl->hnext = vm->gtab[h & (vm->gtab_cap - 1)];
    vm->gtab[h & (vm->gtab_cap - 1)] = g;
  }
  return g;
}

#define JOBLIB_WRAPPER "joblib.numpy_pickle.NumpyArrayWrapper"

/* Resolve and push a global, reporting it. Mirrors find_class: the compat
   mapping applies when proto < 3 (Lib/pickle.py Unpickler.find_class). */
static bool push_global(struct pk_vm *vm, const char *mod, size_t mlen,
                        const char *name, size_t nlen, uint64_t off,
                        uint8_t op, struct pv *out)
{
  bool mapped = false;
  uint32_t g;
  struct pv v;
  /* what __import__/getattr reject before anything is looked up */
  if(!mlen || !nlen) {
    BROKEN(off, "empty module or attribute name in %s", op_names[op]);
    return false;
  }
  if(memchr(mod, 0, mlen) || memchr(name, 0, nlen)) {
    BROKEN(off, "embedded null character in a global name");
    return false;
  }
  if(vm->proto < 3)
    mapped = brinei_compat_map(&mod, &mlen, &name, &nlen);
  g = intern_global(vm, mod, mlen, name, nlen, off, op, mapped);
  if(g == PV_NOREF)
    return false;
  if(!vm->keep_items && !strcmp(vm->globals[g].name, JOBLIB_WRAPPER))
    vm->keep_items = 16;  /* its state dict says how many bytes follow */
  memset(&v, 0, sizeof(v));
  v.kind = PV_GLOBAL;
  v.ref = g;
  v.len = ++vm->next_id;
  if(vm->any_mutated) {
    /* B19/B38: a name read through an object whose attributes BUILD wrote
       is whatever the pickle put there */
    for(size_t i = 0; i < vm->nglobals; i++) {
      if((vm->globals[i].flags & PKG_MUTATED) &&
         dotted_under(vm->globals[g].name, vm->globals[i].name) &&
         i != g) {
        vm->globals[g].flags |= PKG_COMPUTED;
        break;
      }
    }
  }
  if(vm->sink->on_global)
    vm->sink->on_global(vm->sink->ud, vm, g, off, op);
  if(vm->globals[g].flags & PKG_COMPUTED) {
    event(vm, PKE_COMPUTED, off,
          "%s is read from an object whose attributes the pickle wrote",
          vm->globals[g].name);
    v.kind = PV_COMPUTED;
  }
  if(out)
    *out = v;
  return push(vm, &v);
}

/* ------------------------------------------------------------------ */
/* line-based arguments (protocol 0)                                   */

/* _Unpickler_Readline: bytes up to and including '\n'. */
static bool readline(struct pk_vm *vm, const uint8_t **s, size_t *n)
{
  const uint8_t *p = vm->data + vm->pos;
  const uint8_t *nl = memchr(p, '\n', vm->len - vm->pos);
  if(!nl)
    return false;
  *s = p;
  *n = (size_t)(nl - p) + 1;
  vm->pos += *n;
  return true;
}

/* Validate a PyLong_FromString(s, NULL, base) literal: optional spaces,
   sign, base prefix (base 0), digits with single underscores, spaces. */
static bool pylong_literal(const uint8_t *s, size_t n, int base)
{
  size_t i = 0, digits = 0;
  bool leading_zero = false;
  while(i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\f' ||
                  s[i] == '\v' || s[i] == '\r' || s[i] == '\n'))
    i++;
  if(i < n && (s[i] == '+' || s[i] == '-'))
    i++;
  if(base == 0) {
    base = 10;
    if(n - i >= 2 && s[i] == '0') {
      uint8_t c = (uint8_t)(s[i + 1] | 0x20);
      if(c == 'x' || c == 'o' || c == 'b') {
        base = c == 'x' ? 16 : c == 'o' ? 8 : 2;
        i += 2;
        if(i < n && s[i] == '_')
          i++;
      }
      else
        leading_zero = true;
    }
  }
  for(; i < n; i++) {
    int d;
    uint8_t c = s[i];
    if(c == '_') {
      if(!digits || i + 1 >= n || s[i + 1] == '_')
        return false;
      continue;
    }
    if(c >= '0' && c <= '9')
      d = c - '0';
    else if((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
      d = (c | 0x20) - 'a' + 10;
    else
      break;
    if(d >= base)
      return false;
    if(leading_zero && d != 0)
      return false;  /* "010" is not a valid base-0 literal */
    digits++;
  }
  while(i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\f' ||
                  s[i] == '\v' || s[i] == '\r' || s[i] == '\n'))
    i++;
  return digits && i == n;
}

/* Length of s as a C string: PyLong_FromString stops at a NUL. */
static size_t cstr_len(const uint8_t *s, size_t n)
{
  const uint8_t *z = memchr(s, 0, n);
  return z ? (size_t)(z - s) : n;
}

/* Parse a decimal index line for GET/PUT (PyLong_FromString base 10). */
static bool parse_index(const uint8_t *s, size_t n, int64_t *out)
{
  char buf[32];
  char *end;
  long long v;
  n = cstr_len(s, n);
  if(!pylong_literal(s, n, 10))
    return false;
  if(n >= sizeof(buf)) {
    /* huge but valid: beyond any memo index */
    *out = INT64_MAX;
    return true;
  }
  memcpy(buf, s, n);
  buf[n] = '\0';
  for(size_t i = 0, j = 0; i <= n; i++)  /* drop underscores */
    if(buf[i] != '_')
      buf[j++] = buf[i];
  errno = 0;
  v = strtoll(buf, &end, 10);
  if(errno == ERANGE)
    v = v < 0 ? INT64_MIN : INT64_MAX;
  *out = v;
  return true;
}

/* PyBytes_DecodeEscape for the STRING opcode. Returns decoded length or
   SIZE_MAX with *why set. */
static size_t decode_escape(const uint8_t *s, size_t n, uint8_t *out,
                            const char **why)
{
  size_t o = 0;
  for(size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    if(c != '\\') {
      out[o++] = c;
      continue;
    }
    if(++i >= n) {
      *why = "Trailing \\ in string";
      return SIZE_MAX;
    }
    c = s[i];
    switch(c) {
    case '\n': break;  /* line continuation */
    case '\\': out[o++] = '\\'; break;
    case '\'': out[o++] = '\''; break;
    case '"': out[o++] = '"'; break;
    case 'b': out[o++] = '\b'; break;
    case 'f': out[o++] = '\014'; break;
    case 't': out[o++] = '\t'; break;
    case 'n': out[o++] = '\n'; break;
    case 'r': out[o++] = '\r'; break;
    case 'v': out[o++] = '\013'; break;
    case 'a': out[o++] = '\007'; break;
    case '0': case '1': case '2': case '3':
    case '4': case '5': case '6': case '7': {
      unsigned v = (unsigned)(c - '0');
      if(i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7') {
        v = v * 8 + (unsigned)(s[++i] - '0');
        if(i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7')
          v = v * 8 + (unsigned)(s[++i] - '0');
      }
      out[o++] = (uint8_t)v;
      break;
    }
    case 'x': {
      int hi, lo;
      if(n - i < 3) {
        *why = "invalid \\x escape";
        return SIZE_MAX;
      }
      hi = s[i + 1] <= '9' ? s[i + 1] - '0' : (s[i + 1] | 0x20) - 'a' + 10;
      lo = s[i + 2] <= '9' ? s[i + 2] - '0' : (s[i + 2] | 0x20) - 'a' + 10;
      if(hi < 0 || hi > 15 || lo < 0 || lo > 15 ||
         (s[i + 1] > '9' && ((s[i + 1] | 0x20) < 'a')) ||
         (s[i + 2] > '9' && ((s[i + 2] | 0x20) < 'a'))) {
        *why = "invalid \\x escape";
        return SIZE_MAX;
      }
      out[o++] = (uint8_t)(hi << 4 | lo);
      i += 2;
      break;
    }
    default:  /* unknown escapes are kept, backslash included */
      out[o++] = '\\';
      out[o++] = c;
    }
  }
  return o;
}

static int hexdig(uint8_t c)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  c |= 0x20;
  if(c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

static size_t put_utf8(uint8_t *o, uint32_t cp)
{
  if(cp < 0x80) {
    o[0] = (uint8_t)cp;
    return 1;
  }
  if(cp < 0x800) {
    o[0] = (uint8_t)(0xc0 | cp >> 6);
    o[1] = (uint8_t)(0x80 | (cp & 0x3f));
    return 2;
  }
  if(cp < 0x10000) {
    o[0] = (uint8_t)(0xe0 | cp >> 12);
    o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    o[2] = (uint8_t)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (uint8_t)(0xf0 | cp >> 18);
  o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
  o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
  o[3] = (uint8_t)(0x80 | (cp & 0x3f));
  return 4;
}

/* raw-unicode-escape decoding (UNICODE opcode) into UTF-8; out must hold
   2*n bytes. */
static size_t decode_raw_unicode(const uint8_t *s, size_t n, uint8_t *out,
                                 const char **why)
{
  size_t o = 0;
  for(size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    if(c == '\\' && i + 1 < n && (s[i + 1] == 'u' || s[i + 1] == 'U')) {
      /* an odd number of backslashes makes an escape */
      size_t bs = 0, j = i;
      while(j > 0 && s[j - 1] == '\\') {
        bs++;
        j--;
      }
      if(bs % 2 == 0) {
        size_t digits = s[i + 1] == 'u' ? 4 : 8;
        uint32_t cp = 0;
        if(n - i - 2 < digits) {
          *why = "truncated \\uXXXX escape";
          return SIZE_MAX;
        }
        for(size_t k = 0; k < digits; k++) {
          int d = hexdig(s[i + 2 + k]);
          if(d < 0) {
            *why = "truncated \\uXXXX escape";
            return SIZE_MAX;
          }
          cp = cp << 4 | (uint32_t)d;
        }
        if(cp > 0x10ffff) {
          *why = "\\Uxxxxxxxx out of range";
          return SIZE_MAX;
        }
        o += put_utf8(out + o, cp);
        i += 1 + digits;
        continue;
      }
    }
    o += put_utf8(out + o, c);
  }
  return o;
}

/* ------------------------------------------------------------------ */
/* nested pickles in literals (B32)                                    */

static bool starts_pickle_raw(const uint8_t *p, size_t n)
{
  if(n >= 3 && p[0] == 0x80 && p[1] >= 2 && p[1] <= PK_HIGHEST_PROTOCOL)
    return true;
  /* protocol 0/1: a plausible first opcode and a final STOP */
  if(n >= 2 && p[n - 1] == '.' && op_names[p[0]] && p[0] != '.' &&
     p[0] != 0x80)
    return strchr("(c]}ISVLNFl)KJXUTPi", p[0]) != NULL;
  return false;
}

static void check_nested(struct pk_vm *vm, const struct pv *v, uint64_t off)
{
  const uint8_t *p = v->u.s;
  size_t n = (size_t)v->len;
  if(!vm->sink->on_nested || n < 2)
    return;
  if(v->kind != PV_STR || (v->flags & PVF_BINSTR)) {
    if(starts_pickle_raw(p, n))
      vm->sink->on_nested(vm->sink->ud, vm, p, n, PKN_RAW, off);
    return;
  }
  /* str: protocol-0 text, hex, base64. (Bytes written as
     _codecs.encode(text, 'latin1') are checked once that call is folded
     into the bytes it makes.) */
  if(starts_pickle_raw(p, n)) {
    vm->sink->on_nested(vm->sink->ud, vm, p, n, PKN_RAW, off);
    return;
  }
  if(n >= 6 && n % 2 == 0 && p[0] == '8' && p[1] == '0' && p[2] == '0' &&
     p[3] >= '2' && p[3] <= '5') {
    vm->sink->on_nested(vm->sink->ud, vm, p, n, PKN_HEX, off);
    return;
  }
  if(n >= 8) {
    uint8_t head[3];
    if(brinei_base64_decode(p, 4, head) == 3 &&
       ((head[0] == 0x80 && head[1] >= 2 && head[1] <= 5) ||
        (head[0] && strchr("(c]}ISVLNl", head[0]))) &&
       brinei_is_base64(p, n))
      vm->sink->on_nested(vm->sink->ud, vm, p, n, PKN_BASE64, off);
  }
}

/* ------------------------------------------------------------------ */
/* uses (calls, constructions, state writes)                           */

static uint8_t report_use(struct pk_vm *vm, enum pk_use_kind kind, uint8_t op,
                          uint64_t off, const struct pv *callee,
                          const struct pv *args, const struct pv *kwargs)
{
  struct pk_use u;
  memset(&u, 0, sizeof(u));
  u.kind = kind;
  u.op = op;
  u.off = off;
  u.callee = callee;
  u.kwargs = kwargs;
  if(args && args->kind == PV_TUPLE &&
     (kind == PKU_CALL || kind == PKU_CONSTRUCT)) {
    u.args = args->u.node->items;
    u.nargs = args->u.node->n;
    u.nkept = args->u.node->kept;
    u.args_known = true;
  }
  else if(args && kind != PKU_CALL && kind != PKU_CONSTRUCT) {
    u.args = args;  /* BUILD state, EXT code, persistent id */
    u.nargs = u.nkept = 1;
    u.args_known = true;
  }
  if(kind == PKU_PERSID)
    u.result_id = vm->persid_id;
  if(!vm->sink->on_use)
    return 0;
  return vm->sink->on_use(vm->sink->ud, vm, &u);
}

static struct pv obj_result(struct pk_vm *vm, const struct pv *callee,
                            uint8_t flags)
{
  struct pv r;
  memset(&r, 0, sizeof(r));
  r.kind = PV_OBJ;
  r.flags = flags;
  r.ref = callee->kind == PV_GLOBAL ? callee->ref : PV_NOREF;
  r.len = ++vm->next_id;
  return r;
}

static inline void set_span(struct pv *v, uint8_t kind, const uint8_t *s,
                            uint64_t n);

/* Protocols 0-2 write bytes as _codecs.encode(text, 'latin1') (pickle.py
   save_bytes). When that call is allowed, its result is known: the bytes
   whose latin-1 decoding is the text. Folding it lets nested-pickle checks
   and argument constraints see the bytes. */
static bool fold_codecs_encode(struct pk_vm *vm, const struct pv *fn,
                               const struct pv *args, struct pv *out)
{
  const struct pnode *n;
  const uint8_t *s, *e;
  size_t sl, el, o = 0;
  uint8_t *buf;
  if(fn->kind != PV_GLOBAL || args->kind != PV_TUPLE ||
     strcmp(vm->globals[fn->ref].name, "_codecs.encode"))
    return false;
  n = args->u.node;
  if(n->n != 2 || n->kept != 2 || n->items[0].kind != PV_STR ||
     n->items[1].kind != PV_STR)
    return false;
  s = brinei_pv_bytes(&n->items[0], &sl);
  e = brinei_pv_bytes(&n->items[1], &el);
  if(!((el == 6 && !memcmp(e, "latin1", 6)) ||
       (el == 7 && !memcmp(e, "latin-1", 7))))
    return false;
  buf = brinei_arena_alloc(&vm->arena, sl + 1);
  if(!buf)
    return false;
  for(size_t i = 0; i < sl; i++) {
    if(s[i] < 0x80)
      buf[o++] = s[i];
    else if((s[i] == 0xc2 || s[i] == 0xc3) && i + 1 < sl &&
            (s[i + 1] & 0xc0) == 0x80) {
      buf[o++] = (uint8_t)(((s[i] & 0x03) << 6) | (s[i + 1] & 0x3f));
      i++;
    }
    else
      return false;  /* a code point above U+00FF: encode() raises */
  }
  set_span(out, PV_BYTES, buf, o);
  return true;
}

/* Build a tuple from stack[from..sp) and pop those items. */
static bool pop_tuple(struct pk_vm *vm, size_t from, struct pv *out)
{
  struct pnode *n = node_new(vm);
  size_t count = vm->sp - from;
  if(!n)
    return false;
  for(size_t i = 0; i < count; i++)
    if(!node_add(vm, n, &vm->stack[from + i], vm->ctx->lim.tuple_keep))
      return false;
  vm->sp = from;
  memset(out, 0, sizeof(*out));
  out->kind = PV_TUPLE;
  out->u.node = n;
  out->len = ++vm->next_id;
  return true;
}

/* Lists, dicts and sets get a node only when their items are kept
   (inspect, decompile); a scan needs their kind, never their contents. */
static bool new_container(struct pk_vm *vm, uint8_t kind, struct pv *out)
{
  memset(out, 0, sizeof(*out));
  out->kind = kind;
  out->len = ++vm->next_id;
  if(!vm->keep_items)
    return true;
  out->u.node = node_new(vm);
  return out->u.node != NULL;
}

static bool add_items(struct pk_vm *vm, struct pnode *n, size_t from)
{
  uint64_t keep = vm->keep_items;
  if(!n)
    return true;
  for(size_t i = from; i < vm->sp; i++)
    if(!node_add(vm, n, &vm->stack[i], keep))
      return false;
  return true;
}

/* APPEND(S)/SETITEM(S)/ADDITEMS: the target is stack[x - 1] and the items
   stack[x..sp). Returns false with vm->status set when the stream ends. */
static bool container_update(struct pk_vm *vm, uint8_t op, uint64_t off,
                             size_t x)
{
  struct pv *t = &vm->stack[x - 1];
  bool ok = true;
  if(t->kind == PV_LIST && (op == OP_APPEND || op == OP_APPENDS))
    ok = add_items(vm, t->u.node, x);  /* PyList_CheckExact fast path */
  else if(t->kind == PV_DICT && (op == OP_SETITEM || op == OP_SETITEMS))
    ok = add_items(vm, t->u.node, x);  /* PyDict_CheckExact fast path */
  else if(t->kind == PV_SET && op == OP_ADDITEMS)
    ok = add_items(vm, t->u.node, x);  /* PySet_Check fast path */
  else if(t->kind == PV_BYTEARRAY ||
          (t->kind == PV_LIST && (op == OP_SETITEM || op == OP_SETITEMS))) {
    /* builtin methods of builtin types (bytearray.extend, list.__setitem__):
       no code from outside the interpreter runs */
  }
  else if(is_literal(t->kind)) {
    static const char *const meth[] = { "append", "__setitem__", "add" };
    int m = op == OP_ADDITEMS ? 2 : (op == OP_SETITEM || op == OP_SETITEMS);
    BROKEN(off, "%s on a literal without %s(): CPython raises",
           op_names[op], meth[m]);
    return false;
  }
  else {
    struct pv target = *t;
    (void)report_use(vm, PKU_CONTAINER, op, off, &target, NULL, NULL);
  }
  if(!ok) {
    NOMEM(off);
    return false;
  }
  vm->sp = x;
  return true;
}

/* ------------------------------------------------------------------ */
/* joblib's inline arrays                                              */

/* Bytes per element of numpy.dtype(typestr, ...): the type string joblib's
   arrays pickle ('f8', 'i8', 'U5', 'V16', ...). -1 for object arrays, 0
   when the string is not understood. */
static int64_t dtype_itemsize(const struct pv *args)
{
  const struct pnode *n = args->kind == PV_TUPLE ? args->u.node : NULL;
  const uint8_t *s;
  size_t len, i = 0;
  int64_t digits = 0;
  uint8_t kind;
  if(!n || !n->kept || !(s = brinei_pv_bytes(&n->items[0], &len)) ||
     n->items[0].kind != PV_STR || !len)
    return 0;
  if(strchr("<>|=", s[0]))
    i++;
  if(i >= len)
    return 0;
  kind = s[i++];
  if(kind == 'O')
    return -1;
  if(!strchr("biufcmMSUV?", kind))
    return 0;
  if(i == len)
    return kind == '?' || kind == 'b' ? 1 : 0;
  for(; i < len; i++) {
    if(s[i] < '0' || s[i] > '9' || digits > (1 << 30))
      return 0;
    digits = digits * 10 + (s[i] - '0');
  }
  return kind == 'U' ? digits * 4 : digits;
}

static const struct pv *dict_get(const struct pv *d, const char *key)
{
  const struct pnode *n = d->kind == PV_DICT ? d->u.node : NULL;
  size_t kl = strlen(key), len;
  for(uint32_t i = 0; n && i + 1 < n->kept; i += 2) {
    const uint8_t *k = brinei_pv_bytes(&n->items[i], &len);
    if(k && n->items[i].kind == PV_STR && len == kl && !memcmp(k, key, kl))
      return &n->items[i + 1];
  }
  return NULL;
}

/* joblib writes each numpy array as a NumpyArrayWrapper whose BUILD is
   followed by the raw array bytes in the file itself; NumpyUnpickler's
   load_build then calls read_array(), which reads them (joblib
   numpy_pickle.py): one padding-length byte and that many padding bytes
   when the state has numpy_array_alignment_bytes, then prod(shape) x
   itemsize bytes. The pickle resumes after them. Returns false when the
   stream ends here (status set). */
static bool joblib_array(struct pk_vm *vm, const struct pv *state,
                         uint64_t off)
{
  const struct pv *shape = dict_get(state, "shape");
  const struct pv *dtype = dict_get(state, "dtype");
  const struct pv *align = dict_get(state, "numpy_array_alignment_bytes");
  uint64_t count = 1, nbytes;
  if(state->kind != PV_DICT || !state->u.node ||
     state->u.node->n > state->u.node->kept || !shape ||
     shape->kind != PV_TUPLE || shape->u.node->n > shape->u.node->kept ||
     !dtype || dtype->kind != PV_OBJ || dtype->ref == PV_NOREF ||
     strcmp(vm->globals[dtype->ref].name, "numpy.dtype") || !dtype->u.i) {
    BROKEN(off, "a joblib array whose size cannot be told from its state");
    return false;
  }
  if(vm->frame_end > vm->pos)
    /* joblib commits the frame before writing the array: raw bytes inside
       an open frame read differently through the unpickler's buffer */
    event(vm, PKE_FRAME, off, "joblib array bytes inside the FRAME that "
          "ends at byte %llu", (unsigned long long)vm->frame_end);
  vm->frame_end = 0;  /* the frame ended with the BUILD */
  if(dtype->u.i < 0) {
    /* read_array() calls pickle.load() for object arrays: a whole pickle
       stream follows here, with its own memo */
    size_t end = vm->sink->on_inline
                   ? vm->sink->on_inline(vm->sink->ud, vm, vm->pos)
                   : SIZE_MAX;
    if(end == SIZE_MAX || end <= vm->pos || end > vm->len) {
      BROKEN(vm->pos, "the pickle of a joblib object array does not end "
             "in a STOP");
      return false;
    }
    vm->pos = end;
    return true;
  }
  for(uint32_t i = 0; i < shape->u.node->kept; i++) {
    const struct pv *d = &shape->u.node->items[i];
    if(d->kind != PV_INT || d->u.i < 0 ||
       (d->u.i && count > UINT64_MAX / (uint64_t)d->u.i)) {
      BROKEN(off, "a joblib array shape that is not a tuple of sizes");
      return false;
    }
    count *= (uint64_t)d->u.i;
  }
  if(count > UINT64_MAX / (uint64_t)dtype->u.i) {
    BROKEN(off, "a joblib array larger than any file");
    return false;
  }
  nbytes = count * (uint64_t)dtype->u.i;
  if(align) {
    uint64_t pad;
    if(vm->pos >= vm->len) {
      TRUNC(vm->pos);
      return false;
    }
    pad = vm->data[vm->pos];
    if(pad > vm->len - vm->pos - 1) {
      TRUNC(vm->pos);
      return false;
    }
    vm->pos += 1 + pad;
  }
  if(nbytes > vm->len - vm->pos) {
    TRUNC(vm->pos);
    return false;
  }
  vm->pos += nbytes;
  return true;
}

/* ------------------------------------------------------------------ */
/* the machine                                                         */

brine_result brinei_pk_init(struct pk_vm *vm, struct brine_ctx *ctx,
                            const uint8_t *data, size_t len,
                            const struct pk_sink *sink)
{
  static const struct pk_sink none;
  memset(vm, 0, sizeof(*vm));
  vm->ctx = ctx;
  vm->data = data;
  vm->len = len;
  vm->sink = sink ? sink : &none;
  brinei_arena_init(&vm->arena, ctx);
  return BRINE_OK;
}

void brinei_pk_free(struct pk_vm *vm)
{
  brinei_free(vm->ctx, vm->stack);
  brinei_free(vm->ctx, vm->marks);
  brinei_free(vm->ctx, vm->memo);
  if(vm->sparse) {
    brinei_free(vm->ctx, vm->sparse->keys);
    brinei_free(vm->ctx, vm->sparse->vals);
    brinei_free(vm->ctx, vm->sparse);
  }
  brinei_free(vm->ctx, vm->globals);
  brinei_free(vm->ctx, vm->gtab);
  brinei_arena_free(&vm->arena);
  memset(vm, 0, sizeof(*vm));
}

static inline uint32_t rd_u32(const uint8_t *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static inline uint64_t rd_u64(const uint8_t *p)
{
  return (uint64_t)rd_u32(p) | (uint64_t)rd_u32(p + 4) << 32;
}

/* Literal span: the bytes stay in the input (no copy). */
static inline void set_span(struct pv *v, uint8_t kind, const uint8_t *s,
                            uint64_t n)
{
  v->kind = kind;
  v->flags = 0;
  v->pad = 0;
  v->ref = 0;
  v->u.s = s;
  v->len = n;
}

/* Could this literal hold a pickle (raw, hex or base64)? A cheap gate
   before check_nested: most strings are names and short text. */
static inline bool maybe_nested(const uint8_t *p, uint64_t n)
{
  if(n < 2)
    return false;
  if(p[0] == 0x80 || p[n - 1] == '.')
    return true;
  /* hex "800N..."; base64 of 0x80 and of protocol-0 first opcodes */
  return n >= 6 && (p[0] == '8' ||
                    (n >= 8 && memchr("YKXfSUVTbg", p[0], 10)));
}

/* UTF-8 check with an inline path for short ASCII strings. */
static inline bool utf8_ok(const uint8_t *p, uint64_t n)
{
  if(n <= 16) {
    uint8_t acc = 0;
    for(uint64_t i = 0; i < n; i++)
      acc |= p[i];
    if(acc < 0x80)
      return true;
  }
  return brinei_utf8_valid(p, (size_t)n, true);
}

/* GLOBAL and INST: two lines, module and name, decoded as UTF-8 (strict). */
static bool read_global_lines(struct pk_vm *vm, uint64_t off,
                              const uint8_t **m, size_t *mlen,
                              const uint8_t **nm, size_t *nlen)
{
  if(!readline(vm, m, mlen) || !readline(vm, nm, nlen)) {
    TRUNC(off);
    return false;
  }
  (*mlen)--;
  (*nlen)--;
  if(!brinei_utf8_valid(*m, *mlen, false) ||
     !brinei_utf8_valid(*nm, *nlen, false)) {
    BROKEN(off, "global name is not valid UTF-8");
    return false;
  }
  if(vm->data[off] == OP_INST) {  /* load_inst decodes ASCII, strictly */
    for(size_t i = 0; i < *mlen; i++)
      if((*m)[i] >= 0x80)
        return BROKEN(off, "INST module name is not ASCII"), false;
    for(size_t i = 0; i < *nlen; i++)
      if((*nm)[i] >= 0x80)
        return BROKEN(off, "INST class name is not ASCII"), false;
  }
  return true;
}

#define NEED(n)                                        \
  do {                                                 \
    if(BRINE_UNLIKELY((uint64_t)(n) > vm->len - vm->pos)) \
      return TRUNC(off);                               \
  } while(0)

#define PUSH(v)                                        \
  do {                                                 \
    if(BRINE_UNLIKELY(!push(vm, (v))))                 \
      return vm->sp >= vm->ctx->lim.pickle_stack       \
        ? LIMIT(off, "more than %llu stack items (limit pickle_stack)", \
                (unsigned long long)vm->ctx->lim.pickle_stack)          \
        : NOMEM(off);                                  \
  } while(0)

/* stack has more than `k` items above the fence */
#define ABOVE_FENCE(k) (vm->sp > vm->fence + (k) - 1 && vm->sp >= (k))

#define UNDERFLOW() BROKEN(off, "%s", underflow_msg(vm))

enum pk_status brinei_pk_run(struct pk_vm *vm, size_t start)
{
  const uint8_t *d = vm->data;
  struct pv v;
  uint64_t off = start;
  uint64_t max_ops = vm->ctx->lim.pickle_ops;
  uint64_t frame_watch = UINT64_MAX;
  void (*const on_op)(void *, struct pk_vm *, uint8_t, uint64_t, uint64_t) =
      vm->sink->on_op;

  vm->pos = start;
  vm->stream_start = start;
  vm->sp = 0;
  vm->nmarks = 0;
  vm->fence = 0;
  vm->frame_start = vm->frame_end = 0;
  vm->proto = 0;
  vm->ops = 0;
  vm->status = PKS_STOP;
  vm->msg[0] = '\0';
  memset(&vm->result, 0, sizeof(vm->result));
  memo_reset(vm);
  if(start >= vm->len) {
    vm->status = PKS_EMPTY;
    return PKS_EMPTY;
  }

  /* One comparison per opcode guards three boundaries: the end of the
     input, the end of the current frame and the next point where mapped
     pages are handed back (every 64 MiB). */
  uint64_t stop_at = 0;
  uint64_t release_at = vm->map ? vm->map->released + (64u << 20)
                                : UINT64_MAX;
  uint8_t prev_op = 0;
  for(;;) {
    uint8_t op;
    if(BRINE_UNLIKELY(vm->pos >= stop_at)) {
      /* B14: the opcode that just ran (and its argument) must lie within
         its frame; a reader that honours frames (pickle.load on a file)
         would parse the rest differently */
      if(vm->pos >= frame_watch) {
        if(off < vm->frame_end && vm->pos > vm->frame_end &&
           prev_op != OP_FRAME)
          event(vm, PKE_FRAME, off,
                "%s at byte %llu crosses the end of its FRAME at byte %llu",
                op_names[prev_op], (unsigned long long)off,
                (unsigned long long)vm->frame_end);
        vm->frame_end = 0;
        frame_watch = UINT64_MAX;
      }
      if(vm->pos >= release_at) {
        brinei_map_release(vm->map, vm->pos - (1u << 20));
        release_at = vm->map->released + (64u << 20);
      }
      if(vm->pos >= vm->len)
        return TRUNC(vm->pos);
      stop_at = vm->len < frame_watch ? vm->len : frame_watch;
      if(release_at < stop_at)
        stop_at = release_at;
    }
    off = vm->pos;
    if(BRINE_UNLIKELY(++vm->ops > max_ops))
      return LIMIT(off, "more than %llu opcodes (limit pickle_ops)",
                   (unsigned long long)max_ops);
    op = d[vm->pos++];
    prev_op = op;

    switch(op) {
    /* ---- integers: load_int, load_binint*, load_long, load_counted_long */
    case OP_INT: {
      const uint8_t *s;
      size_t n;
      char buf[64], *end;
      long long x;
      if(!readline(vm, &s, &n))
        return TRUNC(off);
      if(n < 2)
        return TRUNC(off);  /* bad_readline */
      memset(&v, 0, sizeof(v));
      if(n < sizeof(buf)) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        errno = 0;
        x = strtoll(buf, &end, 0);  /* _pickle.c uses strtol(s, &e, 0) */
        if(!errno && (*end == '\n' || *end == '\0')) {
          v.kind = (n == 3 && (x == 0 || x == 1)) ? PV_BOOL : PV_INT;
          v.u.i = x;
          PUSH(&v);
          break;
        }
      }
      if(!pylong_literal(s, n - 1, 0))
        return BROKEN(off, "could not convert string to int");
      set_span(&v, PV_BIGINT, s, n - 1);
      v.flags = 1;  /* decimal text, not two's complement bytes */
      PUSH(&v);
      break;
    }
    case OP_BININT:
      NEED(4);
      memset(&v, 0, sizeof(v));
      v.kind = PV_INT;
      v.u.i = (int32_t)rd_u32(d + vm->pos);
      vm->pos += 4;
      PUSH(&v);
      break;
    case OP_BININT1:
      NEED(1);
      memset(&v, 0, sizeof(v));
      v.kind = PV_INT;
      v.u.i = d[vm->pos++];
      PUSH(&v);
      break;
    case OP_BININT2:
      NEED(2);
      memset(&v, 0, sizeof(v));
      v.kind = PV_INT;
      v.u.i = d[vm->pos] | d[vm->pos + 1] << 8;
      vm->pos += 2;
      PUSH(&v);
      break;
    case OP_LONG: {
      const uint8_t *s;
      size_t n;
      if(!readline(vm, &s, &n))
        return TRUNC(off);
      if(n < 2)
        return TRUNC(off);
      n--;
      if(s[n - 1] == 'L')
        n--;
      n = cstr_len(s, n);
      if(!pylong_literal(s, n, 0))
        return BROKEN(off, "invalid literal for int() with base 0");
      set_span(&v, PV_BIGINT, s, n);
      v.flags = 1;
      PUSH(&v);
      break;
    }
    case OP_LONG1:
    case OP_LONG4: {
      uint64_t n;
      if(op == OP_LONG1) {
        NEED(1);
        n = d[vm->pos++];
      }
      else {
        int32_t sn;
        NEED(4);
        sn = (int32_t)rd_u32(d + vm->pos);
        vm->pos += 4;
        if(sn < 0)
          return BROKEN(off, "LONG pickle has negative byte count");
        n = (uint64_t)sn;
      }
      NEED(n);
      if(n <= 8) {
        uint64_t x = 0;
        memset(&v, 0, sizeof(v));
        for(uint64_t i = 0; i < n; i++)
          x |= (uint64_t)d[vm->pos + i] << (8 * i);
        if(n && n < 8 && (d[vm->pos + n - 1] & 0x80))
          x |= ~0ull << (8 * n);  /* sign-extend */
        v.kind = PV_INT;
        v.u.i = (int64_t)x;
      }
      else
        set_span(&v, PV_BIGINT, d + vm->pos, n);
      vm->pos += n;
      PUSH(&v);
      break;
    }

    /* ---- strings: load_string, load_counted_binstring, load_*bytes ---- */
    case OP_STRING: {
      const uint8_t *s;
      size_t n;
      uint8_t *out;
      const char *why = NULL;
      if(!readline(vm, &s, &n))
        return TRUNC(off);
      n--;  /* the newline */
      if(!(n >= 2 && s[0] == s[n - 1] && (s[0] == '\'' || s[0] == '"')))
        return BROKEN(off, "the STRING opcode argument must be quoted");
      if(n - 2 > vm->ctx->lim.string_bytes)
        return LIMIT(off, "STRING of %zu bytes (limit string_bytes)", n - 2);
      out = brinei_arena_alloc(&vm->arena, n);
      if(!out)
        return NOMEM(off);
      n = decode_escape(s + 1, n - 2, out, &why);
      if(n == SIZE_MAX)
        return BROKEN(off, "%s", why);
      set_span(&v, PV_STR, out, n);
      v.flags = PVF_BINSTR;
      check_nested(vm, &v, off);
      PUSH(&v);
      break;
    }
    case OP_SHORT_BINUNICODE: {
      /* the commonest string opcode, on its own path */
      size_t n;
      NEED(1);
      n = d[vm->pos];
      NEED(n + 1);
      if(!utf8_ok(d + vm->pos + 1, n))
        return BROKEN(off, "'utf-8' codec can't decode the %s argument",
                      op_names[op]);
      set_span(&v, PV_STR, d + vm->pos + 1, n);
      vm->pos += n + 1;
      if(maybe_nested(v.u.s, n))
        check_nested(vm, &v, off);
      PUSH(&v);
      break;
    }
    case OP_BINSTRING:
    case OP_SHORT_BINSTRING:
    case OP_BINBYTES:
    case OP_SHORT_BINBYTES:
    case OP_BINBYTES8:
    case OP_BYTEARRAY8:
    case OP_BINUNICODE:
    case OP_BINUNICODE8: {
      uint64_t n;
      uint8_t kind;
      switch(op) {
      case OP_SHORT_BINSTRING:
      case OP_SHORT_BINBYTES:
        NEED(1);
        n = d[vm->pos++];
        break;
      case OP_BINSTRING:  /* _pickle.c reads an unsigned size here */
      case OP_BINBYTES:
      case OP_BINUNICODE:
        NEED(4);
        n = rd_u32(d + vm->pos);
        vm->pos += 4;
        break;
      default:
        NEED(8);
        n = rd_u64(d + vm->pos);
        vm->pos += 8;
        if(n > (uint64_t)INT64_MAX)
          return BROKEN(off, "%s exceeds system's maximum size",
                        op_names[op]);
      }
      NEED(n);
      kind = op == OP_BYTEARRAY8 ? PV_BYTEARRAY
           : (op == OP_BINUNICODE || op == OP_BINUNICODE8 ||
              op == OP_BINSTRING || op == OP_SHORT_BINSTRING) ? PV_STR
           : PV_BYTES;
      if((op == OP_BINUNICODE || op == OP_BINUNICODE8) &&
         !utf8_ok(d + vm->pos, n))
        return BROKEN(off, "'utf-8' codec can't decode the %s argument",
                      op_names[op]);
      set_span(&v, kind, d + vm->pos, n);
      if(op == OP_BINSTRING || op == OP_SHORT_BINSTRING)
        v.flags = PVF_BINSTR;
      vm->pos += n;
      if(maybe_nested(v.u.s, n))
        check_nested(vm, &v, off);
      PUSH(&v);
      break;
    }
    case OP_UNICODE: {
      const uint8_t *s;
      size_t n;
      uint8_t *out;
      const char *why = NULL;
      if(!readline(vm, &s, &n))
        return TRUNC(off);
      n--;
      if(n > vm->ctx->lim.string_bytes / 2)
        return LIMIT(off, "UNICODE of %zu bytes (limit string_bytes)", n);
      out = brinei_arena_alloc(&vm->arena, 2 * n + 1);
      if(!out)
        return NOMEM(off);
      n = decode_raw_unicode(s, n, out, &why);
      if(n == SIZE_MAX)
        return BROKEN(off, "%s", why);
      set_span(&v, PV_STR, out, n);
      check_nested(vm, &v, off);
      PUSH(&v);
      break;
    }

    /* ---- floats: load_float, load_binfloat ---- */
    case OP_FLOAT: {
      const uint8_t *s;
      size_t n;
      char buf[128], *end;
      if(!readline(vm, &s, &n))
        return TRUNC(off);
      /* PyOS_string_to_double: no leading space, no hex, must end at \n */
      if(n < 2 || n >= sizeof(buf) || s[0] == ' ' || s[0] == '\t' ||
         (n > 2 && (s[1] == 'x' || s[1] == 'X' || s[2] == 'x' ||
                    s[2] == 'X')))
        return BROKEN(off, "could not convert string to float");
      memcpy(buf, s, n);
      buf[n] = '\0';
      memset(&v, 0, sizeof(v));
      v.kind = PV_FLOAT;
      errno = 0;
      v.u.f = strtod(buf, &end);
      if(end == buf || (*end != '\n' && *end != '\0') ||
         (errno == ERANGE && isinf(v.u.f)) || memchr(buf, '_', n) ||
         memchr(buf, '\r', n))
        return BROKEN(off, "could not convert string to float");
      PUSH(&v);
      break;
    }
    case OP_BINFLOAT: {
      uint64_t bits;
      NEED(8);
      memcpy(&bits, d + vm->pos, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      bits = __builtin_bswap64(bits);  /* the argument is big-endian */
#endif
      vm->pos += 8;
      memset(&v, 0, sizeof(v));
      v.kind = PV_FLOAT;
      memcpy(&v.u.f, &bits, 8);
      PUSH(&v);
      break;
    }

    /* ---- constants ---- */
    case OP_NONE:
      memset(&v, 0, sizeof(v));
      PUSH(&v);
      break;
    case OP_NEWTRUE:
    case OP_NEWFALSE:
      memset(&v, 0, sizeof(v));
      v.kind = PV_BOOL;
      v.u.i = op == OP_NEWTRUE;
      PUSH(&v);
      break;

    /* ---- containers ---- */
    case OP_EMPTY_LIST:
    case OP_EMPTY_DICT:
    case OP_EMPTY_SET:
      if(!new_container(vm, op == OP_EMPTY_LIST ? PV_LIST
                            : op == OP_EMPTY_DICT ? PV_DICT : PV_SET, &v))
        return NOMEM(off);
      PUSH(&v);
      break;
    case OP_EMPTY_TUPLE:
      if(!pop_tuple(vm, vm->sp, &v))
        return NOMEM(off);
      PUSH(&v);
      break;
    case OP_TUPLE1:
    case OP_TUPLE2:
    case OP_TUPLE3: {
      /* load_counted_tuple + Pdata_poptuple: start must not be below the
         fence */
      size_t k = (size_t)(op - OP_TUPLE1 + 1);
      if(vm->sp < k || vm->sp - k < vm->fence)
        return UNDERFLOW();
      if(!pop_tuple(vm, vm->sp - k, &v))
        return NOMEM(off);
      PUSH(&v);
      break;
    }
    case OP_TUPLE:
    case OP_LIST:
    case OP_FROZENSET:
    case OP_DICT: {
      size_t i;
      if(!marker(vm, &i))
        return BROKEN(off, "could not find MARK");
      if(op == OP_TUPLE) {
        if(!pop_tuple(vm, i, &v))
          return NOMEM(off);
      }
      else {
        if(op == OP_DICT && (vm->sp - i) % 2)
          return BROKEN(off, "odd number of items for DICT");
        if(!new_container(vm, op == OP_LIST ? PV_LIST
                              : op == OP_DICT ? PV_DICT : PV_FROZENSET, &v) ||
           !add_items(vm, v.u.node, i))
          return NOMEM(off);
        vm->sp = i;
      }
      PUSH(&v);
      break;
    }
    case OP_APPEND:
      /* load_append -> do_append(len - 1) */
      if(vm->sp < 1 || vm->sp - 1 <= vm->fence)
        return UNDERFLOW();
      if(!container_update(vm, op, off, vm->sp - 1))
        return vm->status;
      break;
    case OP_APPENDS:
    case OP_SETITEMS: {
      size_t x;
      if(!marker(vm, &x))
        return BROKEN(off, "could not find MARK");
      /* do_append / do_setitems: x > len || x <= fence is underflow */
      if(x > vm->sp || x <= vm->fence)
        return UNDERFLOW();
      if(x == vm->sp)
        break;  /* no items: nothing is called */
      if(op == OP_SETITEMS && (vm->sp - x) % 2)
        return BROKEN(off, "odd number of items for SETITEMS");
      if(!vm->stack[x - 1].u.node &&
         vm->stack[x - 1].kind == (op == OP_SETITEMS ? PV_DICT : PV_LIST)) {
        vm->sp = x;  /* fast path: a literal whose items are not kept */
        break;
      }
      if(!container_update(vm, op, off, x))
        return vm->status;
      break;
    }
    case OP_SETITEM:
      if(vm->sp < 2 || vm->sp - 2 <= vm->fence)
        return UNDERFLOW();
      if(!container_update(vm, op, off, vm->sp - 2))
        return vm->status;
      break;
    case OP_ADDITEMS: {
      size_t mark;
      if(!marker(vm, &mark))
        return BROKEN(off, "could not find MARK");
      if(mark > vm->sp || mark <= vm->fence)  /* load_additems */
        return UNDERFLOW();
      if(mark == vm->sp)
        break;
      if(!container_update(vm, op, off, mark))
        return vm->status;
      break;
    }

    /* ---- stack manipulation: load_pop, load_dup, load_mark ---- */
    case OP_POP:
      if(vm->nmarks && vm->marks[vm->nmarks - 1] == vm->sp) {
        vm->nmarks--;  /* POP at the fence pops the MARK itself */
        vm->fence = vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
      }
      else if(vm->sp <= vm->fence || !vm->sp)
        return UNDERFLOW();
      else
        vm->sp--;
      break;
    case OP_DUP:
      if(vm->sp <= vm->fence || !vm->sp)
        return UNDERFLOW();
      v = vm->stack[vm->sp - 1];
      PUSH(&v);
      break;
    case OP_MARK:
      if(vm->nmarks == vm->marks_cap) {
        void *p = vm->marks;
        brine_result rc = brinei_grow(vm->ctx, &p, &vm->marks_cap,
                                      vm->nmarks + 1, sizeof(size_t),
                                      (size_t)vm->ctx->lim.pickle_marks);
        if(rc == BRINE_E_LIMIT)
          return LIMIT(off, "more than %llu open MARKs (limit pickle_marks)",
                       (unsigned long long)vm->ctx->lim.pickle_marks);
        if(rc)
          return NOMEM(off);
        vm->marks = p;
      }
      vm->marks[vm->nmarks++] = vm->fence = vm->sp;
      break;
    case OP_POP_MARK: {
      size_t i;
      if(!marker(vm, &i))
        return BROKEN(off, "could not find MARK");
      vm->sp = i;
      break;
    }

    /* ---- memo: load_get/binget/long_binget, load_put..., load_memoize */
    case OP_GET:
    case OP_BINGET:
    case OP_LONG_BINGET: {
      int64_t idx;
      struct pv *m;
      if(op == OP_GET) {
        const uint8_t *s;
        size_t n;
        if(!readline(vm, &s, &n))
          return TRUNC(off);
        if(n < 2 || !parse_index(s, n - 1, &idx))
          return BROKEN(off, "invalid literal for int() with base 10");
      }
      else if(op == OP_BINGET) {
        NEED(1);
        idx = d[vm->pos++];
      }
      else {
        NEED(4);
        idx = rd_u32(d + vm->pos);
        vm->pos += 4;
      }
      vm->memo_gets++;
      m = idx >= 0 ? memo_get(vm, (uint64_t)idx) : NULL;
      if(!m)
        return BROKEN(off, "Memo value not found at index %lld",
                      (long long)idx);
      v = *m;
      v.flags &= (uint8_t)~PVF_MEMO;
      PUSH(&v);
      break;
    }
    case OP_PUT:
    case OP_BINPUT:
    case OP_LONG_BINPUT:
    case OP_MEMOIZE: {
      int64_t idx;
      int r;
      if(op == OP_PUT) {
        const uint8_t *s;
        size_t n;
        if(!readline(vm, &s, &n))
          return TRUNC(off);
        if(n < 2 || !parse_index(s, n - 1, &idx))
          return BROKEN(off, "invalid literal for int() with base 10");
        if(idx < 0)
          return BROKEN(off, "negative PUT argument");
      }
      else if(op == OP_BINPUT) {
        NEED(1);
        idx = d[vm->pos++];
      }
      else if(op == OP_LONG_BINPUT) {
        NEED(4);
        idx = rd_u32(d + vm->pos);
        vm->pos += 4;
      }
      else
        idx = (int64_t)vm->memo_len;  /* B15: the count of filled slots */
      if(vm->sp <= vm->fence || !vm->sp)
        return UNDERFLOW();
      if(BRINE_LIKELY((uint64_t)idx < vm->memo_cap)) {
        /* fast path: a slot of the dense part */
        struct pv *slot = &vm->memo[idx];
        if(BRINE_UNLIKELY((size_t)idx >= vm->memo_ready))
          memo_prefault(vm, (size_t)idx);
        vm->memo_puts++;
        if(!(slot->flags & PVF_MEMO))
          vm->memo_len++;
        *slot = vm->stack[vm->sp - 1];
        slot->flags |= PVF_MEMO;
        if((uint64_t)idx > vm->memo_max)
          vm->memo_max = (uint64_t)idx;
        break;
      }
      r = memo_put(vm, (uint64_t)idx, &vm->stack[vm->sp - 1]);
      if(r == 1)
        return LIMIT(off, "memo index %lld (limit pickle_memo)",
                     (long long)idx);
      if(r == 2)
        return NOMEM(off);
      break;
    }

    /* ---- globals: load_global, load_stack_global, load_inst ---- */
    case OP_GLOBAL: {
      const uint8_t *m, *nm;
      size_t ml, nl;
      if(!read_global_lines(vm, off, &m, &ml, &nm, &nl))
        return vm->status;
      if(!push_global(vm, (const char *)m, ml, (const char *)nm, nl, off, op,
                      NULL))
        return vm->status == PKS_STOP ? NOMEM(off) : vm->status;
      break;
    }
    case OP_STACK_GLOBAL: {
      struct pv name, mod;
      if(vm->sp < 2 || vm->sp - 2 < vm->fence)
        return UNDERFLOW();
      name = vm->stack[--vm->sp];
      mod = vm->stack[--vm->sp];
      if((name.kind != PV_STR && is_literal(name.kind)) ||
         (mod.kind != PV_STR && is_literal(mod.kind)))
        return BROKEN(off, "STACK_GLOBAL requires str");
      if(name.kind != PV_STR || mod.kind != PV_STR) {
        /* B15-B19: the operand is not a literal string (a call result, a
           value read back from an object the pickle wrote): the reference
           is computed */
        event(vm, PKE_COMPUTED, off,
              "STACK_GLOBAL operand is not a string literal");
        memset(&v, 0, sizeof(v));
        v.kind = PV_COMPUTED;
        v.len = ++vm->next_id;
        PUSH(&v);
        break;
      }
      if(!push_global(vm, (const char *)mod.u.s, (size_t)mod.len,
                      (const char *)name.u.s, (size_t)name.len, off, op,
                      NULL))
        return vm->status == PKS_STOP ? NOMEM(off) : vm->status;
      break;
    }
    case OP_INST: {
      const uint8_t *m, *nm;
      size_t ml, nl, i;
      struct pv cls, args, res;
      uint8_t fl;
      if(!marker(vm, &i))
        return BROKEN(off, "could not find MARK");
      if(!read_global_lines(vm, off, &m, &ml, &nm, &nl))
        return vm->status;
      if(!push_global(vm, (const char *)m, ml, (const char *)nm, nl, off, op,
                      &cls))
        return vm->status == PKS_STOP ? NOMEM(off) : vm->status;
      vm->sp--;  /* the class is not left on the stack */
      if(!pop_tuple(vm, i, &args))
        return NOMEM(off);
      /* instantiate(): no args on a class is cls.__new__(cls) */
      fl = report_use(vm, args.u.node->n ? PKU_CALL : PKU_CONSTRUCT, op, off,
                      &cls, &args, NULL);
      res = obj_result(vm, &cls, fl | (args.u.node->n ? PVF_CALLED : 0));
      PUSH(&res);
      break;
    }
    case OP_OBJ: {
      size_t i;
      struct pv cls, args, res;
      uint8_t fl;
      if(!marker(vm, &i))
        return BROKEN(off, "could not find MARK");
      if(vm->sp - i < 1)
        return UNDERFLOW();
      if(!pop_tuple(vm, i + 1, &args))
        return NOMEM(off);
      cls = vm->stack[--vm->sp];
      if(is_literal(cls.kind))
        return BROKEN(off, "OBJ on a literal: CPython raises");
      fl = report_use(vm, args.u.node->n ? PKU_CALL : PKU_CONSTRUCT, op, off,
                      &cls, &args, NULL);
      res = obj_result(vm, &cls, fl | (args.u.node->n ? PVF_CALLED : 0));
      PUSH(&res);
      break;
    }

    /* ---- calls: load_reduce, load_newobj, load_newobj_ex ---- */
    case OP_REDUCE: {
      struct pv args, fn, res;
      uint8_t fl;
      if(vm->sp < 2 || vm->sp - 2 < vm->fence)
        return UNDERFLOW();
      args = vm->stack[--vm->sp];
      fn = vm->stack[--vm->sp];
      if(is_literal(fn.kind))
        return BROKEN(off, "REDUCE on a literal: object is not callable");
      if(is_literal(args.kind) && args.kind != PV_TUPLE)
        return BROKEN(off, "REDUCE argument list must be a tuple");
      fl = report_use(vm, PKU_CALL, op, off, &fn, &args, NULL);
      if((fl & PVF_ALLOWED) && fold_codecs_encode(vm, &fn, &args, &res)) {
        check_nested(vm, &res, off);
        PUSH(&res);
        break;
      }
      res = obj_result(vm, &fn, fl | PVF_CALLED);
      if(fn.kind == PV_GLOBAL &&
         !strcmp(vm->globals[fn.ref].name, "numpy.dtype"))
        res.u.i = dtype_itemsize(&args);
      PUSH(&res);
      break;
    }
    case OP_NEWOBJ:
    case OP_NEWOBJ_EX: {
      struct pv kwargs, args, cls, res;
      uint8_t fl;
      size_t k = op == OP_NEWOBJ ? 2 : 3;
      if(vm->sp < k || vm->sp - k < vm->fence)
        return UNDERFLOW();
      memset(&kwargs, 0, sizeof(kwargs));
      if(op == OP_NEWOBJ_EX)
        kwargs = vm->stack[--vm->sp];
      args = vm->stack[--vm->sp];
      cls = vm->stack[--vm->sp];
      if(is_literal(cls.kind))
        return BROKEN(off, "%s class argument must be a type",
                      op_names[op]);
      if(is_literal(args.kind) && args.kind != PV_TUPLE)
        return BROKEN(off, "%s args argument must be a tuple",
                      op_names[op]);
      if(op == OP_NEWOBJ_EX && is_literal(kwargs.kind) &&
         kwargs.kind != PV_DICT)
        return BROKEN(off, "NEWOBJ_EX kwargs argument must be a dict");
      fl = report_use(vm, PKU_CONSTRUCT, op, off, &cls, &args,
                      op == OP_NEWOBJ_EX ? &kwargs : NULL);
      res = obj_result(vm, &cls, fl);
      PUSH(&res);
      break;
    }
    case OP_BUILD: {
      struct pv state, *inst;
      if(vm->sp < 2 || vm->sp - 2 < vm->fence)
        return UNDERFLOW();
      state = vm->stack[--vm->sp];
      inst = &vm->stack[vm->sp - 1];
      if(is_literal(inst->kind)) {
        /* literals have neither __setstate__ nor __dict__: a None state is
           a no-op, and so is (None, slotstate) when the slot dict is empty
           (its contents are not kept in a scan: going on reports more) */
        bool noop = state.kind == PV_NONE ||
                    (state.kind == PV_TUPLE && state.u.node->n == 2 &&
                     state.u.node->kept == 2 &&
                     state.u.node->items[0].kind == PV_NONE &&
                     state.u.node->items[1].kind == PV_DICT &&
                     (!state.u.node->items[1].u.node ||
                      !state.u.node->items[1].u.node->n));
        if(!noop)
          return BROKEN(off, "BUILD on a literal: CPython raises");
        break;
      }
      if(inst->kind == PV_GLOBAL) {
        vm->globals[inst->ref].flags |= PKG_MUTATED;
        vm->any_mutated = true;
      }
      (void)report_use(vm, PKU_BUILD, op, off, inst, &state, NULL);
      if(inst->kind == PV_OBJ && inst->ref != PV_NOREF &&
         !strcmp(vm->globals[inst->ref].name, JOBLIB_WRAPPER)) {
        if(!joblib_array(vm, &state, off))
          return vm->status;
        stop_at = 0;  /* the position moved: recompute the boundary */
      }
      break;
    }

    /* ---- registry, persistence, buffers ---- */
    case OP_EXT1:
    case OP_EXT2:
    case OP_EXT4: {
      int64_t code;
      struct pv cv;
      if(op == OP_EXT1) {
        NEED(1);
        code = d[vm->pos++];
      }
      else if(op == OP_EXT2) {
        NEED(2);
        code = d[vm->pos] | d[vm->pos + 1] << 8;
        vm->pos += 2;
      }
      else {
        NEED(4);
        code = (int32_t)rd_u32(d + vm->pos);
        vm->pos += 4;
      }
      if(code <= 0)
        return BROKEN(off, "EXT specifies code <= 0");
      memset(&cv, 0, sizeof(cv));
      cv.kind = PV_INT;
      cv.u.i = code;
      (void)report_use(vm, PKU_EXT, op, off, NULL, &cv, NULL);
      memset(&v, 0, sizeof(v));
      v.kind = PV_COMPUTED;  /* B20: whatever copyreg's registry holds */
      v.len = ++vm->next_id;
      PUSH(&v);
      break;
    }
    case OP_PERSID:
    case OP_BINPERSID: {
      struct pv pid;
      if(op == OP_PERSID) {
        const uint8_t *s;
        size_t n;
        if(!readline(vm, &s, &n))
          return TRUNC(off);
        for(size_t i = 0; i + 1 < n; i++)
          if(s[i] >= 0x80)
            return BROKEN(off, "persistent IDs in protocol 0 must be ASCII "
                          "strings");
        set_span(&pid, PV_STR, s, n - 1);
      }
      else {
        if(vm->sp <= vm->fence || !vm->sp)
          return UNDERFLOW();
        pid = vm->stack[--vm->sp];
      }
      memset(&v, 0, sizeof(v));
      v.kind = PV_PERSID;
      v.len = ++vm->next_id;
      vm->persid_id = v.len;
      (void)report_use(vm, PKU_PERSID, op, off, NULL, &pid, NULL);
      PUSH(&v);
      break;
    }
    case OP_NEXT_BUFFER:
      event(vm, PKE_BUFFER, off,
            "NEXT_BUFFER needs out-of-band data the file does not hold");
      memset(&v, 0, sizeof(v));
      v.kind = PV_BUFFER;
      v.len = ++vm->next_id;
      PUSH(&v);
      break;
    case OP_READONLY_BUFFER:
      if(vm->sp <= vm->fence || !vm->sp)
        return UNDERFLOW();
      event(vm, PKE_BUFFER, off,
            "READONLY_BUFFER wraps out-of-band data the file does not hold");
      break;

    /* ---- framing and protocol: load_frame, load_proto, load_stop ---- */
    case OP_FRAME: {
      uint64_t n;
      NEED(8);
      n = rd_u64(d + vm->pos);
      vm->pos += 8;
      if(vm->frame_end && off < vm->frame_end)
        /* B14: frames never nest; a writer ends one before the next */
        event(vm, PKE_FRAME, off,
              "FRAME opened inside the frame that ends at byte %llu",
              (unsigned long long)vm->frame_end);
      if(n > vm->len - vm->pos)
        return stop_stream(vm, PKS_BROKEN, PKE_FRAME, off,
                           "FRAME of %llu bytes but only %zu remain",
                           (unsigned long long)n, vm->len - vm->pos);
      vm->frame_start = vm->pos;
      vm->frame_end = vm->pos + n;
      frame_watch = n ? vm->frame_end : UINT64_MAX;
      stop_at = 0;  /* recompute the next boundary */
      break;
    }
    case OP_PROTO:
      NEED(1);
      if(d[vm->pos] > PK_HIGHEST_PROTOCOL)
        return BROKEN(off, "unsupported pickle protocol: %d", d[vm->pos]);
      vm->proto = d[vm->pos++];
      if(vm->proto > vm->max_proto)
        vm->max_proto = vm->proto;
      break;
    case OP_STOP:
      if(vm->sp <= vm->fence || !vm->sp)
        return UNDERFLOW();
      vm->result = vm->stack[--vm->sp];
      vm->ops_total += vm->ops;
      if(vm->sink->on_op)
        vm->sink->on_op(vm->sink->ud, vm, op, off, vm->pos);
      vm->status = PKS_STOP;
      return PKS_STOP;

    default:
      vm->pos--;
      return BROKEN(off, "invalid load key, '\\x%02x'", op);
    }

    if(on_op)
      on_op(vm->sink->ud, vm, op, off, vm->pos);
  }
}
