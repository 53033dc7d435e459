/* solver/run.c - one job from config to result file: load and check the
 * config, build the problem, net and point sets, train, compute the GSL
 * reference, write the HDF5 file and print the error table. Everything that
 * can be wrong with the config is found before any training starts. */
#include "run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "checkpoint.h"
#include "output.h"
#include "problem.h"
#include "settings.h"
#include "train.h"

#define ERRCAP 1024

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

static cfg *load_config(const run_args *a, char *err, size_t errcap)
{
    cfg *c = cfg_load(a->config, a->overrides, a->n_overrides, err, errcap);
    if (!c)
        return NULL;
    /* problem.type picks the problem table, so check it first. */
    const char *type = NULL;
    if (cfg_has(c, "problem.type"))
        type = cfg_string(c, "problem.type");
    const problem_type *pt = problem_type_find(type);
    if (!pt) {
        const char *names = "heat, ode";
        if (!cfg_has(c, "problem.type"))
            cfg_fail(c, err, errcap, "problem.type", "missing (one of: %s)", names);
        else
            cfg_fail(c, err, errcap, "problem.type", "'%s' is not a problem type (one of: %s)",
                     type ? type : "(not a string)", names);
        cfg_free(c);
        return NULL;
    }
    const setting_spec *tables[] = {run_settings, pt->settings};
    if (cfg_validate(c, tables, 2, err, errcap) != 0) {
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

static void print_errors(FILE *f, const char *what, const double *u, const double *v, size_t n,
                         double seconds)
{
    error_stats e = error_between(u, v, n);
    fprintf(f, "  %-24s %12.4e %12.4e %10.2f\n", what, e.rel_l2, e.max_abs, seconds);
}

int run_job(const run_args *a)
{
    char err[ERRCAP];
    int status = 2, interrupted = 0;
    cfg *c = load_config(a, err, sizeof err);
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
    if (!c)
        goto fail;
    if (!(p = problem_create(c, err, sizeof err)))
        goto fail;

    char out_path[1024];
    if (a->output)
        snprintf(out_path, sizeof out_path, "%s", a->output);
    else if (a->resume) /* a resumed run goes on writing its file */
        snprintf(out_path, sizeof out_path, "%s", a->resume);
    else if (cfg_has(c, "output.file"))
        snprintf(out_path, sizeof out_path, "%s", cfg_string(c, "output.file"));
    else
        default_output(a->config, out_path, sizeof out_path);

    unsigned long seed = a->seed >= 0 ? (unsigned long)a->seed : (unsigned long)cfg_int(c, "train.seed");
    long long threads = a->threads >= 0 ? a->threads : cfg_int(c, "train.threads");
#ifdef _OPENMP
    if (threads > 0)
        omp_set_num_threads((int)threads);
    int used_threads = omp_get_max_threads();
#else
    int used_threads = 1;
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
    const mlp_activation *act = mlp_activation_find(cfg_string(c, "network.activation"));
    const mlp_initializer *init = mlp_initializer_find(cfg_string(c, "network.init"));
    if (!act || !init) {
        cfg_fail(c, err, sizeof err, act ? "network.init" : "network.activation", "not available");
        goto fail;
    }
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng || !(net = mlp_alloc(n_hidden + 1, width, act))) {
        snprintf(err, sizeof err, "out of memory for the network");
        goto fail;
    }
    gsl_rng_set(rng, seed);
    mlp_init(net, init, rng);

    /* Points and terms, grid, exact. */
    if (!a->reference_only) {
        if (p->type->build_terms(p, c, rng, terms, &n_terms, err, sizeof err))
            goto fail;
        if (n_terms == 0) {
            cfg_fail(c, err, sizeof err, "loss", "every loss term is switched off");
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
    }

    status = 1; /* from here on a failure is the run's, not the config's */
    const char *run_status = "ok";
    char run_why[512];
    /* The reference comes first, so every checkpoint is a complete result. */
    double ref_seconds = 0.0;
    char method[256] = "";
    if (cfg_bool(c, "reference.enabled")) {
        ref = malloc(nu * sizeof *ref);
        double t0 = now_seconds();
        if (!ref || p->type->reference(p, c, &g, ref, method, sizeof method, err, sizeof err)) {
            fprintf(a->errs, "pinn: reference solution failed: %s\n", ref ? err : "out of memory");
            free(ref);
            ref = NULL;
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
            .resample_every = cfg_int(c, "points.resample_every"),
            .log_every = cfg_int(c, "train.log_every"),
            .scale_inputs = cfg_bool(c, "network.scale_inputs"),
            .quiet = a->quiet,
            .log = a->out,
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
            .errs = a->errs,
            .checkpoint_every = cfg_int(c, "train.checkpoint_every"),
            .checkpoint = write_checkpoint,
            .checkpoint_ctx = &ck_ctx,
            .stop = a->stop,
            .test_stop_at_step = a->test_stop_at_step,
        };
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
        if (a->resume) {
            if (checkpoint_load(a->resume, c, seed, tr, a->errs, err, sizeof err)) {
                status = 2;
                goto fail;
            }
            if (!a->quiet)
                fprintf(a->out, "resuming from %s at step %lld\n", a->resume, tr->step);
            if (tr->prog.phase == TRAIN_PHASE_LBFGS && tr->prog.lbfgs_done > 0)
                fprintf(a->errs, "pinn: note: the checkpoint is inside L-BFGS, whose correction "
                                 "pairs are not saved: L-BFGS restarts from its parameters, so "
                                 "the result differs from an uninterrupted run\n");
        }
        output_remove_stale(out_path);
        trainer_watch(tr, &g, exact);
        if (!a->quiet) {
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
        train_status ts = trainer_run(tr);
        if (ts == TRAIN_DIVERGED) {
            fprintf(a->errs, "pinn: %s\npinn: %s keeps the model of step %lld, the last finite one\n",
                    tr->error, out_path, tr->step);
            run_status = tr->error;
        } else if (ts == TRAIN_ENOMEM) {
            snprintf(run_why, sizeof run_why, "out of memory at step %lld", tr->step);
            fprintf(a->errs, "pinn: %s\n", run_why);
            run_status = run_why;
        } else if (ts == TRAIN_INTERRUPTED) {
            int sig = a->stop ? (int)*a->stop : SIGTERM;
            snprintf(run_why, sizeof run_why, "interrupted by %s at step %lld",
                     sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal", tr->step);
            fprintf(a->errs, "pinn: %s; resume with: pinn run %s --resume %s\n", run_why,
                    a->config, out_path);
            run_status = run_why;
            interrupted = 128 + sig;
        }
        trainer_predict(tr, g.x, g.n, u);
    }

    res.status = run_status;
    if (output_write(out_path, &res, err, sizeof err) != 0) {
        fprintf(a->errs, "pinn: %s\n", err);
        status = 1;
        goto done;
    }
    if (!a->quiet) {
        fprintf(a->out, "\n  %-24s %12s %12s %10s\n", "error", "rel L2", "max abs", "seconds");
        double train_s = tr ? tr->seconds : 0.0;
        if (!a->reference_only && ref)
            print_errors(a->out, "network vs reference", u, ref, nu, train_s);
        if (!a->reference_only && exact)
            print_errors(a->out, "network vs exact", u, exact, nu, train_s);
        if (ref && exact)
            print_errors(a->out, "reference vs exact", ref, exact, nu, ref_seconds);
        if (tr && tr->lbfgs_stop[0])
            fprintf(a->out, "  L-BFGS stopped: %s\n", tr->lbfgs_stop);
        fprintf(a->out, "  wrote %s\n", out_path);
    }
    status = interrupted ? interrupted : strcmp(run_status, "ok") == 0 ? 0 : 1;
    goto done;

fail:
    fprintf(a->errs, "%s\n", err);
done:
    trainer_free(tr);
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
    return status;
}
