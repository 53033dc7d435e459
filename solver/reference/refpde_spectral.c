/* solver/reference/refpde_spectral.c - the "spectral" reference method:
 * periodic 1D evolution problems u_t = c2 u_xx + c1 u_x + N(x, t, u, u_x,
 * u_xx) with constant c2, c1 per field, by a Fourier pseudo-spectral
 * discretisation (FFTW3) and the exponential time differencing scheme
 * ETDRK4 of Cox & Matthews with the contour-integral coefficients of
 * Kassam & Trefethen (SIAM J. Sci. Comput. 26, 2005). No dealiasing: the
 * default resolution resolves the solutions it is used for. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "reference/refpde_methods.h"

#define SP_PI 3.14159265358979323846
#define SP_CONTOUR 64      /* points on the contour for the phi functions */
#define SP_SAMPLES 41      /* points where accepts() checks c2, c1 are constant */

enum { S_U = 0, S_UX = 1, S_UXX = 2, S_UT = 3, NSYM1 = 4 };

/* dF_f / ds at one point by the callback or central differences. */
static int point_dfds(const refpde_spec *p, const double *x, double t, double *s, double *ds)
{
    size_t nf = p->nf, ns = nf * NSYM1;
    if (p->dfds)
        return p->dfds(x, t, s, ds, p->ctx);
    double fp[REFPDE_MAX_FIELDS], fm[REFPDE_MAX_FIELDS];
    for (size_t k = 0; k < ns; k++) {
        double s0 = s[k], h = 1e-5 * (1.0 + fabs(s0));
        s[k] = s0 + h;
        int e1 = p->f(x, t, s, fp, p->ctx);
        s[k] = s0 - h;
        int e2 = p->f(x, t, s, fm, p->ctx);
        s[k] = s0;
        if (e1 || e2)
            return -1;
        for (size_t e = 0; e < nf; e++)
            ds[e * ns + k] = (fp[e] - fm[e]) / (2.0 * h);
    }
    return 0;
}

/* The constant coefficients c2 = dF_f/du_f,xx, c1 = dF_f/du_f,x: sampled at
 * SP_SAMPLES points of the box and of time with pseudo-random symbols; 1
 * with the reason when they vary. */
static int linear_part(const refpde_spec *p, double *c2, double *c1, char *why, size_t cap)
{
    size_t nf = p->nf, ns = nf * NSYM1;
    double s[REFPDE_MAX_FIELDS * NSYM1], ds[REFPDE_MAX_FIELDS * REFPDE_MAX_FIELDS * NSYM1];
    unsigned long r = 12345;
    for (int i = 0; i < SP_SAMPLES; i++) {
        double x = p->lo[0] + (p->hi[0] - p->lo[0]) * (i + 0.5) / SP_SAMPLES;
        double t = p->t0 + (p->t1 - p->t0) * ((i * 7) % SP_SAMPLES) / (double)SP_SAMPLES;
        for (size_t k = 0; k < ns; k++) {
            r = r * 6364136223846793005UL + 1442695040888963407UL;
            s[k] = 4.0 * ((double)(r >> 11) / 9007199254740992.0) - 2.0;
        }
        for (size_t f = 0; f < nf; f++)
            s[f * NSYM1 + S_UT] = 0.0;
        if (point_dfds(p, &x, t, s, ds)) {
            snprintf(why, cap, "the equations do not evaluate at sample points");
            return 1;
        }
        for (size_t f = 0; f < nf; f++) {
            double a = ds[f * ns + f * NSYM1 + S_UXX], b = ds[f * ns + f * NSYM1 + S_UX];
            if (!isfinite(a) || !isfinite(b)) {
                snprintf(why, cap, "the equations are not finite at sample points");
                return 1;
            }
            if (i == 0) {
                c2[f] = a;
                c1[f] = b;
            } else if (fabs(a - c2[f]) > 1e-8 * (1.0 + fabs(c2[f])) ||
                       fabs(b - c1[f]) > 1e-8 * (1.0 + fabs(c1[f]))) {
                snprintf(why, cap,
                         "field %zu: the coefficient of its u_xx or u_x is not constant "
                         "(ETDRK4 needs a constant linear part)", f);
                return 1;
            }
        }
    }
    for (size_t f = 0; f < nf; f++)
        if (c2[f] < 0) {
            snprintf(why, cap, "field %zu: u_t = %g u_xx + ... is ill-posed forward in time", f,
                     c2[f]);
            return 1;
        }
    return 0;
}

int refpde_spectral_accepts(const refpde_spec *p, char *why, size_t cap)
{
    if (!p->evolution || p->dim != 1) {
        snprintf(why, cap, "not a 1D time-dependent problem");
        return 1;
    }
    for (size_t f = 0; f < p->nf; f++) {
        if (p->bc[0][0][f] != REFPDE_PERIODIC) {
            snprintf(why, cap, "field %zu is not periodic in x", f);
            return 1;
        }
        if (p->order[f] != 1) {
            snprintf(why, cap, "field %zu is second order in time", f);
            return 1;
        }
    }
    /* A corner of u0 at the periodic boundary (u0 = x^2 cos(pi x) on
     * [-1, 1]) makes Fourier series converge algebraically: finite
     * differences do better there. */
    double a = p->lo[0], b = p->hi[0], h = 1e-4 * (b - a);
    for (size_t f = 0; p->u0 && f < p->nf; f++) {
        double xa[3] = {a, a + h, a + 2 * h}, xb[3] = {b, b - h, b - 2 * h}, ua[3], ub[3];
        for (int i = 0; i < 3; i++) {
            ua[i] = p->u0(&xa[i], f, p->ctx);
            ub[i] = p->u0(&xb[i], f, p->ctx);
        }
        double da = (-3 * ua[0] + 4 * ua[1] - ua[2]) / (2 * h),
               db = -(-3 * ub[0] + 4 * ub[1] - ub[2]) / (2 * h);
        if (!(fabs(ua[0] - ub[0]) <= 1e-9 * (1 + fabs(ua[0]))) ||
            !(fabs(da - db) <= 1e-5 * (1 + fabs(da)))) {
            snprintf(why, cap, "field %zu: u0 or its slope differs at the two ends (u_x %.4g "
                     "vs %.4g): a corner there costs Fourier series their accuracy", f, da, db);
            return 1;
        }
    }
    double c2[REFPDE_MAX_FIELDS], c1[REFPDE_MAX_FIELDS];
    return linear_part(p, c2, c1, why, cap);
}

typedef struct sp {
    const refpde_spec *p;
    size_t N, M, nf;            /* points, complex modes N/2+1, fields */
    double a, L;
    double *x, *k;              /* nodes; wavenumbers of the r2c modes */
    double c2[REFPDE_MAX_FIELDS], c1[REFPDE_MAX_FIELDS];
    double complex *Lk;         /* nf * M: the linear operator per mode */
    double complex *E, *E2, *Q, *f1, *f2, *f3; /* nf * M each */
    double h;                   /* step the coefficients are for */
    double *re, *s;             /* N real scratch; nf*N*3 symbols */
    double complex *cx;         /* M complex scratch */
    fftw_plan fwd, bwd;
} sp;

/* ETDRK4 coefficients for step h (contour integral around h L). */
static void sp_coefficients(sp *w, double h)
{
    for (size_t i = 0; i < w->nf * w->M; i++) {
        double complex hL = h * w->Lk[i], q = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int m = 0; m < SP_CONTOUR; m++) {
            double complex r = cexp(I * SP_PI * (m + 0.5) / (SP_CONTOUR / 2));
            double complex z = hL + r, ez = cexp(z), z3 = z * z * z;
            q += (cexp(z / 2) - 1) / z;
            a1 += (-4.0 - z + ez * (4.0 - 3.0 * z + z * z)) / z3;
            a2 += (2.0 + z + ez * (z - 2.0)) / z3;
            a3 += (-4.0 - 3.0 * z - z * z + ez * (4.0 - z)) / z3;
        }
        w->E[i] = cexp(hL);
        w->E2[i] = cexp(hL / 2);
        w->Q[i] = h * q / SP_CONTOUR;
        w->f1[i] = h * a1 / SP_CONTOUR;
        w->f2[i] = h * a2 / SP_CONTOUR;
        w->f3[i] = h * a3 / SP_CONTOUR;
        if (cimag(w->Lk[i]) == 0.0) { /* real L: the exact results are real */
            w->Q[i] = creal(w->Q[i]);
            w->f1[i] = creal(w->f1[i]);
            w->f2[i] = creal(w->f2[i]);
            w->f3[i] = creal(w->f3[i]);
        }
    }
    w->h = h;
}

/* Physical values of d^m/dx^m of the field with modes v into out. */
static void sp_physical(sp *w, const double complex *v, int m, double *out)
{
    for (size_t j = 0; j < w->M; j++) {
        double complex ik = I * w->k[j];
        double complex f = m == 0 ? 1.0 : m == 1 ? ik : ik * ik;
        if (m == 1 && 2 * j == w->N)
            f = 0.0; /* the Nyquist mode has no first derivative */
        w->cx[j] = v[j] * f / (double)w->N;
    }
    fftw_execute_dft_c2r(w->bwd, (fftw_complex *)w->cx, out);
}

/* nl = FFT of N(v) at time t for every field. */
static int sp_nonlinear(sp *w, const double complex *v, double t, double complex *nl)
{
    size_t N = w->N, nf = w->nf;
    for (size_t f = 0; f < nf; f++)
        for (int m = 0; m < 3; m++)
            sp_physical(w, v + f * w->M, m, w->s + (f * 3 + (size_t)m) * N);
    double sym[REFPDE_MAX_FIELDS * NSYM1], F[REFPDE_MAX_FIELDS];
    for (size_t j = 0; j < N; j++) {
        for (size_t f = 0; f < nf; f++) {
            sym[f * NSYM1 + S_U] = w->s[(f * 3 + 0) * N + j];
            sym[f * NSYM1 + S_UX] = w->s[(f * 3 + 1) * N + j];
            sym[f * NSYM1 + S_UXX] = w->s[(f * 3 + 2) * N + j];
            sym[f * NSYM1 + S_UT] = 0.0;
        }
        if (w->p->f(&w->x[j], t, sym, F, w->p->ctx))
            return -1;
        for (size_t f = 0; f < nf; f++) {
            double r = F[f] - w->c2[f] * sym[f * NSYM1 + S_UXX] - w->c1[f] * sym[f * NSYM1 + S_UX];
            if (!isfinite(r))
                return -1;
            w->s[(f * 3 + 0) * N + j] = r; /* reuse: u no longer needed at j */
        }
    }
    for (size_t f = 0; f < nf; f++) {
        memcpy(w->re, w->s + f * 3 * N, N * sizeof *w->re);
        fftw_execute_dft_r2c(w->fwd, w->re, (fftw_complex *)(nl + f * w->M));
    }
    return 0;
}

/* One ETDRK4 step of size w->h from t. */
static int sp_step(sp *w, double complex *v, double t, double complex *buf)
{
    size_t n = w->nf * w->M;
    double complex *Nv = buf, *a = buf + n, *Na = buf + 2 * n, *b = buf + 3 * n,
                   *Nb = buf + 4 * n, *c = buf + 5 * n, *Nc = buf + 6 * n;
    double h = w->h;
    if (sp_nonlinear(w, v, t, Nv))
        return -1;
    for (size_t i = 0; i < n; i++)
        a[i] = w->E2[i] * v[i] + w->Q[i] * Nv[i];
    if (sp_nonlinear(w, a, t + h / 2, Na))
        return -1;
    for (size_t i = 0; i < n; i++)
        b[i] = w->E2[i] * v[i] + w->Q[i] * Na[i];
    if (sp_nonlinear(w, b, t + h / 2, Nb))
        return -1;
    for (size_t i = 0; i < n; i++)
        c[i] = w->E2[i] * a[i] + w->Q[i] * (2.0 * Nb[i] - Nv[i]);
    if (sp_nonlinear(w, c, t + h, Nc))
        return -1;
    for (size_t i = 0; i < n; i++)
        v[i] = w->E[i] * v[i] + Nv[i] * w->f1[i] + 2.0 * (Na[i] + Nb[i]) * w->f2[i] +
               Nc[i] * w->f3[i];
    return 0;
}

/* The Fourier interpolant of every field at the output points, slice k. */
static void sp_output(const sp *w, const double complex *v, const refpde_out *out, size_t k,
                      double *u)
{
    size_t m = out->m[0];
    for (size_t i = 0; i < m; i++) {
        double xr = out->xs[0][i] - w->a;
        for (size_t f = 0; f < w->nf; f++) {
            const double complex *vf = v + f * w->M;
            double acc = creal(vf[0]);
            for (size_t j = 1; j < w->M; j++) {
                double complex e = cexp(I * w->k[j] * xr);
                double term = creal(vf[j] * e);
                acc += 2 * j == w->N ? creal(vf[j]) * cos(w->k[j] * xr) : 2.0 * term;
            }
            u[(k * m + i) * w->nf + f] = acc / (double)w->N;
        }
    }
}

static void sp_free(sp *w)
{
    if (w->fwd)
        fftw_destroy_plan(w->fwd);
    if (w->bwd)
        fftw_destroy_plan(w->bwd);
    free(w->x), free(w->k), free(w->s);
    fftw_free(w->re);
    fftw_free(w->cx);
    free(w->Lk), free(w->E), free(w->E2), free(w->Q), free(w->f1), free(w->f2), free(w->f3);
}

int refpde_spectral_solve(double *u, const refpde_spec *p, const refpde_opts *o,
                          const refpde_out *out, char *err, size_t errcap)
{
    if (refpde_check(p, o, out, err, errcap) || refpde_spectral_accepts(p, err, errcap))
        return REFPDE_EINVAL;
    size_t N = o->n[0];
    if (N < 8 || N % 2 || N > 100000000 || o->nt < 1) {
        snprintf(err, errcap, "spectral: %zu modes and %zu steps: need an even number of "
                 "modes >= 8 and at least one step", N, o->nt);
        return REFPDE_EINVAL;
    }
    sp w = {.p = p, .N = N, .M = N / 2 + 1, .nf = p->nf, .a = p->lo[0],
            .L = p->hi[0] - p->lo[0], .h = -1.0};
    size_t nm = w.nf * w.M;
    int rc = REFPDE_ENOMEM;
    double complex *v = malloc(nm * sizeof *v), *buf = malloc(7 * nm * sizeof *buf);
    w.x = malloc(N * sizeof *w.x);
    w.k = malloc(w.M * sizeof *w.k);
    w.re = fftw_malloc(N * sizeof *w.re);
    w.s = malloc(3 * w.nf * N * sizeof *w.s);
    w.cx = fftw_malloc(w.M * sizeof *w.cx);
    w.Lk = malloc(nm * sizeof *w.Lk);
    w.E = malloc(nm * sizeof *w.E);
    w.E2 = malloc(nm * sizeof *w.E2);
    w.Q = malloc(nm * sizeof *w.Q);
    w.f1 = malloc(nm * sizeof *w.f1);
    w.f2 = malloc(nm * sizeof *w.f2);
    w.f3 = malloc(nm * sizeof *w.f3);
    if (!v || !buf || !w.x || !w.k || !w.re || !w.s || !w.cx || !w.Lk || !w.E || !w.E2 || !w.Q ||
        !w.f1 || !w.f2 || !w.f3) {
        snprintf(err, errcap, "spectral: out of memory for %zu modes", N);
        goto done;
    }
    w.fwd = fftw_plan_dft_r2c_1d((int)N, w.re, (fftw_complex *)w.cx, FFTW_ESTIMATE);
    w.bwd = fftw_plan_dft_c2r_1d((int)N, (fftw_complex *)w.cx, w.re, FFTW_ESTIMATE);
    if (!w.fwd || !w.bwd) {
        snprintf(err, errcap, "spectral: FFTW could not plan %zu points", N);
        goto done;
    }
    linear_part(p, w.c2, w.c1, err, errcap);
    for (size_t j = 0; j < N; j++)
        w.x[j] = w.a + w.L * (double)j / (double)N;
    for (size_t j = 0; j < w.M; j++)
        w.k[j] = 2.0 * SP_PI * (double)j / w.L;
    for (size_t f = 0; f < w.nf; f++)
        for (size_t j = 0; j < w.M; j++) {
            double complex ik = I * w.k[j];
            w.Lk[f * w.M + j] = w.c2[f] * ik * ik + (2 * j == N ? 0.0 : w.c1[f] * ik);
        }
    for (size_t f = 0; f < w.nf; f++) {
        for (size_t j = 0; j < N; j++)
            w.re[j] = p->u0(&w.x[j], f, p->ctx);
        fftw_execute_dft_r2c(w.fwd, w.re, (fftw_complex *)(v + f * w.M));
    }
    rc = REFPDE_EFAIL;
    double dtmax = (p->t1 - p->t0) / (double)o->nt, t = p->t0;
    for (size_t k = 0; k < out->nts; k++) {
        double gap = out->ts[k] - t;
        if (gap > 0) {
            size_t steps = (size_t)ceil(gap / dtmax - 1e-9);
            double h = gap / (double)steps;
            if (fabs(h - w.h) > 1e-12 * h)
                sp_coefficients(&w, h);
            for (size_t s = 0; s < steps; s++)
                if (sp_step(&w, v, t + (double)s * h, buf)) {
                    snprintf(err, errcap, "spectral: values went non-finite before t = %g",
                             out->ts[k]);
                    goto done;
                }
            t = out->ts[k];
        }
        sp_output(&w, v, out, k, u);
    }
    rc = REFPDE_OK;
done:
    free(v), free(buf);
    sp_free(&w);
    return rc;
}
