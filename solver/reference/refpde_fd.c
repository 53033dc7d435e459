/* solver/reference/refpde_fd.c - the finite difference discretisation of a
 * refpde_spec: a uniform grid of nodes, Fornberg stencils of order 2, 4 or 6
 * (centred inside, one-sided next to the boundary), boundary conditions as
 * algebraic rows, the residual and its sparse Jacobian in CSC form. The
 * solvers (refpde_steady.c, refpde_mol.c) drive it; no time stepping here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reference/refpde_fd.h"

/* Weights c[m*n + j] of the m-th derivative (m <= mmax) at x0 from the n
 * nodes x[j] (Fornberg 1988, "Generation of finite difference formulas on
 * arbitrarily spaced grids"). */
static void fornberg(double x0, const double *x, int n, int mmax, double *c)
{
    memset(c, 0, (size_t)((mmax + 1) * n) * sizeof *c);
    double c1 = 1.0, c4 = x[0] - x0;
    c[0] = 1.0;
    for (int i = 1; i < n; i++) {
        int mn = i < mmax ? i : mmax;
        double c2 = 1.0, c5 = c4;
        c4 = x[i] - x0;
        for (int j = 0; j < i; j++) {
            double c3 = x[i] - x[j];
            c2 *= c3;
            if (j == i - 1) {
                for (int k = mn; k >= 1; k--)
                    c[k * n + i] = c1 * (k * c[(k - 1) * n + i - 1] - c5 * c[k * n + i - 1]) / c2;
                c[i] = -c1 * c5 * c[i - 1] / c2;
            }
            for (int k = mn; k >= 1; k--)
                c[k * n + j] = (c4 * c[k * n + j] - k * c[(k - 1) * n + j]) / c3;
            c[j] = c4 * c[j] / c3;
        }
        c1 = c2;
    }
}

/* The stencil of d^m/dx^m at node i of N (spacing h) at the given order. */
static void stencil_make(fd_stencil *s, int i, int N, int periodic, int m, int order, double h)
{
    int wc = 2 * ((m + order - 1) / 2) + 1, wo = m + order, half = wc / 2;
    if (periodic || (i - half >= 0 && i + half <= N - 1)) {
        s->start = i - half;
        s->width = wc;
    } else {
        int st = i - wo / 2;
        if (st < 0)
            st = 0;
        if (st > N - wo)
            st = N - wo;
        s->start = st;
        s->width = wo;
    }
    double xs[FD_MAXW], c[3 * FD_MAXW];
    for (int j = 0; j < s->width; j++)
        xs[j] = s->start + j - i;
    fornberg(0.0, xs, s->width, m, c);
    for (int j = 0; j < s->width; j++)
        s->w[j] = c[m * s->width + j] / pow(h, m);
}

void fd_free(fd_disc *q)
{
    if (!q)
        return;
    for (size_t v = 0; v < REFPDE_MAX_DIM; v++)
        for (int m = 0; m < 2; m++)
            free(q->st[v][m]);
    free(q->side);
    free(q->x);
    free(q->s);
    free(q->ds);
    free(q->sp);
    free(q->fv);
    free(q->uses);
    free(q->colptr);
    free(q->rowind);
    free(q->slot);
    free(q->jx);
    free(q);
}

/* Node index -> per-dimension indices. */
static void node_index(const fd_disc *q, size_t nd, int *idx)
{
    for (size_t v = 0; v < q->d; v++) {
        idx[v] = (int)(nd % q->N[v]);
        nd /= q->N[v];
    }
}

/* Node reached from nd by moving along v to index j (wrapped if periodic). */
static size_t node_move(const fd_disc *q, size_t nd, const int *idx, size_t v, int j)
{
    int N = (int)q->N[v];
    if (q->periodic[v])
        j = ((j % N) + N) % N;
    return nd + (size_t)((long)(j - idx[v]) * (long)q->stride[v]);
}

/* The stencil of symbol k at node nd: nodes[], weights[] (count returned,
 * at most FD_MAXW^2); k = nsym - 1 (u_t) gives 0. */
static int sym_stencil(const fd_disc *q, size_t nd, const int *idx, size_t k, size_t *nodes,
                       double *w)
{
    size_t d = q->d;
    if (k == 0) {
        nodes[0] = nd;
        w[0] = 1.0;
        return 1;
    }
    if (k <= d) {
        const fd_stencil *s = &q->st[k - 1][0][idx[k - 1]];
        for (int j = 0; j < s->width; j++) {
            nodes[j] = node_move(q, nd, idx, k - 1, s->start + j);
            w[j] = s->w[j];
        }
        return s->width;
    }
    if (k == q->nsym - 1)
        return 0;
    size_t r = k - d - 1, a = 0, b = 0;
    for (a = 0; a < d; a++) {
        if (r < d - a) {
            b = a + r;
            break;
        }
        r -= d - a;
    }
    if (a == b) {
        const fd_stencil *s = &q->st[a][1][idx[a]];
        for (int j = 0; j < s->width; j++) {
            nodes[j] = node_move(q, nd, idx, a, s->start + j);
            w[j] = s->w[j];
        }
        return s->width;
    }
    const fd_stencil *sa = &q->st[a][0][idx[a]], *sb = &q->st[b][0][idx[b]];
    int n = 0;
    for (int i = 0; i < sa->width; i++) {
        size_t na = node_move(q, nd, idx, a, sa->start + i);
        int ia[REFPDE_MAX_DIM];
        node_index(q, na, ia);
        for (int j = 0; j < sb->width; j++) {
            nodes[n] = node_move(q, na, ia, b, sb->start + j);
            w[n++] = sa->w[i] * sb->w[j];
        }
    }
    return n;
}

/* Every field's symbols at node nd from y into s. */
static void node_symbols(const fd_disc *q, size_t nd, const int *idx, const double *y, double *s)
{
    size_t nodes[FD_MAXW * FD_MAXW];
    double w[FD_MAXW * FD_MAXW];
    for (size_t k = 0; k + 1 < q->nsym; k++) {
        int n = sym_stencil(q, nd, idx, k, nodes, w);
        for (size_t g = 0; g < q->nf; g++) {
            double acc = 0.0;
            for (int j = 0; j < n; j++)
                acc += w[j] * y[nodes[j] * q->nc + g];
            s[g * q->nsym + k] = acc;
        }
    }
    for (size_t g = 0; g < q->nf; g++)
        s[g * q->nsym + q->nsym - 1] = q->vcomp[g] >= 0 ? y[nd * q->nc + (size_t)q->vcomp[g]] : 0.0;
}

static int node_interior(const fd_disc *q, size_t nd)
{
    for (size_t f = 0; f < q->nf; f++)
        if (q->side[nd * q->nf + f] < 0)
            return 1;
    return 0;
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* The boundary row of field f at node nd (side code sd): a u + b du/dn - g. */
static int bc_row(const fd_disc *q, size_t nd, const int *idx, size_t f, int sd, double t,
                  const double *y, double *G, double *abg)
{
    const refpde_spec *p = q->p;
    size_t v = (size_t)sd / 2;
    int side = sd % 2;
    if (p->bcval(q->x + nd * q->d, t, v, side, f, abg, p->ctx) || !all_finite(abg, 3))
        return -1;
    if (p->bc[v][side][f] == REFPDE_DIRICHLET)
        abg[0] = 1.0, abg[1] = 0.0;
    else if (p->bc[v][side][f] == REFPDE_NEUMANN)
        abg[0] = 0.0, abg[1] = 1.0;
    double du = 0.0;
    if (abg[1] != 0.0) {
        const fd_stencil *s = &q->st[v][0][idx[v]];
        for (int j = 0; j < s->width; j++)
            du += s->w[j] * y[node_move(q, nd, idx, v, s->start + j) * q->nc + f];
        if (side == 0)
            du = -du;
    }
    *G = abg[0] * y[nd * q->nc + f] + abg[1] * du - abg[2];
    return 0;
}

int fd_residual(fd_disc *q, double t, const double *y, const double *yp, double *G)
{
    const refpde_spec *p = q->p;
    int idx[REFPDE_MAX_DIM];
    double abg[3];
    for (size_t nd = 0; nd < q->n_nodes; nd++) {
        node_index(q, nd, idx);
        const double *x = q->x + nd * q->d;
        if (node_interior(q, nd)) {
            node_symbols(q, nd, idx, y, q->s);
            if (p->f(x, t, q->s, q->fv, p->ctx) || !all_finite(q->fv, q->nf))
                return -1;
        }
        double *g = G + nd * q->nc;
        const double *yn = y + nd * q->nc;
        for (size_t f = 0; f < q->nf; f++) {
            int sd = q->side[nd * q->nf + f], vc = q->vcomp[f];
            if (sd >= 0) {
                if (bc_row(q, nd, idx, f, sd, t, y, &g[f], abg))
                    return -1;
                if (vc >= 0)
                    g[vc] = yn[vc];
            } else if (!p->evolution) {
                g[f] = q->fv[f];
            } else if (vc < 0) {
                g[f] = yp[nd * q->nc + f] - q->fv[f];
            } else {
                g[f] = yp[nd * q->nc + f] - yn[vc];
                g[vc] = yp[nd * q->nc + (size_t)vc] - q->fv[f];
            }
        }
    }
    return all_finite(G, q->n_unk) ? 0 : -1;
}

/* dF_e/ds_k at the current symbols q->s into q->ds, by the callback or by
 * central differences with step 1e-6 (1 + |s_k|). */
static int node_dfds(fd_disc *q, const double *x, double t)
{
    const refpde_spec *p = q->p;
    size_t ns = q->nf * q->nsym;
    if (p->dfds)
        return p->dfds(x, t, q->s, q->ds, p->ctx) || !all_finite(q->ds, q->nf * ns);
    double *fp = q->fv, *fm = q->fv + q->nf;
    memcpy(q->sp, q->s, ns * sizeof *q->sp);
    for (size_t k = 0; k < ns; k++) {
        int used = 0;
        for (size_t e = 0; e < q->nf; e++)
            used |= q->uses[e * ns + k];
        if (!used)
            continue;
        double hk = 1e-6 * (1.0 + fabs(q->s[k]));
        q->sp[k] = q->s[k] + hk;
        if (p->f(x, t, q->sp, fp, p->ctx))
            return -1;
        q->sp[k] = q->s[k] - hk;
        if (p->f(x, t, q->sp, fm, p->ctx))
            return -1;
        q->sp[k] = q->s[k];
        for (size_t e = 0; e < q->nf; e++)
            q->ds[e * ns + k] = (fp[e] - fm[e]) / (2.0 * hk);
    }
    return all_finite(q->ds, q->nf * ns) ? 0 : -1;
}

/* The Jacobian's entries in a fixed order: pattern mode (vals NULL) records
 * (row, col) pairs, value mode adds each value into jx at its slot. The
 * order and count never depend on values. */
typedef struct sink {
    int64_t *row, *col; /* pattern mode */
    size_t n;
    fd_disc *q;
    int values;
} sink;

static void put(sink *k, size_t row, size_t col, double v)
{
    if (k->values)
        k->q->jx[k->q->slot[k->n]] += v;
    else if (k->row) {
        k->row[k->n] = (int64_t)row;
        k->col[k->n] = (int64_t)col;
    }
    k->n++;
}

/* fac * dF_e / d(every symbol) at node nd, as entries of row `row`. */
static void put_block(sink *k, size_t row, size_t e, size_t nd, const int *idx, double fac)
{
    fd_disc *q = k->q;
    size_t ns = q->nf * q->nsym;
    size_t nodes[FD_MAXW * FD_MAXW];
    double w[FD_MAXW * FD_MAXW];
    for (size_t g = 0; g < q->nf; g++)
        for (size_t s = 0; s < q->nsym; s++) {
            if (!q->uses[e * ns + g * q->nsym + s])
                continue;
            double dv = k->values ? fac * q->ds[e * ns + g * q->nsym + s] : 0.0;
            if (s == q->nsym - 1) {
                if (q->vcomp[g] >= 0)
                    put(k, row, nd * q->nc + (size_t)q->vcomp[g], dv);
                continue;
            }
            int n = sym_stencil(q, nd, idx, s, nodes, w);
            for (int j = 0; j < n; j++)
                put(k, row, nodes[j] * q->nc + g, dv * w[j]);
        }
}

static int jac_walk(sink *k, double t, double cj, const double *y)
{
    fd_disc *q = k->q;
    const refpde_spec *p = q->p;
    int idx[REFPDE_MAX_DIM];
    double abg[3] = {1.0, 0.0, 0.0};
    for (size_t nd = 0; nd < q->n_nodes; nd++) {
        node_index(q, nd, idx);
        const double *x = q->x + nd * q->d;
        if (k->values && node_interior(q, nd)) {
            node_symbols(q, nd, idx, y, q->s);
            if (node_dfds(q, x, t))
                return -1;
        }
        for (size_t f = 0; f < q->nf; f++) {
            size_t row = nd * q->nc + f;
            int sd = q->side[nd * q->nf + f], vc = q->vcomp[f];
            size_t vrow = vc >= 0 ? nd * q->nc + (size_t)vc : 0;
            if (sd >= 0) {
                size_t v = (size_t)sd / 2;
                int side = sd % 2;
                int dir = p->bc[v][side][f] == REFPDE_DIRICHLET;
                if (k->values && !dir &&
                    (p->bcval(x, t, v, side, f, abg, p->ctx) || !all_finite(abg, 3)))
                    return -1;
                if (p->bc[v][side][f] == REFPDE_NEUMANN)
                    abg[0] = 0.0, abg[1] = 1.0;
                put(k, row, row, dir ? 1.0 : abg[0]);
                if (!dir) {
                    const fd_stencil *s = &q->st[v][0][idx[v]];
                    double sg = side == 0 ? -abg[1] : abg[1];
                    for (int j = 0; j < s->width; j++)
                        put(k, row, node_move(q, nd, idx, v, s->start + j) * q->nc + f,
                            sg * s->w[j]);
                }
                if (vc >= 0)
                    put(k, vrow, vrow, 1.0);
            } else if (!p->evolution) {
                put_block(k, row, f, nd, idx, 1.0);
            } else if (vc < 0) {
                put(k, row, row, cj);
                put_block(k, row, f, nd, idx, -1.0);
            } else {
                put(k, row, row, cj);
                put(k, row, vrow, -1.0);
                put(k, vrow, vrow, cj);
                put_block(k, vrow, f, nd, idx, -1.0);
            }
        }
    }
    return 0;
}

int fd_jacobian(fd_disc *q, double t, double cj, const double *y)
{
    memset(q->jx, 0, q->nnz * sizeof *q->jx);
    sink k = {.q = q, .values = 1};
    return jac_walk(&k, t, cj, y);
}

static int cmp_entry(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    if (x[1] != y[1])
        return x[1] < y[1] ? -1 : 1;
    return 0;
}

/* Builds the CSC pattern and the slot of every emitted entry. */
static int build_pattern(fd_disc *q)
{
    sink k = {.q = q};
    jac_walk(&k, 0.0, 0.0, NULL); /* counts only */
    size_t n = k.n;
    int64_t *e = malloc(n * 3 * sizeof *e), *row = malloc(n * sizeof *row),
            *col = malloc(n * sizeof *col);
    q->slot = malloc(n * sizeof *q->slot);
    q->colptr = calloc(q->n_unk + 1, sizeof *q->colptr);
    if (!e || !row || !col || !q->slot || !q->colptr) {
        free(e), free(row), free(col);
        return -1;
    }
    k = (sink){.q = q, .row = row, .col = col};
    jac_walk(&k, 0.0, 0.0, NULL);
    for (size_t i = 0; i < n; i++) {
        e[3 * i] = col[i];
        e[3 * i + 1] = row[i];
        e[3 * i + 2] = (int64_t)i;
    }
    free(row), free(col);
    qsort(e, n, 3 * sizeof *e, cmp_entry);
    size_t nnz = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || e[3 * i] != e[3 * (i - 1)] || e[3 * i + 1] != e[3 * (i - 1) + 1])
            nnz++;
    q->rowind = malloc(nnz * sizeof *q->rowind);
    q->jx = calloc(nnz, sizeof *q->jx);
    if (!q->rowind || !q->jx) {
        free(e);
        return -1;
    }
    size_t s = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || e[3 * i] != e[3 * (i - 1)] || e[3 * i + 1] != e[3 * (i - 1) + 1]) {
            s++;
            q->rowind[s] = e[3 * i + 1];
            q->colptr[e[3 * i] + 1]++;
        }
        q->slot[e[3 * i + 2]] = (int64_t)s;
    }
    for (size_t c = 0; c < q->n_unk; c++)
        q->colptr[c + 1] += q->colptr[c];
    free(e);
    q->nnz = nnz;
    q->n_emit = n;
    return 0;
}

fd_disc *fd_alloc(const refpde_spec *p, const size_t *n, int order, char *err, size_t errcap)
{
    if (order != 2 && order != 4 && order != 6) {
        snprintf(err, errcap, "finite difference order %d: must be 2, 4 or 6", order);
        return NULL;
    }
    fd_disc *q = calloc(1, sizeof *q);
    if (!q)
        goto oom;
    q->p = p;
    q->d = p->dim;
    q->nf = p->nf;
    q->nsym = REFPDE_NSYM(p->dim);
    q->nc = p->nf;
    for (size_t f = 0; f < p->nf; f++)
        q->vcomp[f] = p->evolution && p->order[f] == 2 ? (int)q->nc++ : -1;
    q->n_nodes = 1;
    int need = order + 4; /* one-sided second derivative + room for interpolation */
    for (size_t v = 0; v < q->d; v++) {
        q->periodic[v] = p->bc[v][0][0] == REFPDE_PERIODIC;
        q->N[v] = q->periodic[v] ? n[v] : n[v] + 1;
        if ((int)q->N[v] < need || n[v] > 100000000) {
            snprintf(err, errcap, "%zu intervals in dimension %zu: need %d to %d for order %d",
                     n[v], v, need - (q->periodic[v] ? 0 : 1), 100000000, order);
            fd_free(q);
            return NULL;
        }
        q->h[v] = (p->hi[v] - p->lo[v]) / (double)n[v];
        q->stride[v] = q->n_nodes;
        if (q->n_nodes > ((size_t)1 << 40) / q->N[v]) {
            snprintf(err, errcap, "grid too large");
            fd_free(q);
            return NULL;
        }
        q->n_nodes *= q->N[v];
    }
    q->n_unk = q->n_nodes * q->nc;
    for (size_t v = 0; v < q->d; v++)
        for (int m = 0; m < 2; m++) {
            q->st[v][m] = malloc(q->N[v] * sizeof(fd_stencil));
            if (!q->st[v][m])
                goto oom;
            for (size_t i = 0; i < q->N[v]; i++)
                stencil_make(&q->st[v][m][i], (int)i, (int)q->N[v], q->periodic[v], m + 1, order,
                             q->h[v]);
        }
    size_t ns = q->nf * q->nsym;
    q->side = malloc(q->n_nodes * q->nf * sizeof *q->side);
    q->x = malloc(q->n_nodes * q->d * sizeof *q->x);
    q->s = malloc(ns * sizeof *q->s);
    q->sp = malloc(ns * sizeof *q->sp);
    q->ds = calloc(q->nf * ns, sizeof *q->ds);
    q->fv = malloc(2 * q->nf * sizeof *q->fv);
    q->uses = malloc(q->nf * ns);
    if (!q->side || !q->x || !q->s || !q->sp || !q->ds || !q->fv || !q->uses)
        goto oom;
    for (size_t i = 0; i < q->nf * ns; i++)
        q->uses[i] = p->uses ? p->uses[i] != 0 : 1;
    int idx[REFPDE_MAX_DIM];
    for (size_t nd = 0; nd < q->n_nodes; nd++) {
        node_index(q, nd, idx);
        for (size_t v = 0; v < q->d; v++)
            q->x[nd * q->d + v] = p->lo[v] + idx[v] * q->h[v];
        for (size_t f = 0; f < q->nf; f++) {
            int sd = -1;
            for (size_t v = 0; v < q->d; v++) {
                if (q->periodic[v])
                    continue;
                int s = idx[v] == 0 ? 0 : idx[v] == (int)q->N[v] - 1 ? 1 : -1;
                if (s < 0)
                    continue;
                int code = (int)(2 * v) + s;
                if (sd < 0 || (p->bc[v][s][f] == REFPDE_DIRICHLET &&
                               p->bc[sd / 2][sd % 2][f] != REFPDE_DIRICHLET))
                    sd = code;
            }
            q->side[nd * q->nf + f] = sd;
        }
    }
    if (build_pattern(q))
        goto oom;
    return q;
oom:
    snprintf(err, errcap, "out of memory for the finite difference grid");
    fd_free(q);
    return NULL;
}

void fd_row_kinds(const fd_disc *q, double *id)
{
    for (size_t nd = 0; nd < q->n_nodes; nd++)
        for (size_t f = 0; f < q->nf; f++) {
            int bnd = q->side[nd * q->nf + f] >= 0, vc = q->vcomp[f];
            id[nd * q->nc + f] = bnd ? 0.0 : 1.0;
            if (vc >= 0)
                id[nd * q->nc + (size_t)vc] = bnd ? 0.0 : 1.0;
        }
}

void fd_initial(const fd_disc *q, double *y)
{
    const refpde_spec *p = q->p;
    for (size_t nd = 0; nd < q->n_nodes; nd++)
        for (size_t f = 0; f < q->nf; f++) {
            const double *x = q->x + nd * q->d;
            y[nd * q->nc + f] = p->u0 ? p->u0(x, f, p->ctx) : 0.0;
            if (q->vcomp[f] >= 0)
                y[nd * q->nc + (size_t)q->vcomp[f]] = p->ut0 ? p->ut0(x, f, p->ctx) : 0.0;
        }
}

/* Six nodes around x in dimension v (first index into base) and their
 * Lagrange weights. */
static void interp_weights(const fd_disc *q, size_t v, double x, int *base, double *w)
{
    double r = (x - q->p->lo[v]) / q->h[v];
    int b = (int)floor(r) - 2, N = (int)q->N[v];
    if (!q->periodic[v]) {
        if (b < 0)
            b = 0;
        if (b > N - 6)
            b = N - 6;
    }
    *base = b;
    for (int j = 0; j < 6; j++) {
        double l = 1.0;
        for (int i = 0; i < 6; i++)
            if (i != j)
                l *= (r - (b + i)) / (double)(j - i);
        w[j] = l;
    }
}

void fd_interp(const fd_disc *q, const double *y, const refpde_out *out, size_t k, double *u)
{
    size_t d = q->d, m[REFPDE_MAX_DIM] = {1, 1, 1}, np = 1;
    for (size_t v = 0; v < d; v++) {
        m[v] = out->m[v];
        np *= m[v];
    }
    for (size_t pt = 0; pt < np; pt++) {
        int base[REFPDE_MAX_DIM] = {0, 0, 0};
        double w[REFPDE_MAX_DIM][6];
        size_t rest = pt;
        for (size_t v = 0; v < d; v++) {
            interp_weights(q, v, out->xs[v][rest % m[v]], &base[v], w[v]);
            rest /= m[v];
        }
        for (size_t f = 0; f < q->nf; f++) {
            double acc = 0.0;
            int J[REFPDE_MAX_DIM] = {0, 0, 0};
            int lim[REFPDE_MAX_DIM] = {1, 1, 1};
            for (size_t v = 0; v < d; v++)
                lim[v] = 6;
            for (J[2] = 0; J[2] < lim[2]; J[2]++)
                for (J[1] = 0; J[1] < lim[1]; J[1]++)
                    for (J[0] = 0; J[0] < lim[0]; J[0]++) {
                        size_t nd = 0;
                        double ww = 1.0;
                        for (size_t v = 0; v < d; v++) {
                            int N = (int)q->N[v], j = base[v] + J[v];
                            j = ((j % N) + N) % N;
                            nd += (size_t)j * q->stride[v];
                            ww *= w[v][J[v]];
                        }
                        acc += ww * y[nd * q->nc + f];
                    }
            u[(k * np + pt) * q->nf + f] = acc;
        }
    }
}
