/* solver/train/train.c - the training loop: every term's forward pass, residual and
 * backward pass, the weighted sum (weights fixed or adapted through
 * libpinnloss's weighting objects), Adam then L-BFGS through liblbfgs, the
 * history (the progress table is train_log.c). Configs and files are not its business;
 * the weighting formulas live in losses/weighting.c, not here. */
#include "train/train.h"
#include "train/parallel.h"
#include "train/train_log.h"
#include "train/hard.h"
#include "train/qn.h"

#include <cblas.h>
#include <lbfgs.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


void trainer_scale_inputs(const trainer *tr, const double *x, size_t n, double *xn)
{
    size_t d = tr->p->n_in;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            xn[i * d + j] = (x[i * d + j] - tr->in_shift[j]) * tr->in_scale[j];
}

/* Multiplies each channel block by its chain-rule factor (d x_net / d x). */
static void scale_channels(const trainer *tr, const mlp_channels *ch, size_t n, double *buf)
{
    size_t m = tr->p->n_out;
    for (size_t c = 0; c < ch->n; c++) {
        int i = ch->c[c].i, j = ch->c[c].j;
        double f = i < 0 ? 1.0 : tr->in_scale[i] * (j < 0 ? 1.0 : tr->in_scale[j]);
        if (f == 1.0)
            continue;
        double *b = buf + c * n * m;
        for (size_t k = 0; k < n * m; k++)
            b[k] *= f;
    }
}

/* g and D of the hard constraints at term k's points (nothing when off). */
static int hard_points(trainer *tr, size_t k)
{
    if (!tr->opt.hard)
        return 0;
    const term *t = &tr->view[k]; /* this rank's rows (train/parallel.h) */
    size_t rows = t->ch.n * t->n;
    double *g = realloc(tr->hard_g[k], (rows * tr->p->n_out + 1) * sizeof *g);
    if (g)
        tr->hard_g[k] = g;
    double *D = realloc(tr->hard_D[k], (rows + 1) * sizeof *D);
    if (D)
        tr->hard_D[k] = D;
    if (!g || !D)
        return -1;
    return tr->p->type->constraint(tr->p, t->x, t->n, &t->ch, g, D);
}

int trainer_history_reserve(train_history *h, size_t rows)
{
    if (rows <= h->cap)
        return 0;
    size_t cap = h->cap ? h->cap : 1024;
    while (cap < rows)
        cap *= 2;
    size_t k = h->n_terms ? h->n_terms : 1;
    long long *step = realloc(h->step, cap * sizeof *step);
    if (step)
        h->step = step;
    int *phase = realloc(h->phase, cap * sizeof *phase);
    if (phase)
        h->phase = phase;
    double *sec = realloc(h->seconds, cap * sizeof *sec);
    if (sec)
        h->seconds = sec;
    double *loss = realloc(h->loss, cap * sizeof *loss);
    if (loss)
        h->loss = loss;
    double *terms = realloc(h->terms, cap * k * sizeof *terms);
    if (terms)
        h->terms = terms;
    double *w = realloc(h->weights, cap * k * sizeof *w);
    if (w)
        h->weights = w;
    double *un = realloc(h->unknowns, cap * (h->n_unknowns + 1) * sizeof *un);
    if (un)
        h->unknowns = un;
    if (!step || !phase || !sec || !loss || !terms || !w || !un)
        return -1;
    h->cap = cap;
    return 0;
}

void trainer_history_free(train_history *h)
{
    free(h->step);
    free(h->phase);
    free(h->seconds);
    free(h->loss);
    free(h->terms);
    free(h->weights);
    free(h->unknowns);
    memset(h, 0, sizeof *h);
}

void trainer_free(trainer *tr)
{
    if (!tr)
        return;
    for (size_t k = 0; k < PROBLEM_MAX_TERMS; k++) {
        mlp_workspace_free(tr->ws[k]);
        free(tr->xn[k]);
        free(tr->out[k]);
        free(tr->gout[k]);
    }
    mlp_workspace_free(tr->grid_ws);
    free(tr->grid_out);
    for (size_t k = 0; k < PROBLEM_MAX_TERMS; k++) {
        free(tr->hard_g[k]);
        free(tr->hard_D[k]);
    }
    free(tr->hard_pg);
    free(tr->hard_pD);
    free(tr->term_grad);
    free(tr->grad);
    adam_free(tr->adam);
    pl_weighting_free(tr->wt);
    adam_free(tr->wt_adam);
    free(tr->wt_buf);
    free(tr->recovery_step);
    free(tr->recovery_lr);
    free(tr->good_params);
    free(tr->good_wt);
    trainer_history_free(&tr->hist);
    free(tr);
}

static int is_fixed(const train_options *opt)
{
    return !opt->weighting || strcmp(opt->weighting, "fixed") == 0;
}

/* Uncertainty and DWA do not start from given weights: the scheme sees the
 * config weight as a scale on its loss (w_k L_k). The others start from it. */
static int uses_prescale(const char *kind)
{
    return strcmp(kind, "uncertainty") == 0 || strcmp(kind, "dwa") == 0;
}

/* The annealing reference: the term named "pde", else the first one. */
static size_t reference_term(const term *terms, size_t n_terms)
{
    for (size_t k = 0; k < n_terms; k++)
        if (strcmp(terms[k].name, "pde") == 0)
            return k;
    return 0;
}

static pl_weighting_params weighting_params(const train_options *opt, const term *terms,
                                            size_t n_terms, double *init)
{
    pl_weighting_params wp = pl_weighting_params_default();
    for (size_t k = 0; k < n_terms; k++)
        init[k] = terms[k].weight;
    wp.init = init;
    wp.alpha = opt->gradnorm_alpha;
    wp.lr = 0.0; /* s_k and lambda_k take Adam steps here, not the library's */
    wp.beta = opt->annealing_beta;
    wp.ref = reference_term(terms, n_terms);
    wp.temperature = opt->dwa_temperature;
    return wp;
}

const char *train_options_check(const train_options *opt, const term *terms, size_t n_terms)
{
    if (n_terms == 0 || n_terms > PROBLEM_MAX_TERMS)
        return "the number of loss terms must be 1 to PROBLEM_MAX_TERMS";
    if (opt->second_phase && strcmp(opt->second_phase, "lbfgs") != 0 &&
        !qn_type_find(opt->second_phase))
        return "second phase must be lbfgs, bfgs or ssbfgs";
    if (is_fixed(opt))
        return NULL;
    for (size_t k = 0; k < n_terms; k++)
        if (!(terms[k].weight > 0) || !isfinite(terms[k].weight))
            return "adaptive weighting needs every term weight finite and > 0";
    if (strcmp(opt->weighting, "gradnorm") == 0 && !(opt->gradnorm_lr > 0 && isfinite(opt->gradnorm_lr)))
        return "gradnorm lr must be finite and > 0";
    if (strcmp(opt->weighting, "annealing") == 0 && opt->annealing_every < 1)
        return "annealing every must be >= 1";
    if (strcmp(opt->weighting, "uncertainty") == 0 && !isfinite(opt->uncertainty_init))
        return "uncertainty init must be finite";
    double init[PROBLEM_MAX_TERMS];
    pl_weighting_params wp = weighting_params(opt, terms, n_terms, init);
    return pl_weighting_check(opt->weighting, n_terms, &wp);
}

/* The weights the objective uses: prescale_k times the scheme's lambda_k. */
static void weights_sync(trainer *tr)
{
    double lam[PROBLEM_MAX_TERMS];
    if (!tr->wt || pl_weighting_weights(tr->wt, lam) != PL_OK)
        return;
    for (size_t k = 0; k < tr->n_terms; k++)
        tr->weight[k] = tr->prescale[k] * lam[k];
}

/* Allocates the scheme, its Adam state and scratch; 0 or -1. */
static int weighting_setup(trainer *tr)
{
    const train_options *opt = &tr->opt;
    size_t K = tr->n_terms;
    for (size_t k = 0; k < K; k++)
        tr->prescale[k] = 1.0;
    if (is_fixed(opt))
        return 0;
    double init[PROBLEM_MAX_TERMS];
    pl_weighting_params wp = weighting_params(opt, tr->terms, K, init);
    if (uses_prescale(opt->weighting))
        for (size_t k = 0; k < K; k++)
            tr->prescale[k] = tr->terms[k].weight;
    tr->wt = pl_weighting_alloc(opt->weighting, K, &wp);
    tr->wt_buf = calloc(5 * K, sizeof(double));
    if (!tr->wt || !tr->wt_buf)
        return -1;
    size_t nt = 0;
    double *x = pl_weighting_trainable(tr->wt, &nt);
    if (nt > 0) {
        if (!(tr->wt_adam = adam_alloc(nt, opt->beta1, opt->beta2, opt->epsilon)))
            return -1;
        if (strcmp(opt->weighting, "uncertainty") == 0)
            for (size_t k = 0; k < nt; k++)
                x[k] = opt->uncertainty_init;
    }
    /* GradNorm's shared parameters: W of the last hidden layer (the output
     * layer's W when there is no hidden layer), or every parameter. */
    const mlp *net = tr->net;
    size_t l = net->n_layers >= 2 ? net->n_layers - 2 : 0;
    tr->shared_off = opt->gradnorm_all ? 0 : net->w_off[l];
    tr->shared_len = opt->gradnorm_all ? net->n_params : net->width[l + 1] * net->width[l];
    weights_sync(tr);
    return 0;
}

trainer *trainer_alloc(const problem *p, mlp *net, term *terms, size_t n_terms, gsl_rng *rng,
                       const train_options *opt)
{
    if (train_options_check(opt, terms, n_terms))
        return NULL;
    trainer *tr = calloc(1, sizeof *tr);
    if (!tr)
        return NULL;
    tr->p = p;
    tr->net = net;
    tr->terms = terms;
    tr->n_terms = n_terms;
    tr->rng = rng;
    tr->opt = *opt;
    tr->last_rel_l2 = NAN;
    tr->logged_step = -1;
    for (size_t j = 0; j < p->n_in; j++) {
        tr->in_shift[j] = opt->scale_inputs ? 0.5 * (p->lo[j] + p->hi[j]) : 0.0;
        tr->in_scale[j] = opt->scale_inputs ? 2.0 / (p->hi[j] - p->lo[j]) : 1.0;
    }
    size_t np = net->n_params, m = p->n_out;
    /* the unknowns' raw values go after the network's parameters */
    if (p->unk.n > 0) {
        if (mlp_params_extend(net, p->unk.n) != MLP_OK) {
            free(tr);
            return NULL;
        }
        unknowns_raw_initial(&p->unk, net->params + np);
    }
    np = tr->n_vec = net->n_params + p->unk.n;
    int ok = 1;
    for (size_t k = 0; k < n_terms && ok; k++) {
        term *t = &tr->view[k];
        ok = par_term_view(opt->par, k, &terms[k], p->n_in, t) == 0;
        size_t nb = t->n ? t->n : 1; /* a rank may have no rows of a term */
        tr->weight[k] = t->weight;
        tr->ws[k] = mlp_workspace_alloc(net, nb, t->ch.n);
        tr->xn[k] = malloc(nb * p->n_in * sizeof(double));
        tr->out[k] = malloc(t->ch.n * nb * m * sizeof(double));
        tr->gout[k] = malloc(t->ch.n * nb * m * sizeof(double));
        ok = ok && tr->ws[k] && tr->xn[k] && tr->out[k] && tr->gout[k];
        if (ok)
            trainer_scale_inputs(tr, t->x, t->n, tr->xn[k]);
        if (ok && opt->hard)
            ok = p->type->constraint && hard_check(&t->ch) == 0 && hard_points(tr, k) == 0;
    }
    tr->grid_ws = mlp_workspace_alloc(net, TRAIN_PREDICT_CHUNK, 1);
    tr->grid_out = malloc(TRAIN_PREDICT_CHUNK * (p->n_in + m) * sizeof(double));
    if (opt->hard) {
        tr->hard_pg = malloc(TRAIN_PREDICT_CHUNK * m * sizeof(double));
        tr->hard_pD = malloc(TRAIN_PREDICT_CHUNK * sizeof(double));
        ok = ok && tr->hard_pg && tr->hard_pD;
    }
    tr->term_grad = calloc(n_terms * np, sizeof(double));
    tr->grad = calloc(np, sizeof(double));
    tr->adam = adam_alloc(np, opt->beta1, opt->beta2, opt->epsilon);
    tr->hist.n_terms = n_terms;
    tr->hist.n_unknowns = p->unk.n;
    tr->prog.lr_factor = 1.0;
    size_t nrec = opt->max_recoveries > 0 ? (size_t)opt->max_recoveries : 1;
    tr->recovery_step = calloc(nrec, sizeof *tr->recovery_step);
    tr->recovery_lr = calloc(nrec, sizeof *tr->recovery_lr);
    if ((tr->good_params = calloc(3 * np, sizeof(double)))) {
        tr->good_m = tr->good_params + np;
        tr->good_v = tr->good_m + np;
    }
    if (!ok || !tr->grid_ws || !tr->grid_out || !tr->term_grad || !tr->grad || !tr->adam ||
        !tr->recovery_step || !tr->recovery_lr || !tr->good_params ||
        trainer_history_reserve(&tr->hist, 1024) || weighting_setup(tr) ||
        !(tr->good_wt = calloc(trainer_weighting_state_size(tr) + 1, sizeof(double)))) {
        trainer_free(tr);
        return NULL;
    }
    return tr;
}

void trainer_watch(trainer *tr, const grid *g, const double *exact)
{
    tr->g = g;
    tr->exact = exact;
}

int trainer_predict(trainer *tr, const double *x, size_t n, double *u)
{
    size_t d = tr->p->n_in, m = tr->p->n_out;
    double *xn = tr->grid_out, *out = tr->grid_out + TRAIN_PREDICT_CHUNK * d;
    mlp_channels ch;
    mlp_channels_set(&ch, 0, 0, d);
    for (size_t s = 0; s < n; s += TRAIN_PREDICT_CHUNK) {
        size_t b = n - s < TRAIN_PREDICT_CHUNK ? n - s : TRAIN_PREDICT_CHUNK;
        trainer_scale_inputs(tr, x + s * d, b, xn);
        int rc = mlp_forward(tr->grid_ws, tr->net, &ch, xn, b, out);
        if (rc != MLP_OK)
            return rc;
        if (tr->opt.hard) {
            if (tr->p->type->constraint(tr->p, x + s * d, b, &ch, tr->hard_pg, tr->hard_pD))
                return MLP_EINVAL;
            hard_forward(&ch, b, m, tr->hard_pg, tr->hard_pD, out);
        }
        memcpy(u + s * m, out, b * m * sizeof *u);
    }
    return 0;
}

int trainer_term_resize(trainer *tr, size_t k)
{
    term *t = &tr->view[k];
    if (par_term_view(tr->opt.par, k, &tr->terms[k], tr->p->n_in, t))
        return -1;
    size_t nb = t->n ? t->n : 1; /* a rank may have no rows of a term */
    size_t m = tr->p->n_out, rows = t->ch.n * nb * m;
    mlp_workspace *ws = mlp_workspace_alloc(tr->net, nb, t->ch.n);
    double *xn = malloc(nb * tr->p->n_in * sizeof *xn);
    double *out = malloc(rows * sizeof *out), *gout = malloc(rows * sizeof *gout);
    if (!ws || !xn || !out || !gout) {
        mlp_workspace_free(ws);
        free(xn);
        free(out);
        free(gout);
        return -1;
    }
    mlp_workspace_free(tr->ws[k]);
    free(tr->xn[k]);
    free(tr->out[k]);
    free(tr->gout[k]);
    tr->ws[k] = ws, tr->xn[k] = xn, tr->out[k] = out, tr->gout[k] = gout;
    trainer_scale_inputs(tr, t->x, t->n, xn);
    return hard_points(tr, k);
}

int trainer_term_channels(trainer *tr, const term *t, double *out)
{
    size_t m = tr->p->n_out, rows = t->ch.n * t->n;
    mlp_workspace *ws = mlp_workspace_alloc(tr->net, t->n, t->ch.n);
    double *xn = malloc((t->n * tr->p->n_in + (tr->opt.hard ? rows * (m + 1) : 0) + 1) *
                        sizeof *xn);
    int rc = -1;
    if (ws && xn) {
        trainer_scale_inputs(tr, t->x, t->n, xn);
        rc = mlp_forward(ws, tr->net, &t->ch, xn, t->n, out);
        if (rc == MLP_OK)
            scale_channels(tr, &t->ch, t->n, out);
        if (rc == MLP_OK && tr->opt.hard) {
            double *g = xn + t->n * tr->p->n_in, *D = g + rows * m;
            rc = tr->p->type->constraint(tr->p, t->x, t->n, &t->ch, g, D);
            if (rc == 0)
                hard_forward(&t->ch, t->n, m, g, D, out);
        }
    }
    free(xn);
    mlp_workspace_free(ws);
    return rc;
}

double trainer_term_loss(trainer *tr, term *t)
{
    size_t rows = t->ch.n * t->n * tr->p->n_out;
    double *out = malloc((2 * rows + 1) * sizeof *out), l = NAN;
    if (out && trainer_term_channels(tr, t, out) == 0)
        l = t->loss(t, tr->p, out, out + rows);
    free(out);
    return l;
}

double trainer_objective(trainer *tr)
{
    const problem *p = tr->p;
    size_t np = tr->n_vec, nn = tr->net->n_params;
    double total = 0.0;
    unknowns *unk = (unknowns *)&p->unk; /* the constants follow the raw values */
    unknowns_set_raw(unk, tr->net->params + nn);
    tr->forward_fail = 0;
    for (size_t k = 0; k < tr->n_terms; k++) {
        term *t = &tr->view[k];
        double *g = tr->term_grad + k * np;
        memset(g, 0, np * sizeof *g);
        tr->term_loss[k] = 0.0;
        if (t->n == 0)
            continue;
        int rc = mlp_forward(tr->ws[k], tr->net, &t->ch, tr->xn[k], t->n, tr->out[k]);
        if (rc != MLP_OK) { /* a NaN loss: find_nonfinite reports the term */
            tr->forward_fail = k + 1;
            tr->term_loss[k] = NAN;
            continue;
        }
        scale_channels(tr, &t->ch, t->n, tr->out[k]);
        if (tr->opt.hard)
            hard_forward(&t->ch, t->n, p->n_out, tr->hard_g[k], tr->hard_D[k], tr->out[k]);
        memset(t->gc, 0, sizeof t->gc);
        tr->term_loss[k] = t->loss(t, p, tr->out[k], tr->gout[k]);
        if (tr->opt.hard)
            hard_backward(&t->ch, t->n, p->n_out, tr->hard_D[k], tr->gout[k]);
        scale_channels(tr, &t->ch, t->n, tr->gout[k]);
        mlp_backward(tr->ws[k], tr->net, tr->gout[k], g);
        unknowns_chain(unk, t->gc, g + nn);
    }
    par_reduce_terms(tr->opt.par, tr->n_terms, np, tr->term_loss, tr->term_grad);
    for (size_t k = 0; k < tr->n_terms; k++)
        total += tr->weight[k] * tr->term_loss[k];
    if (tr->wt) { /* the scheme's total: uncertainty adds 0.5 sum_k s_k */
        double *L = tr->wt_buf;
        for (size_t k = 0; k < tr->n_terms; k++)
            L[k] = tr->prescale[k] * tr->term_loss[k];
        if (pl_weighting_combine(tr->wt, &total, L) != PL_OK)
            total = NAN;
    }
    memset(tr->grad, 0, np * sizeof *tr->grad);
    for (size_t k = 0; k < tr->n_terms; k++) {
        const double *g = tr->term_grad + k * np;
        double w = tr->weight[k];
        for (size_t i = 0; i < np; i++)
            tr->grad[i] += w * g[i];
    }
    return total;
}

int trainer_weights_update(trainer *tr, long long it, double lr)
{
    if (!tr->wt)
        return 0;
    const char *kind = tr->opt.weighting;
    if (strcmp(kind, "annealing") == 0 && it % tr->opt.annealing_every != 0)
        return 0;
    /* statistics over the network's parameters (rows of term_grad are n_vec) */
    size_t K = tr->n_terms, np = tr->net->n_params, nv = tr->n_vec;
    double *L = tr->wt_buf, *norm = L + K, *mx = norm + K, *mean = mx + K, *d = mean + K;
    for (size_t k = 0; k < K; k++)
        L[k] = tr->prescale[k] * tr->term_loss[k];
    pl_term_stats st = {NULL, NULL, NULL};
    unsigned needs = pl_weighting_needs(tr->wt);
    if (needs & PL_NEED_GRAD_NORM) {
        for (size_t k = 0; k < K; k++) {
            const double *g = tr->term_grad + k * nv + tr->shared_off;
            double ss = 0.0;
            for (size_t i = 0; i < tr->shared_len; i++)
                ss += g[i] * g[i];
            norm[k] = sqrt(ss);
        }
        st.grad_norm = norm;
    }
    if (needs & PL_NEED_GRAD_MAX_MEAN) {
        for (size_t k = 0; k < K; k++) {
            const double *g = tr->term_grad + k * nv;
            double m = 0.0, sum = 0.0;
            for (size_t i = 0; i < np; i++) {
                double a = fabs(g[i]);
                m = a > m ? a : m;
                sum += a;
            }
            mx[k] = m;
            mean[k] = sum / (double)np;
        }
        st.grad_max_abs = mx;
        st.grad_mean_abs = mean;
    }
    size_t nt = 0;
    double *x = pl_weighting_trainable(tr->wt, &nt);
    int rc = PL_OK;
    if (nt > 0 && strcmp(kind, "uncertainty") == 0) {
        /* s_k step with the network's Adam hyper-parameters and lr */
        if ((rc = pl_weighting_param_grad(tr->wt, d, L)) != PL_OK)
            return rc;
        adam_step(tr->wt_adam, x, d, lr);
    } else if (nt > 0) {
        /* gradnorm: Adam on z_k = log lambda_k (dz = lambda dlambda), so a
         * step changes a weight by a factor, whatever the size of g_k */
        double z[PROBLEM_MAX_TERMS];
        if ((rc = pl_weighting_gradnorm_grad(tr->wt, d, L, &st)) != PL_OK)
            return rc;
        for (size_t k = 0; k < nt; k++) {
            z[k] = log(x[k]);
            d[k] *= x[k];
        }
        adam_step(tr->wt_adam, z, d, tr->opt.gradnorm_lr);
        for (size_t k = 0; k < nt; k++)
            x[k] = exp(z[k]);
    }
    rc = pl_weighting_update(tr->wt, L, &st); /* gradnorm: clamp, sum to K */
    weights_sync(tr);
    return rc;
}

size_t trainer_weighting_state_size(const trainer *tr)
{
    if (!tr->wt)
        return 0;
    return pl_weighting_state_size(tr->wt) + (tr->wt_adam ? 2 * tr->wt_adam->n + 1 : 0);
}

int trainer_weighting_state_get(const trainer *tr, double *state)
{
    if (!tr->wt || !state)
        return PL_EINVAL;
    size_t n = pl_weighting_state_size(tr->wt);
    int rc = pl_weighting_state_get(tr->wt, state);
    if (rc || !tr->wt_adam)
        return rc;
    const adam *a = tr->wt_adam;
    memcpy(state + n, a->m, a->n * sizeof *state);
    memcpy(state + n + a->n, a->v, a->n * sizeof *state);
    state[n + 2 * a->n] = (double)a->step;
    return PL_OK;
}

int trainer_weighting_state_set(trainer *tr, const double *state, size_t n)
{
    if (!tr->wt || !state || n != trainer_weighting_state_size(tr))
        return PL_EINVAL;
    size_t nw = pl_weighting_state_size(tr->wt);
    if (tr->wt_adam) {
        adam *a = tr->wt_adam;
        double steps = state[nw + 2 * a->n];
        for (size_t i = nw; i < n; i++)
            if (!isfinite(state[i]))
                return PL_ENAN;
        if (!(steps >= 0) || steps != floor(steps))
            return PL_EINVAL;
        for (size_t i = 0; i < a->n; i++)
            if (state[nw + a->n + i] < 0)
                return PL_EINVAL;
    }
    int rc = pl_weighting_state_set(tr->wt, state, nw);
    if (rc)
        return rc;
    if (tr->wt_adam) {
        adam *a = tr->wt_adam;
        memcpy(a->m, state + nw, a->n * sizeof *state);
        memcpy(a->v, state + nw + a->n, a->n * sizeof *state);
        a->step = (long long)state[nw + 2 * a->n];
    }
    weights_sync(tr);
    return PL_OK;
}

/* Names the first term whose loss or gradient is not finite; 0 if none. */
static int find_nonfinite(trainer *tr, double total)
{
    size_t np = tr->n_vec;
    if (isfinite(total)) {
        int ok = 1;
        for (size_t i = 0; i < np && ok; i++)
            ok = isfinite(tr->grad[i]);
        if (ok)
            return 0;
    }
    for (size_t k = 0; k < tr->n_terms; k++) {
        int bad = !isfinite(tr->term_loss[k]);
        const double *g = tr->term_grad + k * np;
        for (size_t i = 0; i < np && !bad; i++)
            bad = !isfinite(g[i]);
        if (bad && tr->forward_fail == k + 1) {
            snprintf(tr->error, sizeof tr->error, "step %lld: loss term '%s': the network's "
                     "forward pass failed (bad channel set or sizes)", tr->step, tr->terms[k].name);
            return 1;
        }
        if (bad) {
            snprintf(tr->error, sizeof tr->error,
                     "step %lld: loss term '%s' is %s (loss %g); training diverged", tr->step,
                     tr->terms[k].name, isfinite(tr->term_loss[k]) ? "finite but its gradient is not" : "not finite",
                     tr->term_loss[k]);
            return 1;
        }
    }
    snprintf(tr->error, sizeof tr->error, "step %lld: the total loss is not finite", tr->step);
    return 1;
}







static int record(trainer *tr, int phase, double loss)
{
    train_history *h = &tr->hist;
    if (trainer_history_reserve(h, h->n + 1))
        return -1;
    size_t k = tr->n_terms, r = h->n++;
    h->step[r] = tr->step;
    h->phase[r] = phase;
    h->seconds[r] = tr->seconds;
    h->loss[r] = loss;
    memcpy(h->terms + r * k, tr->term_loss, k * sizeof(double));
    memcpy(h->weights + r * k, tr->weight, k * sizeof(double));
    memcpy(h->unknowns + r * h->n_unknowns, tr->p->unk.value, h->n_unknowns * sizeof(double));
    return 0;
}

/* ---- between steps: checkpoints, signals, divergence ------------------ */

/* After a finished step: the test hook, a checkpoint when one is due, and
 * the stop flag. Returns 1 when training must stop here. */
static int after_step(trainer *tr)
{
    const train_options *o = &tr->opt;
    if (o->test_stop_at_step > 0 && tr->step == o->test_stop_at_step)
        raise(SIGTERM);
    int stop = o->stop && *o->stop;
    /* an interrupted run writes its checkpoint as its output anyway */
    if (!stop && o->checkpoint && o->checkpoint_every > 0 && tr->step % o->checkpoint_every == 0) {
        train_bar_clear(tr);
        if (o->checkpoint(o->checkpoint_ctx, tr) != 0 && !tr->checkpoint_failed) {
            tr->checkpoint_failed = 1;
            if (o->errs)
                fprintf(o->errs, "pinn: step %lld: checkpoint failed (training goes on)\n", tr->step);
        }
    }
    return stop;
}

/* Keeps the Adam state of iteration it, whose loss was just found finite:
 * the parameters, moments, weighting state and counters. */
static void good_save(trainer *tr, long long it)
{
    size_t np = tr->n_vec;
    memcpy(tr->good_params, tr->net->params, np * sizeof(double));
    memcpy(tr->good_m, tr->adam->m, np * sizeof(double));
    memcpy(tr->good_v, tr->adam->v, np * sizeof(double));
    tr->good_adam_step = tr->adam->step;
    if (tr->wt)
        trainer_weighting_state_get(tr, tr->good_wt);
    tr->good_it = it;
    tr->good_step = tr->step;
    tr->good_hist_n = tr->hist.n;
    tr->has_good = 1;
}

static void good_restore(trainer *tr)
{
    size_t np = tr->n_vec;
    memcpy(tr->net->params, tr->good_params, np * sizeof(double));
    memcpy(tr->adam->m, tr->good_m, np * sizeof(double));
    memcpy(tr->adam->v, tr->good_v, np * sizeof(double));
    tr->adam->step = tr->good_adam_step;
    if (tr->wt)
        trainer_weighting_state_set(tr, tr->good_wt, trainer_weighting_state_size(tr));
    tr->step = tr->good_step;
    tr->hist.n = tr->good_hist_n;
    tr->prog.adam_done = tr->good_it;
}

/* A non-finite loss or gradient at Adam iteration it (tr->error says
 * where). Goes back to the last good state; returns 1 when training goes
 * on from there with half the learning rate, 0 when it stops. */
static int diverged(trainer *tr)
{
    train_bar_clear(tr);
    size_t len = strlen(tr->error);
    if (!tr->has_good) {
        snprintf(tr->error + len, sizeof tr->error - len, " (no finite step to go back to)");
        return 0;
    }
    good_restore(tr);
    if (!tr->opt.on_nan_recover || tr->forward_fail) /* going back cannot mend a bad net call */
        return 0;
    if ((long long)tr->n_recoveries >= tr->opt.max_recoveries) {
        snprintf(tr->error + len, sizeof tr->error - len, " after %zu recoveries (max_recoveries)",
                 tr->n_recoveries);
        return 0;
    }
    tr->prog.lr_factor *= 0.5;
    tr->recovery_step[tr->n_recoveries] = tr->good_step + 1;
    tr->recovery_lr[tr->n_recoveries] = tr->prog.lr_factor;
    tr->n_recoveries++;
    if (tr->opt.errs)
        fprintf(tr->opt.errs,
                "pinn: %s\npinn: recovery %zu of %lld: back to the parameters of step %lld, "
                "learning rate x %g\n",
                tr->error, tr->n_recoveries, tr->opt.max_recoveries, tr->good_step,
                tr->prog.lr_factor);
    return 1;
}

static void resample_points(trainer *tr)
{
    for (size_t k = 0; k < tr->n_terms; k++) {
        term *t = &tr->terms[k], *v = &tr->view[k];
        if (t->resample && t->resample(t, tr->p, tr->rng) == 0 &&
            par_term_view(tr->opt.par, k, t, tr->p->n_in, v) == 0) {
            trainer_scale_inputs(tr, v->x, v->n, tr->xn[k]);
            hard_points(tr, k); /* same size: cannot run out of memory */
        }
    }
    tr->prog.resamples++;
}

/* ---- Adam ---------------------------------------------------------------- */

static train_status run_adam(trainer *tr)
{
    double last_draw = 0.0;
    long long iters = tr->opt.adam_iterations, every = tr->opt.resample_every;
    int redo = 0;
    tr->has_good = 0;
    /* it == iters only checks the parameters the last step made */
    for (long long it = tr->prog.adam_done; it <= iters;) {
        double t_start = train_now();
        if (!redo && it < iters && every > 0 && it > 0 && it % every == 0)
            resample_points(tr);
        const adapt_options *ad = &tr->opt.adapt;
        if (!redo && it < iters && ad->kind != ADAPT_NONE && it > 0 && it % ad->every == 0 &&
            adapt_apply(tr, ad, tr->rng))
            return TRAIN_ENOMEM;
        redo = 0;
        double loss = trainer_objective(tr);
        if (find_nonfinite(tr, loss)) {
            if (!diverged(tr))
                return TRAIN_DIVERGED;
            it = tr->good_it;
            redo = 1; /* the good state's points, not a fresh draw */
            continue;
        }
        if (it == iters) { /* the row of the last step's parameters, when one is due */
            if (it > 0 && it % tr->opt.log_every == 0)
                train_log_row(tr, 0, loss);
            break;
        }
        good_save(tr, it);
        if (record(tr, 0, loss))
            return TRAIN_ENOMEM;
        if (it % tr->opt.log_every == 0)
            train_log_row(tr, 0, loss);
        double lr = tr->prog.lr_factor * lr_schedule(tr->opt.lr, tr->opt.decay, tr->opt.decay_rate,
                                                     tr->opt.decay_steps, it);
        /* the weights for the next step; tr->grad keeps this step's */
        int rc = trainer_weights_update(tr, it, lr);
        if (rc != PL_OK) {
            train_bar_clear(tr);
            snprintf(tr->error, sizeof tr->error, "step %lld: %s weighting update failed: %s",
                     tr->step, tr->opt.weighting, pl_strerror(rc));
            good_restore(tr);
            return TRAIN_DIVERGED;
        }
        adam_step(tr->adam, tr->net->params, tr->grad, lr);
        tr->step++;
        tr->prog.adam_done = ++it;
        tr->seconds += train_now() - t_start;
        train_bar_update(tr, 0, it, iters, loss, &last_draw);
        if (after_step(tr))
            return TRAIN_INTERRUPTED;
    }
    tr->prog.phase = TRAIN_PHASE_LBFGS;
    return TRAIN_OK;
}

/* Causal weights are recomputed from the loss at every evaluation but held
 * constant in the gradient: fine for Adam, but a line search then compares
 * values of one function with slopes of another. The second phase freezes
 * them at its starting point (on = 1 evaluates there first, when a term has
 * causal weights: without, there is nothing to freeze). */
static void causal_freeze(trainer *tr, int on)
{
    int causal = 0;
    for (size_t k = 0; k < tr->n_terms; k++)
        causal |= tr->terms[k].causal_eps > 0;
    if (on && causal)
        (void)trainer_objective(tr);
    for (size_t k = 0; k < tr->n_terms; k++)
        tr->terms[k].causal_frozen = tr->view[k].causal_frozen = on; /* view: what loss sees */
}

/* A second-phase redraw after iteration lbfgs_done, when redraws are on,
 * iterations are left and one is due (every lbfgs_resample_every
 * iterations, or now when early is set: a stop test ended the work on
 * these points): the adapt method's round or a fresh draw, and the causal
 * weights frozen again on the new points. 1 when the points changed, 0
 * when not, -1 out of memory. */
static int second_phase_redraw(trainer *tr, int early)
{
    long long every = tr->opt.lbfgs_resample_every, done = tr->prog.lbfgs_done;
    if (every <= 0 || done == 0 || done >= tr->opt.lbfgs_iterations ||
        (!early && done % every != 0))
        return 0;
    if (tr->opt.adapt.kind != ADAPT_NONE) {
        if (adapt_apply(tr, &tr->opt.adapt, tr->rng))
            return -1;
    } else {
        resample_points(tr);
    }
    causal_freeze(tr, 0);
    causal_freeze(tr, 1);
    return 1;
}

/* ---- L-BFGS through liblbfgs ------------------------------------------- */

typedef struct lbfgs_ctx {
    trainer *tr;
    double t_start, last_draw, last_loss;
    long long total;
    int interrupted;
} lbfgs_ctx;

static lbfgsfloatval_t lbfgs_evaluate(void *instance, const lbfgsfloatval_t *x,
                                      lbfgsfloatval_t *g, const int n, const lbfgsfloatval_t step)
{
    (void)step;
    lbfgs_ctx *ctx = instance;
    trainer *tr = ctx->tr;
    memcpy(tr->net->params, x, (size_t)n * sizeof *x);
    double f = trainer_objective(tr);
    memcpy(g, tr->grad, (size_t)n * sizeof *g);
    if (!isfinite(f))
        return INFINITY; /* the line search backs off from it */
    return f;
}

static int lbfgs_progress(void *instance, const lbfgsfloatval_t *x, const lbfgsfloatval_t *g,
                          const lbfgsfloatval_t fx, const lbfgsfloatval_t xnorm,
                          const lbfgsfloatval_t gnorm, const lbfgsfloatval_t step, int n, int k,
                          int ls)
{
    (void)g, (void)xnorm, (void)gnorm, (void)step, (void)k, (void)ls;
    lbfgs_ctx *ctx = instance;
    trainer *tr = ctx->tr;
    tr->seconds += train_now() - ctx->t_start;
    tr->step++;
    tr->prog.lbfgs_done++;
    ctx->last_loss = fx;
    /* the accepted point: what a checkpoint holds and the last good one */
    memcpy(tr->net->params, x, (size_t)n * sizeof *x);
    if (isfinite(fx))
        memcpy(tr->good_params, x, (size_t)n * sizeof *x);
    if (record(tr, 1, fx))
        return 1;
    if (tr->prog.lbfgs_done % tr->opt.log_every == 0)
        train_log_row(tr, 1, fx);
    train_bar_update(tr, 1, tr->prog.lbfgs_done, ctx->total, fx, &ctx->last_draw);
    ctx->interrupted = after_step(tr);
    ctx->t_start = train_now();
    return ctx->interrupted;
}

static const char *lbfgs_reason(int rc)
{
    switch (rc) {
    case LBFGS_SUCCESS:
        return "gradient tolerance reached";
    case LBFGS_STOP:
        return "loss decrease below delta";
    case LBFGS_ALREADY_MINIMIZED:
        return "already minimised";
    case LBFGSERR_MAXIMUMITERATION:
        return "iteration limit";
    case LBFGSERR_ROUNDING_ERROR:
        return "rounding error limits further progress";
    case LBFGSERR_MAXIMUMLINESEARCH:
        return "line search trial limit";
    case LBFGSERR_MINIMUMSTEP:
    case LBFGSERR_MAXIMUMSTEP:
        return "line search step out of range";
    case LBFGSERR_WIDTHTOOSMALL:
        return "line search interval too small";
    case LBFGSERR_INCREASEGRADIENT:
        return "not a descent direction";
    case LBFGSERR_CANCELED:
        return "canceled";
    default:
        return "stopped";
    }
}

/* L-BFGS for the iterations left, in runs of lbfgs_resample_every
 * iterations when the points are redrawn in between. A resumed run starts
 * afresh from the checkpoint's parameters: liblbfgs keeps its correction
 * pairs to itself. */
static train_status run_lbfgs(trainer *tr)
{
    size_t np = tr->n_vec;
    long long left = tr->opt.lbfgs_iterations - tr->prog.lbfgs_done;
    if (left <= 0) {
        tr->prog.phase = TRAIN_PHASE_DONE;
        return TRAIN_OK;
    }
    lbfgsfloatval_t *x = lbfgs_malloc((int)np);
    if (!x)
        return TRAIN_ENOMEM;
    memcpy(tr->good_params, tr->net->params, np * sizeof *x);
    lbfgs_parameter_t param;
    lbfgs_parameter_init(&param);
    param.m = tr->opt.lbfgs_history;
    param.epsilon = tr->opt.lbfgs_epsilon;
    param.past = tr->opt.lbfgs_past;
    param.delta = tr->opt.lbfgs_delta;
    param.max_linesearch = tr->opt.lbfgs_max_linesearch;
    param.linesearch = LBFGS_LINESEARCH_MORETHUENTE;
    lbfgs_ctx ctx = {.tr = tr, .last_loss = NAN, .total = tr->opt.lbfgs_iterations};
    long long every = tr->opt.lbfgs_resample_every;
    int rc = LBFGS_SUCCESS;
    while (left > 0) {
        long long run = every > 0 ? every - tr->prog.lbfgs_done % every : left;
        param.max_iterations = (int)(run < left ? run : left);
        memcpy(x, tr->net->params, np * sizeof *x);
        long long before = tr->prog.lbfgs_done;
        lbfgsfloatval_t fx = 0;
        ctx.t_start = train_now();
        rc = lbfgs((int)np, x, &fx, lbfgs_evaluate, lbfgs_progress, &ctx, &param);
        tr->seconds += train_now() - ctx.t_start;
        /* liblbfgs leaves x at the last accepted point (it restores it when
         * a line search fails). */
        memcpy(tr->net->params, x, np * sizeof *x);
        left = tr->opt.lbfgs_iterations - tr->prog.lbfgs_done;
        if (ctx.interrupted || tr->prog.lbfgs_done == before)
            break; /* no progress on these points: more runs would not make any */
        /* a stop test before the run's end: on to the next points */
        int drawn = second_phase_redraw(tr, rc != LBFGSERR_MAXIMUMITERATION);
        if (drawn < 0) {
            lbfgs_free(x);
            return TRAIN_ENOMEM;
        }
        if (!drawn && rc != LBFGSERR_MAXIMUMITERATION)
            break; /* converged or stuck, and no redraws */
    }
    lbfgs_free(x);
    snprintf(tr->lbfgs_stop, sizeof tr->lbfgs_stop, "%s (liblbfgs code %d)", lbfgs_reason(rc), rc);
    if (ctx.interrupted)
        return TRAIN_INTERRUPTED;
    /* a non-finite end (the line search could not back off): the last
     * accepted finite point */
    if (find_nonfinite(tr, trainer_objective(tr))) {
        memcpy(tr->net->params, tr->good_params, np * sizeof *x);
        if (tr->opt.errs)
            fprintf(tr->opt.errs, "pinn: L-BFGS ended at a non-finite loss; "
                                  "restored its last finite iterate\n");
    }
    tr->prog.phase = TRAIN_PHASE_DONE;
    return TRAIN_OK;
}

/* ---- dense BFGS / SSBFGS (train/qn.h) ---------------------------------- */

static double qn_evaluate(void *ctx, const double *x, double *g)
{
    trainer *tr = ctx;
    size_t np = tr->n_vec; /* the network, then the unknowns */
    memcpy(tr->net->params, x, np * sizeof *x);
    double f = trainer_objective(tr);
    memcpy(g, tr->grad, np * sizeof *g);
    return isfinite(f) ? f : INFINITY;
}

/* The same bookkeeping as L-BFGS (rows, log, checkpoints, stop tests
 * |g| < epsilon max(1, |x|) and the relative decrease over past
 * iterations below delta); H is not checkpointed, a resume rebuilds it. */
static train_status run_qn(trainer *tr)
{
    size_t np = tr->n_vec; /* the network, then the unknowns */
    long long left = tr->opt.lbfgs_iterations - tr->prog.lbfgs_done;
    int past = tr->opt.lbfgs_past;
    qn *q = left > 0 ? qn_alloc(tr->opt.second_phase, np) : NULL;
    double *ring = left > 0 ? calloc((size_t)past + 1, sizeof *ring) : NULL;
    if (left > 0 && (!q || !ring)) {
        qn_free(q);
        free(ring);
        return TRAIN_ENOMEM;
    }
    double t_start = train_now(), last_draw = 0.0;
    memcpy(tr->good_params, tr->net->params, np * sizeof(double));
    const char *why = "iteration limit";
    int interrupted = 0;
    if (left > 0 && qn_set(q, tr->net->params, qn_evaluate, tr, 1e-4, 0.9,
                           tr->opt.lbfgs_max_linesearch) != QN_OK)
        why = "not finite at the start", left = 0;
    for (long long k = 0, j = 0; k < left; k++, j++) { /* j: iterations on these points */
        if (past > 0)
            ring[j % (past + 1)] = q->f;
        if (qn_iterate(q) != QN_OK) {
            why = "line search found no Wolfe point";
            break;
        }
        tr->seconds += train_now() - t_start;
        tr->step++;
        tr->prog.lbfgs_done++;
        memcpy(tr->net->params, q->x, np * sizeof(double));
        memcpy(tr->good_params, q->x, np * sizeof(double));
        if (record(tr, 1, q->f)) {
            qn_free(q);
            free(ring);
            return TRAIN_ENOMEM;
        }
        if (tr->prog.lbfgs_done % tr->opt.log_every == 0)
            train_log_row(tr, 1, q->f);
        train_bar_update(tr, 1, tr->prog.lbfgs_done, tr->opt.lbfgs_iterations, q->f, &last_draw);
        interrupted = after_step(tr);
        t_start = train_now();
        if (interrupted)
            break;
        double gn = cblas_dnrm2((int)np, q->g, 1), xn = cblas_dnrm2((int)np, q->x, 1);
        const char *stop = NULL;
        double fp = ring[(j + 2) % (past + 1)]; /* f of past iterations ago */
        if (gn <= tr->opt.lbfgs_epsilon * (xn > 1.0 ? xn : 1.0))
            stop = "gradient tolerance reached";
        else if (past > 0 && j + 1 >= past && (fp - q->f) / fabs(q->f) <= tr->opt.lbfgs_delta)
            stop = "loss decrease below delta";
        /* with redraws a stop test ends the work on these points only */
        int drawn = second_phase_redraw(tr, stop != NULL);
        if (drawn < 0) {
            qn_free(q);
            free(ring);
            return TRAIN_ENOMEM;
        }
        if (!drawn && stop) {
            why = stop;
            break;
        }
        if (drawn) {
            if (qn_refresh(q) != QN_OK) {
                why = "not finite on the redrawn points";
                break;
            }
            j = -1;
        }
    }
    tr->seconds += train_now() - t_start;
    if (q)
        memcpy(tr->net->params, q->x, np * sizeof(double));
    snprintf(tr->lbfgs_stop, sizeof tr->lbfgs_stop, "%s: %s (%lld evaluations, %lld restarts)",
             tr->opt.second_phase, why, q ? q->evaluations : 0LL, q ? q->restarts : 0LL);
    qn_free(q);
    free(ring);
    if (interrupted)
        return TRAIN_INTERRUPTED;
    tr->prog.phase = TRAIN_PHASE_DONE;
    return TRAIN_OK;
}

train_status trainer_run(trainer *tr)
{
    train_log_header(tr);
    train_status st;
    if (tr->prog.phase == TRAIN_PHASE_ADAM && (st = run_adam(tr)) != TRAIN_OK)
        return st;
    int dense = tr->opt.second_phase && strcmp(tr->opt.second_phase, "lbfgs") != 0;
    if (tr->prog.phase == TRAIN_PHASE_LBFGS) {
        causal_freeze(tr, 1);
        st = dense ? run_qn(tr) : run_lbfgs(tr);
        if (st != TRAIN_OK) {
            causal_freeze(tr, 0);
            return st;
        }
    }
    double loss = trainer_objective(tr);
    causal_freeze(tr, 0);
    if (find_nonfinite(tr, loss)) {
        train_bar_clear(tr);
        return TRAIN_DIVERGED;
    }
    if (tr->logged_step != tr->step) /* the final row, unless it is out already */
        train_log_row(tr, tr->opt.lbfgs_iterations > 0, loss);
    return TRAIN_OK;
}

int trainer_restore(trainer *tr, const train_checkpoint *ck)
{
    size_t np = tr->n_vec, K = tr->n_terms;
    const char *why = NULL;
    if (ck->n_weighting != trainer_weighting_state_size(tr))
        why = "its loss weighting state does not fit this config's scheme and terms";
    else if (ck->rng_size != gsl_rng_size(tr->rng))
        why = "its random state is not an mt19937 state";
    else if ((long long)ck->n_recoveries > (tr->opt.max_recoveries > 0 ? tr->opt.max_recoveries : 0))
        why = "it records more recoveries than train.max_recoveries allows";
    else if (ck->prog.phase < TRAIN_PHASE_ADAM || ck->prog.phase > TRAIN_PHASE_DONE ||
             ck->prog.adam_done < 0 || ck->prog.lbfgs_done < 0 || ck->prog.resamples < 0 ||
             ck->step != ck->prog.adam_done + ck->prog.lbfgs_done || ck->adam_step < 0 ||
             !(ck->prog.lr_factor > 0 && ck->prog.lr_factor <= 1))
        why = "its progress counters are inconsistent";
    if (why) {
        snprintf(tr->error, sizeof tr->error, "%s", why);
        return -1;
    }
    if (trainer_history_reserve(&tr->hist, ck->n_hist + 1)) {
        snprintf(tr->error, sizeof tr->error, "out of memory for the history");
        return -1;
    }
    if (ck->n_weighting > 0 && trainer_weighting_state_set(tr, ck->weighting, ck->n_weighting)) {
        snprintf(tr->error, sizeof tr->error, "its loss weighting state is invalid");
        return -1;
    }
    /* the redraws move the samplers' sequences and the points on; the
     * random state is then set to the saved bytes (the same, unless the
     * config's sampling changed) */
    for (long long r = 0; r < ck->prog.resamples; r++)
        resample_points(tr);
    if (!par_own_draws(tr->opt.par)) /* a weak-scaling rank's stream is its own */
        memcpy(gsl_rng_state(tr->rng), ck->rng_state, ck->rng_size);
    memcpy(tr->adam->m, ck->adam_m, np * sizeof(double));
    memcpy(tr->adam->v, ck->adam_v, np * sizeof(double));
    tr->adam->step = ck->adam_step;
    tr->prog = ck->prog;
    tr->step = ck->step;
    tr->seconds = ck->seconds;
    tr->n_recoveries = ck->n_recoveries;
    for (size_t i = 0; i < ck->n_recoveries; i++) {
        tr->recovery_step[i] = ck->recovery_step[i];
        tr->recovery_lr[i] = ck->recovery_lr[i];
    }
    train_history *h = &tr->hist;
    h->n = ck->n_hist;
    for (size_t i = 0; i < ck->n_hist; i++) {
        h->step[i] = ck->h_step[i];
        h->phase[i] = (int)ck->h_phase[i];
        h->seconds[i] = ck->h_seconds[i];
        h->loss[i] = ck->h_loss[i];
    }
    memcpy(h->terms, ck->h_terms, ck->n_hist * K * sizeof(double));
    memcpy(h->weights, ck->h_weights, ck->n_hist * K * sizeof(double));
    if (h->n_unknowns > 0 && ck->h_unknowns)
        memcpy(h->unknowns, ck->h_unknowns, ck->n_hist * h->n_unknowns * sizeof(double));
    return 0;
}
