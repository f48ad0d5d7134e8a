/* A model's manifest: the digest of every file (or shard of a file) under a
 * model path, serialized as OpenSSF Model Signing v1.0 describes
 * (../shared/reference/signing.md §1.5, §1.6; OMS spec §5-§6).
 *
 * Enumeration follows the reference `model_signing` (Python 1.1.x):
 * - a directory is walked recursively, dot-files included; symbolic links
 *   to directories are not descended into;
 * - an ignore path matches itself and its subtree, only from the model
 *   root; with ignore_git the four git paths are ignored at the top level;
 * - a symbolic link is an error unless allow_symlinks; with it, a link to
 *   a file is hashed with the target's content under the link's name, a
 *   link to a directory is skipped; sockets, FIFOs, devices and broken
 *   links are errors;
 * - files mode: one item per file named by its POSIX path relative to the
 *   root; a single-file model has one item named "." (what model_signing
 *   writes and verifies);
 * - shards mode: one item per `shard_size` slice, named "path:start:end"
 *   (end exclusive); empty files have no item;
 * - order: Python's: by the list of path components (each compared by code
 *   point, which is UTF-8 byte order), then numerically by start.
 *
 * Hashing runs on a pool of threads (one task per file or shard, largest
 * first) and reads each file with pread through a 1 MiB buffer per worker,
 * so memory stays bounded whatever the model size (measured faster than
 * every mmap variant on a warm 4 GiB file: bench/hash.sh).
 */
#ifndef BRINE_SIGN_MANIFEST_H
#define BRINE_SIGN_MANIFEST_H

#include "../crypto/crypto.h"

enum brinei_ser { BRINEI_SER_FILES, BRINEI_SER_SHARDS };

#define BRINEI_SHARD_DEFAULT 1000000000ull  /* model_signing's default */

struct brinei_mf_item {
  char *name;       /* "a/b.bin", ".", or "a/b.bin:0:1000" (owned) */
  char *path;       /* relative path without the shard suffix ("" for
                       a single-file model); owned */
  uint64_t start;   /* shard bounds; files: 0 and the file size */
  uint64_t end;
  uint8_t digest[BRINEI_HASH_MAX];
};

struct brinei_manifest {
  char *model_name;            /* basename of the model path (owned) */
  enum brinei_hash hash;       /* hash_type */
  enum brinei_ser ser;
  uint64_t shard_size;         /* shards mode only */
  bool allow_symlinks;
  char **ignore;               /* recorded ignore_paths, relative to the
                                  root, sorted, unique (owned) */
  size_t n_ignore;
  struct brinei_mf_item *items;  /* in manifest order (owned) */
  size_t n;
  uint64_t total_bytes;        /* bytes hashed */
};

/* Progress callback: called from the calling thread only, at most every
   ~64 MiB and once at the end. */
typedef void brinei_progress_fn(void *ud, uint64_t done, uint64_t total);

struct brinei_hash_opts {
  enum brinei_hash hash;       /* sha256 or blake2b */
  enum brinei_ser ser;
  uint64_t shard_size;         /* 0 = BRINEI_SHARD_DEFAULT */
  bool allow_symlinks;
  bool ignore_git;             /* add .git .gitattributes .github
                                  .gitignore */
  /* Paths to ignore as the user gave them: absolute, or relative to the
     current directory; those that fall outside the model root are dropped
     (not recorded), as model_signing does. */
  const char *const *ignore;
  size_t n_ignore;
  /* Paths relative to the model root, ignored and recorded as given (the
     ignore_paths read from a signature being verified). */
  const char *const *ignore_rel;
  size_t n_ignore_rel;
  /* When not NULL, hash only the files this manifest names (verify
     --ignore-unsigned-files); others are not enumerated. */
  const struct brinei_manifest *only;
  unsigned threads;            /* 0 = every core */
  brinei_progress_fn *progress;
  void *progress_ud;
};

/* Build the manifest of model_path (a file or a directory).
   BRINE_OK; BRINE_E_NOTFOUND (model_path missing); BRINE_E_POLICY (a
   symlink without allow_symlinks, or a special file or broken link: the
   message names the path); BRINE_E_IO (a read failed: path and errno);
   BRINE_E_LIMIT (more files than lim.entries); BRINE_E_INVALID (bad
   options); BRINE_E_CRYPTO; BRINE_E_NOMEM. *out is written on BRINE_OK
   only; free with brinei_manifest_free. */
brine_result brinei_manifest_build(struct brine_ctx *ctx,
                                   const char *model_path,
                                   const struct brinei_hash_opts *opts,
                                   struct brinei_manifest *out);
void brinei_manifest_free(struct brine_ctx *ctx, struct brinei_manifest *m);

/* The OMS root digest: SHA-256 over the items' digests in listed order
   (always SHA-256, whatever hash_type). */
brine_result brinei_manifest_root(struct brine_ctx *ctx,
                                  const struct brinei_manifest *m,
                                  uint8_t root[32]);

/* The algorithm string of an item as model_signing writes it: hash_type
   for files, "<hash>-sharded-<shard_size>" for shards. Into buf. */
void brinei_manifest_algorithm(const struct brinei_manifest *m, char *buf,
                               size_t n);

/* Python's manifest order for two item names/paths (see above); <0, 0,
   >0. Exposed for tests and for the verifier's diff. */
int brinei_manifest_cmp(const struct brinei_mf_item *a,
                        const struct brinei_mf_item *b);

#endif
