/* Format recognition by magic bytes and cheap structure checks, and the
 * contract's format names.
 *
 * SPEC: reference/formats.md §0 (identification table), §A4 (tar header),
 * §A6 (joblib's compressor detection), §A15 (7z, lzma-alone, gzip, zlib).
 * Formats without magic (pickle, ONNX, SavedModel) are left to their own
 * probes. Weak magics are checked strictly so that a protocol-0/1 pickle,
 * which starts with an opcode such as '(' ']' 'c' '}', is never taken for
 * compressed data: zlib and lzma-alone are tested last among the magics.
 */
#include "../internal.h"
#include "formats.h"

/* contract.md §5, in enum order */
static const char *const fmt_names[] = {
  "pickle", "pytorch-zip", "pytorch-legacy", "pytorch-tar", "torchscript",
  "joblib", "numpy-npy", "numpy-npz", "zip", "tar", "7z", "gzip", "bzip2",
  "xz", "zlib", "lz4", "zstd", "keras", "keras-h5", "tf-savedmodel",
  "onnx", "gguf", "safetensors", "skops", "unrecognized",
};

const char *brinei_fmt_name(enum brinei_fmt f)
{
  if(f == F_LZMA)
    return "xz";  /* lzma-alone is reported with its container family */
  if((size_t)f < BRINE_ARRAY_LEN(fmt_names))
    return fmt_names[f];
  return "unrecognized";  /* F_HDF5 unless refined to keras-h5 */
}

static bool has(const uint8_t *d, size_t len, size_t off, const void *m,
                size_t n)
{
  return off <= len && n <= len - off && !memcmp(d + off, m, n);
}

/* Header checksum as Python's tarfile accepts it: the octal number in
   chksum[8]@148 (up to a NUL, blanks around it) equals the byte sum of the
   header with that field as spaces, bytes taken unsigned or signed
   (tarfile.calc_chksums). */
static bool tar_checksum_ok(const uint8_t *h)
{
  const uint8_t *f = h + 148;
  size_t a = 0, b = 8;
  uint64_t want = 0, uns = 0;
  int64_t sig = 0;
  for(size_t i = 0; i < 8; i++) {
    if(f[i] == 0) {
      b = i;
      break;
    }
  }
  while(a < b && (f[a] == ' ' || f[a] == '\t'))
    a++;
  while(b > a && (f[b - 1] == ' ' || f[b - 1] == '\t'))
    b--;
  if(a == b)
    return false;
  for(size_t i = a; i < b; i++) {
    if(f[i] < '0' || f[i] > '7')
      return false;
    want = want * 8 + (uint64_t)(f[i] - '0');
  }
  for(size_t i = 0; i < 512; i++) {
    uint8_t c = i >= 148 && i < 156 ? ' ' : h[i];
    uns += c;
    sig += (int8_t)c;
  }
  return want == uns || (sig >= 0 && want == (uint64_t)sig);
}

/* A POSIX/GNU header ("ustar" at 257) or a v7 one (a name), with a valid
   checksum (formats.md §A4). */
static bool is_tar(const uint8_t *d, size_t len)
{
  if(len < 512 || !tar_checksum_ok(d))
    return false;
  return has(d, len, 257, "ustar", 5) || d[0] != 0;
}

/* bzip2: "BZh" + level, then the first block's magic (pi) or, for an
   empty stream, the end-of-stream magic (sqrt(pi)). */
static bool is_bzip2(const uint8_t *d, size_t len)
{
  static const uint8_t blk[6] = { 0x31, 0x41, 0x59, 0x26, 0x53, 0x59 };
  static const uint8_t eos[6] = { 0x17, 0x72, 0x45, 0x38, 0x50, 0x90 };
  return len >= 10 && d[0] == 'B' && d[1] == 'Z' && d[2] == 'h' &&
         d[3] >= '1' && d[3] <= '9' &&
         (!memcmp(d + 4, blk, 6) || !memcmp(d + 4, eos, 6));
}

/* lzma-alone (formats.md §A15): properties lc/lp/pb < 9*5*5, a
   dictionary size an encoder writes (2^n or 2^n + 2^(n-1), at least
   4 KiB), and an uncompressed size that is unknown (-1) or at most 2^48.
   A protocol-0 pickle starting with ']' fails the dictionary test: its
   next bytes are opcodes, never such a number. */
static bool is_lzma_alone(const uint8_t *d, size_t len)
{
  uint32_t dict, hi;
  uint64_t usize;
  if(len < 13 || d[0] >= 9 * 5 * 5)
    return false;
  dict = brinei_le32(d + 1);
  usize = brinei_le64(d + 5);
  if(dict < 4096)
    return false;
  hi = dict & (dict - 1);   /* dict without its lowest set bit */
  if(hi && ((hi & (hi - 1)) || (dict ^ hi) != hi >> 1))
    return false;
  return usize == UINT64_MAX || usize <= (1ull << 48);
}

/* zlib (RFC 1950 §2.2): CM 8, CINFO <= 7, FCHECK makes CMF*256+FLG a
   multiple of 31, no preset dictionary (FDICT), and the first deflate
   block type is not the reserved 3. CMF bytes that are pickle opcodes
   ('(' MARK 0x28, 'X' BINUNICODE 0x58, 'h' BINGET 0x68) are refused:
   "(S'..." passes every other test. 0x78 (32 KiB window) is what zlib,
   Python and joblib write. */
static bool is_zlib(const uint8_t *d, size_t len)
{
  uint8_t cmf, flg;
  if(len < 2)
    return false;
  cmf = d[0];
  flg = d[1];
  if((cmf & 0x0F) != 8 || (cmf >> 4) > 7 || cmf == 0x28 || cmf == 0x58 ||
     cmf == 0x68)
    return false;
  if(((unsigned)cmf * 256u + flg) % 31u != 0 || (flg & 0x20))
    return false;
  return len < 3 || ((d[2] >> 1) & 3) != 3;
}

static const uint8_t hdf5_sig[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1A,
                                     '\n' };

enum brinei_fmt brinei_sniff(const uint8_t *d, size_t len)
{
  static const uint8_t sevenz[6] = { 0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C };
  static const uint8_t gz[3] = { 0x1F, 0x8B, 0x08 };
  static const uint8_t xz[6] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
  static const uint8_t lz4[4] = { 0x04, 0x22, 0x4D, 0x18 };
  static const uint8_t zstd[4] = { 0x28, 0xB5, 0x2F, 0xFD };
  if(!d)
    return F_UNRECOGNIZED;
  if(has(d, len, 0, "PK\3\4", 4) || has(d, len, 0, "PK\5\6", 4) ||
     has(d, len, 0, "PK\7\10PK\3\4", 8))
    return F_ZIP;  /* the last: a spanned archive's marker (APPNOTE 8.5.3) */
  if(has(d, len, 0, "\x93NUMPY", 6))
    return F_NPY;
  if(has(d, len, 0, hdf5_sig, 8))
    return F_HDF5;
  if(has(d, len, 0, "GGUF", 4))
    return F_GGUF;
  if(has(d, len, 0, sevenz, 6))
    return F_7Z;
  if(has(d, len, 0, gz, 3))
    return F_GZIP;
  if(is_bzip2(d, len))
    return F_BZIP2;
  if(has(d, len, 0, xz, 6))
    return F_XZ;
  if(has(d, len, 0, lz4, 4))
    return F_LZ4;
  if(has(d, len, 0, zstd, 4))
    return F_ZSTD;
  if(is_tar(d, len))
    return F_TAR;
  if(is_zlib(d, len))
    return F_ZLIB;
  if(is_lzma_alone(d, len))
    return F_LZMA;
  /* HDF5 after a user block: the signature at 512, 1024, 2048, ...
     (HDF5 File Format §II.A); checked after every magic at offset 0, and
     after tar, whose first member's data starts at 512 */
  for(size_t off = 512; off <= len && len - off >= 8; off *= 2) {
    if(!memcmp(d + off, hdf5_sig, 8))
      return F_HDF5;
    if(off > SIZE_MAX / 2)
      break;
  }
  if(brinei_safetensors_probe(d, len))
    return F_SAFETENSORS;
  return F_UNRECOGNIZED;
}
