/*
 * slipway-spawner: Slipway's resident process spawner. Node forks its whole process for every
 * child (libuv has no vfork/posix_spawn path on Linux); this small program, started once per
 * executor, starts step processes with posix_spawn (glibc: clone(CLONE_VM|CLONE_VFORK)), whose
 * cost does not depend on the parent's size, and relays their output and exit status.
 *
 * The protocol (requests L/G/T/R/C on stdin, replies H/S/F/O/E/X/C on stdout, integers big
 * endian), gates, batched replies and lifetime rules are specified in
 * ../src/local/spawner/README.md; the client is ../src/local/spawner/resident-spawner.ts.
 * PATH lookup and the probe check are in spawner-files.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawner-files.h"

#define READ_SIZE 65536

struct child {
	pid_t pid;
	uint32_t id;
	uint32_t gate;
	int fds[2]; /* stdout, stderr read ends; -1 once closed */
	int exited;
	int status;
	long long ended_ms; /* wall clock when it was reaped (ms since the epoch) */
	char *probe; /* a directory to examine once it has ended (see fresh_dir), or NULL */
	struct child *next;
};

/* A request waiting for a slot: a launch (its message copied) or a token (len 0). */
struct waiting {
	uint32_t id;
	unsigned char *msg;
	uint32_t len;
	struct waiting *next;
};

struct gate {
	uint32_t slots, used, waiting;
	struct waiting *head, *tail;
};

#define MAX_GATES 4096
static struct gate gates[MAX_GATES];

/* Tokens granted and not yet released: id → gate. */
struct token {
	uint32_t id, gate;
	struct token *next;
};
static struct token *tokens;

static struct child *children;
/* This process's effective uid (set in main): a probe directory must be ours. */
static uid_t own_uid;
static int epfd;
static char *out_buf;
static size_t out_len, out_cap;
/* Replies may wait this long (see the top comment); urgent: some reply must go out this turn. */
#define DEFER_MS 5
static int urgent;
static struct timespec pending_since;

static void die(const char *what) {
	fprintf(stderr, "slipway-spawner: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void put(const void *data, size_t n) {
	if (out_len + n > out_cap) {
		while (out_len + n > out_cap) out_cap = out_cap ? out_cap * 2 : 65536;
		out_buf = realloc(out_buf, out_cap);
		if (!out_buf) die("realloc");
	}
	memcpy(out_buf + out_len, data, n);
	out_len += n;
}

static void send_frame(char type, uint32_t id, const void *payload, uint32_t n) {
	if (out_len == 0) clock_gettime(CLOCK_MONOTONIC, &pending_since);
	unsigned char header[9] = {(unsigned char)type, id >> 24, id >> 16, id >> 8, id,
				   n >> 24, n >> 16, n >> 8, n};
	put(header, 9);
	if (n) put(payload, n);
}

static void flush_out(void) {
	size_t done = 0;
	while (done < out_len) {
		ssize_t w = write(1, out_buf + done, out_len - done);
		if (w < 0) {
			if (errno == EINTR) continue;
			exit(0); /* Node is gone */
		}
		done += (size_t)w;
	}
	out_len = 0;
	urgent = 0;
}

/* Milliseconds the replies not yet written may still wait (0: write them now). */
static int defer_left(void) {
	if (out_len == 0) return -1;
	if (urgent) return 0;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long long waited = (now.tv_sec - pending_since.tv_sec) * 1000LL + (now.tv_nsec - pending_since.tv_nsec) / 1000000;
	return waited >= DEFER_MS ? 0 : (int)(DEFER_MS - waited);
}

/* Node should hear about an exit of gate g now: few requests are left queued behind it. */
static int gate_running_low(uint32_t g);

static long long now_ms(void) {
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void kill_all(void) {
	for (struct child *c = children; c; c = c->next)
		if (!c->exited) kill(-c->pid, SIGKILL);
}

static uint32_t be32(const unsigned char *p) {
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void fail(uint32_t id, int err) {
	char json[512];
	const char *name = strerrorname_np(err);
	int n = snprintf(json, sizeof json, "{\"errno\":%d,\"code\":\"%s\",\"message\":\"%s\"}", err,
			 name ? name : "EIO", strerror(err));
	send_frame('F', id, json, (uint32_t)n);
	urgent = 1;
}

/* Start a launch request now (its slot, if gated, is already counted). 0: started. */
static int start(const unsigned char *msg, uint32_t len) {
	if (len < 16) return -1;
	uint32_t id = be32(msg), gate = be32(msg + 4), argc = be32(msg + 8), envc = be32(msg + 12);
	const char *p = (const char *)msg + 16, *end = (const char *)msg + len;
	if (argc == 0 || argc > 1u << 20 || envc > 1u << 20) {
		fail(id, EINVAL);
		return -1;
	}
	char **argv = calloc(argc + 1, sizeof *argv), **env = calloc(envc + 1, sizeof *env);
	if (!argv || !env) die("calloc");
	const char *cwd = p;
	p += strnlen(p, (size_t)(end - p)) + 1;
	for (uint32_t i = 0; i < argc + envc; i++) {
		if (p >= end) {
			free(argv);
			free(env);
			fail(id, EINVAL);
			return -1;
		}
		if (i < argc) argv[i] = (char *)p;
		else env[i - argc] = (char *)p;
		p += strnlen(p, (size_t)(end - p)) + 1;
	}
	const char *probe = p < end ? p : "";
	char path[4096];
	int err = resolve(argv[0], env, path, sizeof path);
	int out[2] = {-1, -1}, errp[2] = {-1, -1};
	pid_t pid = 0;
	struct timespec started = {0, 0};
	if (!err && (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)) err = errno;
	if (!err) {
		posix_spawn_file_actions_t fa;
		posix_spawnattr_t attr;
		sigset_t all, none;
		/* Every signal back to its default action, glibc's two internal ones (32, 33) included:
		 * sigfillset leaves them out, and posix_spawn would then leave them ignored. */
		memset(&all, 0xff, sizeof all);
		sigdelset(&all, SIGKILL);
		sigdelset(&all, SIGSTOP);
		sigemptyset(&none);
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, out[1], 1);
		posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
		if (*cwd) posix_spawn_file_actions_addchdir_np(&fa, cwd);
		posix_spawnattr_init(&attr);
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
		posix_spawnattr_setpgroup(&attr, 0);
		posix_spawnattr_setsigdefault(&attr, &all);
		posix_spawnattr_setsigmask(&attr, &none);
		clock_gettime(CLOCK_REALTIME, &started);
		err = posix_spawn(&pid, path, &fa, &attr, argv, env);
		posix_spawn_file_actions_destroy(&fa);
		posix_spawnattr_destroy(&attr);
	}
	free(argv);
	free(env);
	if (out[1] >= 0) close(out[1]);
	if (errp[1] >= 0) close(errp[1]);
	if (err) {
		if (out[0] >= 0) close(out[0]);
		if (errp[0] >= 0) close(errp[0]);
		fail(id, err);
		return -1;
	}
	struct child *c = calloc(1, sizeof *c);
	if (!c) die("calloc");
	c->pid = pid;
	c->id = id;
	c->gate = gate;
	c->fds[0] = out[0];
	c->fds[1] = errp[0];
	if (*probe && !(c->probe = strndup(probe, (size_t)(end - probe)))) die("strndup");
	c->next = children;
	children = c;
	for (int s = 0; s < 2; s++) {
		fcntl(c->fds[s], F_SETFL, O_NONBLOCK);
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = (char *)c + s};
		/* The low bit of the pointer tells the stream: struct child is aligned. */
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fds[s], &ev) < 0) die("epoll_ctl");
	}
	char text[48];
	int n = snprintf(text, sizeof text, "%d %lld", (int)pid, (long long)started.tv_sec * 1000 + started.tv_nsec / 1000000);
	send_frame('S', id, text, (uint32_t)n);
	if (gate == 0) urgent = 1;
	return 0;
}

/* Grant free slots of gate g to waiting requests, in order. */
static void drain(uint32_t g) {
	struct gate *gt = &gates[g];
	while (gt->head && gt->used < gt->slots) {
		struct waiting *w = gt->head;
		gt->head = w->next;
		gt->waiting--;
		if (!gt->head) gt->tail = NULL;
		gt->used++;
		if (w->len == 0) {
			struct token *t = malloc(sizeof *t);
			if (!t) die("malloc");
			t->id = w->id;
			t->gate = g;
			t->next = tokens;
			tokens = t;
			send_frame('S', w->id, "0", 1);
			urgent = 1;
		} else if (start(w->msg, w->len) != 0) {
			gt->used--;
		}
		free(w->msg);
		free(w);
	}
}

static int gate_running_low(uint32_t g) {
	return g >= MAX_GATES || gates[g].waiting <= 2 * gates[g].slots;
}

static void release_slot(uint32_t g) {
	if (g == 0 || g >= MAX_GATES) return;
	if (gates[g].used > 0) gates[g].used--;
	drain(g);
}

static void enqueue(uint32_t g, uint32_t id, const unsigned char *msg, uint32_t len) {
	struct waiting *w = calloc(1, sizeof *w);
	if (!w) die("calloc");
	w->id = id;
	if (len) {
		w->msg = malloc(len);
		if (!w->msg) die("malloc");
		memcpy(w->msg, msg, len);
		w->len = len;
	}
	struct gate *gt = &gates[g];
	gt->waiting++;
	if (gt->tail) gt->tail->next = w;
	else gt->head = w;
	gt->tail = w;
	drain(g);
}

/* Remove a waiting request from whichever gate holds it. 1: it was waiting. */
static int unqueue(uint32_t id) {
	for (uint32_t g = 1; g < MAX_GATES; g++) {
		struct waiting *prev = NULL;
		for (struct waiting *w = gates[g].head; w; prev = w, w = w->next) {
			if (w->id != id) continue;
			if (prev) prev->next = w->next;
			else gates[g].head = w->next;
			if (gates[g].tail == w) gates[g].tail = prev;
			gates[g].waiting--;
			free(w->msg);
			free(w);
			return 1;
		}
	}
	return 0;
}

static void request(const unsigned char *msg, uint32_t len) {
	if (len < 5) return;
	char op = (char)msg[0];
	uint32_t a = be32(msg + 1);
	msg++;
	len--;
	switch (op) {
	case 'L': {
		uint32_t g = len >= 8 ? be32(msg + 4) : 0;
		if (g >= MAX_GATES) {
			fail(a, EINVAL);
		} else if (g == 0) {
			start(msg, len);
		} else {
			enqueue(g, a, msg, len);
		}
		break;
	}
	case 'G':
		if (len >= 8 && a > 0 && a < MAX_GATES) {
			gates[a].slots = be32(msg + 4);
			drain(a);
		}
		break;
	case 'T':
		if (len >= 8 && be32(msg + 4) > 0 && be32(msg + 4) < MAX_GATES) enqueue(be32(msg + 4), a, NULL, 0);
		break;
	case 'R':
		if (unqueue(a)) break;
		for (struct token **pp = &tokens; *pp; pp = &(*pp)->next) {
			if ((*pp)->id != a) continue;
			struct token *t = *pp;
			*pp = t->next;
			release_slot(t->gate);
			free(t);
			break;
		}
		break;
	case 'C':
		if (unqueue(a)) {
			send_frame('C', a, NULL, 0);
			urgent = 1;
		}
		break;
	}
}

static void finish_if_done(struct child *c) {
	if (!c->exited || c->fds[0] >= 0 || c->fds[1] >= 0) return;
	char json[112];
	int n;
	if (WIFSIGNALED(c->status)) {
		const char *name = sigabbrev_np(WTERMSIG(c->status));
		n = name ? snprintf(json, sizeof json, "{\"code\":null,\"signal\":\"SIG%s\"", name)
			 : snprintf(json, sizeof json, "{\"code\":null,\"signal\":\"SIG%d\"", WTERMSIG(c->status));
	} else {
		n = snprintf(json, sizeof json, "{\"code\":%d,\"signal\":null", WEXITSTATUS(c->status));
	}
	if (c->probe) n += snprintf(json + n, sizeof json - (size_t)n, ",\"empty\":%s", fresh_dir(c->probe, own_uid) ? "true" : "false");
	n += snprintf(json + n, sizeof json - (size_t)n, ",\"at\":%lld}", c->ended_ms);
	send_frame('X', c->id, json, (uint32_t)n);
	free(c->probe);
	if (c->gate == 0 || gate_running_low(c->gate)) urgent = 1;
	for (struct child **pp = &children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	free(c);
}

static void read_pipe(struct child *c, int s) {
	static char buf[READ_SIZE];
	for (;;) {
		ssize_t n = read(c->fds[s], buf, sizeof buf);
		if (n > 0) {
			send_frame(s ? 'E' : 'O', c->id, buf, (uint32_t)n);
			if (n < (ssize_t)sizeof buf) return;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
		/* Explicitly: a close alone leaves the epoll set only once no process has the pipe, and a
		 * child being spawned may still hold a copy until its exec has closed it. */
		epoll_ctl(epfd, EPOLL_CTL_DEL, c->fds[s], NULL);
		close(c->fds[s]);
		c->fds[s] = -1;
		finish_if_done(c);
		return;
	}
}

static void reap(void) {
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid <= 0) return;
		for (struct child *c = children; c; c = c->next)
			if (c->pid == pid && !c->exited) {
				kill(-pid, SIGKILL);
				c->exited = 1;
				c->status = status;
				c->ended_ms = now_ms();
				uint32_t g = c->gate;
				finish_if_done(c);
				release_slot(g);
				break;
			}
	}
}

int main(void) {
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0) die("sigprocmask");
	own_uid = geteuid();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) die("signalfd");
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) die("epoll_create1");
	static char stdin_tag, signal_tag;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &stdin_tag};
	fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	fcntl(0, F_SETFD, FD_CLOEXEC);
	fcntl(1, F_SETFD, FD_CLOEXEC);
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev) < 0) die("epoll_ctl stdin");
	ev.data.ptr = &signal_tag;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev) < 0) die("epoll_ctl signalfd");
	send_frame('H', 0, "slipway-spawner 2", 17);
	flush_out();

	unsigned char *in = NULL;
	size_t in_len = 0, in_cap = 0;
	struct epoll_event events[64];
	for (;;) {
		int n = epoll_wait(epfd, events, 64, defer_left());
		if (n < 0) {
			if (errno == EINTR) continue;
			die("epoll_wait");
		}
		for (int i = 0; i < n; i++) {
			void *tag = events[i].data.ptr;
			if (tag == &stdin_tag) {
				for (;;) {
					if (in_cap - in_len < READ_SIZE) {
						in_cap = in_cap ? in_cap * 2 : 2 * READ_SIZE;
						in = realloc(in, in_cap);
						if (!in) die("realloc");
					}
					ssize_t r = read(0, in + in_len, in_cap - in_len);
					if (r == 0) {
						kill_all();
						return 0;
					}
					if (r < 0) {
						if (errno == EAGAIN || errno == EINTR) break;
						kill_all();
						return 0;
					}
					in_len += (size_t)r;
				}
				size_t off = 0;
				while (in_len - off >= 4) {
					uint32_t len = be32(in + off);
					if (in_len - off - 4 < len) break;
					request(in + off + 4, len);
					off += 4 + len;
				}
				memmove(in, in + off, in_len - off);
				in_len -= off;
			} else if (tag == &signal_tag) {
				struct signalfd_siginfo info;
				while (read(sfd, &info, sizeof info) > 0) {
				}
			} else {
				uintptr_t bits = (uintptr_t)tag;
				read_pipe((struct child *)(bits & ~(uintptr_t)1), (int)(bits & 1));
			}
		}
		reap();
		if (out_len && defer_left() == 0) flush_out();
	}
}
