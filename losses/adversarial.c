/* losses/adversarial.c - GAN losses for discriminator/critic outputs:
 * vanilla (from logits, softplus form), WGAN, hinge, least squares. Each is
 * a mean of a pointwise function per array; no gradient penalty here. */
#include "pl_util.h"

/* A pointwise term: writes its derivative to *d, returns its value. */
typedef double (*term_fn)(double z, double *d);

/* loss = mean_i t(x_i) over n >= 1 values, grad_i = t'(x_i)/n; adds to *loss. */
static void mean_term(double *loss, double *grad, const double *x, size_t n,
                      term_fn t)
{
    double s = 0.0, d;
    for (size_t i = 0; i < n; i++) {
        s += t(x[i], &d);
        if (grad)
            grad[i] = d / (double)n;
    }
    *loss += s / (double)n;
}

static int two_sided(double *loss, double *grad_real, double *grad_fake,
                     const double *real, size_t n_real, const double *fake,
                     size_t n_fake, term_fn tr, term_fn tf)
{
    if (!loss || n_real == 0 || n_fake == 0)
        return PL_EINVAL;
    int rc = pl_check(real, n_real);
    if (!rc)
        rc = pl_check(fake, n_fake);
    if (rc)
        return rc;
    *loss = 0.0;
    mean_term(loss, grad_real, real, n_real, tr);
    mean_term(loss, grad_fake, fake, n_fake, tf);
    return PL_OK;
}

static int one_sided(double *loss, double *grad_fake, const double *fake,
                     size_t n_fake, term_fn tf)
{
    if (!loss || n_fake == 0)
        return PL_EINVAL;
    int rc = pl_check(fake, n_fake);
    if (rc)
        return rc;
    *loss = 0.0;
    mean_term(loss, grad_fake, fake, n_fake, tf);
    return PL_OK;
}

/* -log sigmoid(z) = softplus(-z) and -log(1 - sigmoid(z)) = softplus(z) */
static double nls_pos(double z, double *d) { *d = -pl_sigmoid(-z); return pl_softplus(-z); }
static double nls_neg(double z, double *d) { *d = pl_sigmoid(z); return pl_softplus(z); }
static double ident(double z, double *d) { *d = 1.0; return z; }
static double negate(double z, double *d) { *d = -1.0; return -z; }
static double hinge_real(double z, double *d) { *d = z < 1 ? -1.0 : 0.0; return pl_relu(1 - z); }
static double hinge_fake(double z, double *d) { *d = z > -1 ? 1.0 : 0.0; return pl_relu(1 + z); }
static double ls_one(double z, double *d) { *d = z - 1; return 0.5 * (z - 1) * (z - 1); }
static double ls_zero(double z, double *d) { *d = z; return 0.5 * z * z; }

int pl_gan_d(double *loss, double *grad_real, double *grad_fake,
             const double *real, size_t n_real, const double *fake, size_t n_fake)
{
    return two_sided(loss, grad_real, grad_fake, real, n_real, fake, n_fake,
                     nls_pos, nls_neg);
}

int pl_gan_g(double *loss, double *grad_fake, const double *fake, size_t n_fake)
{
    return one_sided(loss, grad_fake, fake, n_fake, nls_pos);
}

int pl_wgan_d(double *loss, double *grad_real, double *grad_fake,
              const double *real, size_t n_real, const double *fake, size_t n_fake)
{
    return two_sided(loss, grad_real, grad_fake, real, n_real, fake, n_fake,
                     negate, ident);
}

int pl_wgan_g(double *loss, double *grad_fake, const double *fake, size_t n_fake)
{
    return one_sided(loss, grad_fake, fake, n_fake, negate);
}

int pl_hinge_d(double *loss, double *grad_real, double *grad_fake,
               const double *real, size_t n_real, const double *fake, size_t n_fake)
{
    return two_sided(loss, grad_real, grad_fake, real, n_real, fake, n_fake,
                     hinge_real, hinge_fake);
}

int pl_hinge_g(double *loss, double *grad_fake, const double *fake, size_t n_fake)
{
    return one_sided(loss, grad_fake, fake, n_fake, negate);
}

int pl_lsgan_d(double *loss, double *grad_real, double *grad_fake,
               const double *real, size_t n_real, const double *fake, size_t n_fake)
{
    return two_sided(loss, grad_real, grad_fake, real, n_real, fake, n_fake,
                     ls_one, ls_zero);
}

int pl_lsgan_g(double *loss, double *grad_fake, const double *fake, size_t n_fake)
{
    return one_sided(loss, grad_fake, fake, n_fake, ls_one);
}
