/* brine hash, brine sign, brine verify: OpenSSF Model Signing v1.0
 * signatures over whole models (docs/hash.md, docs/sign.md,
 * docs/verify.md). */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "brine/sign.h"

#define MAX_LIST 64

static const char hash_help[] =
  "usage: brine hash [OPTIONS] MODEL\n"
  "\n"
  "Print the manifest of a model (a file or a directory): the digest of\n"
  "every file, in OpenSSF Model Signing order, and the root digest that a\n"
  "signature covers. JSON output is the in-toto statement `brine sign`\n"
  "would sign.\n"
  "\n"
  "Options:\n"
  "  -f, --format FMT       text (default) or json\n"
  "      --hash ALG         sha256 (default) or blake2b\n"
  "      --shard-size N     digest N-byte shards instead of whole files\n"
  "      --ignore PATH      leave PATH out (may be repeated)\n"
  "      --no-ignore-git    also hash .git, .gitattributes, .github,\n"
  "                         .gitignore\n"
  "      --allow-symlinks   hash a symbolic link as its target\n"
  "  -j, --jobs N           hash on N threads (default: every core)\n"
  "  -h, --help             show this help\n"
  "\n"
  "Exit: 0 printed, 2 error.\n";

static const char sign_help[] =
  "usage: brine sign --key KEY.pem [OPTIONS] MODEL\n"
  "\n"
  "Sign a model (a file or a directory) in the OpenSSF Model Signing v1.0\n"
  "format, as the model_signing tool writes it: a Sigstore bundle with a\n"
  "DSSE envelope over an in-toto statement of every file's digest.\n"
  "\n"
  "Options:\n"
  "      --key KEY.pem              EC private key (P-256, P-384, P-521)\n"
  "      --password PASS            password of an encrypted key\n"
  "      --signing-certificate C    sign with the certificate method: the\n"
  "                                 key's certificate (PEM)\n"
  "      --cert-chain CERT.pem      certificates up to the CA, issuer\n"
  "                                 first (may be repeated)\n"
  "      --signature FILE           where to write (default: model.sig in\n"
  "                                 the current directory)\n"
  "      --ignore PATH              leave PATH out (may be repeated)\n"
  "      --no-ignore-git            also sign .git, .gitattributes, ...\n"
  "      --allow-symlinks           sign a symbolic link as its target\n"
  "      --hash ALG, --shard-size N as for `brine hash`\n"
  "  -j, --jobs N                   hash on N threads (default: all)\n"
  "  -h, --help                     show this help\n"
  "\n"
  "Exit: 0 signed, 2 error.\n";

static const char verify_help[] =
  "usage: brine verify (--key PUB.pem | --cert-chain CA.pem... |\n"
  "                     --identity ID --issuer URL) [OPTIONS] MODEL\n"
  "\n"
  "Verify a model against its OpenSSF Model Signing signature (from brine\n"
  "or model_signing 0.2 to 1.1): the key or the certificate chain, the\n"
  "signature, and every file's digest. An invalid model is explained: the\n"
  "check that failed, or which files changed, appeared, disappeared or\n"
  "were renamed. A certificate chain is validated at the signing\n"
  "certificate's notBefore time, as model_signing does.\n"
  "\n"
  "Options:\n"
  "  -f, --format FMT            text (default) or json\n"
  "      --key PUB.pem           the signer's public key\n"
  "      --cert-chain CA.pem     trusted CA certificates (may be repeated)\n"
  "      --identity ID           keyless (Sigstore): the signer's identity\n"
  "                              (email or URI), matched exactly\n"
  "      --identity-regex RE     the same as an anchored extended regex\n"
  "      --issuer URL            keyless: the OIDC issuer, matched exactly\n"
  "      --trusted-root FILE     keyless: a Sigstore trusted_root.json\n"
  "                              (default: the embedded production root)\n"
  "      --staging               keyless: the staging instance (needs its\n"
  "                              --trusted-root)\n"
  "      --signature FILE        the signature (default: model.sig)\n"
  "      --ignore PATH           leave PATH out (may be repeated)\n"
  "      --ignore-unsigned-files hash only the files the signature names\n"
  "      --no-ignore-git         also hash .git, .gitattributes, ...\n"
  "      --allow-symlinks        hash a symbolic link as its target\n"
  "  -j, --jobs N                hash on N threads (default: every core)\n"
  "  -h, --help                  show this help\n"
  "\n"
  "Exit: 0 valid, 1 invalid, 2 error (could not decide).\n";

enum {
  O_HASH = 256, O_SHARD, O_IGNORE, O_NO_GIT, O_SYMLINKS, O_KEY, O_PASSWORD,
  O_CERT, O_CHAIN, O_SIGNATURE, O_UNSIGNED, O_IDENTITY, O_IDENTITY_RE,
  O_ISSUER, O_ROOT, O_BUNDLE, O_STAGING
};

static const struct option opts[] = {
  { "format", required_argument, NULL, 'f' },
  { "jobs", required_argument, NULL, 'j' },
  { "help", no_argument, NULL, 'h' },
  { "hash", required_argument, NULL, O_HASH },
  { "shard-size", required_argument, NULL, O_SHARD },
  { "ignore", required_argument, NULL, O_IGNORE },
  { "no-ignore-git", no_argument, NULL, O_NO_GIT },
  { "allow-symlinks", no_argument, NULL, O_SYMLINKS },
  { "key", required_argument, NULL, O_KEY },
  { "password", required_argument, NULL, O_PASSWORD },
  { "signing-certificate", required_argument, NULL, O_CERT },
  { "cert-chain", required_argument, NULL, O_CHAIN },
  { "signature", required_argument, NULL, O_SIGNATURE },
  { "ignore-unsigned-files", no_argument, NULL, O_UNSIGNED },
  { "identity", required_argument, NULL, O_IDENTITY },
  { "certificate-identity", required_argument, NULL, O_IDENTITY },
  { "identity-regex", required_argument, NULL, O_IDENTITY_RE },
  { "issuer", required_argument, NULL, O_ISSUER },
  { "certificate-oidc-issuer", required_argument, NULL, O_ISSUER },
  { "trusted-root", required_argument, NULL, O_ROOT },
  { "bundle", required_argument, NULL, O_BUNDLE },
  { "staging", no_argument, NULL, O_STAGING },
  { NULL, 0, NULL, 0 },
};

/* Everything the three commands take; each refuses what it does not
   use. */
struct args {
  const char *cmd;
  int fmt;
  struct brine_model_opts mo;
  const char *ignore[MAX_LIST];
  const char *chain[MAX_LIST];
  size_t nchain;
  const char *key, *password, *cert, *signature;
  const char *identity, *issuer, *root, *bundle;
  int identity_regex, staging;
  int ignore_unsigned;
  const char *model;
};

static int bad(const char *cmd, const char *help, const char *fmt,
               const char *what)
{
  cli_error(cmd, fmt, what);
  fputs(help, stderr);
  return EXIT_ERROR;
}

static int parse_u64(const char *s, unsigned long long max,
                     unsigned long long *v)
{
  char *end;
  if(!*s || *s == '-')
    return -1;
  *v = strtoull(s, &end, 10);
  return *end || *v > max ? -1 : 0;
}

/* Parse argv; `allowed` lists the long options (by value) the command
   takes. Returns -1 to go on, or an exit code. */
static int parse(int argc, char **argv, const char *help, const int *allowed,
                 struct args *a)
{
  int c;
  optind = 1;
  while((c = getopt_long(argc, argv, "f:j:h", opts, NULL)) != -1) {
    unsigned long long v;
    bool ok = c == 'h' || c == 'j' || c == '?';
    for(const int *p = allowed; *p && !ok; p++)
      ok = *p == c;
    if(!ok)
      return bad(a->cmd, help, "option not taken by this command%s", "");
    switch(c) {
    case 'f':
      a->fmt = cli_parse_format(optarg, 0);
      if(a->fmt < 0)
        return bad(a->cmd, help, "unknown format '%s' (text, json)", optarg);
      break;
    case 'j':
      if(parse_u64(optarg, 256, &v))
        return bad(a->cmd, help, "--jobs takes a number from 0 to 256, not "
                   "'%s'", optarg);
      a->mo.threads = (unsigned)v;
      break;
    case O_HASH:
      if(!strcmp(optarg, "sha256"))
        a->mo.hash = BRINE_HASH_SHA256;
      else if(!strcmp(optarg, "blake2b"))
        a->mo.hash = BRINE_HASH_BLAKE2B;
      else
        return bad(a->cmd, help, "unknown hash '%s' (sha256, blake2b)",
                   optarg);
      break;
    case O_SHARD:
      if(parse_u64(optarg, 1ull << 62, &v) || !v)
        return bad(a->cmd, help, "--shard-size takes a positive number of "
                   "bytes, not '%s'", optarg);
      a->mo.shard_size = v;
      break;
    case O_IGNORE:
      if(a->mo.nignore == MAX_LIST)
        return bad(a->cmd, help, "too many --ignore paths%s", "");
      a->ignore[a->mo.nignore++] = optarg;
      break;
    case O_NO_GIT: a->mo.ignore_git = 0; break;
    case O_SYMLINKS: a->mo.allow_symlinks = 1; break;
    case O_KEY: a->key = optarg; break;
    case O_PASSWORD: a->password = optarg; break;
    case O_CERT: a->cert = optarg; break;
    case O_CHAIN:
      if(a->nchain == MAX_LIST)
        return bad(a->cmd, help, "too many --cert-chain files%s", "");
      a->chain[a->nchain++] = optarg;
      break;
    case O_SIGNATURE: a->signature = optarg; break;
    case O_UNSIGNED: a->ignore_unsigned = 1; break;
    case O_IDENTITY: a->identity = optarg; break;
    case O_IDENTITY_RE:
      a->identity = optarg;
      a->identity_regex = 1;
      break;
    case O_ISSUER: a->issuer = optarg; break;
    case O_ROOT: a->root = optarg; break;
    case O_BUNDLE: a->bundle = optarg; break;
    case O_STAGING: a->staging = 1; break;
    case 'h':
      fputs(help, stdout);
      return EXIT_PASS;
    default:
      fputs(help, stderr);
      return EXIT_ERROR;
    }
  }
  if(optind != argc - 1)
    return bad(a->cmd, help, optind >= argc ? "no MODEL given%s"
                                            : "one MODEL only%s", "");
  a->model = argv[optind];
  a->mo.ignore = a->ignore;
  if(!a->signature)
    a->signature = "model.sig";  /* model_signing's default, in the cwd */
  return -1;
}

/* A progress bar on stderr, only when it is a terminal and the model is
   big enough to wait for. */
static void progress(void *ud, uint64_t done, uint64_t total)
{
  int *shown = ud;
  unsigned pct;
  if(total < (256u << 20))
    return;
  pct = (unsigned)(done * 100 / total);
  fprintf(stderr, "\rhashing %5.1f GiB  %3u%%", (double)total / (1u << 30),
          pct);
  *shown = 1;
  if(done == total)
    fputc('\n', stderr);
}

static struct brine_ctx *start(struct args *a, int *shown)
{
  struct brine_ctx *ctx = brine_ctx_new(NULL, NULL);
  if(!ctx)
    cli_error(a->cmd, "out of memory");
  if(isatty(STDERR_FILENO)) {
    a->mo.progress = progress;
    a->mo.progress_ud = shown;
  }
  return ctx;
}

static int fail(struct args *a, struct brine_ctx *ctx, brine_result r)
{
  const struct brine_errinfo *e = brine_last_error(ctx);
  if(e->code == r && e->message[0])
    cli_error(a->cmd, "%s", e->message);
  else
    cli_error(a->cmd, "%s", brine_strerror(r));
  return EXIT_ERROR;
}

int cmd_hash(int argc, char **argv)
{
  static const int allowed[] = { 'f', O_HASH, O_SHARD, O_IGNORE, O_NO_GIT,
                                 O_SYMLINKS, 0 };
  struct args a;
  struct brine_ctx *ctx;
  struct brine_manifest *m = NULL;
  brine_result r;
  int rc, shown = 0;
  memset(&a, 0, sizeof(a));
  a.cmd = "hash";
  a.mo = brine_model_opts_default();
  rc = parse(argc, argv, hash_help, allowed, &a);
  if(rc >= 0)
    return rc;
  if(!(ctx = start(&a, &shown)))
    return EXIT_ERROR;
  r = brine_manifest_compute(ctx, a.model, &a.mo, &m);
  if(!r)
    r = brine_manifest_write(m, stdout, (brine_output)a.fmt);
  rc = r ? fail(&a, ctx, r) : EXIT_PASS;
  brine_manifest_free(m);
  brine_ctx_free(ctx);
  return rc;
}

int cmd_sign(int argc, char **argv)
{
  static const int allowed[] = { O_HASH, O_SHARD, O_IGNORE, O_NO_GIT,
                                 O_SYMLINKS, O_KEY, O_PASSWORD, O_CERT,
                                 O_CHAIN, O_SIGNATURE, 0 };
  struct args a;
  struct brine_signer s;
  struct brine_ctx *ctx;
  brine_result r;
  int rc, shown = 0;
  memset(&a, 0, sizeof(a));
  a.cmd = "sign";
  a.mo = brine_model_opts_default();
  rc = parse(argc, argv, sign_help, allowed, &a);
  if(rc >= 0)
    return rc;
  if(!a.key)
    return bad(a.cmd, sign_help, "--key is required (keyless Sigstore "
               "signing is not available yet)%s", "");
  if(a.nchain && !a.cert)
    return bad(a.cmd, sign_help, "--cert-chain needs "
               "--signing-certificate%s", "");
  if(!(ctx = start(&a, &shown)))
    return EXIT_ERROR;
  memset(&s, 0, sizeof(s));
  s.key = a.key;
  s.password = a.password;
  s.certificate = a.cert;
  s.chain = a.chain;
  s.nchain = a.nchain;
  r = brine_sign_model(ctx, a.model, &a.mo, &s, a.signature);
  if(r)
    rc = fail(&a, ctx, r);
  else {
    fprintf(stderr, "brine: sign: wrote %s\n", a.signature);
    rc = EXIT_PASS;
  }
  brine_ctx_free(ctx);
  return rc;
}

int cmd_verify(int argc, char **argv)
{
  static const int allowed[] = { 'f', O_IGNORE, O_NO_GIT, O_SYMLINKS, O_KEY,
                                 O_CHAIN, O_SIGNATURE, O_UNSIGNED,
                                 O_IDENTITY, O_IDENTITY_RE, O_ISSUER, O_ROOT,
                                 O_STAGING, 0 };
  struct args a;
  struct brine_trust t;
  struct brine_ctx *ctx;
  struct brine_verification *v = NULL;
  brine_result r;
  int rc, shown = 0;
  memset(&a, 0, sizeof(a));
  a.cmd = "verify";
  a.mo = brine_model_opts_default();
  rc = parse(argc, argv, verify_help, allowed, &a);
  if(rc >= 0)
    return rc;
  if(!!a.key + !!a.nchain + !!a.identity != 1)
    return bad(a.cmd, verify_help, "give one of --key, --cert-chain and "
               "--identity%s", "");
  if(!!a.identity != !!a.issuer)
    return bad(a.cmd, verify_help, "--identity and --issuer go together%s",
               "");
  if(a.staging && !a.root)
    return bad(a.cmd, verify_help, "--staging needs the staging instance's "
               "--trusted-root (brine embeds only the production root)%s",
               "");
  if(!(ctx = start(&a, &shown)))
    return EXIT_ERROR;
  memset(&t, 0, sizeof(t));
  t.key = a.key;
  t.ca = a.chain;
  t.nca = a.nchain;
  t.identity = a.identity;
  t.identity_regex = a.identity_regex;
  t.issuer = a.issuer;
  t.trusted_root = a.root;
  r = brine_verify_model(ctx, a.model, a.signature, &a.mo, &t,
                         a.ignore_unsigned, &v);
  if(!r)
    r = brine_verification_write(v, stdout, (brine_output)a.fmt);
  if(r)
    rc = fail(&a, ctx, r);
  else
    rc = brine_verification_valid(v) ? EXIT_PASS : EXIT_REJECT;
  brine_verification_free(v);
  brine_ctx_free(ctx);
  return rc;
}

static const char blob_help[] =
  "usage: brine verify-blob --bundle FILE (--identity ID --issuer URL |\n"
  "                         --key PUB.pem) [OPTIONS] (ARTIFACT | sha256:HEX)\n"
  "\n"
  "Verify a Sigstore bundle (v0.1-v0.3; sigstore-python, cosign v3) over an\n"
  "artifact or its SHA-256, offline: the transparency log entry, signed\n"
  "timestamps, the Fulcio certificate at the signed time, its SCTs, the\n"
  "identity and issuer, and the signature. No network is used.\n"
  "\n"
  "Options:\n"
  "      --bundle FILE           the bundle (.sigstore, .sigstore.json)\n"
  "      --identity ID           the signer's identity, matched exactly\n"
  "      --identity-regex RE     the same as an anchored extended regex\n"
  "      --issuer URL            the OIDC issuer, matched exactly\n"
  "      --key PUB.pem           a managed key instead of an identity\n"
  "      --trusted-root FILE     a trusted_root.json (default: the\n"
  "                              embedded Sigstore production root)\n"
  "      --staging               the staging instance (needs its\n"
  "                              --trusted-root)\n"
  "  -h, --help                  show this help\n"
  "\n"
  "Exit: 0 valid, 1 invalid, 2 error (could not decide).\n";

static int hexval(char c)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  if(c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* "sha256:<64 lowercase hex>" that names no existing file. */
static int parse_digest(const char *s, uint8_t out[32])
{
  if(strncmp(s, "sha256:", 7) || strlen(s) != 7 + 64 ||
     access(s, F_OK) == 0)
    return -1;
  for(size_t i = 0; i < 32; i++) {
    int hi = hexval(s[7 + 2 * i]), lo = hexval(s[8 + 2 * i]);
    if(hi < 0 || lo < 0)
      return -1;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return 0;
}

int cmd_verify_blob(int argc, char **argv)
{
  static const int allowed[] = { O_KEY, O_IDENTITY, O_IDENTITY_RE, O_ISSUER,
                                 O_ROOT, O_BUNDLE, O_STAGING, 0 };
  struct args a;
  struct brine_trust t;
  struct brine_ctx *ctx;
  uint8_t dig[32];
  bool by_digest;
  brine_result r;
  int rc, shown = 0;
  memset(&a, 0, sizeof(a));
  a.cmd = "verify-blob";
  a.mo = brine_model_opts_default();
  rc = parse(argc, argv, blob_help, allowed, &a);
  if(rc >= 0)
    return rc;
  if(!a.bundle)
    return bad(a.cmd, blob_help, "--bundle is required%s", "");
  if(!a.key == !a.identity || !!a.identity != !!a.issuer)
    return bad(a.cmd, blob_help, "give --identity with --issuer, or --key"
               "%s", "");
  if(a.staging && !a.root)
    return bad(a.cmd, blob_help, "--staging needs the staging instance's "
               "--trusted-root%s", "");
  by_digest = parse_digest(a.model, dig) == 0;
  if(!(ctx = start(&a, &shown)))
    return EXIT_ERROR;
  memset(&t, 0, sizeof(t));
  t.key = a.key;
  t.identity = a.identity;
  t.identity_regex = a.identity_regex;
  t.issuer = a.issuer;
  t.trusted_root = a.root;
  r = brine_verify_blob(ctx, a.bundle, by_digest ? NULL : a.model,
                        by_digest ? dig : NULL, &t);
  if(!r) {
    printf("%s: valid\n", a.model);
    rc = EXIT_PASS;
  }
  else if(r == BRINE_E_BADSIG || r == BRINE_E_POLICY) {
    printf("%s: INVALID: %s\n", a.model, brine_last_error(ctx)->message);
    rc = EXIT_REJECT;
  }
  else
    rc = fail(&a, ctx, r);
  brine_ctx_free(ctx);
  return rc;
}

/* The sigstore-conformance client protocol (hidden): "conformance
   verify-bundle ARGS" is verify-blob with the suite's option names. */
int cmd_conformance(int argc, char **argv)
{
  if(argc < 2 || strcmp(argv[1], "verify-bundle")) {
    cli_error("conformance", "only verify-bundle is supported offline");
    return EXIT_ERROR;
  }
  return cmd_verify_blob(argc - 1, argv + 1);
}
