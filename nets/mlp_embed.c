/* nets/mlp_embed.c - the fixed input embedding in front of the first layer:
 * exact periodic features and random Fourier features, with their first
 * and second derivatives in the raw inputs written as the first layer's
 * input channels (instead of the e_i / 0 seeds of raw inputs). No passes. */
#include <math.h>
#include <string.h>
#include "mlp.h"
#include "mlp_internal.h"

static const double two_pi = 6.283185307179586476925286766559;

/* The periodic stage at one point x (n_in values): u[k] (emb_mid values),
 * and, since each u[k] depends on one input var[k] only, its first and
 * second derivative in that input, u1[k] and u2[k]. The phase is reduced to
 * [0, 1) periods before the cosine, so x = lo and x = lo + period give the
 * same bits. */
static void embed_periodic(const mlp *net, const double *x, double *u, double *u1, double *u2,
                           size_t *var)
{
    const mlp_embedding *e = &net->emb;
    size_t m = 0;
    for (size_t i = 0; i < net->n_in; i++) {
        if (!(e->periodic & (1u << i))) {
            u[m] = x[i];
            u1[m] = 1.0;
            u2[m] = 0.0;
            var[m++] = i;
            continue;
        }
        const double t = (x[i] - e->lo[i]) / e->period[i];
        for (size_t k = 1; k <= e->harmonics; k++) {
            const double w = two_pi * (double)k / e->period[i];
            double kt = (double)k * t;
            kt -= floor(kt);
            const double c = cos(two_pi * kt), s = sin(two_pi * kt);
            u[m] = c; /* d/dx cos = -w sin, d2/dx2 cos = -w^2 cos */
            u1[m] = -w * s;
            u2[m] = -w * w * c;
            var[m++] = i;
            u[m] = s;
            u1[m] = w * c;
            u2[m] = -w * w * s;
            var[m++] = i;
        }
    }
}

void mlp_embed_fill(const mlp_workspace *ws, const mlp *net, const double *x)
{
    const size_t n = ws->n, d = net->n_in, mid = net->emb_mid, w0 = net->width[0];
    const size_t F = net->emb.fourier;
    const mlp_channels *ch = &ws->ch;
    double *a = ws->a[0];
    double u[MLP_MAX_EMBED], u1[MLP_MAX_EMBED], u2[MLP_MAX_EMBED];
    size_t var[MLP_MAX_EMBED];
    for (size_t p = 0; p < n; p++) {
        embed_periodic(net, x + p * d, u, u1, u2, var);
        if (F == 0) {
            for (size_t c = 0; c < ch->n; c++) {
                const int i = ch->c[c].i, j = ch->c[c].j;
                double *r = a + (c * n + p) * w0;
                for (size_t k = 0; k < mid; k++)
                    r[k] = i < 0 ? u[k]
                           : (size_t)i != var[k] ? 0.0
                           : j < 0 ? u1[k]
                           : j == i ? u2[k] : 0.0;
            }
            continue;
        }
        /* w = 2 pi B u; dw/dx_i = 2 pi sum_{var k = i} B u1; d2w/dx_i^2 likewise with u2
         * (zero across inputs: u is separable) */
        for (size_t f = 0; f < F; f++) {
            const double *b = net->fourier_B + f * mid;
            double w = 0.0, w1[MLP_MAX_INPUTS] = {0}, w2[MLP_MAX_INPUTS] = {0};
            for (size_t k = 0; k < mid; k++) {
                w += b[k] * u[k];
                w1[var[k]] += b[k] * u1[k];
                w2[var[k]] += b[k] * u2[k];
            }
            w *= two_pi;
            for (size_t i = 0; i < d; i++) {
                w1[i] *= two_pi;
                w2[i] *= two_pi;
            }
            const double cw = cos(w), sw = sin(w);
            for (size_t c = 0; c < ch->n; c++) {
                const int i = ch->c[c].i, j = ch->c[c].j;
                double *r = a + (c * n + p) * w0;
                if (i < 0) {
                    r[f] = cw;
                    r[F + f] = sw;
                } else if (j < 0) {
                    r[f] = -sw * w1[i];
                    r[F + f] = cw * w1[i];
                } else {
                    const double wij = w1[i] * w1[j], wii = i == j ? w2[i] : 0.0;
                    r[f] = -cw * wij - sw * wii;
                    r[F + f] = -sw * wij + cw * wii;
                }
            }
        }
    }
}
