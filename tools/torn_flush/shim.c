/*
 * torn_flush shim: an LD_PRELOAD library that kills the process at a chosen write.
 *
 * HDF5's sec2 driver (the one h5py's bundled libhdf5 uses) writes with pwrite64; write and
 * pwrite are wrapped too for other builds. Only writes to a file whose name ends in ".nix"
 * or ".h5" count (the target is read from /proc/self/fd), so Python's own output and
 * temporary files do not shift the numbering.
 *
 * Exported, for ctypes:
 *   torn_arm(n, partial)  count target writes from now on; at the n-th one (1-based) call
 *                         _exit(137) before writing (partial=0) or, for a write across a
 *                         page boundary, after writing up to the first boundary
 *                         (partial=1: all a kill can leave of it); n <= 0 only counts.
 *   torn_count()          target writes since the last torn_arm.
 *   torn_log(path)        append "index offset length signature" for every counted write
 *                         to path (NULL or "" stops logging).
 *
 * Build: gcc -shared -fPIC -O2 -o shim.so shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);

static int armed = 0;
static long target = 0;
static int torn_partial = 0;
static long count = 0;
static int log_fd = -1;

static int is_target(int fd)
{
    char link[64], name[4096];
    ssize_t len;
    if (!armed || fd < 3 || fd == log_fd)
        return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    len = readlink(link, name, sizeof name - 1);
    if (len <= 0)
        return 0;
    name[len] = '\0';
    return (len >= 4 && strcmp(name + len - 4, ".nix") == 0) || (len >= 3 && strcmp(name + len - 3, ".h5") == 0);
}

static void log_write(long index, long long offset, const void *buf, size_t size)
{
    char line[160], sig[5];
    const unsigned char *b = buf;
    size_t i;
    int n;
    if (log_fd < 0)
        return;
    for (i = 0; i < 4; i++)
        sig[i] = (i < size && b[i] >= 0x21 && b[i] < 0x7f) ? (char)b[i] : '.';
    sig[4] = '\0';
    n = snprintf(line, sizeof line, "%ld %lld %zu %s\n", index, offset, size, sig);
    if (n > 0)
        (void)!write(log_fd, line, (size_t)n);
}

/* Count one target write; returns the number of bytes to write before dying, or -1 to write all. */
static long long before_write(long long offset, const void *buf, size_t size)
{
    count++;
    log_write(count, offset, buf, size);
    if (target > 0 && count == target) {
        /* A killed process cuts a write only between pages of the page cache: the part up
           to the first page boundary inside the write is written, or nothing if none is. */
        long long first = 4096 - offset % 4096;
        return (torn_partial && (size_t)first < size) ? first : 0;
    }
    return -1;
}

static ssize_t do_pwrite(const char *sym, int fd, const void *buf, size_t size, off_t offset)
{
    static pwrite_fn real_pwrite = NULL, real_pwrite64 = NULL;
    pwrite_fn *slot = strcmp(sym, "pwrite") == 0 ? &real_pwrite : &real_pwrite64;
    long long cut;
    if (*slot == NULL)
        *slot = (pwrite_fn)dlsym(RTLD_NEXT, sym);
    if (is_target(fd)) {
        cut = before_write((long long)offset, buf, size);
        if (cut >= 0) {
            if (cut > 0)
                (void)(*slot)(fd, buf, (size_t)cut, offset);
            _exit(137);
        }
    }
    return (*slot)(fd, buf, size, offset);
}

ssize_t pwrite(int fd, const void *buf, size_t size, off_t offset)
{
    return do_pwrite("pwrite", fd, buf, size, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t size, off_t offset)
{
    return do_pwrite("pwrite64", fd, buf, size, offset);
}

ssize_t write(int fd, const void *buf, size_t size)
{
    static write_fn real_write = NULL;
    long long cut;
    if (real_write == NULL)
        real_write = (write_fn)dlsym(RTLD_NEXT, "write");
    if (is_target(fd)) {
        cut = before_write((long long)lseek(fd, 0, SEEK_CUR), buf, size);
        if (cut >= 0) {
            if (cut > 0)
                (void)real_write(fd, buf, (size_t)cut);
            _exit(137);
        }
    }
    return real_write(fd, buf, size);
}

void torn_arm(long n, int partial)
{
    target = n;
    torn_partial = partial;
    count = 0;
    armed = 1;
}

long torn_count(void)
{
    return count;
}

void torn_log(const char *path)
{
    if (log_fd >= 0)
        close(log_fd);
    log_fd = -1;
    if (path != NULL && path[0] != '\0')
        log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}
