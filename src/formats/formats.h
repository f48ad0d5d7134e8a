/* Format readers: recognise formats by their bytes and report facts about
 * them. Containers hand their members back to the walker
 * (src/scan/walk.c); the rules table (src/policy/rules.c) decides what
 * each fact means for a verdict.
 *
 * Every reader takes untrusted bytes through struct brinei_rd
 * (src/util/rd.h), checks every length against what remains, allocates
 * through the context (budgeted) and never aborts: malformed input is a
 * finding or a result code.
 */
#ifndef BRINE_FORMATS_H
#define BRINE_FORMATS_H

#include "../internal.h"
#include "../util/rd.h"
#include "../scan/scan_internal.h"

/* contract.md §5 identifiers, in that order. */
enum brinei_fmt {
  F_PICKLE, F_PYTORCH_ZIP, F_PYTORCH_LEGACY, F_PYTORCH_TAR, F_TORCHSCRIPT,
  F_JOBLIB, F_NPY, F_NPZ, F_ZIP, F_TAR, F_7Z, F_GZIP, F_BZIP2, F_XZ,
  F_ZLIB, F_LZ4, F_ZSTD, F_KERAS, F_KERAS_H5, F_TF_SAVEDMODEL, F_ONNX,
  F_GGUF, F_SAFETENSORS, F_SKOPS, F_UNRECOGNIZED,
  /* not in §5: recognised, then refined into one of the above */
  F_HDF5,        /* keras-h5 when it has a model_config, else unrecognized */
  F_LZMA,        /* lzma-alone: reported as xz */
  F_FMT_COUNT
};

const char *brinei_fmt_name(enum brinei_fmt f);

/* Recognise a format by magic bytes and cheap structure checks. Formats
   without magic (pickle, ONNX, SavedModel) are left to their own probes:
   this returns F_UNRECOGNIZED for them. */
enum brinei_fmt brinei_sniff(const uint8_t *d, size_t len);

/* Where a non-container format reader reports. */
struct brinei_fcheck {
  struct brine_ctx *ctx;
  const struct brine_policy *pol;
  struct brinei_findings *f;
  const char *member;   /* container path of the checked bytes; "" top */
  const char *dir;      /* directory of the file on disk (ONNX external
                           data), or NULL inside a container */
};

/* ---- compression wrappers (formats/decompress.c) ---- */
/* Decompress a whole gzip (all members), bzip2 (all streams), xz (all
   streams), lzma-alone, zlib, lz4 frame (all frames) or zstd (all frames)
   input. The output is allocated through ctx and handed to *out (free with
   brinei_free). Stops with BRINE_E_LIMIT when the output would exceed
   max_out bytes or its ratio to the input bytes consumed exceeds
   ctx->lim.ratio once past BRINE_RATIO_FLOOR (the context's error names
   the limit). Returns BRINE_OK, BRINE_E_MALFORMED (corrupt or truncated
   stream; *consumed tells how far it got), BRINE_E_LIMIT,
   BRINE_E_NOMEM. *consumed: input bytes used by the compressed data
   (bytes after it are trailing data). */
brine_result brinei_decompress(struct brine_ctx *ctx, enum brinei_fmt fmt,
                               const uint8_t *in, size_t inlen,
                               uint64_t max_out, uint8_t **out,
                               size_t *outlen, size_t *consumed);

/* ---- archives through libarchive: tar (any filter) and 7z
   (formats/archive.c) ---- */
struct brinei_archive_entry {
  const char *name;     /* pathname as stored */
  char type;            /* 'f' regular, 'd' directory, 'l' symlink,
                           'h' hardlink, 'o' other */
  const char *link;     /* link target for 'l'/'h', else NULL */
  const uint8_t *data;  /* contents of a regular file (valid only during
                           the callback) */
  size_t len;
};
/* Return non-zero to stop the walk. */
typedef int (*brinei_archive_cb)(void *arg,
                                 const struct brinei_archive_entry *e);
/* Walk every entry of a tar or 7z archive held in memory. Each regular
   file's data is read completely (at most *budget bytes over all
   entries, decremented) before the callback. Returns BRINE_OK,
   BRINE_E_MALFORMED (the archive is corrupt; entries before the damage
   were delivered; the error says where), BRINE_E_UNSUPPORTED (encrypted
   entries), BRINE_E_LIMIT (budget, lim.entries), BRINE_E_NOMEM. */
brine_result brinei_archive_walk(struct brine_ctx *ctx, enum brinei_fmt fmt,
                                 const uint8_t *d, size_t len,
                                 uint64_t *budget, brinei_archive_cb cb,
                                 void *arg);

/* ---- ZIP (formats/zip.c): our own reader, central directory first ---- */
enum brinei_zip_anomaly {
  ZA_NAME = 1,        /* local name differs from central */
  ZA_FLAGS = 2,       /* flag bits 0, 5 or 6 (or 13) set */
  ZA_HEADER = 4,      /* local method/sizes/crc/flags differ from central
                         (zero local sizes with bit 3 are not a mismatch) */
  ZA_OVERLAP = 8,     /* data overlaps another entry's */
  ZA_DUP = 16,        /* same name as an earlier entry */
  ZA_PATH = 32,       /* absolute, drive letter, backslash, .., NUL */
  ZA_BOUNDS = 64,     /* local header or data outside the file: unreadable */
  ZA_ZIP64 = 128,     /* ZIP64 extra missing or inconsistent */
};

struct brinei_zip_entry {
  char *name;             /* central-directory name, NUL-terminated copy */
  size_t name_len;        /* bytes (a NUL inside sets ZA_PATH) */
  char *local_name;       /* local-header name when it differs, else NULL */
  uint16_t flags;         /* central */
  uint16_t method;        /* central */
  uint16_t local_flags, local_method;
  uint32_t crc;           /* central */
  uint64_t csize, usize;  /* central, ZIP64-resolved */
  uint64_t local_off;     /* local header offset */
  uint64_t data_off;      /* first data byte (after local name + extra) */
  uint32_t anomalies;     /* ZA_* bits */
};

enum brinei_zip_region {
  ZR_PREFIX,     /* bytes before the first local header */
  ZR_GAP,        /* bytes between entries (not data of any entry) */
  ZR_UNLISTED,   /* a local header no central entry points to */
  ZR_TAIL,       /* bytes between the central directory and the EOCD
                    records, or after the EOCD comment */
};
struct brinei_zip_region_info {
  enum brinei_zip_region kind;
  uint64_t off, len;
  char *name;    /* ZR_UNLISTED: the local header's name, else NULL */
  uint64_t data_off, data_len;   /* ZR_UNLISTED: its data (as the local
                                    header says), else 0 */
};

struct brinei_zip {
  struct brine_ctx *ctx;
  const uint8_t *data;
  size_t len;
  struct brinei_zip_entry *e;   /* in central-directory order; owned */
  size_t n;
  struct brinei_zip_region_info *r;  /* anomalous regions; owned */
  size_t nr;
  bool zip64;                   /* a ZIP64 end record was used */
  uint64_t cd_off, cd_size;
  char *comment_msg;            /* archive-level inconsistency (EOCD vs
                                   ZIP64 counts, ...) or NULL; owned */
};

/* Parse the end records and the central directory, check every local
   header against its central entry and map the regions no entry covers.
   Returns BRINE_OK, BRINE_E_MALFORMED (no end record, central directory
   outside the file, entry count impossible for its size: the context's
   error says which), BRINE_E_LIMIT (more than lim.entries entries),
   BRINE_E_NOMEM. *out is owned (brinei_zip_free). */
brine_result brinei_zip_open(struct brine_ctx *ctx, const uint8_t *d,
                             size_t len, struct brinei_zip **out);
void brinei_zip_free(struct brinei_zip *z);

/* The bytes of entry i as PyTorch's reader takes them (central sizes,
   flag bits ignored). Stored: *data points into the archive and *owned is
   NULL. Deflate: inflated into *owned (caller frees with brinei_free),
   *data == *owned. At most max_out bytes; ratio limit as
   brinei_decompress. *crc is the CRC-32 of the result. Returns BRINE_OK,
   BRINE_E_MALFORMED (bad deflate data, data outside the file, size
   differs from the central size), BRINE_E_UNSUPPORTED (method other than
   0 and 8), BRINE_E_LIMIT, BRINE_E_NOMEM. */
brine_result brinei_zip_read(struct brinei_zip *z, size_t i,
                             uint64_t max_out, const uint8_t **data,
                             size_t *len, uint8_t **owned, uint32_t *crc);

/* Same for an unlisted region's data (stored or deflate per its local
   header). */
brine_result brinei_zip_read_region(struct brinei_zip *z, size_t ri,
                                    uint64_t max_out, const uint8_t **data,
                                    size_t *len, uint8_t **owned);

/* Where Python's zipfile would find a ZIP archive in bytes that do not
   start with one: an end record within the last 64 KiB whose central
   directory, shifted as zipfile shifts it ("concat", data prepended to the
   archive), is followed by its end records. *start: where the archive's
   offsets count from (0 when they are absolute, as in self-extracting
   archives). False when zipfile would not open the bytes. */
bool brinei_zip_embedded(const uint8_t *d, size_t len, size_t *start);

/* The JSON path of a value being walked, for messages
   ("config.layers[3].module"); one that does not fit ends in "..." and
   stays cut (formats/jpath.c). */
struct brinei_jpath {
  size_t len;
  char s[320];
};
/* Append ".key" (or "key" at the top) or, with key NULL, "[idx]";
   returns the length to restore with brinei_jpath_pop. */
size_t brinei_jpath_push(struct brinei_jpath *p, const char *key,
                         size_t idx);
void brinei_jpath_pop(struct brinei_jpath *p, size_t old);
/* The path, or "(top)" when empty. */
const char *brinei_jpath_str(const struct brinei_jpath *p);

/* A member name that escapes the extraction directory: absolute, a drive
   letter, a backslash, a ".." component or a NUL (zip-slip; APPNOTE
   4.4.17.1). Shared by every archive format. */
bool brinei_unsafe_member_path(const char *s, size_t n);

/* ---- NumPy .npy (formats/npy.c) ---- */
struct brinei_npy {
  int major, minor;
  size_t header_len;      /* bytes of the header dict text */
  size_t data_off;        /* first data byte */
  char descr[64];         /* simple descr ("<f4"), or "" if structured */
  bool structured;        /* descr is a list of fields */
  bool has_object;        /* 'O' anywhere in descr: data is a pickle */
  bool fortran;
  unsigned ndim;
  uint64_t shape[32];
  uint64_t itemsize;      /* 0 for object arrays */
  uint64_t data_len;      /* prod(shape) * itemsize (0 for object) */
};
/* Parse and check the header strictly (numpy/lib/format.py rules, never
   eval). Returns BRINE_OK, or BRINE_E_MALFORMED with the reason in the
   context's error. */
brine_result brinei_npy_parse(struct brine_ctx *ctx, const uint8_t *d,
                              size_t len, struct brinei_npy *out);

/* ---- safetensors, GGUF (formats/safetensors.c, gguf.c) ---- */
/* Probe: the first 8 bytes give a header length that fits and the header
   starts (after JSON whitespace) with '{'. */
bool brinei_safetensors_probe(const uint8_t *d, size_t len);
void brinei_safetensors_check(const struct brinei_fcheck *c,
                              const uint8_t *d, size_t len);
void brinei_gguf_check(const struct brinei_fcheck *c, const uint8_t *d,
                       size_t len);
/* Chat-template screening (formats/chat_template.c): adds GGF001 findings
   for injection constructs; `where` names the key. */
void brinei_chat_template_check(const struct brinei_fcheck *c,
                                const char *where, const uint8_t *t,
                                size_t n, uint64_t off);

/* ---- protobuf formats (formats/protobuf.c, onnx.c, savedmodel.c) ---- */
/* F_ONNX, F_TF_SAVEDMODEL or F_UNRECOGNIZED, from the message's structure
   (the whole input must parse as the format's top message). */
enum brinei_fmt brinei_protobuf_probe(const uint8_t *d, size_t len);
void brinei_onnx_check(const struct brinei_fcheck *c, const uint8_t *d,
                       size_t len);
void brinei_savedmodel_check(const struct brinei_fcheck *c,
                             const uint8_t *d, size_t len);

/* ---- Keras, HDF5, skops (formats/keras.c, h5child.c, skops.c) ---- */
/* Judge a Keras model config (config.json of a .keras, or the
   model_config / training_config attributes of an .h5). */
void brinei_keras_check_config(const struct brinei_fcheck *c,
                               const char *where, const uint8_t *json,
                               size_t n);
/* Read the Keras attributes of an HDF5 file in a forked child with CPU,
   memory and time limits and check them. Adds FMT005 when the child
   fails. *is_keras tells whether it had a model_config. */
void brinei_h5_check(const struct brinei_fcheck *c, const uint8_t *d,
                     size_t len, bool *is_keras);
/* Check a skops schema.json; `names` are the archive's member names. */
void brinei_skops_check(const struct brinei_fcheck *c, const uint8_t *json,
                        size_t n, const char *const *names, size_t nnames);

#endif
