/*
 * The resident spawner's file-system helpers (see slipway-spawner.c): PATH lookup for a launch,
 * and the probe that tells whether a pod's scratch directory is still as mkdtemp made it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spawner-files.h"

/* PATH lookup in the child's environment (as libuv's execvpe does). */
int resolve(const char *file, char **env, char *out, size_t cap) {
	if (strchr(file, '/')) {
		snprintf(out, cap, "%s", file);
		return 0;
	}
	const char *path = NULL;
	for (char **e = env; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
	if (!path) path = "/usr/local/bin:/usr/bin:/bin";
	int denied = 0;
	while (*path) {
		const char *end = strchrnul(path, ':');
		int len = (int)(end - path);
		snprintf(out, cap, "%.*s%s%s", len, len ? path : ".", "/", file);
		struct stat st;
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0) return 0;
			denied = 1;
		}
		path = *end ? end + 1 : end;
	}
	return denied ? EACCES : ENOENT;
}

/*
 * Still an empty directory of `owner`, mode 0700, as mkdtemp made it? (The client's recycle check.)
 * open + fstat + getdents64 instead of lstat + opendir/readdir: the same answer (O_NOFOLLOW and
 * O_DIRECTORY refuse a symlink or a non-directory) in fewer system calls, at every step's end.
 */
int fresh_dir(const char *path, uid_t owner) {
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) return 0;
	struct stat st;
	int empty = fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0700 && st.st_uid == owner;
	char buf[2048] __attribute__((aligned(8)));
	while (empty) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
		if (n <= 0) {
			if (n < 0) empty = 0;
			break;
		}
		for (long off = 0; off < n;) {
			struct dirent64 *e = (struct dirent64 *)(buf + off);
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = 0;
			off += e->d_reclen;
		}
	}
	close(fd);
	return empty;
}
