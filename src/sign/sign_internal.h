/* Shared by the public signing API's files (model.c, verify.c). */
#ifndef BRINE_SIGN_INTERNAL_H
#define BRINE_SIGN_INTERNAL_H

#include "manifest.h"
#include "brine/sign.h"

/* The certificates of several PEM files, in file order, as one array
   (brinei_certs_free). Results of brinei_cert_load_pem. */
brine_result brinei_load_cert_files(struct brine_ctx *ctx,
                                    const char *const *paths, size_t npaths,
                                    struct brinei_cert ***out, size_t *nout);

/* Hash the model at path the way the signed manifest `want` was made (its
   hash, serialization and recorded ignore paths), with the caller's ignore
   paths, symlink rule and threads, leaving sig_path out; only the files
   `want` names when ignore_unsigned. A single-file model's resource gets
   the name `want` gave it ("." or the file's name). */
brine_result brinei_manifest_hash_like(struct brine_ctx *ctx,
                                       const char *path, const char *sig_path,
                                       const struct brine_model_opts *opts,
                                       const struct brinei_manifest *want,
                                       bool ignore_unsigned,
                                       struct brinei_manifest *got);

/* The trusted root a brine_trust names (its file, or the embedded
   production root). */
struct brinei_trustroot;
brine_result brinei_trustroot_for(struct brine_ctx *ctx,
                                  const struct brine_trust *trust,
                                  struct brinei_trustroot *tr);

#endif
