/* solver/main.c - the pinn command line. One table of commands and one of
 * options (parsed with getopt_long); the work goes to run.c, io/inspect.c
 * and io/plot.c, whose results become exit statuses: 0 success, 1 the job
 * failed, 2 bad usage or bad config. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <gsl/gsl_errno.h>

#include "config/settings.h"
#include "io/inspect.h"
#include "io/plot.h"
#include "problems/problem.h"
#include "run.h"
#include "sample.h"

/* Which commands an option belongs to. */
enum { C_RUN = 1, C_REFERENCE = 2, C_INFO = 4, C_EVAL = 8, C_PLOT = 16, C_SETTINGS = 32,
       C_HELP = 64, C_SAMPLE = 128, C_ALL = 255 };
/* Long-only options get values past the characters. */
enum { OPT_THREADS = 256, OPT_SEED, OPT_RESUME, OPT_SET, OPT_LOG, OPT_POINTS, OPT_NOISE, OPT_FIELDS };

typedef struct cli_option {
    const char *name;
    int val;          /* short option character, or OPT_* */
    unsigned cmds;    /* C_* bits */
    const char *arg;  /* argument's name in help; NULL: takes none */
    const char *help;
} cli_option;

static const cli_option cli_options[] = {
    {"output", 'o', C_RUN | C_REFERENCE, "FILE.h5",
     "write the result to FILE.h5 (default: output.file, else outputs/NAME.h5 for NAME.cfg); "
     "FILE.xmf beside it is the XDMF sidecar for ParaView"},
    {"output", 'o', C_PLOT, "DIR", "write the PNGs to DIR (default: FILE without .h5, plus -plots)"},
    {"output", 'o', C_SAMPLE, "FILE.csv", "write the measurements to FILE.csv (required)"},
    {"points", OPT_POINTS, C_SAMPLE, "N", "number of measurement points, 1 to 1e8 (required)"},
    {"noise", OPT_NOISE, C_SAMPLE, "S",
     "Gaussian noise of S times each field's standard deviation (default 0)"},
    {"fields", OPT_FIELDS, C_SAMPLE, "F1,F2", "the fields to measure (default: every field)"},
    {"set", OPT_SET, C_RUN | C_REFERENCE | C_SAMPLE, "PATH=VALUE",
     "override one config setting, e.g. --set train.adam.iterations=500 (repeatable)"},
    {"threads", OPT_THREADS, C_RUN, "N", "OpenMP threads; 0: automatic, 1 thread or all cores, whichever each pass measures faster (default: train.threads)"},
    {"seed", OPT_SEED, C_RUN | C_SAMPLE, "S",
     "seed of the random numbers (run: default train.seed; sample: default 1)"},
    {"resume", OPT_RESUME, C_RUN, "FILE.h5",
     "go on from the checkpoint in FILE.h5 (same config; writes FILE.h5 unless -o)"},
    {"log", OPT_LOG, C_RUN, "FILE",
     "also write the training log to FILE, a row per log step: CSV if FILE ends in .csv, "
     "JSON lines if in .jsonl"},
    {"quiet", 'q', C_RUN | C_REFERENCE, NULL, "no progress table, no summary"},
    {"help", 'h', C_ALL, NULL, "describe the command and its options, then exit"},
};
#define N_OPTIONS (sizeof cli_options / sizeof *cli_options)

/* What the options of one command line set. */
typedef struct cli_args {
    run_args run;
    sample_args sample;
    const char **over; /* --set values, argc entries */
    const char *out;   /* -o */
    int help;
} cli_args;

typedef struct command command;
struct command {
    const char *name;
    unsigned bit;
    const char *operands;
    int min_ops, max_ops; /* max < 0: any number */
    const char *summary;
    const char *details;
    int (*run)(const command *cmd, cli_args *a, int nops, char **ops);
};

static const command *command_find(const char *name);

static void print_wrapped(FILE *f, const char *text, int indent, int width)
{
    int col = indent;
    fprintf(f, "%*s", indent, "");
    for (const char *w = text; *w;) {
        size_t n = strcspn(w, " ");
        if (col > indent && col + 1 + (int)n > width) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', f);
            col++;
        }
        fwrite(w, 1, n, f);
        col += (int)n;
        w += n;
        while (*w == ' ')
            w++;
    }
    fputc('\n', f);
}

static void usage(FILE *f);

static void command_help(FILE *f, const command *c)
{
    fprintf(f, "usage: pinn %s%s%s%s\n\n", c->name, c->bit & (C_RUN | C_REFERENCE | C_PLOT | C_SAMPLE) ? " [OPTIONS]" : "",
            *c->operands ? " " : "", c->operands);
    print_wrapped(f, c->summary, 2, 78);
    if (*c->details) {
        fputc('\n', f);
        print_wrapped(f, c->details, 2, 78);
    }
    fputs("\noptions:\n", f);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const cli_option *o = &cli_options[i];
        if (!(o->cmds & c->bit))
            continue;
        char lhs[64];
        if (o->val < 256)
            snprintf(lhs, sizeof lhs, "-%c, --%s%s%s", o->val, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(lhs, sizeof lhs, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %s\n", lhs);
        print_wrapped(f, o->help, 8, 78);
    }
    if (c->bit & (C_RUN | C_REFERENCE | C_PLOT | C_SAMPLE))
        fputs("\nAn option's argument may follow it (--threads 2) or be joined (--threads=2, -oFILE).\n", f);
}

static int usage_error(const command *c, const char *fmt, const char *what)
{
    fprintf(stderr, "pinn: %s: ", c->name);
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\nusage: pinn %s%s %s  (more: pinn help %s)\n", c->name,
            c->bit & (C_RUN | C_REFERENCE | C_PLOT | C_SAMPLE) ? " [OPTIONS]" : "", c->operands, c->name);
    return 2;
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
static int parse_setting_arg(const command *c, const char *opt, const char *path, const char *s,
                             long long *v)
{
    char why[256];
    if (cfg_integer_arg(run_settings, path, s, v, why, sizeof why) == 0)
        return 0;
    char msg[320];
    snprintf(msg, sizeof msg, "%s: %s", opt, why);
    return usage_error(c, "%s", msg);
}

/* Sets a from one option; 2 on a bad argument. */
static int option_apply(const command *c, cli_args *a, int val, const char *arg)
{
    switch (val) {
    case 'o':
        a->out = arg;
        return 0;
    case 'q':
        a->run.quiet = 1;
        return 0;
    case 'h':
        a->help = 1;
        return 0;
    case OPT_SET:
        a->over[a->run.n_overrides++] = arg;
        return 0;
    case OPT_THREADS:
        return parse_setting_arg(c, "--threads", "train.threads", arg, &a->run.threads);
    case OPT_SEED:
        if (parse_setting_arg(c, "--seed", "train.seed", arg, &a->run.seed))
            return 2;
        a->sample.seed = (unsigned long)a->run.seed;
        return 0;
    case OPT_POINTS:
        if (parse_count(arg, &a->sample.points) || a->sample.points < 1 ||
            a->sample.points > 100000000)
            return usage_error(c, "--points: '%s' is not a count in [1, 1e8]", arg);
        return 0;
    case OPT_NOISE: {
        char *end;
        a->sample.noise = strtod(arg, &end);
        if (end == arg || *end || !(a->sample.noise >= 0) || a->sample.noise > 1e6)
            return usage_error(c, "--noise: '%s' is not a number in [0, 1e6]", arg);
        return 0;
    }
    case OPT_FIELDS:
        a->sample.fields = arg;
        return 0;
    case OPT_RESUME:
        a->run.resume = arg;
        return 0;
    case OPT_LOG: {
        size_t n = strlen(arg);
        if (n > 4 && strcmp(arg + n - 4, ".csv") == 0)
            a->run.log_json = 0;
        else if (n > 6 && strcmp(arg + n - 6, ".jsonl") == 0)
            a->run.log_json = 1;
        else
            return usage_error(c, "--log: '%s' must end in .csv or .jsonl (the format)", arg);
        a->run.log_path = arg;
        return 0;
    }
    }
    return 2;
}

/* getopt_long over argv[1..] with the options of command c; the operands
 * end in argv[*first..argc-1]. eval stops at its first operand, so that
 * points such as -0.5,0.1 are not taken for options. */
static int options_parse(const command *c, int argc, char **argv, cli_args *a, int *first)
{
    struct option longs[N_OPTIONS + 1];
    char shorts[2 * N_OPTIONS + 4];
    size_t nl = 0, ns = 0;
    shorts[ns++] = c->bit == C_EVAL ? '+' : ':';
    if (c->bit == C_EVAL)
        shorts[ns++] = ':';
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const cli_option *o = &cli_options[i];
        if (!(o->cmds & c->bit))
            continue;
        longs[nl++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->val};
        if (o->val < 256) {
            shorts[ns++] = (char)o->val;
            if (o->arg)
                shorts[ns++] = ':';
        }
    }
    longs[nl] = (struct option){0, 0, 0, 0};
    shorts[ns] = '\0';
    opterr = 0;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        if (ch == '?') {
            if (optopt && optopt < 256)
                return usage_error(c, "unknown option '-%s'", (char[2]){(char)optopt, 0});
            return usage_error(c, "unknown option '%s'", argv[optind - 1]);
        }
        if (ch == ':')
            return usage_error(c, "option '%s' needs an argument", argv[optind - 1]);
        int rc = option_apply(c, a, ch, optarg);
        if (rc)
            return rc;
    }
    *first = optind;
    return 0;
}

static int cmd_run(const command *c, cli_args *a, int nops, char **ops)
{
    (void)nops;
    a->run.config = ops[0];
    a->run.output = a->out;
    a->run.reference_only = c->bit == C_REFERENCE;
    a->run.overrides = a->over;
    if (c->bit == C_RUN) {
        /* test hook: raise SIGTERM on ourselves once this step is done */
        const char *hook = getenv("PINN_TEST_STOP_AT_STEP");
        if (hook && parse_count(hook, &a->run.test_stop_at_step)) {
            fprintf(stderr, "pinn: PINN_TEST_STOP_AT_STEP: '%s' is not a count\n", hook);
            return 2;
        }
        a->run.stop = &stop_signal;
        install_stop_handlers();
    }
    return run_job(&a->run);
}

static int cmd_info(const command *c, cli_args *a, int nops, char **ops)
{
    (void)c, (void)a, (void)nops;
    char err[1024];
    if (inspect_info(ops[0], stdout, err, sizeof err)) {
        fprintf(stderr, "pinn: %s\n", err);
        return 1;
    }
    return 0;
}

static int cmd_eval(const command *c, cli_args *a, int nops, char **ops)
{
    (void)a;
    for (int i = 1; i < nops; i++)
        if (strcmp(ops[i], "--help") == 0 || strcmp(ops[i], "-h") == 0) {
            command_help(stdout, c);
            return 0;
        }
    char err[1024];
    int rc = inspect_eval(ops[0], (const char *const *)ops + 1, (size_t)(nops - 1), stdin, stdout,
                          stderr, err, sizeof err);
    if (rc)
        fprintf(stderr, "pinn: %s\n", err);
    return rc;
}

static int cmd_sample(const command *c, cli_args *a, int nops, char **ops)
{
    (void)nops;
    if (!a->out || a->sample.points < 1)
        return usage_error(c, "%s", "needs --points N and -o FILE.csv");
    a->sample.config = ops[0];
    a->sample.output = a->out;
    a->sample.overrides = a->over;
    a->sample.n_overrides = a->run.n_overrides;
    return sample_job(&a->sample);
}

static int cmd_plot(const command *c, cli_args *a, int nops, char **ops)
{
    (void)c, (void)nops;
    char err[1024];
    if (plot_write(ops[0], a->out, stdout, err, sizeof err)) {
        fprintf(stderr, "pinn: plot: %s\n", err);
        return 1;
    }
    return 0;
}

static int cmd_settings(const command *c, cli_args *a, int nops, char **ops)
{
    (void)c, (void)a, (void)nops, (void)ops;
    print_settings(stdout);
    return 0;
}

static int cmd_help(const command *c, cli_args *a, int nops, char **ops)
{
    (void)c, (void)a;
    if (nops == 0) {
        usage(stdout);
        return 0;
    }
    const command *t = command_find(ops[0]);
    if (!t) {
        fprintf(stderr, "pinn: help: no command '%s'\n", ops[0]);
        usage(stderr);
        return 2;
    }
    command_help(stdout, t);
    return 0;
}

static const command commands[] = {
    {"run", C_RUN, "CONFIG", 1, 1, "Train a network on the problem of CONFIG, compute its reference "
     "solution and write both, with the errors and the loss history, to an HDF5 file.",
     "The config is checked whole before any work: a mistake is reported as FILE:LINE: setting: "
     "what is wrong, with exit status 2. Ctrl-C (SIGINT or SIGTERM) finishes the step and writes "
     "the file with a checkpoint; --resume goes on from it. Exit status 0 on success, 1 when the "
     "run failed (diverged, I/O), 2 for bad usage or a bad config, 128+N after signal N.",
     cmd_run},
    {"reference", C_REFERENCE, "CONFIG", 1, 1,
     "Compute only the reference solution of CONFIG (no training) and write it to an HDF5 file.",
     "", cmd_run},
    {"sample", C_SAMPLE, "CONFIG", 1, 1,
     "Make synthetic measurements for an inverse problem: N points of the exact solution of "
     "CONFIG, or of its reference solution when it has none, with the unknown constants at their "
     "true values, plus Gaussian noise, written as a CSV file.",
     "The CSV's header names the columns (the variables, then the fields), so a data term reads "
     "them by name. The file is written atomically. Exit status 2 for bad usage or a bad config.",
     cmd_sample},
    {"info", C_INFO, "FILE.h5", 1, 1,
     "Summarise a result file: problem, seed, timings, errors, then every dataset with its shape "
     "and attributes.", "", cmd_info},
    {"eval", C_EVAL, "FILE.h5 [POINT ...]", 1, -1,
     "Evaluate the trained network of FILE.h5 at new points without retraining.",
     "A POINT is the inputs in the order of the header line, comma-separated (x,t for heat "
     "problems, t for ODEs); with no POINT they are read from standard input, one a line ('#' "
     "lines skipped). Prints a CSV header line naming the inputs and outputs, then one line per "
     "point. A point outside the domain the network was trained on gets a warning on standard "
     "error (the value is an extrapolation). Exit status 2 for a malformed point, 1 for a file "
     "that cannot be read.", cmd_eval},
    {"plot", C_PLOT, "FILE.h5", 1, 1,
     "Write PNG figures of a result file: solution, reference and error heat maps per field "
     "(slices of 3-D fields), ODE trajectories against the reference, the loss history of every "
     "term on a log scale, the weight history and learned unknowns, as the file has them.",
     "Prints the path of every PNG written.", cmd_plot},
    {"settings", C_SETTINGS, "", 0, 0,
     "Print every config setting with its type, default, allowed values and meaning, as "
     "Markdown tables (docs/config.md is this output).", "", cmd_settings},
    {"help", C_HELP, "[COMMAND]", 0, 1, "Describe pinn's commands, or one COMMAND and its options.",
     "", cmd_help},
    {NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static const command *command_find(const char *name)
{
    for (const command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static void usage(FILE *f)
{
    fputs("usage: pinn run CONFIG [-o FILE.h5] [--threads N] [--seed S] [--quiet]\n"
          "                  [--set PATH=VALUE ...] [--resume FILE.h5] [--log FILE.csv]\n"
          "       pinn reference CONFIG [-o FILE.h5] [--set PATH=VALUE ...]\n"
          "       pinn info FILE.h5\n"
          "       pinn eval FILE.h5 [POINT ...]   (no POINT: read them from stdin)\n"
          "       pinn sample CONFIG --points N -o FILE.csv [--noise S] [--seed S] [--fields F1,F2]\n"
          "       pinn plot FILE.h5 [-o DIR]\n"
          "       pinn settings                   every config setting, as Markdown tables\n"
          "       pinn help [COMMAND]             a command and all its options\n"
          "       pinn --version\n", f);
}

int main(int argc, char **argv)
{
    setlocale(LC_NUMERIC, "C");
    gsl_set_error_handler_off(); /* GSL's default handler aborts; we check codes */
    /* Threads come from OpenMP over points; OpenBLAS's own threads on these
     * small products only fight them (measured: 3.5x slower per step). */
    openblas_set_num_threads(1);
    /* A file size limit (ulimit -f) makes write fail with EFBIG, reported
     * like a full disk, instead of killing the process mid-write. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("pinn %s\n", PINN_VERSION);
        return 0;
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    const command *c = command_find(name);
    if (!c) {
        fprintf(stderr, "pinn: unknown command '%s'\n", name);
        usage(stderr);
        return 2;
    }
    cli_args a = {.run = {.threads = -1, .seed = -1, .out = stdout, .errs = stderr},
                  .sample = {.points = -1, .out = stdout, .errs = stderr, .seed = 1}};
    a.over = calloc((size_t)argc, sizeof *a.over);
    if (!a.over)
        return 1;
    int first = 0, rc = options_parse(c, argc - 1, argv + 1, &a, &first);
    int nops = argc - 1 - first;
    char **ops = argv + 1 + first;
    if (rc == 0 && a.help) {
        command_help(stdout, c);
    } else if (rc == 0 && nops < c->min_ops) {
        char what[32];
        snprintf(what, sizeof what, "%.*s", (int)strcspn(c->operands, " "), c->operands);
        rc = usage_error(c, "no %s given", what);
    } else if (rc == 0 && c->max_ops >= 0 && nops > c->max_ops) {
        rc = usage_error(c, "unexpected argument '%s'", ops[c->max_ops]);
    } else if (rc == 0) {
        rc = c->run(c, &a, nops, ops);
    }
    free(a.over);
    return rc;
}
