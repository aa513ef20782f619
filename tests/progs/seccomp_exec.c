/* seccomp_exec: runs a program under a seccomp filter that answers
 * EPERM to the named System V shared memory calls, for
 * test_inject_control.py and test_hosttable.py.
 *
 *   seccomp_exec CALL[,CALL...] PROGRAM [ARGUMENT]...
 *
 * CALL is shmget, shmat, shmctl or shmdt.  The filter is in place
 * before PROGRAM's loader runs, so the library's constructor meets it
 * too. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_CALLS 4

static int call_number(const char *name)
{
	static const struct { const char *name; int nr; } calls[] = {
		{ "shmget", SYS_shmget }, { "shmat", SYS_shmat },
		{ "shmctl", SYS_shmctl }, { "shmdt", SYS_shmdt },
	};
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strcmp(name, calls[i].name) == 0)
			return calls[i].nr;
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: seccomp_exec CALL[,CALL...] PROGRAM...\n");
		return 2;
	}
	struct sock_filter filter[2 + 2 * MAX_CALLS];
	int n = 0;
	filter[n++] = (struct sock_filter)BPF_STMT(
		BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	char *save = NULL;
	for (char *name = strtok_r(argv[1], ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		int nr = call_number(name);
		if (nr < 0 || n > 2 * MAX_CALLS - 1) {
			fprintf(stderr, "seccomp_exec: %s: not a shm call\n", name);
			return 2;
		}
		filter[n++] = (struct sock_filter)BPF_JUMP(
			BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1);
		filter[n++] = (struct sock_filter)BPF_STMT(
			BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	}
	filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
						   SECCOMP_RET_ALLOW);
	struct sock_fprog program = { .len = (unsigned short)n,
				      .filter = filter };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
		perror("seccomp_exec: seccomp");
		return 1;
	}
	execvp(argv[2], argv + 2);
	perror("seccomp_exec: exec");
	return 127;
}
