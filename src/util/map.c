/* Bring a file's bytes into memory without copying: mmap for regular files,
 * a bounded read for anything else (pipes, character devices). Pages behind
 * the reader can be released so RSS stays bounded on multi-GB inputs. */
#include "../internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAP_MIN (64 << 10)  /* regular files up to this size are read */

/* Read fd to its end; size_hint (the size fstat gave, or 0) sizes the
   buffer so a regular file is read with one allocation. */
static brine_result read_all(struct brine_ctx *ctx, int fd, const char *path,
                             size_t size_hint, struct brinei_map *m)
{
  uint8_t *buf = NULL;
  size_t cap = 0, len = 0;
  for(;;) {
    ssize_t r;
    if(cap == len) {
      void *p = buf;
      size_t need = cap ? len + 65536 : size_hint ? size_hint + 1 : 65536;
      brine_result rc = brinei_grow(ctx, &p, &cap, need, 1,
                                    (size_t)ctx->lim.read_bytes + 65536);
      if(rc) {
        brinei_free(ctx, buf);
        return BRINE_FAIL(ctx, rc, len, "%s: more than %llu bytes", path,
                          (unsigned long long)ctx->lim.read_bytes);
      }
      buf = p;
    }
    r = read(fd, buf + len, cap - len);
    if(r < 0 && errno == EINTR)
      continue;
    if(r < 0) {
      int e = errno;
      brinei_free(ctx, buf);
      return BRINE_FAIL(ctx, BRINE_E_IO, len, "%s: %s", path, strerror(e));
    }
    if(r == 0)
      break;
    len += (size_t)r;
    if(len > ctx->lim.read_bytes) {
      brinei_free(ctx, buf);
      return BRINE_FAIL(ctx, BRINE_E_LIMIT, len,
                        "%s: more than %llu bytes (limit read_bytes)", path,
                        (unsigned long long)ctx->lim.read_bytes);
    }
  }
  m->data = buf;
  m->len = len;
  m->heap = true;
  return BRINE_OK;
}

brine_result brinei_map_file(struct brine_ctx *ctx, const char *path,
                             struct brinei_map *m)
{
  struct stat st;
  brine_result rc = BRINE_OK;
  int fd;
  memset(m, 0, sizeof(*m));
  m->ctx = ctx;
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if(fd < 0)
    return BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s: %s", path,
                      strerror(errno));
  if(fstat(fd, &st) < 0) {
    rc = BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s: %s", path,
                    strerror(errno));
  }
  else if(S_ISREG(st.st_mode) && st.st_size > 0 &&
          st.st_size <= MAP_MIN) {
    /* a small file costs less to read than to map and unmap: munmap
       shoots down TLBs on every core the process runs on */
    rc = read_all(ctx, fd, path, (size_t)st.st_size, m);
  }
  else if(S_ISREG(st.st_mode) && st.st_size > 0) {
    void *p;
    if((uint64_t)st.st_size > SIZE_MAX) {
      rc = BRINE_FAIL(ctx, BRINE_E_LIMIT, BRINE_NOOFF, "%s: too large",
                      path);
    }
    else {
      /* small files are read whole anyway: map them in one go rather
         than fault page by page; large ones are streamed (and released) */
      int pop = st.st_size <= (16 << 20) ? MAP_POPULATE : 0;
      p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | pop, fd,
               0);
      if(p == MAP_FAILED)
        rc = BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s: mmap: %s", path,
                        strerror(errno));
      else {
        m->data = p;
        m->len = m->maplen = (size_t)st.st_size;
        (void)madvise(p, m->maplen, MADV_SEQUENTIAL);
      }
    }
  }
  else if(S_ISDIR(st.st_mode))
    rc = BRINE_FAIL(ctx, BRINE_E_IO, BRINE_NOOFF, "%s: is a directory",
                    path);
  else if(!S_ISREG(st.st_mode))
    rc = read_all(ctx, fd, path, 0, m);
  close(fd);
  return rc;
}

void brinei_map_release(struct brinei_map *m, size_t upto)
{
  long pg = sysconf(_SC_PAGESIZE);
  size_t page = pg > 0 ? (size_t)pg : 4096;
  size_t end;
  if(!m->maplen || upto > m->len)
    return;
  end = upto & ~(page - 1);
  if(end > m->released) {
    /* the mapping is private and never written: dropped pages are read
       back from the file if touched again */
    (void)madvise((uint8_t *)m->data + m->released, end - m->released,
                  MADV_DONTNEED);
    m->released = end;
  }
}

void brinei_map_close(struct brinei_map *m)
{
  if(m->maplen)
    munmap((void *)m->data, m->maplen);
  else if(m->heap)
    brinei_free(m->ctx, (void *)m->data);
  memset(m, 0, sizeof(*m));
}

void brinei_hint_huge(void *p, size_t n)
{
  const size_t huge = (size_t)2 << 20;
  uintptr_t start = ((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1);
  uintptr_t end = ((uintptr_t)p + n) & ~(uintptr_t)(huge - 1);
  if(n >= 2 * huge && end > start)
    (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  /* Linux 5.14 */
#endif

void brinei_prefault(void *p, size_t n)
{
  long pg = sysconf(_SC_PAGESIZE);
  uintptr_t page = pg > 0 ? (uintptr_t)pg : 4096;
  uintptr_t start = (uintptr_t)p & ~(page - 1);
  uintptr_t end = ((uintptr_t)p + n + page - 1) & ~(page - 1);
  if(end > start)
    (void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
}
