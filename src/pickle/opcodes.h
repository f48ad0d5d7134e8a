/* The 68 pickle opcodes of protocols 0-5, one row each.
 * SPEC: CPython Lib/pickletools.py `opcodes` and Modules/_pickle.c
 * `enum opcode`; argument kinds as pickletools names them. */
#ifndef BRINE_PICKLE_OPCODES_H
#define BRINE_PICKLE_OPCODES_H

enum pk_arg {
  ARG_NONE,      /* no inline argument */
  ARG_U1,        /* uint1 */
  ARG_U2,        /* uint2 little-endian */
  ARG_I4,        /* int4 little-endian */
  ARG_U4,        /* uint4 */
  ARG_U8,        /* uint8 */
  ARG_F8,        /* float8, big-endian IEEE 754 */
  ARG_LINE,      /* text up to '\n' */
  ARG_LINE2,     /* two '\n'-terminated lines (GLOBAL, INST) */
  ARG_LEN1,      /* uint1 length + bytes */
  ARG_LEN4S,     /* int4 length (must be >= 0) + bytes */
  ARG_LEN4,      /* uint4 length + bytes */
  ARG_LEN8,      /* uint8 length + bytes */
};

/*  X(name, byte, argument kind, protocol introduced) */
#define PK_OPCODES(X)                          \
  X(INT,              0x49, ARG_LINE,  0)      \
  X(BININT,           0x4a, ARG_I4,    1)      \
  X(BININT1,          0x4b, ARG_U1,    1)      \
  X(BININT2,          0x4d, ARG_U2,    1)      \
  X(LONG,             0x4c, ARG_LINE,  0)      \
  X(LONG1,            0x8a, ARG_LEN1,  2)      \
  X(LONG4,            0x8b, ARG_LEN4S, 2)      \
  X(STRING,           0x53, ARG_LINE,  0)      \
  X(BINSTRING,        0x54, ARG_LEN4S, 1)      \
  X(SHORT_BINSTRING,  0x55, ARG_LEN1,  1)      \
  X(BINBYTES,         0x42, ARG_LEN4,  3)      \
  X(SHORT_BINBYTES,   0x43, ARG_LEN1,  3)      \
  X(BINBYTES8,        0x8e, ARG_LEN8,  4)      \
  X(BYTEARRAY8,       0x96, ARG_LEN8,  5)      \
  X(NEXT_BUFFER,      0x97, ARG_NONE,  5)      \
  X(READONLY_BUFFER,  0x98, ARG_NONE,  5)      \
  X(NONE,             0x4e, ARG_NONE,  0)      \
  X(NEWTRUE,          0x88, ARG_NONE,  2)      \
  X(NEWFALSE,         0x89, ARG_NONE,  2)      \
  X(UNICODE,          0x56, ARG_LINE,  0)      \
  X(SHORT_BINUNICODE, 0x8c, ARG_LEN1,  4)      \
  X(BINUNICODE,       0x58, ARG_LEN4,  1)      \
  X(BINUNICODE8,      0x8d, ARG_LEN8,  4)      \
  X(FLOAT,            0x46, ARG_LINE,  0)      \
  X(BINFLOAT,         0x47, ARG_F8,    1)      \
  X(EMPTY_LIST,       0x5d, ARG_NONE,  1)      \
  X(APPEND,           0x61, ARG_NONE,  0)      \
  X(APPENDS,          0x65, ARG_NONE,  1)      \
  X(LIST,             0x6c, ARG_NONE,  0)      \
  X(EMPTY_TUPLE,      0x29, ARG_NONE,  1)      \
  X(TUPLE,            0x74, ARG_NONE,  0)      \
  X(TUPLE1,           0x85, ARG_NONE,  2)      \
  X(TUPLE2,           0x86, ARG_NONE,  2)      \
  X(TUPLE3,           0x87, ARG_NONE,  2)      \
  X(EMPTY_DICT,       0x7d, ARG_NONE,  1)      \
  X(DICT,             0x64, ARG_NONE,  0)      \
  X(SETITEM,          0x73, ARG_NONE,  0)      \
  X(SETITEMS,         0x75, ARG_NONE,  1)      \
  X(EMPTY_SET,        0x8f, ARG_NONE,  4)      \
  X(ADDITEMS,         0x90, ARG_NONE,  4)      \
  X(FROZENSET,        0x91, ARG_NONE,  4)      \
  X(POP,              0x30, ARG_NONE,  0)      \
  X(DUP,              0x32, ARG_NONE,  0)      \
  X(MARK,             0x28, ARG_NONE,  0)      \
  X(POP_MARK,         0x31, ARG_NONE,  1)      \
  X(GET,              0x67, ARG_LINE,  0)      \
  X(BINGET,           0x68, ARG_U1,    1)      \
  X(LONG_BINGET,      0x6a, ARG_U4,    1)      \
  X(PUT,              0x70, ARG_LINE,  0)      \
  X(BINPUT,           0x71, ARG_U1,    1)      \
  X(LONG_BINPUT,      0x72, ARG_U4,    1)      \
  X(MEMOIZE,          0x94, ARG_NONE,  4)      \
  X(EXT1,             0x82, ARG_U1,    2)      \
  X(EXT2,             0x83, ARG_U2,    2)      \
  X(EXT4,             0x84, ARG_I4,    2)      \
  X(GLOBAL,           0x63, ARG_LINE2, 0)      \
  X(STACK_GLOBAL,     0x93, ARG_NONE,  4)      \
  X(REDUCE,           0x52, ARG_NONE,  0)      \
  X(BUILD,            0x62, ARG_NONE,  0)      \
  X(INST,             0x69, ARG_LINE2, 0)      \
  X(OBJ,              0x6f, ARG_NONE,  1)      \
  X(NEWOBJ,           0x81, ARG_NONE,  2)      \
  X(NEWOBJ_EX,        0x92, ARG_NONE,  4)      \
  X(PROTO,            0x80, ARG_U1,    2)      \
  X(STOP,             0x2e, ARG_NONE,  0)      \
  X(FRAME,            0x95, ARG_U8,    4)      \
  X(PERSID,           0x50, ARG_LINE,  0)      \
  X(BINPERSID,        0x51, ARG_NONE,  1)

enum pk_op {
#define PK_ENUM(name, byte, arg, proto) OP_##name = byte,
  PK_OPCODES(PK_ENUM)
#undef PK_ENUM
};

#define PK_HIGHEST_PROTOCOL 5

#endif
