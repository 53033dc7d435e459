/* nets/mlp_workspace.c - the scratch memory both pass flavours share: one
 * allocation sized from the net, the point and channel limits; the argument
 * checks of forward and backward; the input layer's rows. No passes here. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "mlp.h"
#include "mlp_internal.h"

/* a*b, or 0 on overflow (every size here is > 0, so 0 means failure). */
static size_t mul_sz(size_t a, size_t b)
{
    if (a != 0 && b > SIZE_MAX / a)
        return 0;
    return a * b;
}

/* Doubles rounded up to a 64-byte line, so every view starts aligned. */
static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

mlp_workspace *mlp_workspace_alloc(const mlp *net, size_t max_points, size_t max_channels)
{
    if (net == NULL || max_points < 1 || max_channels < 1 || max_channels > MLP_MAX_CHANNELS)
        return NULL;
    size_t L = net->n_layers;
    size_t rows = mul_sz(max_points, max_channels);
    if (rows == 0 || rows > INT_MAX || rows > SIZE_MAX / 8 / MLP_MAX_WIDTH / (4 * MLP_MAX_LAYERS + 8))
        return NULL; /* every sum below then stays far below SIZE_MAX */
    size_t maxw = 1;
    for (size_t l = 1; l < L; l++)
        if (net->width[l] > maxw)
            maxw = net->width[l];
    if (net->embedded && net->width[0] > maxw) /* backward's leaf sums at the first layer */
        maxw = net->width[0];
    size_t total = 0;
    for (size_t l = 0; l < L; l++) {
        total += round8(rows * net->width[l]);
        if (l + 1 < L)
            total += round8(rows * net->width[l + 1]) + 3 * round8(max_points * net->width[l + 1]);
    }
    total += 2 * round8(max_channels * maxw);
    /* the fast pass: row blocks of about MLP_BLOCK_DOUBLES per channel matrix */
    size_t wmax = maxw;
    for (size_t l = 0; l <= L; l++)
        if (net->width[l] > wmax)
            wmax = net->width[l];
    size_t bp = MLP_BLOCK_DOUBLES / (max_channels * wmax);
    bp = bp < 4 ? 4 : bp & ~(size_t)3;
    if (bp > max_points)
        bp = max_points;
#ifdef _OPENMP
    size_t n_thr = (size_t)omp_get_max_threads();
#else
    size_t n_thr = 1;
#endif
    if (n_thr < 1)
        n_thr = 1;
    if (n_thr > 256)
        n_thr = 256;
    /* keep a and s' (s'', s''' too unless the activation gives them from
     * s and s') from forward to backward when they are small; beyond
     * MLP_KEEP_BYTES rebuild them per block from z instead */
    const int rule = mlp_act_rule(net->act);
    const size_t n_s = rule == MLP_RULE_STORED ? 3 : 1;
    size_t keep_bytes = 0;
    for (size_t l = 0; l + 1 < L; l++)
        keep_bytes += (max_channels + n_s) * max_points * net->width[l + 1] * sizeof(double);
    int keep = keep_bytes <= MLP_KEEP_BYTES;
    size_t strip_len = round8(MLP_STRIP_DOUBLES > maxw ? MLP_STRIP_DOUBLES : maxw);
    size_t g_len = round8(bp * max_channels * maxw), scratch_len = 2 * g_len + 2 * strip_len;
    for (size_t l = 0; l + 1 < L; l++) /* room for both ways (tests switch keep) */
        scratch_len += (max_channels + 3) * bp * net->width[l + 1];
    scratch_len = round8(scratch_len);
    total += n_thr * scratch_len + MLP_GRAD_CHUNKS * round8(net->n_params) + round8(net->n_params);
    if (net->rwf)
        total += 2 * round8(net->n_params);

    mlp_workspace *ws = calloc(1, sizeof *ws);
    if (ws == NULL)
        return NULL;
    ws->block = aligned_alloc(64, total * sizeof(double));
    if (ws->block == NULL) {
        free(ws);
        return NULL;
    }
    /* not cleared: every pass writes what it reads, and the pages the fast
     * pass never touches (a, s1-s3: the naive pass's) then cost no memory */
    ws->n_layers = L;
    memcpy(ws->width, net->width, (L + 1) * sizeof(size_t));
    ws->max_points = max_points;
    ws->max_channels = max_channels;
    double *p = ws->block;
    for (size_t l = 0; l < L; l++) {
        ws->a[l] = p;
        p += round8(rows * net->width[l]);
        if (l + 1 < L) {
            size_t ns = round8(max_points * net->width[l + 1]);
            ws->z[l] = p;
            p += round8(rows * net->width[l + 1]);
            ws->s1[l] = p;
            ws->s2[l] = p + ns;
            ws->s3[l] = p + 2 * ns;
            p += 3 * ns;
        }
    }
    ws->g0 = p;
    p += round8(max_channels * maxw);
    ws->g1 = p;
    p += round8(max_channels * maxw);
    ws->block_pts = bp;
    ws->n_thr = n_thr;
    ws->scratch_len = scratch_len;
    ws->g_len = g_len;
    ws->strip_len = strip_len;
    ws->keep = keep;
    ws->rule = rule;
    ws->n_params = net->n_params;
    mlp_tuner_init(&ws->tune_fwd);
    mlp_tuner_init(&ws->tune_bwd);
    ws->scratch = p;
    p += n_thr * scratch_len;
    ws->tgrad = p;
    p += MLP_GRAD_CHUNKS * round8(net->n_params);
    ws->wt = p;
    p += round8(net->n_params);
    if (net->rwf) {
        ws->wm = p;
        ws->gw = p + round8(net->n_params);
    }
    return ws;
}

void mlp_workspace_free(mlp_workspace *ws)
{
    if (ws == NULL)
        return;
    free(ws->block);
    free(ws);
}

/* The net must have the shape the workspace was sized for. */
static int same_shape(const mlp_workspace *ws, const mlp *net)
{
    if (ws->n_layers != net->n_layers || ws->n_params != net->n_params)
        return 0;
    if (net->rwf && ws->wm == NULL)
        return 0;
    for (size_t l = 0; l <= net->n_layers; l++)
        if (ws->width[l] != net->width[l])
            return 0;
    return 1;
}

int mlp_forward_check(mlp_workspace *ws, const mlp *net, const mlp_channels *ch,
                      const double *x, size_t n, const double *out)
{
    if (ws == NULL || net == NULL || ch == NULL || x == NULL || out == NULL || n < 1)
        return MLP_EINVAL;
    ws->ready = 0;
    if (!same_shape(ws, net))
        return MLP_EINVAL;
    mlp_plan plan;
    int rc = mlp_plan_make(&plan, ch, net->n_in);
    if (rc != MLP_OK)
        return rc;
    if (n > ws->max_points || ch->n > ws->max_channels)
        return MLP_ESIZE;
    ws->plan = plan;
    ws->ch = *ch;
    ws->n = n;
    return MLP_OK;
}

int mlp_backward_check(const mlp_workspace *ws, const mlp *net, const double *gout,
                       const double *grad)
{
    if (ws == NULL || net == NULL || gout == NULL || grad == NULL)
        return MLP_EINVAL;
    if (!ws->ready || !same_shape(ws, net))
        return MLP_EINVAL;
    return MLP_OK;
}

void mlp_input_fill(mlp_workspace *ws, const mlp *net, const double *x)
{
    if (net->embedded) {
        mlp_embed_fill(ws, net, x);
        return;
    }
    size_t n = ws->n, d = ws->width[0];
    double *a = ws->a[0];
    for (size_t c = 0; c < ws->ch.n; c++) {
        int i = ws->ch.c[c].i, j = ws->ch.c[c].j;
        double *ac = a + c * n * d;
        if (i < 0) {
            memcpy(ac, x, n * d * sizeof(double));
        } else {
            memset(ac, 0, n * d * sizeof(double));
            if (j < 0)
                for (size_t p = 0; p < n; p++)
                    ac[p * d + (size_t)i] = 1.0;
        }
    }
}
