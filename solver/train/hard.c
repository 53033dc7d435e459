/* solver/train/hard.c - the product rule of u = g + D N over a channel set:
 *   u     = g     + D N
 *   u_i   = g_i   + D_i N + D N_i
 *   u_ij  = g_ij  + D_ij N + D_i N_j + D_j N_i + D N_ij
 * and its transpose for the backward pass. Per point and output, so no
 * scratch beyond MLP_MAX_CHANNELS values. */
#include "train/hard.h"

#include <string.h>

/* For channel c: the index of the value channel, of the first derivatives
 * of its i and j (-1 where none). */
typedef struct links {
    int v, fi[MLP_MAX_CHANNELS], fj[MLP_MAX_CHANNELS];
} links;

static int links_make(const mlp_channels *ch, links *L)
{
    L->v = mlp_channels_index(ch, -1, -1);
    if (L->v < 0)
        return -1;
    for (size_t c = 0; c < ch->n; c++) {
        mlp_channel k = ch->c[c];
        L->fi[c] = L->fj[c] = -1;
        if (k.j >= 0) {
            L->fi[c] = mlp_channels_index(ch, k.i, -1);
            L->fj[c] = mlp_channels_index(ch, k.j, -1);
            if (L->fi[c] < 0 || L->fj[c] < 0)
                return -1;
        }
    }
    return 0;
}

int hard_check(const mlp_channels *ch)
{
    links L;
    return ch && ch->n <= MLP_MAX_CHANNELS ? links_make(ch, &L) : -1;
}

void hard_forward(const mlp_channels *ch, size_t n, size_t m, const double *g, const double *D,
                  double *out)
{
    links L;
    if (links_make(ch, &L))
        return;
    size_t C = ch->n, v = (size_t)L.v;
    for (size_t p = 0; p < n; p++)
        for (size_t o = 0; o < m; o++) {
            double N[MLP_MAX_CHANNELS];
            for (size_t c = 0; c < C; c++)
                N[c] = out[(c * n + p) * m + o];
            double D0 = D[v * n + p];
            for (size_t c = 0; c < C; c++) {
                mlp_channel k = ch->c[c];
                double u = g[(c * n + p) * m + o] + D0 * N[c];
                if (k.i >= 0)
                    u += D[c * n + p] * N[v];
                if (k.j >= 0)
                    u += D[(size_t)L.fi[c] * n + p] * N[L.fj[c]] +
                         D[(size_t)L.fj[c] * n + p] * N[L.fi[c]];
                out[(c * n + p) * m + o] = u;
            }
        }
}

void hard_backward(const mlp_channels *ch, size_t n, size_t m, const double *D, double *gout)
{
    links L;
    if (links_make(ch, &L))
        return;
    size_t C = ch->n, v = (size_t)L.v;
    for (size_t p = 0; p < n; p++)
        for (size_t o = 0; o < m; o++) {
            double dN[MLP_MAX_CHANNELS] = {0};
            double D0 = D[v * n + p];
            for (size_t c = 0; c < C; c++) {
                mlp_channel k = ch->c[c];
                double G = gout[(c * n + p) * m + o];
                dN[c] += G * D0;
                if (k.i >= 0)
                    dN[v] += G * D[c * n + p];
                if (k.j >= 0) {
                    dN[L.fj[c]] += G * D[(size_t)L.fi[c] * n + p];
                    dN[L.fi[c]] += G * D[(size_t)L.fj[c] * n + p];
                }
            }
            for (size_t c = 0; c < C; c++)
                gout[(c * n + p) * m + o] = dN[c];
        }
}
