/* solver/train/march.c - time-marching windows: per window a problem cut to
 * the window, its terms, a trainer on the one shared net (warm-started from
 * the previous window), the initial targets from the previous window's net,
 * the window's slice of the output grid, and the joint history. The config
 * checks are march_check's; files are output.c's. */
#include "train/march.h"
#include "problems/problem_common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int time_column(const problem *p)
{
    for (size_t j = 0; j < p->n_in; j++)
        if (p->in_names[j] && strcmp(p->in_names[j], "t") == 0)
            return (int)j;
    return -1;
}

const char *march_check(const cfg *c, const problem *p)
{
    if (cfg_int(c, "train.windows") <= 1)
        return NULL;
    if (time_column(p) < 0)
        return "needs a time input named t (this problem is steady)";
    if (p->unk.n > 0) /* and fitted to each window's slice of the data alone */
        return "cannot be used with problem.unknowns: an unknown constant is one value for the "
               "whole interval, but each window would fit its own";
    if (cfg_has(c, "loss.data.files") && cfg_bool(c, "loss.data.enabled"))
        return "cannot be used with a data term (loss.data.files): measurements are not cut "
               "into windows";
    if (cfg_has(c, "loss.data.file") && cfg_bool(c, "loss.data.enabled"))
        return "cannot be used with a data term (loss.data.file): measurements are not cut "
               "into windows";
    if (cfg_bool(c, "network.hard_constraints"))
        return "cannot be used with network.hard_constraints (each window's start comes from "
               "the previous window's network, not from problem.initial)";
    if (!cfg_bool(c, "loss.initial.enabled"))
        return "needs the initial term (loss.initial.enabled): it carries each window's start";
    return NULL;
}

march *march_alloc(const problem *p, size_t n_windows, size_t n_params)
{
    int tc = time_column(p);
    if (tc < 0 || n_windows == 0)
        return NULL;
    march *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->n_windows = n_windows;
    m->n_params = n_params;
    m->time_col = (size_t)tc;
    m->bounds = malloc(2 * n_windows * sizeof *m->bounds);
    m->params = malloc(n_windows * n_params * sizeof *m->params);
    m->hist_end = calloc(n_windows, sizeof *m->hist_end);
    if (!m->bounds || !m->params || !m->hist_end) {
        march_free(m);
        return NULL;
    }
    double t0 = p->lo[tc], t1 = p->hi[tc];
    for (size_t w = 0; w < n_windows; w++) {
        m->bounds[2 * w] = t0 + (t1 - t0) * (double)w / (double)n_windows;
        m->bounds[2 * w + 1] = w + 1 == n_windows ? t1
                                                  : t0 + (t1 - t0) * (double)(w + 1) / (double)n_windows;
    }
    return m;
}

/* Frees the current window's trainer, terms and problem. */
static void window_release(march *m)
{
    trainer_free(m->tr);
    for (size_t k = 0; k < m->n_terms; k++)
        term_release(&m->terms[k]);
    problem_free(m->p);
    m->tr = NULL;
    m->p = NULL;
    m->n_terms = 0;
}

void march_free(march *m)
{
    if (!m)
        return;
    window_release(m);
    free(m->bounds);
    free(m->params);
    free(m->hist_end);
    free(m);
}

/* Appends src's rows to dst (same number of terms), steps and seconds
 * counted on from the rows already there. */
static int history_append(train_history *dst, const train_history *src, long long step0,
                          double sec0)
{
    size_t k = src->n_terms ? src->n_terms : 1, n = dst->n + src->n;
    dst->n_terms = src->n_terms;
    if (trainer_history_reserve(dst, n))
        return -1;
    for (size_t i = 0; i < src->n; i++) {
        size_t r = dst->n + i;
        dst->step[r] = step0 + src->step[i];
        dst->phase[r] = src->phase[i];
        dst->seconds[r] = sec0 + src->seconds[i];
        dst->loss[r] = src->loss[i];
    }
    memcpy(dst->terms + dst->n * k, src->terms, src->n * k * sizeof *src->terms);
    memcpy(dst->weights + dst->n * k, src->weights, src->n * k * sizeof *src->weights);
    dst->n = n;
    dst->n_terms = src->n_terms;
    return 0;
}

/* The rows of g that window w predicts: time in [a, b), and b for the last. */
static int in_window(const march *m, size_t w, double t)
{
    double a = m->bounds[2 * w], b = m->bounds[2 * w + 1];
    return t >= a && (t < b || (w + 1 == m->n_windows && t <= b));
}

/* The current window's network on the grid rows of windows w..W-1 (all
 * later ones only when the march stopped early). */
static int predict_slice(march *m, size_t w, int rest, const grid *g, double *u)
{
    size_t d = m->p->n_in, nout = m->p->n_out;
    for (size_t i = 0; i < g->n; i++) {
        double t = g->x[i * d + m->time_col];
        int mine = in_window(m, w, t);
        for (size_t v = w + 1; rest && !mine && v < m->n_windows; v++)
            mine = in_window(m, v, t);
        if (mine && trainer_predict(m->tr, g->x + i * d, 1, u + i * nout))
            return -1;
    }
    return 0;
}

/* The "initial" term's targets from the net as it is (the previous
 * window's): its values, or, through the problem type's initial_from, the
 * channels its loss reads (u and u_t for equations second order in t). */
static int initial_from_net(march *m, trainer *prev)
{
    for (size_t k = 0; k < m->n_terms; k++) {
        term *t = &m->terms[k];
        if (strcmp(t->name, "initial") != 0)
            continue;
        int (*from)(const problem *, term *, const double *) = m->p->type->initial_from;
        if (!from && (t->loss != term_value_loss || t->n_aux != t->n * m->p->n_out)) {
            snprintf(m->error, sizeof m->error,
                     "time-marching: this problem's initial term is not a value target");
            return -1;
        }
        if (!from) {
            if (trainer_predict(prev, t->x, t->n, t->aux)) {
                snprintf(m->error, sizeof m->error, "time-marching: out of memory");
                return -1;
            }
            return 0;
        }
        double *out = malloc((t->ch.n * t->n * m->p->n_out + 1) * sizeof *out);
        int rc = out ? trainer_term_channels(prev, t, out) : -1;
        if (rc == 0 && from(m->p, t, out))
            rc = -2;
        free(out);
        if (rc) {
            snprintf(m->error, sizeof m->error, "time-marching: %s",
                     rc == -2 ? "the initial term does not take targets" : "out of memory");
            return -1;
        }
        return 0;
    }
    snprintf(m->error, sizeof m->error, "time-marching: the problem has no initial term");
    return -1;
}

train_status march_run(march *m, const cfg *c, mlp *net, gsl_rng *rng,
                       const train_options *opt, const grid *g, double *u)
{
    train_options o = *opt;
    o.checkpoint_every = 0;
    o.checkpoint = NULL;
    train_history joint = {.n_terms = 0};
    long long steps = 0;
    double seconds = 0.0;
    train_status st = TRAIN_OK;
    char err[512];
    trainer *prev = NULL;
    term prev_terms[PROBLEM_MAX_TERMS];
    size_t prev_n = 0;
    problem *prev_p = NULL;
    size_t np = net->n_params;
    for (size_t i = 0; i < g->n * net->width[net->n_layers]; i++)
        u[i] = NAN; /* windows that never ran */
    for (size_t w = 0; w < m->n_windows; w++) {
        double a = m->bounds[2 * w], b = m->bounds[2 * w + 1];
        if (!(m->p = problem_create(c, err, sizeof err))) {
            snprintf(m->error, sizeof m->error, "time-marching window %zu: %s", w + 1, err);
            st = TRAIN_DIVERGED;
            break;
        }
        m->p->lo[m->time_col] = a;
        m->p->hi[m->time_col] = b;
        memset(m->terms, 0, sizeof m->terms);
        if (problem_build_terms(m->p, c, rng, m->terms, &m->n_terms, err, sizeof err)) {
            snprintf(m->error, sizeof m->error, "time-marching window %zu: %s", w + 1, err);
            st = TRAIN_DIVERGED;
            break;
        }
        if (prev && initial_from_net(m, prev)) {
            st = TRAIN_DIVERGED;
            break;
        }
        /* the previous window is done with */
        trainer_free(prev);
        for (size_t k = 0; k < prev_n; k++)
            term_release(&prev_terms[k]);
        problem_free(prev_p);
        prev = NULL, prev_n = 0, prev_p = NULL;
        if (!(m->tr = trainer_alloc(m->p, net, m->terms, m->n_terms, rng, &o))) {
            snprintf(m->error, sizeof m->error, "time-marching window %zu: out of memory", w + 1);
            st = TRAIN_ENOMEM;
            break;
        }
        if (!o.quiet && o.log)
            fprintf(o.log, "window %zu of %zu: t in [%g, %g]\n", w + 1, m->n_windows, a, b);
        st = trainer_run(m->tr);
        if (history_append(&joint, &m->tr->hist, steps, seconds)) {
            st = TRAIN_ENOMEM;
            break;
        }
        steps += m->tr->step;
        seconds += m->tr->seconds;
        m->hist_end[w] = joint.n;
        memcpy(m->params + w * np, net->params, np * sizeof *net->params);
        m->done = w + 1;
        if (predict_slice(m, w, st != TRAIN_OK, g, u)) {
            st = TRAIN_ENOMEM;
            break;
        }
        if (st != TRAIN_OK) {
            snprintf(m->error, sizeof m->error, "window %zu of %zu: %s", w + 1, m->n_windows,
                     m->tr->error);
            break;
        }
        if (w + 1 < m->n_windows) {
            prev = m->tr, prev_p = m->p, prev_n = m->n_terms;
            memcpy(prev_terms, m->terms, sizeof prev_terms);
            m->tr = NULL, m->p = NULL, m->n_terms = 0;
        }
    }
    trainer_free(prev);
    for (size_t k = 0; k < prev_n; k++)
        term_release(&prev_terms[k]);
    problem_free(prev_p);
    if (m->tr) { /* its history becomes the whole run's */
        trainer_history_free(&m->tr->hist);
        m->tr->hist = joint;
        m->tr->step = steps;
        m->tr->seconds = seconds;
    } else {
        trainer_history_free(&joint);
    }
    return st;
}
