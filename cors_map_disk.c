/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_map_disk.c -- a map's image file in httpd's runtime directory:
 * mapped whole and checked by a child, written by the loader under a
 * temporary name and renamed into place, so that a child gets the old
 * version or the new one whole.  The image files are opened with
 * O_NONBLOCK, and only regular files are mapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "apr_atomic.h"
#include "apr_file_info.h"
#include "apr_file_io.h"
#include "apr_mmap.h"
#include "apr_portable.h"
#include "apr_strings.h"

#include "cors_map_int.h"

/* A pool of its own for a version or a load: a load runs in the loader's
 * thread and a version is dropped by a child's watcher thread, and
 * neither may take memory from an allocator other threads use; destroying
 * it hands every byte back at once. */
apr_pool_t *cors_map_own_pool(void)
{
    apr_pool_t *p = NULL;

    apr_pool_create_unmanaged_ex(&p, NULL, NULL);
    return p;
}

/* Gives the memory of a big load back to the system: glibc keeps freed
 * heap memory, which a loader child would otherwise hold as a second copy
 * of the map. */
void cors_map_drop_pool(apr_pool_t *p)
{
    apr_pool_destroy(p);
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

/* Maps the map's image file and checks it whole.  Returns NULL and the
 * version, or what is wrong (copied to err). */
int cors_map_map_image(const cors_map *m, char *err, apr_size_t errlen,
                     map_version **out)
{
    apr_pool_t *pool;
    apr_file_t *f = NULL;
    apr_mmap_t *mm;
    map_version *v;
    struct stat st;
    const char *msg = NULL;
    int fd;

    *out = NULL;
    fd = open(m->image_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        apr_snprintf(err, errlen, "%s: %s", m->image_path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        close(fd);
        apr_snprintf(err, errlen, "%s: not a regular file, or empty",
                     m->image_path);
        return -1;
    }
    pool = cors_map_own_pool();
    v = apr_pcalloc(pool, sizeof(*v));
    v->pool = pool;
    apr_os_file_put(&f, &fd, APR_FOPEN_READ, pool);
    if (apr_mmap_create(&mm, f, 0, (apr_size_t)st.st_size, APR_MMAP_READ,
                        pool) != APR_SUCCESS) {
        msg = apr_psprintf(pool, "cannot map it: %s", strerror(errno));
    }
    close(fd);                  /* the mapping stays */
    if (msg == NULL) {
        msg = cors_image_open(pool, mm->mm, mm->size, &v->img);
    }
    if (msg) {
        apr_snprintf(err, errlen, "%s: %s", m->image_path, msg);
        apr_pool_destroy(pool);
        return -1;
    }
    *out = v;
    return 0;
}

/* Raises the shared generation to g (never lowers it). */
void cors_map_announce(cors_map *m, apr_uint64_t g)
{
    apr_uint32_t seen;

    if (m->shared == NULL) {
        return;
    }
    do {
        seen = apr_atomic_read32(&m->shared->generation);
    } while (seen < (apr_uint32_t)g
             && apr_atomic_cas32(&m->shared->generation, (apr_uint32_t)g,
                                 seen) != seen);
    do {
        seen = apr_atomic_read32(&m->shared->issued);
    } while (seen < (apr_uint32_t)g
             && apr_atomic_cas32(&m->shared->issued, (apr_uint32_t)g, seen)
                != seen);
}

/* The next generation, never handed out twice in a server, even when a
 * loader that is exiting still publishes while the next one starts. */
static apr_uint64_t next_generation(cors_map *m, apr_uint64_t newest)
{
    apr_uint32_t g;

    if (m->shared == NULL) {
        return newest + 1;
    }
    cors_map_announce(m, newest);
    g = apr_atomic_inc32(&m->shared->issued) + 1;
    return g > newest ? g : newest + 1;
}

/* A temporary image is the image's name, its writer's pid and ".tmp":
 * "txt-<hash>.map.<pid>.tmp". */
#define IMAGE_SUFFIX IMAGE_EXT "."
#define TMP_SUFFIX ".tmp"
#define LEN(literal) (sizeof(literal) - 1)

static const char *temporary_path(apr_pool_t *p, const char *image_path)
{
    return apr_psprintf(p, "%s.%ld" TMP_SUFFIX, image_path, (long)getpid());
}

/* The pid that wrote a temporary image, from its name; 0 if name is not
 * one. */
static long writer_of(const char *name)
{
    const char *image = strstr(name, IMAGE_SUFFIX), *digits, *end;
    size_t len = strlen(name);
    char *stop;
    long pid;

    if (image == NULL || len < LEN(TMP_SUFFIX)
        || strcmp(name + len - LEN(TMP_SUFFIX), TMP_SUFFIX) != 0) {
        return 0;
    }
    digits = image + LEN(IMAGE_SUFFIX);
    end = name + len - LEN(TMP_SUFFIX);
    if (digits >= end || *digits < '1' || *digits > '9') {
        return 0;
    }
    pid = strtol(digits, &stop, 10);
    return stop == end && pid > 0 ? pid : 0;
}

int cors_map_remove_orphans(apr_pool_t *p, const char *dir)
{
    apr_dir_t *d;
    apr_finfo_t fi;
    apr_status_t rv;
    char *path;
    long pid;
    int removed = 0;

    if (apr_dir_open(&d, dir, p) != APR_SUCCESS) {
        return 0;
    }
    while ((rv = apr_dir_read(&fi, APR_FINFO_NAME, d)) == APR_SUCCESS
           || rv == APR_INCOMPLETE) {
        if ((pid = writer_of(fi.name)) != 0 && kill((pid_t)pid, 0) != 0
            && errno == ESRCH
            && apr_filepath_merge(&path, dir, fi.name, 0, p) == APR_SUCCESS
            && apr_file_remove(path, p) == APR_SUCCESS) {
            removed++;
        }
    }
    apr_dir_close(d);
    return removed;
}

/* Writes b as the next version: to a temporary file beside the image,
 * then renamed over it, so that a child opening the image gets the old
 * version or the new one whole.  Returns NULL or what went wrong. */
const char *cors_map_publish(cors_map *m, apr_pool_t *p,
                           const cors_map_builder *b, cors_image_meta *meta,
                           apr_uint64_t newest)
{
    const char *tmp = temporary_path(p, m->image_path);
    apr_size_t size = cors_image_size(b), used;
    apr_file_t *f;
    apr_mmap_t *mm;
    apr_status_t rv;
    char buf[256];

    meta->generation = next_generation(m, newest);
    rv = apr_file_open(&f, tmp, APR_FOPEN_CREATE | APR_FOPEN_READ
                       | APR_FOPEN_WRITE | APR_FOPEN_TRUNCATE
                       | APR_FOPEN_BINARY, APR_FPROT_UREAD | APR_FPROT_UWRITE
                       | APR_FPROT_GREAD | APR_FPROT_WREAD, p);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "cannot write %s: %s", tmp,
                            apr_strerror(rv, buf, sizeof(buf)));
    }
    if ((rv = apr_file_trunc(f, (apr_off_t)size)) == APR_SUCCESS
        && (rv = apr_mmap_create(&mm, f, 0, size,
                                 APR_MMAP_READ | APR_MMAP_WRITE, p))
           == APR_SUCCESS) {
        used = cors_image_write(b, meta, mm->mm);
        apr_mmap_delete(mm);
        if ((rv = apr_file_trunc(f, (apr_off_t)used)) == APR_SUCCESS) {
            rv = apr_file_sync(f);
        }
    }
    apr_file_close(f);
    if (rv == APR_SUCCESS) {
        rv = apr_file_rename(tmp, m->image_path, p);
    }
    if (rv != APR_SUCCESS) {
        apr_file_remove(tmp, p);
        return apr_psprintf(p, "cannot write %s: %s", m->image_path,
                            apr_strerror(rv, buf, sizeof(buf)));
    }
    cors_map_announce(m, meta->generation);
    return NULL;
}

