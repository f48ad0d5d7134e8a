/* brine: keep ML model artifacts safe from training to serving. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char usage[] =
  "usage: brine COMMAND [OPTIONS] [ARGS]\n"
  "\n"
  "Commands:\n"
  "  scan       judge model files by content; exit 0 pass, 1 unsafe, 2 error\n"
  "  inspect    describe what a file holds (formats, pickle globals, calls)\n"
  "  decompile  show what unpickling a file would do, as Python-like code\n"
  "  hash       print a model's manifest (every file's digest, the root)\n"
  "  sign       sign a model (OpenSSF Model Signing v1.0)\n"
  "  verify     verify a model's signature; exit 0 valid, 1 invalid\n"
  "  verify-blob verify a Sigstore bundle over one file, offline\n"
  "  version    print the version\n"
  "\n"
  "Run 'brine COMMAND --help' for a command's options.\n"
  "Exit codes: 0 pass, 1 rejected, 2 error (could not decide).\n";

void cli_error(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "brine: %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int cli_parse_format(const char *s, int allow_sarif)
{
  if(!strcmp(s, "text"))
    return BRINE_OUT_TEXT;
  if(!strcmp(s, "json"))
    return BRINE_OUT_JSON;
  if(allow_sarif && !strcmp(s, "sarif"))
    return BRINE_OUT_SARIF;
  return -1;
}

int cli_parse_limit(struct brine_limits *lim, const char *arg)
{
  char name[64], *end;
  const char *eq = strchr(arg, '=');
  unsigned long long v;
  int rc;
  if(!eq || (size_t)(eq - arg) >= sizeof(name)) {
    fprintf(stderr, "brine: --limit takes NAME=VALUE, got '%s'\n", arg);
    return -1;
  }
  memcpy(name, arg, (size_t)(eq - arg));
  name[eq - arg] = '\0';
  v = strtoull(eq + 1, &end, 0);
  if(*end == 'k' || *end == 'K')
    v <<= 10, end++;
  else if(*end == 'm' || *end == 'M')
    v <<= 20, end++;
  else if(*end == 'g' || *end == 'G')
    v <<= 30, end++;
  if(*end || end == eq + 1) {
    fprintf(stderr, "brine: --limit %s: '%s' is not a number\n", name,
            eq + 1);
    return -1;
  }
  rc = brine_limits_set(lim, name, v);
  if(rc == BRINE_E_NOTFOUND) {
    fprintf(stderr, "brine: --limit: unknown limit '%s'; known:", name);
    for(unsigned i = 0; brine_limits_name(i); i++)
      fprintf(stderr, " %s", brine_limits_name(i));
    fputc('\n', stderr);
    return -1;
  }
  if(rc) {
    fprintf(stderr, "brine: --limit %s: %llu is 0 or above the compiled "
            "ceiling\n", name, v);
    return -1;
  }
  return 0;
}

int cli_policy(struct brine_ctx *ctx, const char *cmd,
               const char *const *allow, size_t nallow,
               struct brine_policy **out)
{
  brine_result r = brine_policy_new(ctx, out);
  if(r) {
    cli_error(cmd, "%s", brine_last_error(ctx)->message[0]
                           ? brine_last_error(ctx)->message
                           : brine_strerror(r));
    return -1;
  }
  for(size_t i = 0; i < nallow; i++) {
    if(brine_policy_add_file(*out, allow[i])) {
      cli_error(cmd, "--allow %s: %s", allow[i],
                brine_last_error(ctx)->message);
      brine_policy_free(*out);
      *out = NULL;
      return -1;
    }
  }
  return 0;
}

int main(int argc, char **argv)
{
  const char *cmd = argc > 1 ? argv[1] : NULL;
  if(!cmd || !strcmp(cmd, "-h") || !strcmp(cmd, "--help") ||
     !strcmp(cmd, "help")) {
    fputs(usage, cmd ? stdout : stderr);
    return cmd ? EXIT_PASS : EXIT_ERROR;
  }
  if(!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
    printf("brine %s\n", BRINE_VERSION);
    return EXIT_PASS;
  }
  if(!strcmp(cmd, "scan"))
    return cmd_scan(argc - 1, argv + 1);
  if(!strcmp(cmd, "inspect"))
    return cmd_inspect(argc - 1, argv + 1);
  if(!strcmp(cmd, "decompile"))
    return cmd_decompile(argc - 1, argv + 1);
  if(!strcmp(cmd, "hash"))
    return cmd_hash(argc - 1, argv + 1);
  if(!strcmp(cmd, "sign"))
    return cmd_sign(argc - 1, argv + 1);
  if(!strcmp(cmd, "verify"))
    return cmd_verify(argc - 1, argv + 1);
  if(!strcmp(cmd, "verify-blob"))
    return cmd_verify_blob(argc - 1, argv + 1);
  if(!strcmp(cmd, "conformance"))
    return cmd_conformance(argc - 1, argv + 1);
  fprintf(stderr, "brine: unknown command '%s'\n%s", cmd, usage);
  return EXIT_ERROR;
}
