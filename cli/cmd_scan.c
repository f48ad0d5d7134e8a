/* brine scan: judge files and directories by content. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
  "usage: brine scan [OPTIONS] PATH...\n"
  "\n"
  "Scan model files by content, whatever their names; directories are\n"
  "walked recursively. Containers (zip, tar, 7z, gzip, bzip2, xz, zlib,\n"
  "lz4, zstd) are opened to any depth within the limits, and every pickle\n"
  "in them is analysed without being executed and judged against the\n"
  "allowlists (default deny). PyTorch, joblib, NumPy, Keras, SavedModel,\n"
  "ONNX, GGUF, safetensors and skops files are checked by their own rules.\n"
  "\n"
  "Options:\n"
  "  -f, --format FMT    text (default), json or sarif\n"
  "      --strict        count `unknown` as a rejection (exit 1)\n"
  "      --deep          check the CRC-32 of every archive member (tensor\n"
  "                      storages are otherwise checked by size)\n"
  "      --allow FILE    add allowlist entries (JSON, docs/allowlists.md);\n"
  "                      may be repeated\n"
  "      --limit N=V     set a limit, up to its ceiling (docs/limits.md),\n"
  "                      e.g. pickle_ops=1000000\n"
  "  -j, --jobs N        examine the files of a directory on N threads\n"
  "                      (default: every core; 1: one at a time)\n"
  "  -h, --help          show this help\n"
  "\n"
  "Verdicts: safe, unknown (globals outside the allowlists, nothing called),\n"
  "unsafe, error (could not decide), unrecognized (not a model format).\n"
  "Exit: 0 nothing unsafe, 1 something unsafe (or unknown with --strict),\n"
  "2 error.\n";

int cmd_scan(int argc, char **argv)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { "strict", no_argument, NULL, 'S' },
    { "deep", no_argument, NULL, 'D' },
    { "allow", required_argument, NULL, 'a' },
    { "limit", required_argument, NULL, 'L' },
    { "jobs", required_argument, NULL, 'j' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct brine_limits lim = brine_limits_default();
  const char *allow[64];
  size_t nallow = 0;
  unsigned flags = 0, jobs = 0;
  int fmt = BRINE_OUT_TEXT, c, rc = EXIT_ERROR;
  struct brine_ctx *ctx = NULL;
  struct brine_policy *pol = NULL;
  struct brine_scan *scan = NULL;
  FILE *out = stdout;
  brine_result r;

  optind = 1;
  while((c = getopt_long(argc, argv, "f:j:h", opts, NULL)) != -1) {
    switch(c) {
    case 'f':
      fmt = cli_parse_format(optarg, 1);
      if(fmt < 0) {
        cli_error("scan", "unknown format '%s' (text, json, sarif)", optarg);
        return EXIT_ERROR;
      }
      break;
    case 'S':
      flags |= BRINE_SCAN_STRICT;
      break;
    case 'D':
      flags |= BRINE_SCAN_DEEP;
      break;
    case 'a':
      if(nallow == sizeof(allow) / sizeof(allow[0])) {
        cli_error("scan", "too many --allow files");
        return EXIT_ERROR;
      }
      allow[nallow++] = optarg;
      break;
    case 'L':
      if(cli_parse_limit(&lim, optarg))
        return EXIT_ERROR;
      break;
    case 'j': {
      char *end;
      unsigned long v = strtoul(optarg, &end, 10);
      if(end == optarg || *end || v > 256) {
        cli_error("scan", "--jobs takes a number from 0 to 256, not '%s'",
                  optarg);
        return EXIT_ERROR;
      }
      jobs = (unsigned)v;
      break;
    }
    case 'h':
      fputs(help, stdout);
      return EXIT_PASS;
    default:
      fputs(help, stderr);
      return EXIT_ERROR;
    }
  }
  if(optind >= argc) {
    cli_error("scan", "no PATH given");
    fputs(help, stderr);
    return EXIT_ERROR;
  }
  ctx = brine_ctx_new(&lim, NULL);
  if(!ctx) {
    cli_error("scan", "out of memory");
    return EXIT_ERROR;
  }
  if(cli_policy(ctx, "scan", allow, nallow, &pol))
    goto out;
  r = brine_scan_new(ctx, pol, flags, &scan);
  if(!r)
    brine_scan_set_threads(scan, jobs);
  for(int i = optind; !r && i < argc; i++)
    r = brine_scan_path(scan, argv[i]);
  if(r) {
    cli_error("scan", "%s", brine_strerror(r));
    goto out;
  }
  r = brine_scan_write(scan, out, (brine_output)fmt, NULL);
  if(r) {
    cli_error("scan", "writing the report failed");
    goto out;
  }
  rc = brine_scan_exit_code(scan);
out:
  if(fflush(out))
    rc = EXIT_ERROR;
  brine_scan_free(scan);
  brine_policy_free(pol);
  brine_ctx_free(ctx);
  return rc;
}
