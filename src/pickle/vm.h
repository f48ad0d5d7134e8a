/* The symbolic pickle machine: executes a pickle stream the way CPython's
 * Modules/_pickle.c would, on symbolic values, and reports facts (globals,
 * calls, constructions, state writes, anomalies) to a sink. It never imports
 * or calls anything. Parsers report facts; src/policy/ decides.
 *
 * SPEC: CPython 3.11 Modules/_pickle.c (load_* functions, Pdata fence
 * semantics, memo rules), Lib/pickle.py find_class, Lib/_compat_pickle.py.
 */
#ifndef BRINE_PICKLE_VM_H
#define BRINE_PICKLE_VM_H

#include "../internal.h"

enum pv_kind {
  PV_NONE, PV_BOOL, PV_INT, PV_BIGINT, PV_FLOAT, PV_STR, PV_BYTES,
  PV_BYTEARRAY, PV_TUPLE, PV_LIST, PV_DICT, PV_SET, PV_FROZENSET,
  PV_GLOBAL,    /* an imported object named by a global (ref = gid) */
  PV_OBJ,       /* result of a call or construction (ref = producer gid) */
  PV_PERSID,    /* result of persistent_load(pid) */
  PV_BUFFER,    /* an out-of-band buffer */
  PV_COMPUTED,  /* anything whose identity cannot be known statically */
  PV_KINDS
};

/* pv.flags */
#define PVF_ALLOWED 0x01  /* OBJ: the producing call/construct was allowed */
#define PVF_BINSTR  0x02  /* STR: from STRING/BINSTRING/SHORT_BINSTRING */
#define PVF_CALLED  0x04  /* OBJ: produced by a call (else a construction) */
#define PVF_MEMO    0x80  /* memo slot is filled (zeroed slots are empty) */

#define PV_NOREF UINT32_MAX

/* A symbolic value: 24 bytes, copied by value on the stack and memo;
   containers share their node, so memo aliases see the same object. */
struct pv {
  uint8_t kind;      /* enum pv_kind */
  uint8_t flags;     /* PVF_* */
  uint16_t pad;
  uint32_t ref;      /* GLOBAL: gid; OBJ: producer gid or PV_NOREF */
  uint64_t len;      /* STR/BYTES/BYTEARRAY/BIGINT: bytes; else object id */
  union {
    int64_t i;             /* BOOL, INT */
    double f;              /* FLOAT */
    const uint8_t *s;      /* STR, BYTES, BYTEARRAY, BIGINT (LE bytes) */
    struct pnode *node;    /* TUPLE, LIST, DICT, SET, FROZENSET */
  } u;
};

/* A container. Tuples keep up to lim.tuple_keep items; other containers
   keep up to vm->keep_items (0 in scan mode) and only count the rest. */
struct pnode {
  uint64_t n;        /* items added (dict: key/value pairs count 2) */
  uint32_t kept;     /* items stored */
  uint32_t cap;
  struct pv *items;
};

/* A global as find_class would resolve it. */
struct pk_global {
  const char *name;    /* "module.qualname" after the compat mapping */
  uint32_t modlen;     /* bytes of the module part of name */
  uint32_t flags;      /* PKG_* */
  uint64_t first_off;  /* offset of the first opcode naming it */
  uint32_t hnext;      /* hash chain, PV_NOREF ends */
  uint8_t first_op;
};
#define PKG_MAPPED   0x01  /* renamed by the protocol < 3 compat mapping */
#define PKG_MUTATED  0x02  /* BUILD wrote attributes on it */
#define PKG_COMPUTED 0x04  /* resolves through a mutated object */

/* What happened at an invocation site. */
enum pk_use_kind {
  PKU_CALL,       /* REDUCE; INST/OBJ with args (or on a non-class) */
  PKU_CONSTRUCT,  /* NEWOBJ, NEWOBJ_EX; INST/OBJ without args */
  PKU_BUILD,      /* BUILD (target = callee, state = args[0]) */
  PKU_CONTAINER,  /* APPEND(S)/SETITEM(S)/ADDITEMS on a non-literal */
  PKU_EXT,        /* EXT1/2/4 (args[0] = the code as INT) */
  PKU_PERSID,     /* PERSID/BINPERSID (args[0] = the pid) */
};

struct pk_use {
  enum pk_use_kind kind;
  uint8_t op;             /* opcode byte */
  uint64_t off;           /* opcode offset */
  const struct pv *callee;/* callable, class, BUILD or container target */
  const struct pv *args;  /* positional arguments (tuple items) */
  uint64_t nargs;         /* count (may exceed nkept) */
  uint64_t nkept;         /* args[0..nkept) are valid */
  bool args_known;        /* false when the args object is not a tuple */
  const struct pv *kwargs;/* NEWOBJ_EX kwargs, else NULL */
  uint64_t result_id;     /* PKU_PERSID: object id of the result */
};

enum pk_event {
  PKE_FRAME,       /* FRAME tampering (straddle, nested, oversized) */
  PKE_MALFORMED,   /* CPython would raise here; the stream ends */
  PKE_TRUNCATED,   /* input ended inside the stream */
  PKE_LIMIT,       /* a brine limit was reached; the stream ends */
  PKE_NOMEM,       /* the memory budget ran out; the stream ends */
  PKE_BUFFER,      /* NEXT_BUFFER/READONLY_BUFFER: out-of-band data */
  PKE_COMPUTED,    /* a STACK_GLOBAL/callable operand is not literal */
};

enum pk_nested_enc { PKN_RAW, PKN_BASE64, PKN_HEX };

struct pk_vm;

/* Receives facts as they happen. Any callback may be NULL. */
struct pk_sink {
  void *ud;
  void (*on_global)(void *ud, struct pk_vm *vm, uint32_t gid, uint64_t off,
                    uint8_t op);
  /* returns PVF_ALLOWED to mark the result of a call/construct trusted */
  uint8_t (*on_use)(void *ud, struct pk_vm *vm, const struct pk_use *u);
  void (*on_event)(void *ud, struct pk_vm *vm, enum pk_event ev,
                   uint64_t off, const char *msg);
  /* a literal that holds (or encodes) what looks like a pickle */
  void (*on_nested)(void *ud, struct pk_vm *vm, const uint8_t *p, size_t n,
                    enum pk_nested_enc enc, uint64_t off);
  /* a whole pickle stream that a loader reads inline at `at` (joblib's
     object arrays): analyse it and return where it ends, or SIZE_MAX when
     it does not end in a STOP */
  size_t (*on_inline)(void *ud, struct pk_vm *vm, size_t at);
  /* every opcode after it ran: result is the new top of stack or NULL */
  void (*on_op)(void *ud, struct pk_vm *vm, uint8_t op, uint64_t off,
                uint64_t end);
};

/* How one stream ended. */
enum pk_status {
  PKS_STOP,       /* STOP reached */
  PKS_EMPTY,      /* no bytes at the start position */
  PKS_BROKEN,     /* CPython would raise (malformed, truncated) */
  PKS_LIMIT,      /* a limit or the memory budget was reached */
};

struct pk_vm {
  struct brine_ctx *ctx;
  struct brinei_arena arena;      /* values, names, decoded strings */
  const uint8_t *data;            /* the input (borrowed) */
  size_t len;
  size_t pos;                     /* next byte to read */
  size_t stream_start;
  const struct pk_sink *sink;
  struct brinei_map *map;         /* for releasing pages, or NULL */

  struct pv *stack;               /* owned */
  size_t sp, stack_cap;
  size_t *marks;                  /* metastack of stack heights; owned */
  size_t nmarks, marks_cap;
  size_t fence;                   /* height of the innermost mark */

  struct pv *memo;                /* dense part; zeroed = empty; owned */
  size_t memo_cap;
  size_t memo_ready;              /* slots below this are faulted in */
  uint64_t memo_len;              /* filled slots (MEMOIZE's index) */
  struct memo_sparse *sparse;     /* far indices; owned */
  uint64_t memo_puts, memo_gets, memo_max;

  uint64_t frame_start, frame_end;/* current frame, end 0 when none */
  int proto;                      /* last PROTO, 0 before any */
  int max_proto;

  struct pk_global *globals;      /* owned */
  size_t nglobals, globals_cap;
  uint32_t *gtab;                 /* hash buckets; owned */
  size_t gtab_cap;
  bool any_mutated;

  uint64_t ops;                   /* opcodes run in this stream */
  uint64_t ops_total;             /* across streams */
  uint64_t next_id;               /* object numbers */
  uint64_t persid_id;             /* id of the PERSID result being made */
  uint32_t keep_items;            /* container items kept (see pnode) */
  bool repr_vars;                 /* brinei_pv_repr shows objects as
                                     _varN (the decompiler) */

  enum pk_status status;
  char msg[200];                  /* why the stream ended, if not STOP */
  uint64_t msg_off;
  struct pv result;               /* STOP's value */
};

brine_result brinei_pk_init(struct pk_vm *vm, struct brine_ctx *ctx,
                            const uint8_t *data, size_t len,
                            const struct pk_sink *sink);
void brinei_pk_free(struct pk_vm *vm);

/* Run one stream starting at `start`; resets stack, marks, memo, frame and
   protocol as a new Unpickler would. */
enum pk_status brinei_pk_run(struct pk_vm *vm, size_t start);

/* Text of a string-like value (STR/BYTES/BYTEARRAY), or NULL. */
const uint8_t *brinei_pv_bytes(const struct pv *v, size_t *n);

/* Append a short Python-like rendering of v (strings cut at `limit`). */
void brinei_pv_repr(struct pk_vm *vm, struct brinei_sbuf *b,
                    const struct pv *v, size_t limit, int depth);

/* Name of an opcode byte, or NULL for bytes that are not opcodes. */
const char *brinei_pk_opname(uint8_t op);
/* Argument kind of an opcode (enum pk_arg), -1 for non-opcodes. */
int brinei_pk_argkind(uint8_t op);

/* The compat mapping: for proto < 3, map (module, name) in place (buffers
   are arena strings). Returns true when a mapping applied. */
bool brinei_compat_map(const char **module, size_t *mlen, const char **name,
                       size_t *nlen);

#endif
