/* solver/run.c - one job from config to result file: load and check the
 * config, build the problem, net and point sets, train, compute the GSL
 * reference, write the HDF5 file and print the error table. Everything that
 * can be wrong with the config is found before any training starts. */
#include "run.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "io/checkpoint.h"
#include "io/output.h"
#include "problems/problem.h"
#include "problems/problem_common.h"
#include "config/settings.h"
#include "train/parallel.h"
#include "train/netopts.h"
#include "train/train.h"
#include "train/hard.h"
#include "train/march.h"
#include "train/verdict.h"

#define ERRCAP 1024
/* Longest output path (the temporary's included): longer ones are refused
 * before training rather than cut short. */
#define PATH_MAX_OUT 1024

/* CPU time of this process (all its threads), for pinn-mpi's summary. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
/* dense BFGS keeps n^2 doubles: 12000 parameters are 1.1 GB */
#define RUN_QN_MAX_PARAMS 12000

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* outputs/NAME.h5 for .../NAME.cfg */
static void default_output(const char *config, char *buf, size_t cap)
{
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".cfg") == 0)
        n -= 4;
    snprintf(buf, cap, "outputs/%.*s.h5", (int)n, base);
}

cfg *run_config_load(const char *file, const char *text, const char *const *overrides,
                     size_t n_overrides, char *err, size_t errcap)
{
    cfg *c = text ? cfg_load_string(text, file, overrides, n_overrides, err, errcap)
                  : cfg_load(file, overrides, n_overrides, err, errcap);
    if (!c)
        return NULL;
    /* problem.type picks the problem table, so check it first. */
    const char *type = NULL;
    if (cfg_has(c, "problem.type"))
        type = cfg_string(c, "problem.type");
    const problem_type *pt = problem_type_find(type);
    if (!pt) {
        const char *names = "heat, ode, pde";
        if (!cfg_has(c, "problem.type"))
            cfg_fail(c, err, errcap, "problem.type", "missing (one of: %s)", names);
        else
            cfg_fail(c, err, errcap, "problem.type", "'%s' is not a problem type (one of: %s)",
                     type ? type : "(not a string)", names);
        cfg_free(c);
        return NULL;
    }
    const setting_spec *tables[] = {run_settings, pt->settings, unknowns_settings};
    if (cfg_validate(c, tables, 3, err, errcap) != 0) {
        cfg_free(c);
        return NULL;
    }
    /* weak scaling draws each rank's points from its own random stream:
     * quasi-random and grid sets would be the same on every rank */
    const char *smp = cfg_string(c, "points.sampler");
    if (strcmp(cfg_string(c, "parallel.scaling"), "weak") == 0 && strcmp(smp, "uniform") != 0 &&
        strcmp(smp, "lhs") != 0) {
        cfg_fail(c, err, errcap, "parallel.scaling",
                 "weak scaling needs points.sampler = \"uniform\" or \"lhs\" (with \"%s\" "
                 "every rank would train on the same points)", smp);
        cfg_free(c);
        return NULL;
    }
    return c;
}

/* The periodic checkpoint: the whole result file at this step. */
typedef struct checkpoint_ctx {
    run_result *res;
    const char *path;
    double *u;
    char status[64];
} checkpoint_ctx;

static int write_checkpoint(void *ctx, trainer *tr)
{
    checkpoint_ctx *k = ctx;
    trainer_predict(tr, k->res->g->x, k->res->g->n, k->u);
    snprintf(k->status, sizeof k->status, "running: checkpoint at step %lld", tr->step);
    k->res->status = k->status;
    char err[ERRCAP];
    return output_write(k->path, k->res, err, sizeof err);
}

/* Where the output path came from, for messages: the -o argument, the
 * output.file setting (file and line) or the default name. */
static int output_fail(const cfg *c, const run_args *a, char *err, size_t errcap,
                       const char *path, const char *fmt, const char *arg)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, arg);
    if (a->output && strlen(path) > 400) /* the message must keep its point */
        snprintf(err, errcap, "-o %.200s...%s: %s", path, path + strlen(path) - 100, msg);
    else if (a->output)
        snprintf(err, errcap, "-o %s: %s", path, msg);
    else if (cfg_has(c, "output.file"))
        cfg_fail(c, err, errcap, "output.file", "%s", msg);
    else
        snprintf(err, errcap, "%s: output %s: %s (set -o or output.file)", a->config, path, msg);
    return -1;
}

/* The result is written as path.tmp.PID in path's directory, then renamed:
 * that directory must exist and be writable, and path must not be anything
 * but a regular file. Checked before training, so a run never computes for
 * hours and then cannot save. Writes nothing. */
/* The input file (config, @include, any *.file setting but output.file)
 * that path is, or NULL; its kind in *what. */
static const char *output_input_clash(const cfg *c, const problem *p, const char *path,
                                      const char **what)
{
    struct stat out, in;
    if (stat(path, &out) != 0)
        return NULL; /* a file that does not exist is nobody's input */
    for (size_t i = 0; i < cfg_n_inputs(c); i++)
        if (stat(cfg_input(c, i), &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
            *what = i == 0 ? "the config file" : "the included file";
            return cfg_input(c, i);
        }
    const setting_spec *tables[] = {run_settings, p->type->settings};
    for (size_t t = 0; t < 2; t++)
        for (const setting_spec *sp = tables[t]; sp->path; sp++) {
            size_t n = strlen(sp->path);
            if (sp->type != SPEC_STRING || n < 5 || strcmp(sp->path + n - 5, ".file") != 0 ||
                strcmp(sp->path, "output.file") == 0 || !cfg_has(c, sp->path))
                continue;
            const char *f = cfg_string(c, sp->path);
            if (f && stat(f, &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
                *what = strcmp(sp->path, "loss.data.file") == 0 ? "the data file (loss.data.file)"
                                                                 : sp->path;
                return f;
            }
        }
    return NULL;
}

/* Digits of the largest pid the temporary NAME.tmp.PID can carry (Linux
 * PID_MAX_LIMIT is 2^22: 7 digits), or of ours if longer. */
static size_t tmp_suffix_len(void)
{
    char pid[32];
    size_t n = (size_t)snprintf(pid, sizeof pid, "%ld", (long)getpid());
    return strlen(".tmp.") + (n > 7 ? n : 7);
}

static int check_output_path(const cfg *c, const problem *p, const run_args *a, const char *path,
                             char *err, size_t errcap)
{
    size_t n = strlen(path);
    if (n == 0 || path[n - 1] == '/')
        return output_fail(c, a, err, errcap, path, "%s", "not a file name");
    char msg[600];
    if (n + tmp_suffix_len() >= PATH_MAX_OUT) {
        snprintf(msg, sizeof msg, "the path is too long (%zu bytes with '.tmp.PID'; at most %d)",
                 n + tmp_suffix_len(), PATH_MAX_OUT - 1);
        return output_fail(c, a, err, errcap, path, "%s", msg);
    }
    const char *what = NULL, *input = output_input_clash(c, p, path, &what);
    if (input) {
        snprintf(msg, sizeof msg, "is %s %.400s: refusing to overwrite an input", what, input);
        return output_fail(c, a, err, errcap, path, "%s", msg);
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return output_fail(c, a, err, errcap, path, "%s",
                           S_ISDIR(st.st_mode) ? "is a directory"
                                               : "exists and is not a regular file");
    char dir[1024];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (stat(dir, &st) != 0)
        return output_fail(c, a, err, errcap, path,
                           errno == ENOTDIR ? "directory '%s' is under a file, not a directory"
                                            : "directory '%s' does not exist", dir);
    if (!S_ISDIR(st.st_mode))
        return output_fail(c, a, err, errcap, path, "'%s' is not a directory", dir);
    if (access(dir, W_OK | X_OK) != 0)
        return output_fail(c, a, err, errcap, path, "directory '%s' is not writable", dir);
    long name_max = pathconf(dir, _PC_NAME_MAX);
    if (name_max <= 0)
        name_max = 255;
    const char *base = slash ? slash + 1 : path;
    if (strlen(base) + tmp_suffix_len() > (size_t)name_max) {
        snprintf(msg, sizeof msg, "the file name is too long once '.tmp.PID' is added (at most "
                 "%zu bytes here, it has %zu)", (size_t)name_max - tmp_suffix_len(), strlen(base));
        return output_fail(c, a, err, errcap, path, "%s", msg);
    }
    return 0;
}

/* Bytes in "1.6 TB" form. */
static void human_bytes(double b, char *buf, size_t cap)
{
    static const char *const unit[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
    size_t u = 0;
    while (b >= 1024.0 && u + 1 < sizeof unit / sizeof *unit)
        b /= 1024.0, u++;
    snprintf(buf, cap, "%.3g %s", b, unit[u]);
}

/* Doubles of an mlp_workspace for n points and ch channels: the sizes
 * nets/mlp_workspace.c allocates (activations and pre-activations of every
 * channel, three activation-derivative rows per hidden layer, two gradient
 * buffers of the widest layer). */
static double workspace_doubles(const size_t *width, size_t n_layers, double n, double ch)
{
    double rows = n * ch, total = 0.0, maxw = 1.0;
    for (size_t l = 0; l < n_layers; l++) {
        total += rows * (double)width[l];
        if (l + 1 < n_layers) {
            total += rows * (double)width[l + 1] + 3.0 * n * (double)width[l + 1];
            if ((double)width[l + 1] > maxw)
                maxw = (double)width[l + 1];
        }
    }
    return total + 2.0 * rows * maxw + n;
}

/* Refuses a run whose point sets, network or output grid would not fit in
 * physical memory, before any of them is allocated. The estimate counts the
 * big arrays (points, residuals, network workspaces and channel outputs per
 * term, parameter-sized vectors for Adam and L-BFGS, the output grid), in
 * doubles, as if nothing were shared; the message names the setting that
 * contributes most. Under MPI strong scaling a rank's workspaces hold
 * rows_share of each term's rows (1 otherwise). */
static int check_memory(const cfg *c, const problem *p, const size_t *raw_width, size_t n_layers,
                        const mlp_options *nopt, int reference_only, double rows_share,
                        char *err, size_t errcap)
{
    /* the first layer sees the embedded inputs */
    size_t width[MLP_MAX_LAYERS + 1];
    memcpy(width, raw_width, (n_layers + 1) * sizeof *width);
    width[0] = netopts_input_width(raw_width[0], nopt);
    double np = (double)netopts_n_params(raw_width, n_layers, nopt);
    double m = (double)p->n_out, n_in = (double)p->n_in;
    double total = 0.0, worst = -1.0;
    const char *worst_setting = "points.interior";
    double worst_count = 0.0;
    const char *worst_what = "points";

    term_plan plans[PROBLEM_MAX_TERMS];
    size_t n_plans = reference_only ? 0 : p->type->plan_terms(p, c, plans);
    for (size_t k = 0; k < n_plans; k++) {
        double n = (double)plans[k].n, ch = (double)plans[k].channels;
        if (n == 0.0)
            continue;
        /* a rank keeps the whole point set but trains on rows_share of it */
        double nr = n * rows_share;
        double d = n * n_in + (double)plans[k].n_aux + 2.0 * (double)plans[k].n_r /* term */
                 + workspace_doubles(width, n_layers, nr, ch) + nr * n_in    /* net input */
                 + 2.0 * ch * nr * m;                                         /* out, gout */
        total += d;
        if (d > worst) {
            worst = d, worst_setting = plans[k].setting, worst_count = n, worst_what = "points";
        }
    }
    /* params, grad, Adam m and v, per-term gradients, L-BFGS x, g, d, w and
     * 2 * history correction pairs. */
    double hist = (double)cfg_int(c, "train.lbfgs.history");
    double d = np * (8.0 + (double)n_plans + 2.0 * hist);
    total += d;
    if (d > worst)
        worst = d, worst_setting = "network.hidden", worst_count = np, worst_what = "parameters";
    double gn = 1.0;
    for (size_t j = 0; j < p->n_in; j++) {
        char path[32];
        snprintf(path, sizeof path, "output.n%s", p->in_names[j]);
        gn *= (double)cfg_int(c, path);
    }
    d = gn * (n_in + 4.0 * m); /* grid, u, exact, reference, |u - ref| */
    total += d;
    if (d > worst)
        worst = d, worst_setting = "output.nt", worst_count = gn, worst_what = "grid points";
    double bytes = 8.0 * total;

    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return 0; /* unknown: let the allocations decide */
    double phys = (double)pages * (double)page;
    if (bytes <= phys)
        return 0;
    char need[32], have[32];
    human_bytes(bytes, need, sizeof need);
    human_bytes(phys, have, sizeof have);
    return cfg_fail(c, err, errcap, worst_setting, "%.3g %s need about %s, this machine has %s",
                    worst_count, worst_what, need, have);
}

/* The exact solution must be finite on the grid (it is for error reports;
 * a NaN there is a mistake in the formula). */
static int exact_check_finite(const cfg *c, const problem *p, const grid *g, const double *u,
                              char *err, size_t errcap)
{
    size_t n = g->n * p->n_out;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(u[i]))
            return problem_check_finite(c, "problem.exact", u + i, 1,
                                        g->x + (i / p->n_out) * p->n_in, 0, p->in_names, p->n_in,
                                        err, errcap);
    return 0;
}

static void print_errors(FILE *f, const char *what, const double *u, const double *v, size_t n,
                         double seconds)
{
    error_stats e = error_between(u, v, n);
    fprintf(f, "  %-24s %12.4e %12.4e %10.2f\n", what, e.rel_l2, e.max_abs, seconds);
}

/* Under MPI every rank must run the same job, or their all-reduces would
 * not pair up: the same config text, overrides and seed, and the same
 * sizes and starting parameters (after --resume). Collective. */
static int same_job(parallel *par, const cfg *c, unsigned long seed, const trainer *tr)
{
    if (par_size(par) == 1)
        return 1;
    double sig[4 + PROBLEM_MAX_TERMS] = {(double)seed, (double)tr->net->n_params,
                                         (double)tr->n_terms, (double)tr->step};
    for (size_t k = 0; k < tr->n_terms; k++)
        sig[4 + k] = (double)tr->terms[k].n;
    const char *text = cfg_text(c) ? cfg_text(c) : "";
    const char *over = cfg_overrides(c) ? cfg_overrides(c) : "";
    /* & rather than &&: every rank makes every call */
    return par_identical(par, sig, sizeof sig) & par_identical(par, text, strlen(text) + 1) &
           par_identical(par, over, strlen(over) + 1) &
           par_identical(par, tr->net->params, tr->net->n_params * sizeof(double));
}

/* The training options a config sets (everything but where the log, the
 * checkpoints and the stop flag go): what `pinn run` trains with. */
train_options run_train_options(const cfg *c)
{
    train_options opt = {
        .adam_iterations = cfg_int(c, "train.adam.iterations"),
        .lr = cfg_float(c, "train.adam.lr"),
        .beta1 = cfg_float(c, "train.adam.beta1"),
        .beta2 = cfg_float(c, "train.adam.beta2"),
        .epsilon = cfg_float(c, "train.adam.epsilon"),
        .decay = strcmp(cfg_string(c, "train.adam.decay"), "step") == 0 ? LR_STEP
                 : strcmp(cfg_string(c, "train.adam.decay"), "exponential") == 0 ? LR_EXPONENTIAL
                                                                                : LR_NONE,
        .decay_rate = cfg_float(c, "train.adam.decay_rate"),
        .decay_steps = cfg_int(c, "train.adam.decay_steps"),
        .lbfgs_iterations = cfg_int(c, "train.lbfgs.iterations"),
        .lbfgs_history = (int)cfg_int(c, "train.lbfgs.history"),
        .lbfgs_past = (int)cfg_int(c, "train.lbfgs.past"),
        .lbfgs_max_linesearch = (int)cfg_int(c, "train.lbfgs.max_linesearch"),
        .lbfgs_epsilon = cfg_float(c, "train.lbfgs.epsilon"),
        .lbfgs_delta = cfg_float(c, "train.lbfgs.delta"),
        .second_phase = cfg_string(c, "train.second_phase"),
        .hard = cfg_bool(c, "network.hard_constraints"),
        .adapt = {.kind = (adapt_kind)adapt_kind_parse(cfg_string(c, "points.adapt")),
                  .every = cfg_int(c, "points.adapt_every"),
                  .candidates = (size_t)cfg_int(c, "points.adapt_candidates"),
                  .add = (size_t)cfg_int(c, "points.rar_add"),
                  .k = cfg_float(c, "points.rad_k"),
                  .c = cfg_float(c, "points.rad_c")},
        .resample_every = cfg_int(c, "points.resample_every"),
        .lbfgs_resample_every = cfg_int(c, "train.lbfgs.resample_every"),
        .log_every = cfg_int(c, "train.log_every"),
        .scale_inputs = cfg_bool(c, "network.scale_inputs"),
        .weighting = cfg_string(c, "loss.weighting"),
        .uncertainty_init = cfg_float(c, "loss.uncertainty.init"),
        .gradnorm_alpha = cfg_float(c, "loss.gradnorm.alpha"),
        .gradnorm_lr = cfg_float(c, "loss.gradnorm.lr"),
        .gradnorm_all = strcmp(cfg_string(c, "loss.gradnorm.params"), "all") == 0,
        .annealing_beta = cfg_float(c, "loss.annealing.beta"),
        .annealing_every = cfg_int(c, "loss.annealing.every"),
        .dwa_temperature = cfg_float(c, "loss.dwa.temperature"),
        .on_nan_recover = strcmp(cfg_string(c, "train.on_nan"), "recover") == 0,
        .max_recoveries = cfg_int(c, "train.max_recoveries"),
        .checkpoint_every = cfg_int(c, "train.checkpoint_every"),
    };
    return opt;
}

int run_job(const run_args *a)
{
    char err[ERRCAP];
    int status = 2, interrupted = 0, judged = 0;
    verdict vd;
    march *mch = NULL;
    double train_cpu = 0.0;
    /* MPI (pinn-mpi, docs/mpi.md): every rank builds the same job; rank 0
     * alone prints, computes the reference and writes; the ranks agree on
     * the setup before training (par_agree), so a rank that fails there
     * stops them all with its message. */
    parallel *par = par_open(err, sizeof err);
    if (!par) {
        fprintf(a->errs, "pinn: %s\n", err);
        return 1;
    }
    int root = par_rank(par) == 0, agreed = a->reference_only, quiet = a->quiet || !root;
    if (a->reference_only && !root) { /* one process is enough */
        par_close(par);
        return 0;
    }
    cfg *c = run_config_load(a->config, NULL, a->overrides, a->n_overrides, err, sizeof err);
    problem *p = NULL;
    mlp *net = NULL;
    gsl_rng *rng = NULL;
    trainer *tr = NULL;
    grid g = {0};
    term terms[PROBLEM_MAX_TERMS];
    size_t n_terms = 0;
    double *u = NULL, *ref = NULL, *exact = NULL;
    memset(terms, 0, sizeof terms);
    run_result res = {0};
    checkpoint_ctx ck_ctx = {.res = &res, .u = NULL};
    FILE *log_file = NULL;
    if (!c)
        goto fail;
    if (!(p = problem_create(c, err, sizeof err)))
        goto fail;
    par_set_scaling(par, strcmp(cfg_string(c, "parallel.scaling"), "weak") == 0 ? PAR_WEAK
                                                                                : PAR_STRONG);
    const char *why_windows = march_check(c, p);
    if (cfg_bool(c, "network.hard_constraints") && !p->type->constraint) {
        cfg_fail(c, err, sizeof err, "network.hard_constraints",
                 "problem type '%s' has no hard-constraint transform", p->type->name);
        goto fail;
    }
    if (a->resume && strcmp(cfg_string(c, "points.adapt"), "none") != 0) {
        cfg_fail(c, err, sizeof err, "points.adapt",
                 "a run with adaptive sampling cannot be resumed (--resume): its point sets "
                 "are not in the checkpoint");
        goto fail;
    }
    if (!why_windows && a->resume && cfg_int(c, "train.windows") > 1)
        why_windows = "a time-marching run cannot be resumed (--resume): run it again";
    if (why_windows) {
        cfg_fail(c, err, sizeof err, "train.windows", "%s", why_windows);
        goto fail;
    }

    char out_path[PATH_MAX_OUT + 64];
    if (a->output)
        snprintf(out_path, sizeof out_path, "%s", a->output);
    else if (a->resume) /* a resumed run goes on writing its file */
        snprintf(out_path, sizeof out_path, "%s", a->resume);
    else if (cfg_has(c, "output.file"))
        snprintf(out_path, sizeof out_path, "%s", cfg_string(c, "output.file"));
    else
        default_output(a->config, out_path, sizeof out_path);

    if (root && check_output_path(c, p, a, out_path, err, sizeof err))
        goto fail;
    if (a->log_path && !a->reference_only && !(log_file = fopen(a->log_path, "w"))) {
        snprintf(err, sizeof err, "pinn: --log %s: %s", a->log_path, strerror(errno));
        goto fail;
    }

    unsigned long seed = a->seed >= 0 ? (unsigned long)a->seed : (unsigned long)cfg_int(c, "train.seed");
    long long threads = a->threads >= 0 ? a->threads : cfg_int(c, "train.threads");
    mlp_threads_set_auto(threads == 0); /* 0: 1 thread or all, as measured (docs/performance.md) */
#ifdef _OPENMP
    if (threads > 0)
        omp_set_num_threads((int)threads);
    int used_threads = omp_get_max_threads();
#else
    int used_threads = 1;
    (void)threads;
#endif

    /* The net. */
    size_t width[MLP_MAX_LAYERS + 1];
    size_t n_hidden = cfg_len(c, "network.hidden");
    if (n_hidden + 1 > MLP_MAX_LAYERS) {
        cfg_fail(c, err, sizeof err, "network.hidden", "at most %d hidden layers", MLP_MAX_LAYERS - 1);
        goto fail;
    }
    width[0] = p->n_in;
    for (size_t l = 0; l < n_hidden; l++)
        width[l + 1] = (size_t)cfg_float_at(c, "network.hidden", l);
    width[n_hidden + 1] = p->n_out;
    double rows_share = par_get_scaling(par) == PAR_STRONG ? 1.0 / par_size(par) : 1.0;
    mlp_options nopt; /* embeddings, factorization (train/netopts.h) */
    if (netopts_from_config(c, p, &nopt, err, sizeof err))
        goto fail;
    if (check_memory(c, p, width, n_hidden + 1, &nopt, a->reference_only, rows_share, err,
                     sizeof err))
        goto fail;
    if (strcmp(cfg_string(c, "train.second_phase"), "lbfgs") != 0 && !a->reference_only) {
        size_t np = netopts_n_params(width, n_hidden + 1, &nopt);
        if (np > RUN_QN_MAX_PARAMS) {
            cfg_fail(c, err, sizeof err, "train.second_phase",
                     "'%s' keeps a dense %zu x %zu matrix: at most %d parameters (use lbfgs, "
                     "or a smaller network.hidden%s)", cfg_string(c, "train.second_phase"), np,
                     np, RUN_QN_MAX_PARAMS,
                     nopt.embed.fourier ? " or fewer network.fourier.features" : "");
            goto fail;
        }
    }
    const mlp_activation *act = mlp_activation_find(cfg_string(c, "network.activation"));
    const mlp_initializer *init = mlp_initializer_find(cfg_string(c, "network.init"));
    if (!act || !init) {
        cfg_fail(c, err, sizeof err, act ? "network.init" : "network.activation", "not available");
        goto fail;
    }
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng || !(net = mlp_alloc_opts(n_hidden + 1, width, act, &nopt))) {
        snprintf(err, sizeof err, "out of memory for the network");
        goto fail;
    }
    gsl_rng_set(rng, seed);
    mlp_init(net, init, rng);
    par_seed_draws(par, rng, seed); /* weak scaling: each rank its own points */

    /* Points and terms, grid, exact. */
    if (!a->reference_only) {
        if (problem_build_terms(p, c, rng, terms, &n_terms, err, sizeof err))
            goto fail;
        if (n_terms == 0) {
            cfg_fail(c, err, sizeof err, "loss", "every loss term is switched off");
            goto fail;
        }
        for (size_t k = 0; k < n_terms && cfg_bool(c, "network.hard_constraints"); k++)
            if (hard_check(&terms[k].ch)) {
                cfg_fail(c, err, sizeof err, "network.hard_constraints",
                         "term %s uses a second derivative without its first derivatives",
                         terms[k].name);
                goto fail;
            }
    }
    if (p->type->make_grid(p, c, &g)) {
        snprintf(err, sizeof err, "out of memory for the output grid");
        goto fail;
    }
    size_t nu = g.n * p->n_out;
    u = malloc(nu * sizeof *u);
    exact = malloc(nu * sizeof *exact);
    if (!u || !exact) {
        snprintf(err, sizeof err, "out of memory for the output grid");
        goto fail;
    }
    if (p->type->exact(p, &g, exact) != 0) {
        free(exact);
        exact = NULL;
    } else if (exact_check_finite(c, p, &g, exact, err, sizeof err)) {
        goto fail;
    }

    status = 1; /* from here on a failure is the run's, not the config's */
    const char *run_status = "ok";
    char run_why[512], ref_why[ERRCAP + 32] = "";
    /* The reference comes first, so every checkpoint is a complete result. */
    double ref_seconds = 0.0;
    char method[256] = "";
    /* an inverse problem's reference needs the constants behind the data */
    int ref_possible = p->unk.n == 0 || p->unk.has_truth;
    if (root && cfg_bool(c, "reference.enabled") && !ref_possible)
        fprintf(a->errs, "pinn: note: no reference solution: the unknowns have no "
                         "problem.unknowns.true_values to solve with\n");
    if (root && cfg_bool(c, "reference.enabled") && ref_possible) {
        ref = malloc(nu * sizeof *ref);
        double t0 = now_seconds();
        if (!ref || p->type->reference(p, c, &g, ref, method, sizeof method, err, sizeof err)) {
            /* The run's failure, not a footnote: it is the file's status
             * and the exit status (1) unless something worse happens. */
            snprintf(ref_why, sizeof ref_why, "reference failed: %s", ref ? err : "out of memory");
            fprintf(a->errs, "pinn: reference solution failed: %s\n", ref ? err : "out of memory");
            free(ref);
            ref = NULL;
            run_status = ref_why;
        }
        ref_seconds = now_seconds() - t0;
    }

    res = (run_result){
        .c = c, .p = p, .net = a->reference_only ? NULL : net, .tr = NULL, .terms = terms,
        .n_terms = n_terms, .g = &g, .u = a->reference_only ? NULL : u, .ref = ref,
        .ref_method = method, .ref_seconds = ref_seconds, .exact = exact, .seed = seed,
        .threads = used_threads, .status = run_status,
    };
    if (!a->reference_only) {
        train_options opt = run_train_options(c);
        opt.quiet = quiet;
        opt.log = a->out;
        opt.log_file = log_file;
        opt.log_json = a->log_json;
        opt.errs = root ? a->errs : NULL;
        opt.checkpoint = root ? write_checkpoint : NULL;
        opt.checkpoint_ctx = &ck_ctx;
        opt.stop = par_stop_flag(par, a->stop);
        opt.test_stop_at_step = a->test_stop_at_step;
        opt.par = par;
        const char *why = train_options_check(&opt, terms, n_terms);
        for (size_t k = 0; why && k < n_terms; k++)
            if (!(terms[k].weight > 0)) {
                char path[64];
                snprintf(path, sizeof path, "loss.%s.weight", terms[k].name);
                cfg_fail(c, err, sizeof err, path, "must be > 0 with loss.weighting = \"%s\"",
                         opt.weighting);
                status = 2;
                goto fail;
            }
        if (why) {
            cfg_fail(c, err, sizeof err, "loss.weighting", "%s", why);
            status = 2;
            goto fail;
        }
        if (!(tr = trainer_alloc(p, net, terms, n_terms, rng, &opt))) {
            snprintf(err, sizeof err, "out of memory for training");
            goto fail;
        }
        res.tr = tr;
        if (cfg_int(c, "train.windows") > 1 &&
            !(mch = march_alloc(p, (size_t)cfg_int(c, "train.windows"), net->n_params))) {
            snprintf(err, sizeof err, "out of memory for training");
            goto fail;
        }
        if (a->resume) {
            if (checkpoint_load(a->resume, c, seed, tr, root ? a->errs : NULL, err, sizeof err)) {
                status = 2;
                goto fail;
            }
            if (!quiet)
                fprintf(a->out, "resuming from %s at step %lld\n", a->resume, tr->step);
            if (root && tr->prog.phase == TRAIN_PHASE_LBFGS && tr->prog.lbfgs_done > 0)
                fprintf(a->errs, "pinn: note: the checkpoint is inside L-BFGS, whose correction "
                                 "pairs are not saved: L-BFGS restarts from its parameters, so "
                                 "the result differs from an uninterrupted run\n");
        }
        agreed = 1;
        if ((status = par_agree(par, 0, err, sizeof err)) != 0)
            goto fail;
        if (!same_job(par, c, seed, tr)) {
            snprintf(err, sizeof err, "pinn: the MPI ranks were not given the same job (config "
                                      "text, --set, --seed or --resume file differ)");
            status = 2;
            goto fail;
        }
        status = 1;
        if (root)
            output_remove_stale(out_path);
        trainer_watch(tr, &g, exact);
        if (par_size(par) > 1 && !quiet)
            fprintf(a->out, "pinn-mpi: %d ranks, %s (docs/mpi.md)\n", par_size(par),
                    par_get_scaling(par) == PAR_WEAK
                        ? "weak scaling: the point counts are per rank"
                        : "strong scaling: the point sets are split over the ranks");
        if (!quiet) {
            fprintf(a->out, "pinn %s: %s (%s), net", PINN_VERSION, a->config, p->type->name);
            for (size_t l = 0; l <= net->n_layers; l++)
                fprintf(a->out, "%s%zu", l ? "-" : " ", net->width[l]);
            fprintf(a->out, " %s, %zu parameters, %d thread%s, seed %lu\n", act->name,
                    net->n_params, used_threads, used_threads == 1 ? "" : "s", seed);
            for (size_t k = 0; k < n_terms; k++)
                fprintf(a->out, "  term %-13s %8zu points  weight %g\n", terms[k].name, terms[k].n,
                        terms[k].weight);
        }
        ck_ctx.path = out_path;
        ck_ctx.u = u;
        double cpu0 = cpu_seconds();
        train_status ts;
        if (mch) { /* the last window's trainer stands for the run from here */
            ts = march_run(mch, c, net, rng, &opt, &g, u);
            if (mch->tr) {
                trainer_free(tr);
                res.tr = tr = mch->tr;
                mch->tr = NULL;
            }
            if (ts != TRAIN_OK && mch->error[0])
                snprintf(tr->error, sizeof tr->error, "%.*s", (int)sizeof tr->error - 1,
                         mch->error);
            res.windows = mch;
        } else {
            ts = trainer_run(tr);
        }
        train_cpu = cpu_seconds() - cpu0;
        if (ts == TRAIN_ENOMEM && par_size(par) > 1) /* this rank alone: end the job */
            par_abort(par, 1, "out of memory while training");
        if (!par_identical(par, net->params, net->n_params * sizeof *net->params)) {
            snprintf(run_why, sizeof run_why, "the ranks ended with different parameters");
            fprintf(a->errs, "pinn: rank %d: %s\n", par_rank(par), run_why);
            run_status = run_why;
        }
        if (!root) {
            status = ts == TRAIN_INTERRUPTED
                         ? 128 + (*tr->opt.stop ? (int)*tr->opt.stop : SIGTERM)
                         : strcmp(run_status, "ok") == 0 && ts == TRAIN_OK ? 0 : 1;
            goto done;
        }
        if (ts == TRAIN_DIVERGED) {
            fprintf(a->errs, "pinn: %s\npinn: %s keeps the model of step %lld, the last finite one\n",
                    tr->error, out_path, tr->step);
            run_status = tr->error;
        } else if (ts == TRAIN_ENOMEM) {
            snprintf(run_why, sizeof run_why, "out of memory at step %lld", tr->step);
            fprintf(a->errs, "pinn: %s\n", run_why);
            run_status = run_why;
        } else if (ts == TRAIN_INTERRUPTED) {
            int sig = tr->opt.stop && *tr->opt.stop ? (int)*tr->opt.stop : SIGTERM;
            snprintf(run_why, sizeof run_why, "interrupted by %s at step %lld",
                     sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal", tr->step);
            if (par_size(par) > 1)
                fprintf(a->errs,
                        "pinn: %s; resume with: mpirun -np %d pinn-mpi run %s --resume %s\n",
                        run_why, par_size(par), a->config, out_path);
            else
                fprintf(a->errs, "pinn: %s; resume with: pinn run %s --resume %s\n", run_why,
                        a->config, out_path);
            run_status = run_why;
            interrupted = 128 + sig;
        }
        if (!mch) /* a march stitched u from its windows */
            trainer_predict(tr, g.x, g.n, u);
        if (ts == TRAIN_OK) {
            /* fills vd also when memory runs out ("none", failing) */
            verdict_judge(&vd, tr, u, exact, ref, nu, cfg_float(c, "verdict.tolerance"),
                          cfg_float(c, "verdict.residual_tolerance"), rng);
            res.verdict = &vd;
            judged = 1;
            if (!vd.pass)
                fprintf(a->errs, "pinn: WARNING: %s (%s)%s\n", vd.text,
                        strcmp(vd.measure, "residual_rms") == 0 ? "verdict.residual_tolerance"
                                                                 : "verdict.tolerance",
                        cfg_bool(c, "verdict.strict") ? "; verdict.strict: exit status 3" : "");
        }
    }

    res.status = run_status;
    if (output_write(out_path, &res, err, sizeof err) != 0) {
        fprintf(a->errs, "pinn: %s\n", err);
        status = 1;
        goto done;
    }
    if (!quiet) {
        fprintf(a->out, "\n  %-24s %12s %12s %10s\n", "error", "rel L2", "max abs", "seconds");
        double train_s = tr ? tr->seconds : 0.0;
        if (!a->reference_only && ref)
            print_errors(a->out, "network vs reference", u, ref, nu, train_s);
        if (!a->reference_only && exact)
            print_errors(a->out, "network vs exact", u, exact, nu, train_s);
        if (ref && exact)
            print_errors(a->out, "reference vs exact", ref, exact, nu, ref_seconds);
        if (ref && method[0])
            fprintf(a->out, "  reference: %s (%.3g s)\n", method, ref_seconds);
        if (tr && p->unk.n > 0) {
            unknowns_set_raw(&p->unk, net->params + net->n_params);
            unknowns_report(&p->unk, a->out);
        }
        if (tr && tr->lbfgs_stop[0])
            fprintf(a->out, "  second phase stopped: %s\n", tr->lbfgs_stop);
        par_stats ps;
        par_stats_get(par, &ps);
        if (tr && par_available()) /* wall time can hide what a rank computed */
            fprintf(a->out, "  training CPU time: %.3f s (rank 0), %.3f s of it in MPI\n",
                    train_cpu, ps.mpi_cpu_seconds);
        if (tr && ps.reductions > 0) {
            fprintf(a->out, "  all-reduce: %lld of %zu doubles, %.3f s (%.1f%% of training)",
                    ps.reductions, ps.doubles, ps.reduce_seconds,
                    tr->seconds > 0 ? 100.0 * ps.reduce_seconds / tr->seconds : 0.0);
            if (ps.wait_seconds > 0) /* PINN_PAR_PROFILE=1: the barrier before each */
                fprintf(a->out, ", wait %.3f s", ps.wait_seconds);
            fputc('\n', a->out);
        }
        if (judged)
            fprintf(a->out, "  verdict: %s\n", vd.text);
        fprintf(a->out, "  wrote %s\n", out_path);
    }
    status = interrupted ? interrupted : strcmp(run_status, "ok") == 0 ? 0 : 1;
    if (status == 0 && judged && !vd.pass && cfg_bool(c, "verdict.strict"))
        status = VERDICT_EXIT_FAIL;
    goto done;

fail:
    if (!agreed) /* the other ranks wait for this rank's word before training */
        status = par_agree(par, status, err, sizeof err);
    if (root)
        fprintf(a->errs, "%s\n", err);
done:
    if (log_file && fclose(log_file) && status == 0) {
        fprintf(a->errs, "pinn: --log %s: %s\n", a->log_path, strerror(errno));
        status = 1;
    }
    trainer_free(tr);
    march_free(mch);
    for (size_t k = 0; k < n_terms; k++)
        term_release(&terms[k]);
    grid_release(&g);
    free(u);
    free(ref);
    free(exact);
    mlp_free(net);
    gsl_rng_free(rng);
    problem_free(p);
    cfg_free(c);
    par_close(par);
    return status;
}
