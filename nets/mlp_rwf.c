/* nets/mlp_rwf.c - random weight factorization (Wang et al. 2022) as a
 * parameter transform around the passes: W = diag(exp(s)) V is built before
 * forward, and the gradient of W is mapped back to s and V after backward.
 * The passes themselves never see s. */
#include <math.h>
#include <string.h>
#include "mlp.h"
#include "mlp_internal.h"

/* ws->wm = net's parameters with W_l = diag(exp(s_l)) V_l; ws->view reads them. */
static void rwf_materialise(mlp_workspace *ws, const mlp *net)
{
    memcpy(ws->wm, net->params, net->n_params * sizeof(double));
    for (size_t l = 0; l < net->n_layers; l++) {
        const size_t wo = net->width[l + 1], wi = net->width[l];
        const double *s = net->params + net->s_off[l], *v = mlp_W(net, l);
        double *w = ws->wm + net->w_off[l];
        for (size_t o = 0; o < wo; o++) {
            const double g = exp(s[o]);
            for (size_t k = 0; k < wi; k++)
                w[o * wi + k] = g * v[o * wi + k];
        }
    }
    ws->view = *net;
    ws->view.params = ws->wm;
    ws->view.rwf = 0;
}

int mlp_rwf_forward(mlp_workspace *ws, const mlp *net, const mlp_channels *ch, const double *x,
                    size_t n, double *out, mlp_fwd_fn fwd)
{
    if (ws == NULL || ws->wm == NULL || ws->n_params != net->n_params)
        return MLP_EINVAL;
    ws->rwf_ready = 0;
    rwf_materialise(ws, net);
    int rc = fwd(ws, &ws->view, ch, x, n, out);
    ws->rwf_ready = rc == MLP_OK;
    return rc;
}

int mlp_rwf_backward(mlp_workspace *ws, const mlp *net, const double *gout, double *grad,
                     mlp_bwd_fn bwd)
{
    if (!ws->rwf_ready)
        return MLP_EINVAL;
    memset(ws->gw, 0, net->n_params * sizeof(double));
    int rc = bwd(ws, &ws->view, gout, ws->gw);
    if (rc != MLP_OK)
        return rc;
    for (size_t l = 0; l < net->n_layers; l++) {
        const size_t wo = net->width[l + 1], wi = net->width[l];
        const double *s = net->params + net->s_off[l], *w = ws->wm + net->w_off[l];
        const double *gW = ws->gw + net->w_off[l], *gB = ws->gw + net->b_off[l];
        double *gv = grad + net->w_off[l], *gb = grad + net->b_off[l];
        double *gs = grad + net->s_off[l];
        for (size_t o = 0; o < wo; o++) {
            const double g = exp(s[o]);
            double d = 0.0;
            for (size_t k = 0; k < wi; k++) {
                gv[o * wi + k] += g * gW[o * wi + k];
                d += gW[o * wi + k] * w[o * wi + k];
            }
            gs[o] += d;
            gb[o] += gB[o];
        }
    }
    return MLP_OK;
}
