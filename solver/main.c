/* solver/main.c - the pinn command line. Parses the command, hands the work
 * to run.c / inspect.c and turns their results into exit statuses:
 * 0 success, 1 run failed, 2 bad usage or bad config. */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <gsl/gsl_errno.h>

#include "io/inspect.h"
#include "problems/problem.h"
#include "config/settings.h"
#include "run.h"
#include "sample.h"

static void usage(FILE *f)
{
    fputs("usage: pinn run CONFIG [-o FILE.h5] [--threads N] [--seed S] [--quiet]\n"
          "                   [--set path=value ...] [--resume FILE.h5]\n"
          "       pinn reference CONFIG [-o FILE.h5] [--set path=value ...]\n"
          "       pinn sample CONFIG --points N -o FILE.csv [--noise S] [--seed S]\n"
          "                   [--fields F1,F2] [--set path=value ...]\n"
          "       pinn info FILE.h5\n"
          "       pinn eval FILE.h5 [x,t ...]     (no points: read them from stdin)\n"
          "       pinn settings                   every config setting, as Markdown tables\n"
          "       pinn --version\n", f);
}

static void print_settings_table(FILE *f, const setting_spec *s)
{
    static const char *const type_names[] = {
        [SPEC_GROUP] = "group", [SPEC_INT] = "integer", [SPEC_FLOAT] = "number",
        [SPEC_BOOL] = "bool", [SPEC_STRING] = "string", [SPEC_EXPR] = "expression",
        [SPEC_INTERVAL] = "[lo, hi]", [SPEC_FLOATS] = "numbers", [SPEC_INTS] = "integers",
        [SPEC_EXPRS] = "expressions",
    };
    fputs("| setting | type | default | allowed | meaning |\n|---|---|---|---|---|\n", f);
    for (; s->path; s++) {
        if (s->type == SPEC_GROUP)
            continue;
        fprintf(f, "| `%s` | %s | %s | ", s->path, type_names[s->type], s->def ? s->def : "-");
        if (s->choices)
            for (const char *c = s->choices; *c; c++)
                fputs(*c == '|' ? ", " : (char[2]){*c, 0}, f);
        else if (s->range)
            fputs(s->range, f);
        fprintf(f, " | %s |\n", s->doc);
    }
}

static void print_settings(FILE *f)
{
    fputs("Settings shared by every problem type:\n\n", f);
    print_settings_table(f, run_settings);
    for (size_t i = 0; problem_types[i]; i++) {
        fprintf(f, "\nProblem type `%s`:\n\n", problem_types[i]->name);
        print_settings_table(f, problem_types[i]->settings);
    }
    fputs("\nUnknown constants (inverse problems, every problem type):\n\n", f);
    print_settings_table(f, unknowns_settings);
}

/* The one piece of process state a signal handler needs: which signal
 * asked the run to stop (0: none). The trainer polls it once per step. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

/* SIGINT and SIGTERM finish the step and write a checkpoint; the handler
 * resets itself, so a second signal ends the process at once (the file on
 * disk is still the last complete one: writes are atomic). */
static void install_stop_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int parse_count(const char *s, long long *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (end == s || *end || x < 0 || errno == ERANGE)
        return -1;
    *v = x;
    return 0;
}

/* --threads and --seed take the checks of train.threads and train.seed. */
static int parse_setting_arg(const char *opt, const char *path, const char *s, long long *v)
{
    char why[256];
    if (cfg_integer_arg(run_settings, path, s, v, why, sizeof why) == 0)
        return 0;
    fprintf(stderr, "pinn: %s: %s\n", opt, why);
    return -1;
}

static int cmd_run(int argc, char **argv, int reference_only)
{
    run_args a = {.threads = -1, .seed = -1, .out = stdout, .errs = stderr,
                  .reference_only = reference_only};
    const char **over = calloc((size_t)argc, sizeof *over);
    if (!over)
        return 1;
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        int has_next = i + 1 < argc;
        if ((strcmp(s, "-o") == 0 || strcmp(s, "--output") == 0) && has_next) {
            a.output = argv[++i];
        } else if (strcmp(s, "--threads") == 0 && has_next && !reference_only) {
            if (parse_setting_arg("--threads", "train.threads", argv[++i], &a.threads)) {
                free(over);
                return 2;
            }
        } else if (strcmp(s, "--seed") == 0 && has_next && !reference_only) {
            if (parse_setting_arg("--seed", "train.seed", argv[++i], &a.seed)) {
                free(over);
                return 2;
            }
        } else if (strcmp(s, "--resume") == 0 && has_next && !reference_only) {
            a.resume = argv[++i];
        } else if (strcmp(s, "--quiet") == 0 || strcmp(s, "-q") == 0) {
            a.quiet = 1;
        } else if (strcmp(s, "--set") == 0 && has_next) {
            over[a.n_overrides++] = argv[++i];
        } else if (strncmp(s, "--set=", 6) == 0) {
            over[a.n_overrides++] = s + 6;
        } else if (s[0] == '-' || a.config) {
            fprintf(stderr, "pinn: %s: unexpected argument '%s'\n", argv[1], s);
            usage(stderr);
            free(over);
            return 2;
        } else {
            a.config = s;
        }
    }
    if (!a.config) {
        fprintf(stderr, "pinn: %s: no CONFIG given\n", argv[1]);
        usage(stderr);
        free(over);
        return 2;
    }
    a.overrides = over;
    if (!reference_only) {
        /* test hook: raise SIGTERM on ourselves once this step is done */
        const char *hook = getenv("PINN_TEST_STOP_AT_STEP");
        if (hook && parse_count(hook, &a.test_stop_at_step)) {
            fprintf(stderr, "pinn: PINN_TEST_STOP_AT_STEP: '%s' is not a count\n", hook);
            free(over);
            return 2;
        }
        a.stop = &stop_signal;
        install_stop_handlers();
    }
    int rc = run_job(&a);
    free(over);
    return rc;
}

static int cmd_sample(int argc, char **argv)
{
    sample_args a = {.points = -1, .out = stdout, .errs = stderr, .seed = 1};
    const char **over = calloc((size_t)argc, sizeof *over);
    if (!over)
        return 1;
    int rc = 2;
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        int has_next = i + 1 < argc;
        char *end = NULL;
        if (strcmp(s, "-o") == 0 && has_next) {
            a.output = argv[++i];
        } else if (strcmp(s, "--points") == 0 && has_next) {
            if (parse_count(argv[++i], &a.points) || a.points < 1 || a.points > 100000000) {
                fprintf(stderr, "pinn: sample: --points: '%s' is not a count in [1, 1e8]\n",
                        argv[i]);
                goto done;
            }
        } else if (strcmp(s, "--noise") == 0 && has_next) {
            a.noise = strtod(argv[++i], &end);
            if (end == argv[i] || *end || !(a.noise >= 0) || a.noise > 1e6) {
                fprintf(stderr, "pinn: sample: --noise: '%s' is not a number >= 0\n", argv[i]);
                goto done;
            }
        } else if (strcmp(s, "--seed") == 0 && has_next) {
            long long v;
            if (parse_count(argv[++i], &v) || v > 4294967295LL) {
                fprintf(stderr, "pinn: sample: --seed: '%s' is not in [0, 4294967295]\n", argv[i]);
                goto done;
            }
            a.seed = (unsigned long)v;
        } else if (strcmp(s, "--fields") == 0 && has_next) {
            a.fields = argv[++i];
        } else if (strcmp(s, "--set") == 0 && has_next) {
            over[a.n_overrides++] = argv[++i];
        } else if (s[0] == '-' || a.config) {
            fprintf(stderr, "pinn: sample: unexpected argument '%s'\n", s);
            usage(stderr);
            goto done;
        } else {
            a.config = s;
        }
    }
    if (!a.config || !a.output || a.points < 1) {
        fprintf(stderr, "pinn: sample: needs CONFIG, --points N and -o FILE.csv\n");
        usage(stderr);
        goto done;
    }
    a.overrides = over;
    rc = sample_job(&a);
done:
    free(over);
    return rc;
}

int main(int argc, char **argv)
{
    setlocale(LC_NUMERIC, "C");
    gsl_set_error_handler_off(); /* GSL's default handler aborts; we check codes */
    /* A file size limit (ulimit -f) makes write fail with EFBIG, reported
     * like a full disk, instead of killing the process mid-write. */
    signal(SIGXFSZ, SIG_IGN);
    /* Threads come from OpenMP over points; OpenBLAS's own threads on these
     * small products only fight them (measured: 3.5x slower per step). */
    openblas_set_num_threads(1);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    char err[1024];
    if (strcmp(cmd, "--version") == 0) {
        printf("pinn %s\n", PINN_VERSION);
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "settings") == 0) {
        print_settings(stdout);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc, argv, 0);
    if (strcmp(cmd, "reference") == 0)
        return cmd_run(argc, argv, 1);
    if (strcmp(cmd, "sample") == 0)
        return cmd_sample(argc, argv);
    if (strcmp(cmd, "info") == 0) {
        if (argc != 3) {
            usage(stderr);
            return 2;
        }
        if (inspect_info(argv[2], stdout, err, sizeof err)) {
            fprintf(stderr, "pinn: %s\n", err);
            return 1;
        }
        return 0;
    }
    if (strcmp(cmd, "eval") == 0) {
        if (argc < 3) {
            usage(stderr);
            return 2;
        }
        if (inspect_eval(argv[2], (const char *const *)argv + 3, (size_t)(argc - 3), stdin, stdout,
                         err, sizeof err)) {
            fprintf(stderr, "pinn: %s\n", err);
            return 1;
        }
        return 0;
    }
    fprintf(stderr, "pinn: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
