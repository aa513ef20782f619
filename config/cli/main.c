/* main.c: kaioretry-config, the helper the kaioretry command runs for
 * --check and --explain.  Not installed on PATH; people type
 * `kaioretry --check FILE` and `kaioretry --explain`.
 *
 *   kaioretry-config check FILE   every problem as FILE:LINE: message on
 *                                 stderr and exit 1, or "FILE: OK"
 *   kaioretry-config explain      the policy this environment (and
 *                                 KAIORETRY_CONFIG or /etc/kaioretry.ini)
 *                                 gives a program, exactly as the shim
 *                                 loads it
 *     [--program NAME]            as in a program named NAME
 *                                 ([program:NAME] sections, programs =)
 *     [--target TARGET]           which destination section applies to
 *                                 10.1.2.3:5432, [::1]:6379, unix:/path
 *                                 or a host name, and its policy
 *   kaioretry-config linkage FILE "dynamic", "static" (no loader, so no
 *                                 preload) or "unknown" (not ELF)
 *   kaioretry-config fault PID list | add RULE | clear [N]
 *                                 the injection rules of a running
 *                                 process (fault.c)
 *   kaioretry-config stats --prometheus
 *                                 the host tables in Prometheus' text
 *                                 format (`table` as this environment
 *                                 sets it)
 *   kaioretry-config top [--once] [--interval SEC]
 *                                 the same as a screen, like top */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define EX_USAGE 64
#define DEFAULT_FILE "/etc/kaioretry.ini"

extern char **environ;

static struct config cfg;

static int check(const char *path)
{
	config_check_file(&cfg, path);
	for (int i = 0; i < cfg.problem_count && i < PROBLEMS_KEPT; i++)
		fprintf(stderr, "%s\n", cfg.problem[i]);
	if (cfg.problem_count > PROBLEMS_KEPT)
		fprintf(stderr, "%s: ... and %d more problems\n", path,
			cfg.problem_count - PROBLEMS_KEPT);
	if (cfg.problem_count)
		return 1;
	printf("%s: OK\n", path);
	return 0;
}

/* The configuration of this environment, for its `table` key. */
static void load_environment(const char *program)
{
	struct config_sources src = {
		.env = environ,
		.default_file = DEFAULT_FILE,
		.program = { program, program },
	};
	config_load(&cfg, &src);
}

static int top(int argc, char **argv)
{
	bool once = false;
	double interval = 2;
	for (int i = 2; i < argc; i++) {
		char *end = NULL;
		if (strcmp(argv[i], "--once") == 0)
			once = true;
		else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc &&
			 (interval = strtod(argv[++i], &end)) >= 0.1 &&
			 interval <= 3600 && end && !*end)
			continue;
		else
			return -1;
	}
	load_environment(NULL);
	return stats_top(stdout, &cfg, once, interval);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "check") == 0)
		return check(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "fault") == 0)
		return fault_command(argc - 2, argv + 2);
	if (argc == 3 && strcmp(argv[1], "linkage") == 0) {
		static const char *const names[] = {
			[LINKAGE_DYNAMIC] = "dynamic",
			[LINKAGE_STATIC] = "static",
			[LINKAGE_UNKNOWN] = "unknown",
		};
		puts(names[elf_linkage(argv[2])]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "stats") == 0 &&
	    strcmp(argv[2], "--prometheus") == 0) {
		load_environment(NULL);
		return stats_prometheus(stdout, &cfg);
	}
	if (argc >= 2 && strcmp(argv[1], "top") == 0) {
		int rc = top(argc, argv);
		if (rc >= 0)
			return rc;
	}
	if (argc >= 2 && strcmp(argv[1], "explain") == 0) {
		const char *program = NULL, *target = NULL;
		for (int i = 2; i + 1 < argc; i += 2) {
			if (strcmp(argv[i], "--program") == 0)
				program = argv[i + 1];
			else if (strcmp(argv[i], "--target") == 0)
				target = argv[i + 1];
			else
				argc = -1;
		}
		if (argc >= 2 && argc % 2 == 0) {
			load_environment(program);
			int rc = explain(stdout, &cfg);
			if (rc == 0 && target && !cfg.pass_through)
				rc = explain_target(stdout, &cfg, target);
			return rc;
		}
	}
	fputs("usage: kaioretry-config check FILE | explain [--program NAME] "
	      "[--target TARGET] | linkage FILE | fault PID list | add RULE "
	      "| clear [N] | stats --prometheus | top [--once] "
	      "[--interval SEC]\n", stderr);
	return EX_USAGE;
}
