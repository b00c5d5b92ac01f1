/* The resident spawner's file-system helpers (spawner-files.c). */
#ifndef SLIPWAY_SPAWNER_FILES_H
#define SLIPWAY_SPAWNER_FILES_H

#include <stddef.h>
#include <sys/types.h>

/*
 * PATH lookup of `file` in the environment `env` (as libuv's execvpe does); the path found goes
 * to `out`. 0, or ENOENT / EACCES.
 */
int resolve(const char *file, char **env, char *out, size_t cap);

/* Is `path` still an empty directory of `owner` with mode 0700, as mkdtemp made it? */
int fresh_dir(const char *path, uid_t owner);

#endif
