/* nets/mlp_pass.c - the workspace and the fast forward/backward passes: all
 * channels stacked into one matrix per layer so each layer is one dgemm, and
 * the element-wise work done in row blocks (OpenMP over blocks). The plain
 * per-point reference is mlp_naive.c; the net object is mlp.c. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "mlp.h"
#include "mlp_internal.h"

/* Elements per row block in the element-wise passes: a block of every
 * channel plus s', s'', s''' stays in L2 (~200 KB at 2048). */
#define MLP_BLOCK_ELEMS 2048

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
    size_t total = 0;
    for (size_t l = 0; l < L; l++) {
        total += round8(rows * net->width[l]);
        if (l + 1 < L)
            total += round8(rows * net->width[l + 1]) + 3 * round8(max_points * net->width[l + 1]);
    }
    total += 2 * round8(rows * maxw) + round8(max_points);

    mlp_workspace *ws = calloc(1, sizeof *ws);
    if (ws == NULL)
        return NULL;
    ws->block = aligned_alloc(64, total * sizeof(double));
    if (ws->block == NULL) {
        free(ws);
        return NULL;
    }
    memset(ws->block, 0, total * sizeof(double));
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
    p += round8(rows * maxw);
    ws->g1 = p;
    p += round8(rows * maxw);
    ws->ones = p;
    for (size_t i = 0; i < max_points; i++)
        ws->ones[i] = 1.0;
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
    if (ws->n_layers != net->n_layers)
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
    int rc = mlp_plan_make(&plan, ch, net->width[0]);
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

void mlp_input_fill(mlp_workspace *ws, const double *x)
{
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

/* Applies the activation of hidden weight layer l over row blocks: adds the
 * bias to the value rows of z[l], fills s', s'', s''' and every channel of
 * a[l+1]: A = s(Z), A_i = s' Z_i, A_ij = s'' Z_i Z_j + s' Z_ij. */
static void hidden_forward(mlp_workspace *ws, const mlp *net, size_t l)
{
    const size_t n = ws->n, w = net->width[l + 1];
    const mlp_plan *pl = &ws->plan;
    const double *b = mlp_b(net, l);
    const mlp_activation *act = net->act;
    double *Z = ws->z[l], *A = ws->a[l + 1];
    const size_t rb = w >= MLP_BLOCK_ELEMS ? 1 : MLP_BLOCK_ELEMS / w;
    const long nb = (long)((n + rb - 1) / rb);

#pragma omp parallel for schedule(static)
    for (long bi = 0; bi < nb; bi++) {
        size_t p0 = (size_t)bi * rb, p1 = p0 + rb < n ? p0 + rb : n;
        size_t e0 = p0 * w, ne = (p1 - p0) * w;
        double *zv = Z + pl->val * n * w + e0, *av = A + pl->val * n * w + e0;
        double *s1 = ws->s1[l] + e0, *s2 = ws->s2[l] + e0, *s3 = ws->s3[l] + e0;
        for (size_t p = 0; p < p1 - p0; p++)
            for (size_t k = 0; k < w; k++)
                zv[p * w + k] += b[k];
        if (act->eval_n)
            act->eval_n(ne, zv, av, s1, s2, s3);
        else
            for (size_t e = 0; e < ne; e++)
                act->eval(zv[e], av + e, s1 + e, s2 + e, s3 + e);
        for (size_t q = 0; q < pl->n1; q++) {
            const double *zf = Z + pl->f_idx[q] * n * w + e0;
            double *af = A + pl->f_idx[q] * n * w + e0;
            for (size_t e = 0; e < ne; e++)
                af[e] = s1[e] * zf[e];
        }
        for (size_t q = 0; q < pl->n2; q++) {
            const double *zs = Z + pl->s_idx[q] * n * w + e0;
            const double *zi = Z + pl->s_fi[q] * n * w + e0;
            const double *zj = Z + pl->s_fj[q] * n * w + e0;
            double *as = A + pl->s_idx[q] * n * w + e0;
            for (size_t e = 0; e < ne; e++)
                as[e] = s2[e] * zi[e] * zj[e] + s1[e] * zs[e];
        }
    }
}

int mlp_forward(mlp_workspace *ws, const mlp *net, const mlp_channels *ch,
                const double *x, size_t n, double *out)
{
    int rc = mlp_forward_check(ws, net, ch, x, n, out);
    if (rc != MLP_OK)
        return rc;
    mlp_input_fill(ws, x);
    const size_t L = net->n_layers, rows = ws->plan.n * n;
    for (size_t l = 0; l < L; l++) {
        size_t wi = net->width[l], wo = net->width[l + 1];
        double *dst = l + 1 < L ? ws->z[l] : out;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)wo, (int)wi,
                    1.0, ws->a[l], (int)wi, mlp_W(net, l), (int)wi, 0.0, dst, (int)wo);
        if (l + 1 < L) {
            hidden_forward(ws, net, l);
        } else {
            const double *b = mlp_b(net, l);
            double *ov = out + ws->plan.val * n * wo;
            for (size_t p = 0; p < n; p++)
                for (size_t k = 0; k < wo; k++)
                    ov[p * wo + k] += b[k];
        }
    }
    ws->ready = 1;
    return MLP_OK;
}

/* Turns G (upstream gradient of every channel of a[l+1], stacked) into the
 * gradient of z[l] in place, block by block:
 *   dZ    = G s' + sum_i G_i s'' Z_i + sum_ij G_ij (s''' Z_i Z_j + s'' Z_ij)
 *   dZ_i  = G_i s' + sum_{ij} G_ij s'' Z_j  (+ the same with i, j swapped)
 *   dZ_ij = G_ij s'
 * The order of the loops is what makes the update in place correct. */
static void hidden_backward(mlp_workspace *ws, const mlp *net, size_t l, double *G)
{
    const size_t n = ws->n, w = net->width[l + 1];
    const mlp_plan *pl = &ws->plan;
    const double *Z = ws->z[l];
    const size_t rb = w >= MLP_BLOCK_ELEMS ? 1 : MLP_BLOCK_ELEMS / w;
    const long nb = (long)((n + rb - 1) / rb);

#pragma omp parallel for schedule(static)
    for (long bi = 0; bi < nb; bi++) {
        size_t p0 = (size_t)bi * rb, p1 = p0 + rb < n ? p0 + rb : n;
        size_t e0 = p0 * w, ne = (p1 - p0) * w;
        const double *s1 = ws->s1[l] + e0, *s2 = ws->s2[l] + e0, *s3 = ws->s3[l] + e0;
        double *gv = G + pl->val * n * w + e0;
        for (size_t e = 0; e < ne; e++)
            gv[e] *= s1[e];
        for (size_t q = 0; q < pl->n1; q++) {
            const double *gf = G + pl->f_idx[q] * n * w + e0;
            const double *zf = Z + pl->f_idx[q] * n * w + e0;
            for (size_t e = 0; e < ne; e++)
                gv[e] += gf[e] * s2[e] * zf[e];
        }
        for (size_t q = 0; q < pl->n2; q++) {
            const double *gs = G + pl->s_idx[q] * n * w + e0;
            const double *zs = Z + pl->s_idx[q] * n * w + e0;
            const double *zi = Z + pl->s_fi[q] * n * w + e0;
            const double *zj = Z + pl->s_fj[q] * n * w + e0;
            for (size_t e = 0; e < ne; e++)
                gv[e] += gs[e] * (s3[e] * zi[e] * zj[e] + s2[e] * zs[e]);
        }
        for (size_t q = 0; q < pl->n1; q++) {
            double *gf = G + pl->f_idx[q] * n * w + e0;
            for (size_t e = 0; e < ne; e++)
                gf[e] *= s1[e];
        }
        for (size_t q = 0; q < pl->n2; q++) {
            const double *gs = G + pl->s_idx[q] * n * w + e0;
            const double *zi = Z + pl->s_fi[q] * n * w + e0;
            const double *zj = Z + pl->s_fj[q] * n * w + e0;
            double *gi = G + pl->s_fi[q] * n * w + e0;
            for (size_t e = 0; e < ne; e++)
                gi[e] += gs[e] * s2[e] * zj[e];
            double *gj = G + pl->s_fj[q] * n * w + e0; /* == gi when pure */
            for (size_t e = 0; e < ne; e++)
                gj[e] += gs[e] * s2[e] * zi[e];
        }
        for (size_t q = 0; q < pl->n2; q++) {
            double *gs = G + pl->s_idx[q] * n * w + e0;
            for (size_t e = 0; e < ne; e++)
                gs[e] *= s1[e];
        }
    }
}

int mlp_backward(mlp_workspace *ws, const mlp *net, const double *gout, double *grad)
{
    int rc = mlp_backward_check(ws, net, gout, grad);
    if (rc != MLP_OK)
        return rc;
    const size_t L = net->n_layers, n = ws->n, rows = ws->plan.n * n, val = ws->plan.val;
    const double *dz = gout;
    double *cur = ws->g0, *next = ws->g1;
    for (size_t l = L; l-- > 0;) {
        size_t wi = net->width[l], wo = net->width[l + 1];
        if (l + 1 < L) {
            hidden_backward(ws, net, l, cur);
            dz = cur;
        }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)wo, (int)wi, (int)rows,
                    1.0, dz, (int)wo, ws->a[l], (int)wi, 1.0, grad + net->w_off[l], (int)wi);
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)wo, 1.0, dz + val * n * wo,
                    (int)wo, ws->ones, 1, 1.0, grad + net->b_off[l], 1);
        if (l > 0) {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)wi, (int)wo,
                        1.0, dz, (int)wo, mlp_W(net, l), (int)wi, 0.0, next, (int)wi);
            double *t = cur;
            cur = next;
            next = t;
        }
    }
    return MLP_OK;
}
