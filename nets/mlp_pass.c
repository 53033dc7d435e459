/* nets/mlp_pass.c - the fast forward and backward passes: every channel
 * stacked into one (C*n)-row matrix per layer so each layer is one dgemm, the
 * element-wise work fused per row block (OpenMP over blocks, AVX2 where the
 * CPU has it). The per-point reference is mlp_naive.c; memory: mlp_workspace.c. */
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "mlp.h"
#include "mlp_internal.h"
#include "mlp_simd.h"

/* Elements per row block in the element-wise passes: a block of every
 * channel plus s', s'', s''' stays in L2 (~200 KB at 2048 and 4 channels). */
#define MLP_BLOCK_ELEMS 2048

/* Rows per block for a layer of width w. */
static size_t block_rows(size_t w) { return w >= MLP_BLOCK_ELEMS ? 1 : MLP_BLOCK_ELEMS / w; }

/* Row block [p0, p1) of hidden weight layer l. For l = 0 the pre-activation
 * is built here rather than by a dgemm, since the input rows are known: Z =
 * x W^T + b, Z_i = column i of W (A0_i = e_i), Z_ij = 0. Otherwise the dgemm
 * has filled z[l] and the bias is added to its value rows. Then s', s'', s'''
 * and every channel of a[l+1]: A = s(Z), A_i = s' Z_i, A_ij = s'' Z_i Z_j +
 * s' Z_ij. */
MLP_INLINE void forward_block(mlp_workspace *ws, const mlp *net, size_t l, size_t p0, size_t p1)
{
    const size_t n = ws->n, w = net->width[l + 1], d = net->width[0];
    const mlp_plan *pl = &ws->plan;
    const double *b = mlp_b(net, l), *W = mlp_W(net, l);
    const mlp_activation *act = net->act;
    double *Z = ws->z[l], *A = ws->a[l + 1];
    const size_t e0 = p0 * w, ne = (p1 - p0) * w;
    double *zv = Z + pl->val * n * w + e0, *av = A + pl->val * n * w + e0;
    double *s1 = ws->s1[l] + e0, *s2 = ws->s2[l] + e0, *s3 = ws->s3[l] + e0;
    if (l == 0) {
        const double *x = ws->a[0] + pl->val * n * d;
        for (size_t p = p0; p < p1; p++) {
            double *zr = zv + (p - p0) * w;
            for (size_t k = 0; k < w; k++) {
                double s = b[k];
                for (size_t j = 0; j < d; j++)
                    s += W[k * d + j] * x[p * d + j];
                zr[k] = s;
            }
        }
        for (size_t c = 0; c < pl->n; c++) {
            if (c == pl->val)
                continue;
            int i = ws->ch.c[c].i, j = ws->ch.c[c].j;
            double *zc = Z + c * n * w + e0;
            for (size_t p = 0; p < p1 - p0; p++)
                for (size_t k = 0; k < w; k++)
                    zc[p * w + k] = j < 0 ? W[k * d + (size_t)i] : 0.0;
        }
    } else {
        for (size_t p = 0; p < p1 - p0; p++) {
            double *zr = zv + p * w;
#pragma omp simd
            for (size_t k = 0; k < w; k++)
                zr[k] += b[k];
        }
    }
    if (act->eval_n)
        act->eval_n(ne, zv, av, s1, s2, s3);
    else
        for (size_t e = 0; e < ne; e++)
            act->eval(zv[e], av + e, s1 + e, s2 + e, s3 + e);
    for (size_t q = 0; q < pl->n1; q++) {
        const double *zf = Z + pl->f_idx[q] * n * w + e0;
        double *af = A + pl->f_idx[q] * n * w + e0;
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            af[e] = s1[e] * zf[e];
    }
    for (size_t q = 0; q < pl->n2; q++) {
        const double *zs = Z + pl->s_idx[q] * n * w + e0;
        const double *zi = Z + pl->s_fi[q] * n * w + e0;
        const double *zj = Z + pl->s_fj[q] * n * w + e0;
        double *as = A + pl->s_idx[q] * n * w + e0;
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            as[e] = s2[e] * zi[e] * zj[e] + s1[e] * zs[e];
    }
}

static void forward_block_plain(mlp_workspace *ws, const mlp *net, size_t l, size_t p0,
                                size_t p1)
{
    forward_block(ws, net, l, p0, p1);
}

MLP_AVX2 static void forward_block_avx2(mlp_workspace *ws, const mlp *net, size_t l,
                                        size_t p0, size_t p1)
{
    forward_block(ws, net, l, p0, p1);
}

/* Row block [p0, p1) of hidden weight layer l backward: turns G (dLoss/d of
 * every channel of a[l+1]) into dLoss/dz[l] in place:
 *   dZ    = G s' + sum_i G_i s'' Z_i + sum_ij G_ij (s''' Z_i Z_j + s'' Z_ij)
 *   dZ_i  = G_i s' + sum_{ij} G_ij s'' Z_j  (+ the same with i, j swapped)
 *   dZ_ij = G_ij s'
 * The order of the loops is what makes the update in place correct. */
MLP_INLINE void backward_block(mlp_workspace *ws, const mlp *net, size_t l, double *G,
                               size_t p0, size_t p1)
{
    const size_t n = ws->n, w = net->width[l + 1];
    const mlp_plan *pl = &ws->plan;
    const double *Z = ws->z[l];
    const size_t e0 = p0 * w, ne = (p1 - p0) * w;
    const double *s1 = ws->s1[l] + e0, *s2 = ws->s2[l] + e0, *s3 = ws->s3[l] + e0;
    double *gv = G + pl->val * n * w + e0;
#pragma omp simd
    for (size_t e = 0; e < ne; e++)
        gv[e] *= s1[e];
    for (size_t q = 0; q < pl->n1; q++) {
        const double *gf = G + pl->f_idx[q] * n * w + e0;
        const double *zf = Z + pl->f_idx[q] * n * w + e0;
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            gv[e] += gf[e] * s2[e] * zf[e];
    }
    for (size_t q = 0; q < pl->n2; q++) {
        const double *gs = G + pl->s_idx[q] * n * w + e0;
        const double *zs = Z + pl->s_idx[q] * n * w + e0;
        const double *zi = Z + pl->s_fi[q] * n * w + e0;
        const double *zj = Z + pl->s_fj[q] * n * w + e0;
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            gv[e] += gs[e] * (s3[e] * zi[e] * zj[e] + s2[e] * zs[e]);
    }
    for (size_t q = 0; q < pl->n1; q++) {
        double *gf = G + pl->f_idx[q] * n * w + e0;
#pragma omp simd
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
        double *gj = G + pl->s_fj[q] * n * w + e0; /* == gi when pure: not simd */
        for (size_t e = 0; e < ne; e++)
            gj[e] += gs[e] * s2[e] * zi[e];
    }
    for (size_t q = 0; q < pl->n2; q++) {
        double *gs = G + pl->s_idx[q] * n * w + e0;
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            gs[e] *= s1[e];
    }
}

static void backward_block_plain(mlp_workspace *ws, const mlp *net, size_t l, double *G,
                                 size_t p0, size_t p1)
{
    backward_block(ws, net, l, G, p0, p1);
}

MLP_AVX2 static void backward_block_avx2(mlp_workspace *ws, const mlp *net, size_t l,
                                         double *G, size_t p0, size_t p1)
{
    backward_block(ws, net, l, G, p0, p1);
}

/* Runs the forward (G == NULL) or backward block function of hidden layer l
 * over all row blocks; threads only when there are two blocks or more, so a
 * handful of points never pays for waking a team. */
static void hidden_pass(mlp_workspace *ws, const mlp *net, size_t l, double *G)
{
    const size_t n = ws->n, rb = block_rows(net->width[l + 1]);
    const long nb = (long)((n + rb - 1) / rb);
    const int avx2 = mlp_cpu_avx2();
#pragma omp parallel for schedule(static) if (nb > 1)
    for (long bi = 0; bi < nb; bi++) {
        size_t p0 = (size_t)bi * rb, p1 = p0 + rb < n ? p0 + rb : n;
        if (G == NULL) {
            if (avx2)
                forward_block_avx2(ws, net, l, p0, p1);
            else
                forward_block_plain(ws, net, l, p0, p1);
        } else {
            if (avx2)
                backward_block_avx2(ws, net, l, G, p0, p1);
            else
                backward_block_plain(ws, net, l, G, p0, p1);
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
        const size_t wi = net->width[l], wo = net->width[l + 1];
        if (l + 1 < L) {
            if (l > 0)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)wo,
                            (int)wi, 1.0, ws->a[l], (int)wi, mlp_W(net, l), (int)wi, 0.0,
                            ws->z[l], (int)wo);
            hidden_pass(ws, net, l, NULL);
            continue;
        }
        if (wo == 1) /* one output: a matrix-vector product is much faster */
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)rows, (int)wi, 1.0, ws->a[l],
                        (int)wi, mlp_W(net, l), 1, 0.0, out, 1);
        else
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)wo, (int)wi,
                        1.0, ws->a[l], (int)wi, mlp_W(net, l), (int)wi, 0.0, out, (int)wo);
        const double *b = mlp_b(net, l);
        double *ov = out + ws->plan.val * n * wo;
        for (size_t p = 0; p < n; p++)
            for (size_t k = 0; k < wo; k++)
                ov[p * wo + k] += b[k];
    }
    ws->ready = 1;
    return MLP_OK;
}

/* dW, db of the first weight layer from its dZ when it is hidden: the input
 * rows are x (value), e_i (d/dx_i) and 0 (second derivatives), so
 * dW += dZ^T x + for each d/dx_i the column sums of dZ_i into column i. */
static void input_layer_grad(mlp_workspace *ws, const mlp *net, const double *dz, double *grad)
{
    const size_t n = ws->n, d = net->width[0], w = net->width[1], val = ws->plan.val;
    double *gW = grad + net->w_off[0];
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)w, (int)d, (int)n, 1.0,
                dz + val * n * w, (int)w, ws->a[0] + val * n * d, (int)d, 1.0, gW, (int)d);
    for (size_t q = 0; q < ws->plan.n1; q++)
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)w, 1.0,
                    dz + ws->plan.f_idx[q] * n * w, (int)w, ws->ones, 1, 1.0,
                    gW + ws->plan.f_var[q], (int)d);
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
        const size_t wi = net->width[l], wo = net->width[l + 1];
        const double *W = mlp_W(net, l);
        double *gW = grad + net->w_off[l];
        if (l + 1 < L) {
            hidden_pass(ws, net, l, cur);
            dz = cur;
        }
        if (l == 0 && L > 1)
            input_layer_grad(ws, net, dz, grad);
        else if (wo == 1)
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)rows, (int)wi, 1.0, ws->a[l], (int)wi,
                        dz, 1, 1.0, gW, 1);
        else
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)wo, (int)wi, (int)rows,
                        1.0, dz, (int)wo, ws->a[l], (int)wi, 1.0, gW, (int)wi);
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)wo, 1.0, dz + val * n * wo,
                    (int)wo, ws->ones, 1, 1.0, grad + net->b_off[l], 1);
        if (l == 0)
            break;
        if (wo == 1) { /* G_prev = dz W is an outer product */
            const long R = (long)rows;
#pragma omp parallel for schedule(static) if (rows * wi >= 2 * MLP_BLOCK_ELEMS)
            for (long r = 0; r < R; r++)
                for (size_t k = 0; k < wi; k++)
                    next[(size_t)r * wi + k] = dz[r] * W[k];
        } else {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)wi, (int)wo,
                        1.0, dz, (int)wo, W, (int)wi, 0.0, next, (int)wi);
        }
        double *t = cur;
        cur = next;
        next = t;
    }
    return MLP_OK;
}
