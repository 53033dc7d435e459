/* losses/examples/train_logreg.c - a small real use of libpinnloss: fits a
 * logistic regression on a deterministic 2-D toy set by gradient descent on
 * pl_bce_logits, checks its gradient once with pl_gradcheck, and reports the
 * final gradient's health. Not part of the library; builds from the
 * installed copy with:  cc train_logreg.c $(pkg-config --cflags --libs pinnloss) */
#include <stdio.h>
#include <pinnloss.h>

#define N 200 /* points */

/* Data: x uniform in [-1,1]^2 from a fixed LCG; label 1 when 2 x0 - x1 + 0.3 > 0. */
static void make_data(double x[N][2], double y[N])
{
    unsigned long s = 12345;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < 2; j++) {
            s = (s * 6364136223846793005UL + 1442695040888963407UL) & 0xffffffffffffUL;
            x[i][j] = 2.0 * (double)(s >> 16) / 4294967296.0 - 1.0;
        }
        y[i] = 2 * x[i][0] - x[i][1] + 0.3 > 0 ? 1.0 : 0.0;
    }
}

struct model { double (*x)[2]; const double *y; };

/* Loss and gradient w.r.t. theta = (w0, w1, b): logits z_i = w.x_i + b. */
static int loss_grad(double *loss, double *grad, const double *theta, const struct model *m)
{
    double z[N], gz[N];
    for (int i = 0; i < N; i++)
        z[i] = theta[0] * m->x[i][0] + theta[1] * m->x[i][1] + theta[2];
    int rc = pl_bce_logits(loss, grad ? gz : NULL, z, m->y, N);
    if (rc || !grad)
        return rc;
    grad[0] = grad[1] = grad[2] = 0;
    for (int i = 0; i < N; i++) { /* chain rule through z */
        grad[0] += gz[i] * m->x[i][0];
        grad[1] += gz[i] * m->x[i][1];
        grad[2] += gz[i];
    }
    return PL_OK;
}

static double loss_only(const double *theta, void *ctx)
{
    double l = 0;
    loss_grad(&l, NULL, theta, ctx);
    return l;
}

int main(void)
{
    static double x[N][2];
    static double y[N];
    make_data(x, y);
    struct model m = {x, y};
    double theta[3] = {0, 0, 0}, g[3], loss, first = 0;
    const double lr = 2.0;
    for (int step = 0; step < 2000; step++) {
        int rc = loss_grad(&loss, g, theta, &m);
        if (rc) {
            fprintf(stderr, "train_logreg: %s\n", pl_strerror(rc));
            return 1;
        }
        if (step == 0)
            first = loss;
        for (int k = 0; k < 3; k++)
            theta[k] -= lr * g[k];
    }
    loss_grad(&loss, g, theta, &m);
    int correct = 0;
    for (int i = 0; i < N; i++) {
        double z = theta[0] * x[i][0] + theta[1] * x[i][1] + theta[2];
        correct += (z > 0) == (y[i] > 0.5);
    }
    double err;
    pl_gradcheck(&err, NULL, loss_only, &m, theta, g, 3, 1e-6, 1e-6);
    pl_grad_health h;
    char line[160];
    pl_grad_health_check(&h, g, 3, 0.0, 1e3);
    pl_grad_health_format(line, sizeof line, &h);
    printf("libpinnloss %s\n", pl_version());
    printf("initial_loss %.6f\n", first);
    printf("final_loss %.6f\n", loss);
    printf("accuracy %.3f\n", (double)correct / N);
    printf("gradcheck_max_rel_err %.3g\n", err);
    printf("%s\n", line);
    return 0;
}
