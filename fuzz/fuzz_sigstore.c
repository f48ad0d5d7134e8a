/* libFuzzer target: a Sigstore bundle (sign/sigstore.c) read and verified
 * offline against the embedded production root, as brine verify-blob
 * does: bundle shape, log entries (bodies, proofs, checkpoints), RFC 3161
 * timestamps, certificates, SCTs. Nothing may leak or crash, and nothing
 * made up may verify. */
#include <stdint.h>
#include <stdlib.h>

#include "sign/sigstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct brine_ctx *pctx;
  static struct brinei_trustroot tr;
  static const uint8_t digest[32] = { 1, 2, 3 };
  struct brine_limits lim = brine_limits_default();
  struct brinei_sigstore_policy p;
  struct brinei_sigstore_artifact a;
  struct brinei_sigstore_result res;
  struct brine_ctx *ctx;
  if(!pctx) {
    pctx = brine_ctx_new(NULL, NULL);
    if(!pctx || brinei_trustroot_production(pctx, &tr))
      abort();
  }
  lim.memory = 256u << 20;
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx)
    return 0;
  memset(&p, 0, sizeof(p));
  memset(&a, 0, sizeof(a));
  p.identity = "someone@example.com";
  p.issuer = "https://accounts.google.com";
  a.digest = digest;
  if(!brinei_sigstore_verify(ctx, &tr, (const char *)data, size, &a, &p,
                             &res))
    abort();  /* no digest of (1, 2, 3) was ever signed */
  if(brine_ctx_mem_used(ctx))
    abort();
  brine_ctx_free(ctx);
  return 0;
}
