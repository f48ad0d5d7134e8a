/* Forking while another thread is inside the dynamic loader leaves the
 * child with the loader's lock held and its maps half updated (glibc
 * asserts in _dl_sort_maps, or hangs): the HDF5 child then dlopens
 * libhdf5 into that state. Code that may enter the loader while other
 * threads run (libarchive: loaded on first use, and it loads iconv
 * modules) holds this lock shared; a fork holds it exclusively, writers
 * first, so no fork starts while such code runs. */
#include "../internal.h"

#include <pthread.h>
#include <unistd.h>

static pthread_rwlock_t loader;
static pthread_once_t loader_once = PTHREAD_ONCE_INIT;

static void loader_init(void)
{
  pthread_rwlockattr_t a;
  pthread_rwlockattr_init(&a);
  pthread_rwlockattr_setkind_np(&a,
                                PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(&loader, &a);
  pthread_rwlockattr_destroy(&a);
}

void brinei_loader_enter(void)
{
  pthread_once(&loader_once, loader_init);
  pthread_rwlock_rdlock(&loader);
}

void brinei_loader_leave(void)
{
  pthread_rwlock_unlock(&loader);
}

pid_t brinei_fork(void)
{
  pid_t pid;
  pthread_once(&loader_once, loader_init);
  pthread_rwlock_wrlock(&loader);
  pid = fork();
  if(pid != 0)
    pthread_rwlock_unlock(&loader);  /* the child never takes it again */
  return pid;
}
