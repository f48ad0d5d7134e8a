/* brine_verify_blob: a Sigstore bundle over one artifact, verified
 * offline (sigstore.c) with the embedded production root or a given
 * trusted root. */
#include "sigstore.h"
#include "sign_internal.h"
#include "json.h"

#include <stdio.h>

brine_result brinei_trustroot_for(struct brine_ctx *ctx,
                                  const struct brine_trust *trust,
                                  struct brinei_trustroot *tr)
{
  if(trust->trusted_root)
    return brinei_trustroot_load(ctx, trust->trusted_root, tr);
  return brinei_trustroot_production(ctx, tr);
}

brine_result brine_verify_blob(struct brine_ctx *ctx, const char *bundle,
                               const char *artifact, const uint8_t *sha256,
                               const struct brine_trust *trust)
{
  struct brinei_trustroot tr;
  struct brinei_sigstore_policy p;
  struct brinei_sigstore_artifact a;
  struct brinei_sigstore_result res;
  struct brinei_map bm, am;
  struct brinei_key *key = NULL;
  brine_result rc;
  if(!bundle || !trust || (!artifact && !sha256) ||
     (!trust->key == !trust->identity) ||
     (trust->identity && !trust->issuer))
    return BRINE_FAIL(ctx, BRINE_E_INVALID, BRINE_NOOFF, "verify-blob needs "
                      "a bundle, an artifact or its digest, and either a "
                      "key or an identity with its issuer");
  memset(&p, 0, sizeof(p));
  memset(&a, 0, sizeof(a));
  memset(&am, 0, sizeof(am));
  rc = brinei_trustroot_for(ctx, trust, &tr);
  if(rc)
    return brinei_json_refail(ctx, rc, "trusted-root");
  if(trust->key) {
    rc = brinei_key_load_public(ctx, trust->key, &key);
    if(rc)
      rc = brinei_json_refail(ctx, rc, "key");
    p.key = key;
  }
  p.identity = trust->identity;
  p.identity_regex = trust->identity_regex != 0;
  p.issuer = trust->issuer;
  if(!rc)
    rc = brinei_map_file(ctx, bundle, &bm);
  if(rc)
    goto out;
  if(artifact) {
    rc = brinei_map_file(ctx, artifact, &am);
    a.data = am.data ? am.data : (const uint8_t *)"";
    a.len = am.len;
  }
  else
    a.digest = sha256;
  if(!rc) {
    rc = brinei_sigstore_verify(ctx, &tr, bm.data ? (const char *)bm.data
                                                  : "",
                                bm.len, &a, &p, &res);
    if(!rc)
      brinei_sigstore_result_free(ctx, &res);
  }
  brinei_map_close(&am);
  brinei_map_close(&bm);
out:
  brinei_key_free(key);
  brinei_trustroot_free(ctx, &tr);
  return rc;
}
