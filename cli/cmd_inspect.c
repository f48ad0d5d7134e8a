/* brine inspect and brine decompile: look inside a file. */
#include "cli.h"

#include <getopt.h>
#include <string.h>

static const char inspect_help[] =
  "usage: brine inspect [OPTIONS] PATH...\n"
  "\n"
  "Describe what a file holds, for troubleshooting: format, pickle streams\n"
  "and protocols, opcode counts, every global with how it is used and\n"
  "whether the allowlists allow it, call sites, memo use, framework\n"
  "versions recorded inside (e.g. scikit-learn's _sklearn_version).\n"
  "Nothing in the file is executed.\n"
  "\n"
  "Options:\n"
  "  -f, --format FMT  text (default) or json\n"
  "      --opcodes     add a disassembly (text format)\n"
  "      --allow FILE  add allowlist entries (shown beside each global)\n"
  "  -h, --help        show this help\n"
  "\n"
  "Exit: 0 described, 2 a file could not be read.\n";

static const char decompile_help[] =
  "usage: brine decompile PATH...\n"
  "\n"
  "Print a Python-like listing of what unpickling the file would do: the\n"
  "imports, every call and construction with its arguments, state set by\n"
  "BUILD, and the result. Nothing in the file is executed.\n"
  "\n"
  "Options:\n"
  "  -h, --help  show this help\n"
  "\n"
  "Exit: 0 listed, 2 a file could not be read.\n";

static int run(int argc, char **argv, int decompile)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { "opcodes", no_argument, NULL, 'O' },
    { "allow", required_argument, NULL, 'a' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  static const struct option dopts[] = {
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *cmd = decompile ? "decompile" : "inspect";
  const char *help = decompile ? decompile_help : inspect_help;
  const char *allow[64];
  size_t nallow = 0;
  unsigned flags = 0;
  int fmt = BRINE_OUT_TEXT, c, rc = EXIT_PASS;
  struct brine_ctx *ctx;
  struct brine_policy *pol = NULL;

  optind = 1;
  while((c = getopt_long(argc, argv, decompile ? "h" : "f:h",
                         decompile ? dopts : opts, NULL)) != -1) {
    switch(c) {
    case 'f':
      fmt = cli_parse_format(optarg, 0);
      if(fmt < 0) {
        cli_error(cmd, "unknown format '%s' (text, json)", optarg);
        return EXIT_ERROR;
      }
      break;
    case 'O':
      flags |= BRINE_INSPECT_OPCODES;
      break;
    case 'a':
      if(nallow == sizeof(allow) / sizeof(allow[0])) {
        cli_error(cmd, "too many --allow files");
        return EXIT_ERROR;
      }
      allow[nallow++] = optarg;
      break;
    case 'h':
      fputs(help, stdout);
      return EXIT_PASS;
    default:
      fputs(help, stderr);
      return EXIT_ERROR;
    }
  }
  if(optind >= argc) {
    cli_error(cmd, "no PATH given");
    fputs(help, stderr);
    return EXIT_ERROR;
  }
  ctx = brine_ctx_new(NULL, NULL);
  if(!ctx) {
    cli_error(cmd, "out of memory");
    return EXIT_ERROR;
  }
  if(!decompile && cli_policy(ctx, cmd, allow, nallow, &pol)) {
    rc = EXIT_ERROR;
    goto out;
  }
  for(int i = optind; i < argc; i++) {
    brine_result r = decompile
      ? brine_decompile_path(ctx, argv[i], stdout)
      : brine_inspect_path(ctx, pol, argv[i], flags, (brine_output)fmt,
                           stdout);
    if(r) {
      cli_error(cmd, "%s", r == BRINE_E_IO || r == BRINE_E_LIMIT
                             ? brine_last_error(ctx)->message
                             : brine_strerror(r));
      rc = EXIT_ERROR;
    }
  }
out:
  if(fflush(stdout))
    rc = EXIT_ERROR;
  brine_policy_free(pol);
  brine_ctx_free(ctx);
  return rc;
}

int cmd_inspect(int argc, char **argv) { return run(argc, argv, 0); }
int cmd_decompile(int argc, char **argv) { return run(argc, argv, 1); }
