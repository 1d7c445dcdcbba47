/* uapi_mman.h - mmap/mprotect/madvise constants and wait status (Linux's values). */
#ifndef UAPI_MMAN_H
#define UAPI_MMAN_H
#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS
#define MAP_POPULATE 0x8000
#define MAP_FAILED ((void *)-1)
#define MADV_NORMAL 0
#define MADV_DONTNEED 4
/* Signals reported by waitpid (only these are produced) */
#define SIGKILL 9
#define SIGBUS 7
#define SIGSEGV 11
#define SIGTERM 15
/* wait status encoding (as Linux): exit code << 8, or the signal number */
#define W_EXITCODE_(ret, sig) (((ret) << 8) | (sig))
#endif
