/* Build step: load allowlists/denylist.json and the profiles with brine's
 * own strict loader (the rules --allow files obey: schema, reasons, no
 * deny-listed names beyond the reasoned exceptions), then write the flat
 * image libbrine embeds (src/policy/image.c). The output is written to a
 * temporary file and renamed.
 * Usage: al_compile OUT DENYLIST.json PROFILE.json...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

/* This tool makes the image the library embeds; it links without it. */
const uint8_t brinei_allowlists_image[1];
const uint8_t brinei_allowlists_image_end[1];

int main(int argc, char **argv)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  struct brine_policy *pol = NULL;
  struct brinei_map m;
  char tmp[4096];
  FILE *out;
  brine_result rc;
  if(argc < 4) {
    fprintf(stderr, "usage: al_compile OUT DENYLIST.json PROFILE.json...\n");
    return 2;
  }
  if(!ctx || brinei_policy_empty(ctx, &pol))
    return 2;
  rc = brinei_map_file(ctx, argv[2], &m);
  if(!rc) {
    rc = brinei_policy_add_denylist(pol, (const char *)m.data, m.len,
                                    argv[2]);
    brinei_map_close(&m);
  }
  for(int i = 3; !rc && i < argc; i++)
    rc = brine_policy_add_file(pol, argv[i]);
  if(rc) {
    fprintf(stderr, "al_compile: %s\n", brine_last_error(ctx)->message);
    return 1;
  }
  snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
  out = fopen(tmp, "wb");
  if(!out || brinei_policy_write_image(pol, out) || fclose(out) ||
     rename(tmp, argv[1])) {
    fprintf(stderr, "al_compile: cannot write %s\n", argv[1]);
    remove(tmp);
    return 1;
  }
  brine_policy_free(pol);
  brine_ctx_free(ctx);
  return 0;
}
