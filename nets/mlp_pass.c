/* nets/mlp_pass.c - the fast forward and backward passes: every channel
 * stacked as rows c*n + p, points taken in row blocks that go through every
 * layer while they are in cache (small products by mlp_gemm, element-wise
 * work compiled per instruction-set path, OpenMP over blocks); a one-output
 * net's leaf channels share one backward channel. The per-point reference
 * is mlp_naive.c; memory: mlp_workspace.c. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "mlp.h"
#include "mlp_internal.h"
#include "mlp_simd.h"

/* Where the row block [p0, p0 + m) keeps its activations: for hidden layer
 * l its output's channels (channel c at a[l] + c * acs[l], rows of
 * width[l+1]) and the activation's derivatives s1, s2, s3 (m x width[l+1]);
 * g0, g1 hold its upstream gradients in backward. When ws->keep they are
 * the block's rows of the workspace's a[l+1] and s1-s3[l], kept from
 * forward to backward; otherwise they live in per-thread scratch and
 * backward rebuilds them from z[l] (the workspace then stores only z). */
typedef struct blk {
    double *a[MLP_MAX_LAYERS], *s1[MLP_MAX_LAYERS], *s2[MLP_MAX_LAYERS], *s3[MLP_MAX_LAYERS];
    size_t acs[MLP_MAX_LAYERS];
    double *g0, *g1;
    double *t2, *t3; /* one strip's s'' and s''' when computed from s and s' */
} blk;

/* The block view of thread t for points [p0, p0 + m). */
static blk blk_make(const mlp_workspace *ws, const mlp *net, size_t t, size_t p0, size_t m)
{
    blk b;
    const size_t bp = ws->block_pts, C = ws->max_channels;
    double *p = ws->scratch + t * ws->scratch_len;
    for (size_t l = 0; l + 1 < net->n_layers; l++) {
        const size_t w = net->width[l + 1];
        if (ws->keep) {
            b.a[l] = ws->a[l + 1] + p0 * w;
            b.acs[l] = ws->n * w;
            b.s1[l] = ws->s1[l] + p0 * w;
            b.s2[l] = ws->s2[l] + p0 * w;
            b.s3[l] = ws->s3[l] + p0 * w;
            continue;
        }
        b.a[l] = p;
        b.acs[l] = m * w;
        p += C * bp * w;
        b.s1[l] = p;
        b.s2[l] = p + bp * w;
        b.s3[l] = p + 2 * bp * w;
        p += 3 * bp * w;
    }
    b.g0 = p;
    b.g1 = p + ws->g_len;
    b.t2 = p + 2 * ws->g_len;
    b.t3 = b.t2 + ws->strip_len;
    return b;
}

/* Channel c of layer l's input for the block: x rows (layer 0, global) or
 * the block's activations; rows of width[l]. */
static inline const double *blk_in(const mlp_workspace *ws, const blk *b, size_t l, size_t c,
                                   size_t p0, size_t wi)
{
    return l == 0 ? ws->a[0] + (c * ws->n + p0) * wi : b->a[l - 1] + c * b->acs[l - 1];
}

/* s'' and s''' at one element under rule (see mlp_act_rule): from the
 * value t = s(z) and s1 = s'(z) for tanh and sin, else the stored arrays.
 * rule is a constant wherever these are inlined, so the test folds away. */
MLP_INLINE double rule_s2(int rule, const double *av, const double *s1, const double *s2,
                          size_t e)
{
    return rule == MLP_RULE_TANH ? mlp_tanh_d2(av[e], s1[e])
           : rule == MLP_RULE_SIN ? -av[e]
                                  : s2[e];
}
MLP_INLINE double rule_s3(int rule, const double *av, const double *s1, const double *s3,
                          size_t e)
{
    return rule == MLP_RULE_TANH ? mlp_tanh_d3(av[e], s1[e])
           : rule == MLP_RULE_SIN ? -s1[e]
                                  : s3[e];
}

/* Points per strip of the fused element-wise loops at width w. */
static inline size_t strip_pts(size_t w)
{
    size_t s = MLP_STRIP_DOUBLES / w;
    return s ? s : 1;
}

/* One strip of ne elements of a hidden layer forward: the activation of the
 * value channel and every derivative channel from it while the strip is in
 * L1 (Z, A: channel c at Z + c zcs, A + c acs; s1 and, for the stored rule,
 * s2, s3 kept for backward; t2, t3 strip scratch):
 *   A = s(Z), A_i = s' Z_i, A_ij = s'' Z_i Z_j + s' Z_ij. */
MLP_INLINE void forward_strip(const mlp_plan *pl, int rule, const mlp_activation *act,
                              const double *Z, size_t zcs, double *A, size_t acs,
                              double *restrict s1, double *restrict s2, double *restrict s3,
                              double *t2, double *t3, size_t ne)
{
    const double *zv = Z + pl->val * zcs;
    double *restrict av = A + pl->val * acs;
    if (rule == MLP_RULE_TANH) {
#pragma omp simd
        for (size_t e = 0; e < ne; e++) {
            double t, d;
            mlp_tanh_one(zv[e], &t, &d);
            av[e] = t;
            s1[e] = d;
        }
    } else if (act->eval_n) {
        act->eval_n(ne, zv, av, s1, rule == MLP_RULE_STORED ? s2 : t2,
                    rule == MLP_RULE_STORED ? s3 : t3);
    } else {
        for (size_t e = 0; e < ne; e++)
            act->eval(zv[e], av + e, s1 + e, s2 + e, s3 + e);
    }
    for (size_t q = 0; q < pl->n1; q++) {
        const double *zf = Z + pl->f_idx[q] * zcs;
        double *restrict af = A + pl->f_idx[q] * acs;
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            af[e] = s1[e] * zf[e];
    }
    for (size_t q = 0; q < pl->n2; q++) {
        const double *zs = Z + pl->s_idx[q] * zcs;
        const double *zi = Z + pl->s_fi[q] * zcs, *zj = Z + pl->s_fj[q] * zcs;
        double *restrict as = A + pl->s_idx[q] * acs;
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            as[e] = rule_s2(rule, av, s1, s2, e) * zi[e] * zj[e] + s1[e] * zs[e];
    }
}

/* Every strip of the block [p0, p1) of hidden layer l under rule. */
MLP_INLINE void forward_strips(mlp_workspace *ws, const mlp *net, size_t l, const blk *bk,
                               size_t p0, size_t p1, int rule)
{
    const size_t n = ws->n, w = net->width[l + 1], sp = strip_pts(w), acs = bk->acs[l];
    for (size_t q0 = p0; q0 < p1; q0 += sp) {
        const size_t q1 = q0 + sp < p1 ? q0 + sp : p1, o = (q0 - p0) * w;
        forward_strip(&ws->plan, rule, net->act, ws->z[l] + q0 * w, n * w, bk->a[l] + o, acs,
                      bk->s1[l] + o, bk->s2[l] + o, bk->s3[l] + o, bk->t2, bk->t3,
                      (q1 - q0) * w);
    }
}

/* The activations of the block [p0, p1) of hidden layer l from its final z. */
MLP_INLINE void forward_act(mlp_workspace *ws, const mlp *net, size_t l, const blk *bk,
                            size_t p0, size_t p1)
{
    switch (ws->rule) {
    case MLP_RULE_TANH:
        forward_strips(ws, net, l, bk, p0, p1, MLP_RULE_TANH);
        break;
    case MLP_RULE_SIN:
        forward_strips(ws, net, l, bk, p0, p1, MLP_RULE_SIN);
        break;
    default:
        forward_strips(ws, net, l, bk, p0, p1, MLP_RULE_STORED);
    }
}

/* s'' and s''' of a strip: the stored arrays, or computed into t2, t3. */
MLP_INLINE void strip_s23(int rule, const double *av, const double *s1, const double **s2,
                          const double **s3, double *restrict t2, double *restrict t3,
                          size_t ne)
{
    if (rule == MLP_RULE_STORED)
        return;
#pragma omp simd
    for (size_t e = 0; e < ne; e++) {
        t2[e] = rule_s2(rule, av, s1, NULL, e);
        t3[e] = rule_s3(rule, av, s1, NULL, e);
    }
    *s2 = t2;
    *s3 = t3;
}

/* One strip of ne elements of a hidden layer backward: turns G (dLoss/d of
 * every channel of the layer's output, channel c at G + c gcs) into
 * dLoss/dz in place, all channels while the strip is in L1:
 *   dZ    = G s' + sum_i G_i s'' Z_i + sum_ij G_ij (s''' Z_i Z_j + s'' Z_ij)
 *   dZ_i  = G_i s' + sum_{ij} G_ij s'' Z_j  (+ the same with i, j swapped)
 *   dZ_ij = G_ij s'
 * The order of the loops is what makes the update in place correct. */
MLP_INLINE void backward_strip(const mlp_plan *pl, const double *Z, size_t zcs,
                               const double *s1, const double *s2, const double *s3,
                               double *G, size_t gcs, size_t ne)
{
    double *gv = G + pl->val * gcs;
#pragma omp simd
    for (size_t e = 0; e < ne; e++)
        gv[e] *= s1[e];
    for (size_t q = 0; q < pl->n1; q++) {
        const double *gf = G + pl->f_idx[q] * gcs, *zf = Z + pl->f_idx[q] * zcs;
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            gv[e] += gf[e] * s2[e] * zf[e];
    }
    for (size_t q = 0; q < pl->n2; q++) {
        const double *gs = G + pl->s_idx[q] * gcs, *zs = Z + pl->s_idx[q] * zcs;
        const double *zi = Z + pl->s_fi[q] * zcs, *zj = Z + pl->s_fj[q] * zcs;
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            gv[e] += gs[e] * (s3[e] * zi[e] * zj[e] + s2[e] * zs[e]);
    }
    for (size_t q = 0; q < pl->n1; q++) {
        double *gf = G + pl->f_idx[q] * gcs;
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            gf[e] *= s1[e];
    }
    for (size_t q = 0; q < pl->n2; q++) {
        const double *gs = G + pl->s_idx[q] * gcs;
        const double *zi = Z + pl->s_fi[q] * zcs, *zj = Z + pl->s_fj[q] * zcs;
        double *gi = G + pl->s_fi[q] * gcs, *gj = G + pl->s_fj[q] * gcs;
        if (gi == gj) { /* pure (i, i): both terms land on G_i */
#pragma omp simd
            for (size_t e = 0; e < ne; e++)
                gi[e] += 2.0 * gs[e] * s2[e] * zj[e];
            continue;
        }
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            gi[e] += gs[e] * s2[e] * zj[e];
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            gj[e] += gs[e] * s2[e] * zi[e];
    }
    for (size_t q = 0; q < pl->n2; q++) {
        double *gs = G + pl->s_idx[q] * gcs;
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            gs[e] *= s1[e];
    }
}

/* backward_strip for a one-output net whose leaves are collapsed (see
 * mlp_plan), m points of width w: G holds the non-leaf channels and J in
 * channel jslot; a leaf c's upstream gradient is g_c(p) J with g_c = rows of
 * gout (channel c at g + c gn, one column). Leaves only occur as d/dx_i
 * without a second derivative on top, or as (i, j) themselves, so:
 *   dZ    = G s' + sum_i G_i s'' Z_i + sum_ij g_ij J (s''' Z_i Z_j + s'' Z_ij)
 *   dZ_i  = G_i s' + sum_{ij} g_ij J s'' Z_j (+ i, j swapped)   (i not a leaf)
 *   delta = J s', and a leaf's dZ_c is g_c delta (left implicit).
 * G_i of a leaf i is g_i J. Afterwards channel jslot holds delta. */
MLP_INLINE void backward_strip_leaf(const mlp_plan *pl, const double *Z, size_t zcs,
                                    const double *s1, const double *s2, const double *s3,
                                    double *G, size_t gcs, const double *g, size_t gn,
                                    size_t m, size_t w)
{
    const size_t ne = m * w;
    double *gv = G + pl->val * gcs, *J = G + pl->jslot * gcs;
#pragma omp simd
    for (size_t e = 0; e < ne; e++)
        gv[e] *= s1[e];
    for (size_t q = 0; q < pl->n1; q++) {
        const size_t f = pl->f_idx[q];
        const double *zf = Z + f * zcs;
        if (pl->leaf[f]) {
            const double *gc = g + f * gn;
            for (size_t p = 0; p < m; p++) {
                const double gp = gc[p];
#pragma omp simd
                for (size_t k = p * w; k < p * w + w; k++)
                    gv[k] += gp * J[k] * s2[k] * zf[k];
            }
        } else {
            const double *gf = G + f * gcs;
#pragma omp simd
            for (size_t e = 0; e < ne; e++)
                gv[e] += gf[e] * s2[e] * zf[e];
        }
    }
    for (size_t q = 0; q < pl->n2; q++) {
        const double *gc = g + pl->s_idx[q] * gn, *zs = Z + pl->s_idx[q] * zcs;
        const double *zi = Z + pl->s_fi[q] * zcs, *zj = Z + pl->s_fj[q] * zcs;
        for (size_t p = 0; p < m; p++) {
            const double gp = gc[p];
#pragma omp simd
            for (size_t k = p * w; k < p * w + w; k++)
                gv[k] += gp * J[k] * (s3[k] * zi[k] * zj[k] + s2[k] * zs[k]);
        }
    }
    for (size_t q = 0; q < pl->n1; q++) {
        if (pl->leaf[pl->f_idx[q]])
            continue;
        double *gf = G + pl->f_idx[q] * gcs;
#pragma omp simd
        for (size_t e = 0; e < ne; e++)
            gf[e] *= s1[e];
    }
    for (size_t q = 0; q < pl->n2; q++) {
        const double *gc = g + pl->s_idx[q] * gn;
        const double *zi = Z + pl->s_fi[q] * zcs, *zj = Z + pl->s_fj[q] * zcs;
        double *gi = G + pl->s_fi[q] * gcs, *gj = G + pl->s_fj[q] * gcs;
        if (gi == gj) { /* pure (i, i): both terms land on G_i */
            for (size_t p = 0; p < m; p++) {
                const double gp = 2.0 * gc[p];
#pragma omp simd
                for (size_t k = p * w; k < p * w + w; k++)
                    gi[k] += gp * J[k] * s2[k] * zj[k];
            }
            continue;
        }
        for (size_t p = 0; p < m; p++) {
            const double gp = gc[p];
#pragma omp simd
            for (size_t k = p * w; k < p * w + w; k++)
                gi[k] += gp * J[k] * s2[k] * zj[k];
#pragma omp simd
            for (size_t k = p * w; k < p * w + w; k++)
                gj[k] += gp * J[k] * s2[k] * zi[k];
        }
    }
#pragma omp simd
    for (size_t e = 0; e < ne; e++)
        J[e] *= s1[e];
}

/* Row block [p0, p1) of hidden weight layer l backward, strip by strip:
 * G (channel c at G + c gcs, block rows) becomes dLoss/dz[l] in place;
 * with leaves collapsed (gout not NULL) the leaves ride on J. */
MLP_INLINE void backward_strips(mlp_workspace *ws, const mlp *net, size_t l, const blk *bk,
                                double *G, size_t gcs, const double *gout, size_t p0,
                                size_t p1, int rule)
{
    const mlp_plan *pl = &ws->plan;
    const size_t n = ws->n, w = net->width[l + 1], sp = strip_pts(w);
    const double *av = bk->a[l] + pl->val * bk->acs[l];
    for (size_t q0 = p0; q0 < p1; q0 += sp) {
        const size_t q1 = q0 + sp < p1 ? q0 + sp : p1, o = (q0 - p0) * w, ne = (q1 - q0) * w;
        const double *s1 = bk->s1[l] + o, *s2 = bk->s2[l] + o, *s3 = bk->s3[l] + o;
        strip_s23(rule, av + o, s1, &s2, &s3, bk->t2, bk->t3, ne);
        if (gout)
            backward_strip_leaf(pl, ws->z[l] + q0 * w, n * w, s1, s2, s3, G + o, gcs,
                                gout + q0, n, q1 - q0, w);
        else
            backward_strip(pl, ws->z[l] + q0 * w, n * w, s1, s2, s3, G + o, gcs, ne);
    }
}

/* backward_strips under the workspace's rule. */
MLP_INLINE void backward_block(mlp_workspace *ws, const mlp *net, size_t l, const blk *bk,
                               double *G, size_t gcs, const double *gout, size_t p0, size_t p1)
{
    switch (ws->rule) {
    case MLP_RULE_TANH:
        backward_strips(ws, net, l, bk, G, gcs, gout, p0, p1, MLP_RULE_TANH);
        break;
    case MLP_RULE_SIN:
        backward_strips(ws, net, l, bk, G, gcs, gout, p0, p1, MLP_RULE_SIN);
        break;
    default:
        backward_strips(ws, net, l, bk, G, gcs, gout, p0, p1, MLP_RULE_STORED);
    }
}

/* Row block [p0, p1) of hidden weight layer l. For l = 0 the pre-activation
 * is built here rather than by a dgemm, since the input rows are known: Z =
 * x W^T + b, Z_i = column i of W (A0_i = e_i), Z_ij = 0. Otherwise the dgemm
 * has filled z[l] and the bias is added to its value rows. Then the
 * activations (forward_act). */
MLP_INLINE void forward_block(mlp_workspace *ws, const mlp *net, size_t l, const blk *bk,
                              size_t p0, size_t p1, int make_z)
{
    const size_t n = ws->n, w = net->width[l + 1], d = net->width[0];
    const mlp_plan *pl = &ws->plan;
    const double *b = mlp_b(net, l);
    double *Z = ws->z[l];
    const size_t e0 = p0 * w;
    double *zv = Z + pl->val * n * w + e0;
    if (!make_z) {
        /* z[l] is final already: rebuild the activations only */
    } else if (l == 0 && !net->embedded) { /* row j of Wt is column j of W */
        const double *x = ws->a[0] + pl->val * n * d, *Wt = ws->wt + net->w_off[0];
        for (size_t p = p0; p < p1; p++) {
            double *zr = zv + (p - p0) * w;
#pragma omp simd
            for (size_t k = 0; k < w; k++)
                zr[k] = b[k];
            for (size_t j = 0; j < d; j++) {
                const double xj = x[p * d + j], *wj = Wt + j * w;
#pragma omp simd
                for (size_t k = 0; k < w; k++)
                    zr[k] += wj[k] * xj;
            }
        }
        for (size_t c = 0; c < pl->n; c++) {
            if (c == pl->val)
                continue;
            int i = ws->ch.c[c].i, j = ws->ch.c[c].j;
            double *zc = Z + c * n * w + e0;
            for (size_t p = 0; p < p1 - p0; p++) {
                if (j < 0)
                    memcpy(zc + p * w, Wt + (size_t)i * w, w * sizeof *zc);
                else
                    memset(zc + p * w, 0, w * sizeof *zc);
            }
        }
    } else {
        for (size_t p = 0; p < p1 - p0; p++) {
            double *zr = zv + p * w;
#pragma omp simd
            for (size_t k = 0; k < w; k++)
                zr[k] += b[k];
        }
    }
    forward_act(ws, net, l, bk, p0, p1);
}

/* Forward of points [p0, p1) through every layer: per layer one small
 * product per channel (rows c*n + p0 .. c*n + p1), then the element-wise
 * block; the block's rows stay in cache from one layer to the next. */
MLP_INLINE void forward_rows(mlp_workspace *ws, const mlp *net, const blk *bk, double *out,
                             size_t p0, size_t p1)
{
    const size_t L = net->n_layers, n = ws->n, C = ws->plan.n, m = p1 - p0;
    for (size_t l = 0; l < L; l++) {
        const size_t wi = net->width[l], wo = net->width[l + 1];
        const double *Wt = ws->wt + net->w_off[l];
        if (l + 1 < L) {
            if (l > 0 || net->embedded) /* embedded: a[0] is no longer x, e_i, 0 */
                for (size_t c = 0; c < C; c++)
                    mlp_gemm(m, wo, wi, blk_in(ws, bk, l, c, p0, wi), wi, 1, Wt, wo,
                             ws->z[l] + (c * n + p0) * wo, wo, 0);
            forward_block(ws, net, l, bk, p0, p1, 1);
            continue;
        }
        const double *W = mlp_W(net, l), *b = mlp_b(net, l);
        for (size_t c = 0; c < C; c++) {
            const double *a = blk_in(ws, bk, l, c, p0, wi);
            double *o = out + (c * n + p0) * wo;
            if (wo == 1) { /* one output: a dot product per row */
                for (size_t p = 0; p < m; p++) {
                    double s = 0.0;
#pragma omp simd reduction(+ : s)
                    for (size_t k = 0; k < wi; k++)
                        s += a[p * wi + k] * W[k];
                    o[p] = s;
                }
            } else {
                mlp_gemm(m, wo, wi, a, wi, 1, Wt, wo, o, wo, 0);
            }
            if (c == ws->plan.val)
                for (size_t p = 0; p < m; p++)
                    for (size_t k = 0; k < wo; k++)
                        o[p * wo + k] += b[k];
        }
    }
}

/* gW (wi) += sum_p dc[p] a[p] (a: m rows of wi): the dW of a one-output
 * layer, four rows per sweep over gW so its load-add-store chain is paid
 * once per four rows instead of every row. */
MLP_INLINE void out_grad_rows(double *restrict gW, const double *restrict dc,
                              const double *restrict a, size_t m, size_t wi)
{
    size_t p = 0;
    for (; p + 4 <= m; p += 4) {
        const double d0 = dc[p], d1 = dc[p + 1], d2 = dc[p + 2], d3 = dc[p + 3];
        const double *a0 = a + p * wi, *a1 = a0 + wi, *a2 = a1 + wi, *a3 = a2 + wi;
#pragma omp simd
        for (size_t k = 0; k < wi; k++)
            gW[k] += (d0 * a0[k] + d1 * a1[k]) + (d2 * a2[k] + d3 * a3[k]);
    }
    for (; p < m; p++) {
        const double dp = dc[p], *ap = a + p * wi;
#pragma omp simd
        for (size_t k = 0; k < wi; k++)
            gW[k] += dp * ap[k];
    }
}

/* dW of the first weight layer when it is hidden, from the block's dZ
 * (channel c at dz + c*dcs): the input rows are x (value), e_i (d/dx_i) and
 * 0 (second derivatives), so dW += dZ^T x and, for each d/dx_i, the column
 * sums of dZ_i go into column i. With leaves collapsed (gout not NULL) a
 * leaf's dZ_i is g_i delta, delta in channel jslot. */
MLP_INLINE void input_grad_rows(const mlp_workspace *ws, const mlp *net, const double *dz,
                                size_t dcs, const double *gout, size_t p0, size_t p1,
                                double *gW, double *tmp)
{
    const size_t n = ws->n, d = net->width[0], w = net->width[1], val = ws->plan.val;
    const double *x = ws->a[0] + (val * n + p0) * d, *dv = dz + val * dcs;
    mlp_gemm(w, d, p1 - p0, dv, 1, w, x, d, gW, d, 1);
    for (size_t q = 0; q < ws->plan.n1; q++) {
        const size_t f = ws->plan.f_idx[q], i = ws->plan.f_var[q];
        for (size_t k = 0; k < w; k++)
            tmp[k] = 0.0;
        if (gout && ws->plan.leaf[f]) {
            const double *dl = dz + ws->plan.jslot * dcs, *g = gout + f * n + p0;
            for (size_t p = 0; p < p1 - p0; p++)
#pragma omp simd
                for (size_t k = 0; k < w; k++)
                    tmp[k] += g[p] * dl[p * w + k];
        } else {
            const double *df = dz + f * dcs;
            for (size_t p = 0; p < p1 - p0; p++)
#pragma omp simd
                for (size_t k = 0; k < w; k++)
                    tmp[k] += df[p * w + k];
        }
        for (size_t k = 0; k < w; k++)
            gW[k * d + i] += tmp[k];
    }
}

/* Backward of points [p0, p1) through every layer, adding dLoss/dtheta to
 * grad. First the block's activations are rebuilt from z (into bk), then
 * the upstream gradient of the block lives in bk's g0/g1 (channel c at
 * c * (p1 - p0) * width), so blocks on other threads never share it. With
 * lf (one output, two leaves or more) the leaves ride on J (mlp_plan). */
MLP_INLINE void backward_rows(mlp_workspace *ws, const mlp *net, const blk *bk,
                              const double *gout, double *grad, size_t p0, size_t p1, int lf)
{
    const mlp_plan *pl = &ws->plan;
    const size_t L = net->n_layers, n = ws->n, C = pl->n, m = p1 - p0, val = pl->val;
    const double *dz = gout + p0 * net->width[L];
    size_t dcs = n * net->width[L];
    double *cur = bk->g0, *next = bk->g1;
    for (size_t l = 0; !ws->keep && l + 1 < L; l++) /* the activations again, from z */
        forward_block(ws, net, l, bk, p0, p1, 0);
    for (size_t l = L; l-- > 0;) {
        const size_t wi = net->width[l], wo = net->width[l + 1];
        const int hidden = l + 1 < L;
        if (hidden) { /* cur: dLoss/dA of layer l+1, to dLoss/dZ in place */
            backward_block(ws, net, l, bk, cur, m * wo, lf ? gout : NULL, p0, p1);
            dz = cur;
            dcs = m * wo;
        }
        double *gW = grad + net->w_off[l], *gb = grad + net->b_off[l];
        if (l == 0 && L > 1 && !net->embedded) {
            input_grad_rows(ws, net, dz, dcs, lf ? gout : NULL, p0, p1, gW, next);
        } else {
            for (size_t c = 0; c < C; c++) {
                if (lf && hidden && pl->leaf[c])
                    continue;
                const double *a = blk_in(ws, bk, l, c, p0, wi), *dc = dz + c * dcs;
                if (wo == 1)
                    out_grad_rows(gW, dc, a, m, wi);
                else
                    mlp_gemm(wo, wi, m, dc, 1, wo, a, wi, gW, wi, 1);
            }
            if (lf && hidden) { /* sum_leaves dZ_c^T A_c = delta^T (sum_c g_c A_c) */
                double *B = next;
                int first = 1;
                for (size_t c = 0; c < C; c++) {
                    if (!pl->leaf[c])
                        continue;
                    const double *a = blk_in(ws, bk, l, c, p0, wi), *g = gout + c * n + p0;
                    for (size_t p = 0; p < m; p++) {
                        const double gp = g[p];
                        double *b = B + p * wi;
                        const double *ap = a + p * wi;
                        if (first)
#pragma omp simd
                            for (size_t k = 0; k < wi; k++)
                                b[k] = gp * ap[k];
                        else
#pragma omp simd
                            for (size_t k = 0; k < wi; k++)
                                b[k] += gp * ap[k];
                    }
                    first = 0;
                }
                mlp_gemm(wo, wi, m, dz + pl->jslot * dcs, 1, wo, B, wi, gW, wi, 1);
            }
        }
        const double *dv = dz + val * dcs;
        for (size_t p = 0; p < m; p++)
#pragma omp simd
            for (size_t k = 0; k < wo; k++)
                gb[k] += dv[p * wo + k];
        if (l == 0)
            break;
        const double *W = mlp_W(net, l);
        for (size_t c = 0; c < C; c++) {
            if (lf && pl->leaf[c] && c != pl->jslot)
                continue;
            const double *dc = dz + c * dcs;
            double *g = next + c * m * wi;
            if (lf && !hidden && c == pl->jslot) /* J = W_L on every row */
                for (size_t p = 0; p < m; p++)
#pragma omp simd
                    for (size_t k = 0; k < wi; k++)
                        g[p * wi + k] = W[k];
            else if (wo == 1) /* G_prev = dz W is an outer product */
                for (size_t p = 0; p < m; p++)
#pragma omp simd
                    for (size_t k = 0; k < wi; k++)
                        g[p * wi + k] = dc[p] * W[k];
            else
                mlp_gemm(m, wi, wo, dc, wo, 1, W, wi, g, wi, 0);
        }
        double *t = cur;
        cur = next;
        next = t;
    }
}

/* One forward and one backward per instruction-set path: the same code,
 * compiled for plain x86-64, AVX2 + FMA and AVX-512 (mlp_simd.h). */
typedef void (*fwd_rows_fn)(mlp_workspace *, const mlp *, const blk *, double *, size_t,
                            size_t);
typedef void (*bwd_rows_fn)(mlp_workspace *, const mlp *, const blk *, const double *,
                            double *, size_t, size_t, int);

#define ROWS_PATH(isa, ATTR)                                                                 \
    ATTR static void forward_rows_##isa(mlp_workspace *ws, const mlp *net, const blk *bk,   \
                                        double *out, size_t p0, size_t p1)                   \
    {                                                                                        \
        forward_rows(ws, net, bk, out, p0, p1);                                              \
    }                                                                                        \
    ATTR static void backward_rows_##isa(mlp_workspace *ws, const mlp *net, const blk *bk,  \
                                         const double *gout, double *grad, size_t p0,        \
                                         size_t p1, int lf)                                  \
    {                                                                                        \
        backward_rows(ws, net, bk, gout, grad, p0, p1, lf);                                  \
    }
ROWS_PATH(plain, )
ROWS_PATH(avx2, MLP_AVX2)
ROWS_PATH(avx512, MLP_AVX512)

static const fwd_rows_fn fwd_rows[MLP_ISA_N] = {forward_rows_plain, forward_rows_avx2,
                                                forward_rows_avx512};
static const bwd_rows_fn bwd_rows[MLP_ISA_N] = {backward_rows_plain, backward_rows_avx2,
                                                backward_rows_avx512};

static double pass_clock(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Threads for nb blocks: at most what the workspace was sized for. */
static int pass_threads(const mlp_workspace *ws, size_t nb)
{
#ifdef _OPENMP
    size_t t = (size_t)omp_get_max_threads();
#else
    size_t t = 1;
#endif
    if (t > ws->n_thr)
        t = ws->n_thr;
    if (t > nb)
        t = nb;
    return t < 1 ? 1 : (int)t;
}

int mlp_forward(mlp_workspace *ws, const mlp *net, const mlp_channels *ch,
                const double *x, size_t n, double *out)
{
    if (net && net->rwf) /* the pass runs on W = diag(exp(s)) V */
        return mlp_rwf_forward(ws, net, ch, x, n, out, mlp_forward);
    int rc = mlp_forward_check(ws, net, ch, x, n, out);
    if (rc != MLP_OK)
        return rc;
    mlp_input_fill(ws, net, x);
    ws->rule = mlp_act_rule(net->act); /* the net's, in case it is not the one ws was sized by */
    for (size_t l = 0; l < net->n_layers; l++) {
        const size_t wi = net->width[l], wo = net->width[l + 1];
        const double *W = mlp_W(net, l);
        double *Wt = ws->wt + net->w_off[l];
        for (size_t o = 0; o < wo; o++)
            for (size_t k = 0; k < wi; k++)
                Wt[k * wo + o] = W[o * wi + k];
    }
    const size_t bp = ws->block_pts, nb = (n + bp - 1) / bp;
    const fwd_rows_fn rows = fwd_rows[mlp_isa_active()];
    const int tuned = mlp_threads_get_auto();
    const int nt = tuned ? mlp_tuner_threads(&ws->tune_fwd, pass_threads(ws, nb))
                         : pass_threads(ws, nb);
    const double t_start = tuned ? pass_clock() : 0.0;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
#ifdef _OPENMP
        const size_t t = (size_t)omp_get_thread_num();
#else
        const size_t t = 0;
#endif
#pragma omp for schedule(dynamic, 1) /* rows are independent: any order */
        for (long bi = 0; bi < (long)nb; bi++) {
            size_t p0 = (size_t)bi * bp, p1 = p0 + bp < n ? p0 + bp : n;
            blk bk = blk_make(ws, net, t, p0, p1 - p0);
            rows(ws, net, &bk, out, p0, p1);
        }
    }
    if (tuned)
        mlp_tuner_record(&ws->tune_fwd, nt, (pass_clock() - t_start) / (double)n);
    ws->ready = 1;
    return MLP_OK;
}

int mlp_backward(mlp_workspace *ws, const mlp *net, const double *gout, double *grad)
{
    int rc = mlp_backward_check(ws, net, gout, grad);
    if (rc != MLP_OK)
        return rc;
    if (net->rwf)
        return mlp_rwf_backward(ws, net, gout, grad, mlp_backward);
    const size_t n = ws->n, bp = ws->block_pts, nb = (n + bp - 1) / bp;
    const size_t np = net->n_params, gs = (np + 7) & ~(size_t)7;
    const bwd_rows_fn rows = bwd_rows[mlp_isa_active()];
    /* one output and two leaves or more: carry J for the leaves (mlp_plan) */
    const int lf = net->width[net->n_layers] == 1 && net->n_layers > 1 && ws->plan.n_leaf >= 2;
    /* chunk k: blocks [k nb / nc, (k + 1) nb / nc), its gradient in tgrad */
    const size_t nc = nb < MLP_GRAD_CHUNKS ? nb : MLP_GRAD_CHUNKS;
    const int tuned = mlp_threads_get_auto();
    const int nt = tuned ? mlp_tuner_threads(&ws->tune_bwd, pass_threads(ws, nc))
                         : pass_threads(ws, nc);
    const double t_start = tuned ? pass_clock() : 0.0;
    memset(ws->tgrad, 0, nc * gs * sizeof(double));
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
#ifdef _OPENMP
        const size_t t = (size_t)omp_get_thread_num();
#else
        const size_t t = 0;
#endif
#pragma omp for schedule(dynamic, 1)
        for (long k = 0; k < (long)nc; k++) {
            double *g = ws->tgrad + (size_t)k * gs;
            for (size_t bi = (size_t)k * nb / nc; bi < ((size_t)k + 1) * nb / nc; bi++) {
                size_t p0 = bi * bp, p1 = p0 + bp < n ? p0 + bp : n;
                blk bk = blk_make(ws, net, t, p0, p1 - p0);
                rows(ws, net, &bk, gout, g, p0, p1, lf);
            }
        }
    }
    for (size_t k = 0; k < nc; k++) {
        const double *g = ws->tgrad + k * gs;
        for (size_t q = 0; q < np; q++)
            grad[q] += g[q];
    }
    if (tuned)
        mlp_tuner_record(&ws->tune_bwd, nt, (pass_clock() - t_start) / (double)n);
    return MLP_OK;
}
