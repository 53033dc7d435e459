/* nets/mlp.c - the MLP object: activation and initialiser tables, allocation
 * of the flat parameter block, initialisation, and channel sets. The forward
 * and backward passes live in mlp_pass.c (fast) and mlp_naive.c (reference). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "mlp.h"
#include "mlp_internal.h"

/* ---- activations: s, s', s'', s''' ---- */

/* s' = 1 - t^2 as 4 e / (1 + e)^2 with e = exp(-2|z|): no cancellation in the tails. */
static void act_tanh(double z, double *s0, double *s1, double *s2, double *s3)
{
    double t = tanh(z), e = exp(-2.0 * fabs(z)), d = 4.0 * e / ((1.0 + e) * (1.0 + e));
    *s0 = t;
    *s1 = d;
    *s2 = -2.0 * t * d;
    *s3 = -2.0 * d * (1.0 - 3.0 * t * t);
}

static void act_sin(double z, double *s0, double *s1, double *s2, double *s3)
{
    double s = sin(z), c = cos(z);
    *s0 = s;
    *s1 = c;
    *s2 = -s;
    *s3 = -c;
}

/* The logistic function without overflow for large |z|. */
static double sigmoid(double z)
{
    if (z >= 0.0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

static void act_softplus(double z, double *s0, double *s1, double *s2, double *s3)
{
    double g = sigmoid(z), d1 = g * (1.0 - g);
    *s0 = z > 0.0 ? z + log1p(exp(-z)) : log1p(exp(z));
    *s1 = g;
    *s2 = d1;
    *s3 = d1 * (1.0 - 2.0 * g);
}

/* silu(z) = z g(z): s' = g + z g', s'' = 2 g' + z g'', s''' = 3 g'' + z g'''
 * with g' = g(1-g), g'' = g'(1-2g), g''' = g''(1-2g) - 2 g'^2. */
static void act_silu(double z, double *s0, double *s1, double *s2, double *s3)
{
    double g = sigmoid(z), g1 = g * (1.0 - g), g2 = g1 * (1.0 - 2.0 * g);
    double g3 = g2 * (1.0 - 2.0 * g) - 2.0 * g1 * g1;
    *s0 = z * g;
    *s1 = g + z * g1;
    *s2 = 2.0 * g1 + z * g2;
    *s3 = 3.0 * g2 + z * g3;
}

static void act_sigmoid(double z, double *s0, double *s1, double *s2, double *s3)
{
    double g = sigmoid(z), g1 = g * (1.0 - g), g2 = g1 * (1.0 - 2.0 * g);
    *s0 = g;
    *s1 = g1;
    *s2 = g2;
    *s3 = g2 * (1.0 - 2.0 * g) - 2.0 * g1 * g1;
}

const mlp_activation mlp_activations[] = {
    {"tanh", act_tanh, mlp_tanh_n},
    {"sin", act_sin, mlp_sin_n},
    {"softplus", act_softplus, NULL},
    {"silu", act_silu, NULL},
    {"sigmoid", act_sigmoid, NULL},
    {NULL, NULL, NULL}
};

const mlp_activation *mlp_activation_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (const mlp_activation *a = mlp_activations; a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

/* ---- initialisers: W (fan_out x fan_in) from rng ---- */

static void fill_normal(double *w, size_t n, double sd, gsl_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        w[i] = gsl_ran_gaussian(rng, sd);
}

static void fill_uniform(double *w, size_t n, double lim, gsl_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        w[i] = lim * (2.0 * gsl_rng_uniform(rng) - 1.0);
}

static void init_glorot_normal(double *w, size_t fo, size_t fi, gsl_rng *rng)
{
    fill_normal(w, fo * fi, sqrt(2.0 / (double)(fi + fo)), rng);
}

static void init_glorot_uniform(double *w, size_t fo, size_t fi, gsl_rng *rng)
{
    fill_uniform(w, fo * fi, sqrt(6.0 / (double)(fi + fo)), rng);
}

static void init_he_normal(double *w, size_t fo, size_t fi, gsl_rng *rng)
{
    fill_normal(w, fo * fi, sqrt(2.0 / (double)fi), rng);
}

static void init_he_uniform(double *w, size_t fo, size_t fi, gsl_rng *rng)
{
    fill_uniform(w, fo * fi, sqrt(6.0 / (double)fi), rng);
}

static void init_lecun_normal(double *w, size_t fo, size_t fi, gsl_rng *rng)
{
    fill_normal(w, fo * fi, sqrt(1.0 / (double)fi), rng);
}

const mlp_initializer mlp_initializers[] = {
    {"glorot_normal", init_glorot_normal},
    {"glorot_uniform", init_glorot_uniform},
    {"he_normal", init_he_normal},
    {"he_uniform", init_he_uniform},
    {"lecun_normal", init_lecun_normal},
    {NULL, NULL}
};

const mlp_initializer *mlp_initializer_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (const mlp_initializer *a = mlp_initializers; a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

/* ---- the net ---- */

/* The embedding's widths (mid: after the periodic stage; out: what the first
 * layer sees), or 0 when emb is malformed for d inputs. */
static int embed_widths(const mlp_embedding *e, size_t d, size_t *mid, size_t *out)
{
    if ((e->periodic >> d) != 0 || e->fourier > MLP_MAX_EMBED / 2)
        return 0;
    if (e->periodic && (e->harmonics < 1 || e->harmonics > MLP_MAX_EMBED / 2))
        return 0;
    if (e->fourier > 0 && !(e->sigma > 0.0 && isfinite(e->sigma)))
        return 0;
    size_t m = 0;
    for (size_t i = 0; i < d; i++) {
        if (!(e->periodic & (1u << i))) {
            m += 1;
            continue;
        }
        if (!(e->period[i] > 0.0 && isfinite(e->period[i]) && isfinite(e->lo[i])))
            return 0;
        m += 2 * e->harmonics;
    }
    *mid = m;
    *out = e->fourier > 0 ? 2 * e->fourier : m;
    return *out <= MLP_MAX_EMBED;
}

mlp *mlp_alloc_opts(size_t n_layers, const size_t *width, const mlp_activation *act,
                    const mlp_options *opt)
{
    if (n_layers < 1 || n_layers > MLP_MAX_LAYERS || width == NULL || act == NULL)
        return NULL;
    if (width[0] < 1 || width[0] > MLP_MAX_INPUTS)
        return NULL;
    for (size_t l = 0; l <= n_layers; l++)
        if (width[l] < 1 || width[l] > MLP_MAX_WIDTH)
            return NULL;
    const mlp_embedding *e = opt ? &opt->embed : NULL;
    int embedded = e && (e->periodic || e->fourier);
    size_t mid = width[0], w0 = width[0];
    if (embedded && !embed_widths(e, width[0], &mid, &w0))
        return NULL;
    if (opt && opt->rwf && !(opt->rwf_sigma >= 0.0 && isfinite(opt->rwf_sigma) &&
                             isfinite(opt->rwf_mu)))
        return NULL;
    mlp *net = calloc(1, sizeof *net);
    if (net == NULL)
        return NULL;
    net->n_layers = n_layers;
    net->act = act;
    memcpy(net->width, width, (n_layers + 1) * sizeof *width);
    net->n_in = width[0];
    net->width[0] = w0;
    net->emb_mid = mid;
    if (embedded) {
        net->embedded = 1;
        net->emb = *e;
        if (e->fourier > 0 && !(net->fourier_B = calloc(e->fourier * mid, sizeof(double)))) {
            free(net);
            return NULL;
        }
    }
    size_t off = 0;
    for (size_t l = 0; l < n_layers; l++) {
        net->w_off[l] = off;
        off += net->width[l + 1] * net->width[l];
        net->b_off[l] = off;
        off += net->width[l + 1];
    }
    if (opt && opt->rwf) { /* s after every W and b: the unfactorized layout stays a prefix */
        net->rwf = 1;
        net->rwf_mu = opt->rwf_mu;
        net->rwf_sigma = opt->rwf_sigma;
        for (size_t l = 0; l < n_layers; l++) {
            net->s_off[l] = off;
            off += net->width[l + 1];
        }
    }
    net->n_params = off;
    net->params = calloc(off, sizeof *net->params);
    if (net->params == NULL) {
        free(net->fourier_B);
        free(net);
        return NULL;
    }
    return net;
}

mlp *mlp_alloc(size_t n_layers, const size_t *width, const mlp_activation *act)
{
    return mlp_alloc_opts(n_layers, width, act, NULL);
}

int mlp_params_extend(mlp *net, size_t extra)
{
    if (net == NULL)
        return MLP_EINVAL;
    double *p = realloc(net->params, (net->n_params + extra + 1) * sizeof *p);
    if (p == NULL)
        return MLP_ENOMEM;
    memset(p + net->n_params, 0, (extra + 1) * sizeof *p);
    net->params = p;
    return MLP_OK;
}

void mlp_free(mlp *net)
{
    if (net == NULL)
        return;
    free(net->params);
    free(net->fourier_B);
    free(net);
}

int mlp_init(mlp *net, const mlp_initializer *init, gsl_rng *rng)
{
    if (net == NULL || init == NULL || init->fill == NULL || rng == NULL)
        return MLP_EINVAL;
    for (size_t l = 0; l < net->n_layers; l++) {
        init->fill(mlp_W(net, l), net->width[l + 1], net->width[l], rng);
        memset(mlp_b(net, l), 0, net->width[l + 1] * sizeof(double));
    }
    if (net->fourier_B)
        fill_normal(net->fourier_B, net->emb.fourier * net->emb_mid, net->emb.sigma, rng);
    for (size_t l = 0; net->rwf && l < net->n_layers; l++) {
        const size_t wo = net->width[l + 1], wi = net->width[l];
        double *s = net->params + net->s_off[l], *v = mlp_W(net, l);
        for (size_t o = 0; o < wo; o++) {
            s[o] = net->rwf_mu + gsl_ran_gaussian(rng, net->rwf_sigma);
            const double g = exp(-s[o]);
            for (size_t k = 0; k < wi; k++)
                v[o * wi + k] *= g;
        }
    }
    return MLP_OK;
}

/* ---- channel sets ---- */

int mlp_channels_set(mlp_channels *ch, unsigned first, unsigned second, size_t n_inputs)
{
    if (ch == NULL || n_inputs < 1 || n_inputs > MLP_MAX_INPUTS)
        return MLP_EINVAL;
    unsigned all = (1u << n_inputs) - 1u;
    if ((first & ~all) != 0 || (second & ~all) != 0)
        return MLP_EINVAL;
    first |= second;
    ch->n = 0;
    ch->c[ch->n++] = (mlp_channel){-1, -1};
    for (int i = 0; i < (int)n_inputs; i++)
        if (first & (1u << i))
            ch->c[ch->n++] = (mlp_channel){i, -1};
    for (int i = 0; i < (int)n_inputs; i++)
        if (second & (1u << i))
            ch->c[ch->n++] = (mlp_channel){i, i};
    return MLP_OK;
}

int mlp_channels_index(const mlp_channels *ch, int i, int j)
{
    if (ch == NULL || ch->n > MLP_MAX_CHANNELS)
        return -1;
    for (size_t k = 0; k < ch->n; k++) {
        mlp_channel c = ch->c[k];
        if ((c.i == i && c.j == j) || (j >= 0 && c.i == j && c.j == i))
            return (int)k;
    }
    return -1;
}

int mlp_channels_add(mlp_channels *ch, int i, int j)
{
    if (ch == NULL || ch->n > MLP_MAX_CHANNELS)
        return MLP_EINVAL;
    if (i < -1 || j < -1 || i >= MLP_MAX_INPUTS || j >= MLP_MAX_INPUTS || (i < 0 && j >= 0))
        return MLP_EINVAL;
    if (mlp_channels_index(ch, i, j) >= 0)
        return MLP_OK;
    if (ch->n == MLP_MAX_CHANNELS)
        return MLP_EINVAL;
    ch->c[ch->n++] = (mlp_channel){i, j};
    return MLP_OK;
}

int mlp_plan_make(mlp_plan *pl, const mlp_channels *ch, size_t n_inputs)
{
    if (ch == NULL || ch->n < 1 || ch->n > MLP_MAX_CHANNELS)
        return MLP_EINVAL;
    memset(pl, 0, sizeof *pl);
    pl->n = ch->n;
    int val = -1;
    for (size_t k = 0; k < ch->n; k++) {
        int i = ch->c[k].i, j = ch->c[k].j;
        if (i < -1 || j < -1 || i >= (int)n_inputs || j >= (int)n_inputs || (i < 0 && j >= 0))
            return MLP_EINVAL;
        for (size_t q = 0; q < k; q++) { /* no channel twice, (i,j) == (j,i) */
            int a = ch->c[q].i, b = ch->c[q].j;
            if ((a == i && b == j) || (j >= 0 && a == j && b == i))
                return MLP_EINVAL;
        }
        if (i < 0)
            val = (int)k;
    }
    if (val < 0)
        return MLP_EINVAL;
    pl->val = (size_t)val;
    for (size_t k = 0; k < ch->n; k++) {
        int i = ch->c[k].i, j = ch->c[k].j;
        if (i >= 0 && j < 0) {
            pl->f_idx[pl->n1] = k;
            pl->f_var[pl->n1] = (size_t)i;
            pl->n1++;
        } else if (i >= 0) {
            int fi = mlp_channels_index(ch, i, -1), fj = mlp_channels_index(ch, j, -1);
            if (fi < 0 || fj < 0) /* A_ij needs Z_i and Z_j */
                return MLP_EINVAL;
            pl->s_idx[pl->n2] = k;
            pl->s_fi[pl->n2] = (size_t)fi;
            pl->s_fj[pl->n2] = (size_t)fj;
            pl->n2++;
        }
    }
    for (size_t k = 0; k < ch->n; k++)
        pl->leaf[k] = k != pl->val;
    for (size_t q = 0; q < pl->n2; q++)
        pl->leaf[pl->s_fi[q]] = pl->leaf[pl->s_fj[q]] = 0;
    for (size_t k = ch->n; k-- > 0;)
        if (pl->leaf[k]) {
            pl->n_leaf++;
            pl->jslot = k;
        }
    return MLP_OK;
}
