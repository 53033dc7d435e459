/* nets/mlp_naive.c - the reference forward and backward passes: one point at
 * a time, plain loops, no BLAS, no threads. Written to be read and trusted,
 * not to be fast; the fast passes (mlp_pass.c) are tested against these. */
#include "mlp.h"
#include "mlp_internal.h"

int mlp_forward_naive(mlp_workspace *ws, const mlp *net, const mlp_channels *ch,
                      const double *x, size_t n, double *out)
{
    if (net && net->rwf) /* the pass runs on W = diag(exp(s)) V */
        return mlp_rwf_forward(ws, net, ch, x, n, out, mlp_forward_naive);
    int rc = mlp_forward_check(ws, net, ch, x, n, out);
    if (rc != MLP_OK)
        return rc;
    mlp_input_fill(ws, net, x);
    const mlp_plan *pl = &ws->plan;
    const size_t L = net->n_layers, C = pl->n;
    for (size_t p = 0; p < n; p++) {
        for (size_t l = 0; l < L; l++) {
            const size_t wi = net->width[l], wo = net->width[l + 1];
            const double *W = mlp_W(net, l), *b = mlp_b(net, l);
            double *zbase = l + 1 < L ? ws->z[l] : out;
            /* Z_c = A_c W^T, plus b on the value channel */
            for (size_t c = 0; c < C; c++) {
                const double *a = ws->a[l] + (c * n + p) * wi;
                double *z = zbase + (c * n + p) * wo;
                for (size_t o = 0; o < wo; o++) {
                    double s = c == pl->val ? b[o] : 0.0;
                    for (size_t k = 0; k < wi; k++)
                        s += W[o * wi + k] * a[k];
                    z[o] = s;
                }
            }
            if (l + 1 == L)
                break;
            double *A = ws->a[l + 1];
            for (size_t o = 0; o < wo; o++) {
                size_t e = p * wo + o;
                double *S1 = ws->s1[l] + e, *S2 = ws->s2[l] + e, *S3 = ws->s3[l] + e;
                net->act->eval(zbase[(pl->val * n + p) * wo + o],
                               A + (pl->val * n + p) * wo + o, S1, S2, S3);
                for (size_t q = 0; q < pl->n1; q++) {
                    size_t r = (pl->f_idx[q] * n + p) * wo + o;
                    A[r] = *S1 * zbase[r];
                }
                for (size_t q = 0; q < pl->n2; q++) {
                    size_t r = (pl->s_idx[q] * n + p) * wo + o;
                    double zi = zbase[(pl->s_fi[q] * n + p) * wo + o];
                    double zj = zbase[(pl->s_fj[q] * n + p) * wo + o];
                    A[r] = *S2 * zi * zj + *S1 * zbase[r];
                }
            }
        }
    }
    ws->ready = 1;
    return MLP_OK;
}

int mlp_backward_naive(mlp_workspace *ws, const mlp *net, const double *gout, double *grad)
{
    int rc = mlp_backward_check(ws, net, gout, grad);
    if (rc != MLP_OK)
        return rc;
    if (net->rwf)
        return mlp_rwf_backward(ws, net, gout, grad, mlp_backward_naive);
    const mlp_plan *pl = &ws->plan;
    const size_t L = net->n_layers, C = pl->n, n = ws->n;
    for (size_t p = 0; p < n; p++) {
        const double *dzb = gout; /* stacked dLoss/dZ of layer l */
        double *cur = ws->g0, *next = ws->g1;
        for (size_t l = L; l-- > 0;) {
            const size_t wi = net->width[l], wo = net->width[l + 1];
            if (l + 1 < L) { /* cur holds dLoss/dA of layer l+1's input: to dZ in place */
                const double *Z = ws->z[l];
                for (size_t o = 0; o < wo; o++) {
                    size_t e = p * wo + o;
                    double s1 = ws->s1[l][e], s2 = ws->s2[l][e], s3 = ws->s3[l][e];
                    double d[MLP_MAX_CHANNELS];
#define R(c) ((c) * wo + o) /* this point's rows of cur; Z is global */
#define RZ(c) (((c) * n + p) * wo + o)
                    d[pl->val] = cur[R(pl->val)] * s1;
                    for (size_t q = 0; q < pl->n1; q++) {
                        size_t f = pl->f_idx[q];
                        d[pl->val] += cur[R(f)] * s2 * Z[RZ(f)];
                        d[f] = cur[R(f)] * s1;
                    }
                    for (size_t q = 0; q < pl->n2; q++) {
                        size_t s = pl->s_idx[q], fi = pl->s_fi[q], fj = pl->s_fj[q];
                        double g = cur[R(s)], zi = Z[RZ(fi)], zj = Z[RZ(fj)];
                        d[pl->val] += g * (s3 * zi * zj + s2 * Z[RZ(s)]);
                        d[fi] += g * s2 * zj;
                        d[fj] += g * s2 * zi;
                        d[s] = g * s1;
                    }
                    for (size_t c = 0; c < C; c++)
                        cur[R(c)] = d[c];
#undef R
#undef RZ
                }
                dzb = cur;
            }
            double *gW = grad + net->w_off[l], *gb = grad + net->b_off[l];
            const double *W = mlp_W(net, l);
            for (size_t c = 0; c < C; c++) {
                const double *dz = dzb == gout ? gout + (c * n + p) * wo : dzb + c * wo;
                const double *a = ws->a[l] + (c * n + p) * wi;
                for (size_t o = 0; o < wo; o++) {
                    for (size_t k = 0; k < wi; k++)
                        gW[o * wi + k] += dz[o] * a[k];
                    if (c == pl->val)
                        gb[o] += dz[o];
                }
                if (l == 0)
                    continue;
                double *g = next + c * wi;
                for (size_t k = 0; k < wi; k++) {
                    double s = 0.0;
                    for (size_t o = 0; o < wo; o++)
                        s += dz[o] * W[o * wi + k];
                    g[k] = s;
                }
            }
            double *t = cur;
            cur = next;
            next = t;
        }
    }
    return MLP_OK;
}
