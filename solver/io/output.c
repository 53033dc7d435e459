/* solver/io/output.c - writes a run's HDF5 result: attributes on the root, the
 * grid, the network's solution, the reference and exact solutions, the
 * errors, the history, the model with its optimizer state, the resume
 * state (/checkpoint) and the point sets. One atomic commit; a failed write
 * leaves no file behind. Dimension scales and the XDMF sidecar are xdmf.c's.
 * Also clears temporaries left by killed runs. */
#include "io/output.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "io/h5io.h"
#include "io/xdmf.h"

error_stats error_between(const double *u, const double *v, size_t n)
{
    double num = 0.0, den = 0.0, mx = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = u[i] - v[i];
        num += d * d;
        den += v[i] * v[i];
        if (fabs(d) > mx || isnan(d))
            mx = fabs(d);
    }
    error_stats e = {den > 0 ? sqrt(num / den) : sqrt(num), mx};
    return e;
}

/* Fields on grids (LAYOUT.md): ODE results keep one (nt, m) matrix; every
 * other problem stores each field on the grid's axes, slowest first
 * (t, z, y, x), with an "axes" attribute naming them. */
static int matrix_layout(const run_result *r)
{
    return r->g->n_axes == 1;
}

static void axes_text(const grid *g, char *buf, size_t cap, int with_field)
{
    buf[0] = '\0';
    for (size_t a = 0; a < g->n_axes; a++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", a ? "," : "",
                 g->axis_name[a] ? g->axis_name[a] : "?");
    if (with_field)
        snprintf(buf + strlen(buf), cap - strlen(buf), ",field");
}

/* The whole output u (g->n x n_out): (nt, m) for ODEs, the grid's axes
 * (and a last axis over the fields when there are several) otherwise. */
static void write_field(h5out *f, const char *path, const run_result *r, const double *u)
{
    const grid *g = r->g;
    size_t dims[GRID_MAX_AXES + 1], rank = 0;
    if (matrix_layout(r)) {
        dims[rank++] = g->len[0];
        dims[rank++] = r->p->n_out;
        h5out_doubles(f, path, rank, dims, u);
        return;
    }
    for (size_t a = 0; a < g->n_axes; a++)
        dims[rank++] = g->len[a];
    if (r->p->n_out > 1)
        dims[rank++] = r->p->n_out;
    h5out_doubles(f, path, rank, dims, u);
    char axes[64];
    axes_text(g, axes, sizeof axes, r->p->n_out > 1);
    h5out_attr_string(f, path, "axes", axes);
}

/* Each field of u as group/<field> on the grid's axes; the ODE matrix as
 * group/u. Returns the path of field k in paths (NULL to skip). */
static void write_fields(h5out *f, const char *group, const run_result *r, const double *u)
{
    char path[128];
    if (matrix_layout(r)) {
        snprintf(path, sizeof path, "%s/u", group);
        write_field(f, path, r, u);
        return;
    }
    const grid *g = r->g;
    size_t m = r->p->n_out, dims[GRID_MAX_AXES];
    for (size_t a = 0; a < g->n_axes; a++)
        dims[a] = g->len[a];
    char axes[64];
    axes_text(g, axes, sizeof axes, 0);
    double *one = malloc((g->n ? g->n : 1) * sizeof *one);
    if (!one)
        return;
    for (size_t k = 0; k < m; k++) {
        for (size_t i = 0; i < g->n; i++)
            one[i] = u[i * m + k];
        snprintf(path, sizeof path, "%s/%s", group, r->p->out_names[k]);
        h5out_doubles(f, path, g->n_axes, dims, one);
        h5out_attr_string(f, path, "axes", axes);
    }
    free(one);
}

static void write_errors(h5out *f, const char *group, const run_result *r, const double *u,
                         const double *v)
{
    size_t n = r->g->n * r->p->n_out, m = r->p->n_out;
    double *abs_err = malloc(n * sizeof *abs_err);
    if (!abs_err)
        return;
    for (size_t i = 0; i < n; i++)
        abs_err[i] = fabs(u[i] - v[i]);
    char path[128];
    snprintf(path, sizeof path, "%s/abs", group);
    write_field(f, path, r, abs_err);
    error_stats e = error_between(u, v, n);
    h5out_attr_double(f, path, "rel_l2", e.rel_l2);
    h5out_attr_double(f, path, "max_abs", e.max_abs);
    if (!matrix_layout(r)) {
        /* per field: group/<field>, its own rel_l2 and max_abs */
        write_fields(f, group, r, abs_err);
        double *a = malloc(r->g->n * sizeof *a), *b = malloc(r->g->n * sizeof *b);
        for (size_t k = 0; a && b && k < m; k++) {
            for (size_t i = 0; i < r->g->n; i++) {
                a[i] = u[i * m + k];
                b[i] = v[i * m + k];
            }
            error_stats ek = error_between(a, b, r->g->n);
            snprintf(path, sizeof path, "%s/%s", group, r->p->out_names[k]);
            h5out_attr_double(f, path, "rel_l2", ek.rel_l2);
            h5out_attr_double(f, path, "max_abs", ek.max_abs);
        }
        free(a);
        free(b);
    }
    free(abs_err);
}

static void write_history(h5out *f, const trainer *tr)
{
    const train_history *h = &tr->hist;
    size_t n = h->n, k = h->n_terms;
    size_t d1[1] = {n}, d2[2] = {n, k};
    h5out_ints(f, "/history/step", 1, d1, h->step);
    long long *phase = malloc((n ? n : 1) * sizeof *phase);
    if (phase) {
        for (size_t i = 0; i < n; i++)
            phase[i] = h->phase[i];
        h5out_ints(f, "/history/phase", 1, d1, phase);
        free(phase);
    }
    h5out_doubles(f, "/history/seconds", 1, d1, h->seconds);
    h5out_doubles(f, "/history/loss", 1, d1, h->loss);
    h5out_doubles(f, "/history/loss_terms", 2, d2, h->terms);
    h5out_doubles(f, "/history/weights", 2, d2, h->weights);
    const char *names[PROBLEM_MAX_TERMS];
    for (size_t i = 0; i < k; i++)
        names[i] = tr->terms[i].name;
    h5out_strings(f, "/history/term_names", names, k);
    h5out_attr_string(f, "/history", "phases", "0 = Adam, 1 = L-BFGS");
    h5out_attr_string(f, "/history", "lbfgs_stop", tr->lbfgs_stop);
    size_t dr[1] = {tr->n_recoveries};
    h5out_ints(f, "/history/recovery_step", 1, dr, tr->recovery_step);
    h5out_doubles(f, "/history/recovery_lr_factor", 1, dr, tr->recovery_lr);
    h5out_attr_int(f, "/history", "recoveries", (long long)tr->n_recoveries);
}

/* Time-marching: each window's interval, trained parameters and where its
 * rows of /history end. /model is the last window's network. */
static void write_windows(h5out *f, const march *m)
{
    size_t w = m->done, d2[2] = {w, 2}, dp[2] = {w, m->n_params}, d1[1] = {w};
    long long *end = malloc((w ? w : 1) * sizeof *end);
    if (!end)
        return; /* the commit reports nothing missing: h5io keeps the first error */
    for (size_t i = 0; i < w; i++)
        end[i] = (long long)m->hist_end[i];
    h5out_group(f, "/windows");
    h5out_attr_int(f, "/windows", "count", (long long)m->n_windows);
    h5out_attr_int(f, "/windows", "trained", (long long)w);
    h5out_attr_string(f, "/windows", "layout",
                      "bounds[w] = [a, b]; params[w] as /model/params; history rows of window w "
                      "are history_end[w-1] .. history_end[w]-1; /model is the last window's net");
    h5out_doubles(f, "/windows/bounds", 2, d2, m->bounds);
    h5out_doubles(f, "/windows/params", 2, dp, m->params);
    h5out_ints(f, "/windows/history_end", 1, d1, end);
    free(end);
}

/* What a resume needs beyond /model and /history (checkpoint.c reads it). */
static void write_checkpoint(h5out *f, const trainer *tr)
{
    const train_progress *pg = &tr->prog;
    h5out_group(f, "/checkpoint");
    h5out_attr_int(f, "/checkpoint", "step", tr->step);
    h5out_attr_int(f, "/checkpoint", "adam_done", pg->adam_done);
    h5out_attr_int(f, "/checkpoint", "lbfgs_done", pg->lbfgs_done);
    h5out_attr_int(f, "/checkpoint", "phase", pg->phase);
    h5out_attr_string(f, "/checkpoint", "phases", "0 = Adam, 1 = L-BFGS, 2 = done");
    h5out_attr_double(f, "/checkpoint", "lr_factor", pg->lr_factor);
    h5out_attr_int(f, "/checkpoint", "resamples", pg->resamples);
    h5out_attr_double(f, "/checkpoint", "seconds", tr->seconds);
    size_t nw = trainer_weighting_state_size(tr);
    double *w = malloc((nw ? nw : 1) * sizeof *w);
    if (w && (nw == 0 || trainer_weighting_state_get(tr, w) == 0)) {
        size_t dw[1] = {nw};
        h5out_doubles(f, "/checkpoint/weighting", 1, dw, w);
    }
    free(w);
    /* the generator's state bytes, packed 8 to an int64 */
    size_t nb = gsl_rng_size(tr->rng), nl = (nb + 7) / 8;
    long long *packed = calloc(nl ? nl : 1, sizeof *packed);
    if (packed) {
        memcpy(packed, gsl_rng_state(tr->rng), nb);
        size_t dl[1] = {nl};
        h5out_ints(f, "/checkpoint/rng_state", 1, dl, packed);
        h5out_attr_int(f, "/checkpoint/rng_state", "bytes", (long long)nb);
        h5out_attr_string(f, "/checkpoint/rng_state", "type", gsl_rng_name(tr->rng));
    }
    free(packed);
}

static void write_model(h5out *f, const run_result *r)
{
    const mlp *net = r->net;
    long long widths[MLP_MAX_LAYERS + 1];
    for (size_t l = 0; l <= net->n_layers; l++)
        widths[l] = (long long)net->width[l];
    size_t dw[1] = {net->n_layers + 1}, dp[1] = {net->n_params};
    h5out_ints(f, "/model/widths", 1, dw, widths);
    h5out_doubles(f, "/model/params", 1, dp, net->params);
    h5out_attr_string(f, "/model", "activation", net->act->name);
    h5out_attr_string(f, "/model", "init", cfg_string(r->c, "network.init"));
    if (cfg_bool(r->c, "network.hard_constraints"))
        h5out_attr_string(f, "/model", "hard_constraints",
                          "params are N of u = g + D N (problem_type.constraint)");
    h5out_attr_string(f, "/model", "layout",
                      net->rwf ? "per layer l: V_l (widths[l+1] x widths[l], row-major) then b_l; "
                                 "then s_l of every layer: W_l = diag(exp(s_l)) V_l"
                               : "per layer l: W_l (widths[l+1] x widths[l], row-major) then b_l");
    if (net->rwf) {
        h5out_attr_double(f, "/model", "factorization_mu", net->rwf_mu);
        h5out_attr_double(f, "/model", "factorization_sigma", net->rwf_sigma);
    }
    if (net->embedded) { /* the fixed stage in front of widths[0] (nets/mlp.h) */
        const mlp_embedding *e = &net->emb;
        size_t dn[1] = {net->n_in}, db[2] = {e->fourier, net->emb_mid};
        h5out_group(f, "/model/embedding");
        h5out_attr_int(f, "/model/embedding", "periodic_mask", (long long)e->periodic);
        h5out_attr_int(f, "/model/embedding", "harmonics", (long long)e->harmonics);
        h5out_attr_int(f, "/model/embedding", "fourier", (long long)e->fourier);
        h5out_attr_double(f, "/model/embedding", "sigma", e->sigma);
        h5out_doubles(f, "/model/embedding/lo", 1, dn, e->lo);
        h5out_doubles(f, "/model/embedding/period", 1, dn, e->period);
        if (e->fourier)
            h5out_doubles(f, "/model/embedding/fourier_B", 2, db, net->fourier_B);
        h5out_attr_string(f, "/model/embedding", "layout",
                          "scaled input i with bit i of periodic_mask -> cos, sin of 2 pi k "
                          "(x_i - lo_i) / period_i, k = 1..harmonics, the others as they are: "
                          "u; then [cos(2 pi B u), sin(2 pi B u)] when fourier > 0");
    }
    size_t di[1] = {r->p->n_in};
    double shift[PROBLEM_MAX_IN], scale[PROBLEM_MAX_IN];
    for (size_t j = 0; j < r->p->n_in; j++) {
        shift[j] = r->tr ? r->tr->in_shift[j] : 0.0;
        scale[j] = r->tr ? r->tr->in_scale[j] : 1.0;
    }
    h5out_doubles(f, "/model/input_shift", 1, di, shift);
    h5out_doubles(f, "/model/input_scale", 1, di, scale);
    h5out_strings(f, "/model/inputs", r->p->in_names, r->p->n_in);
    h5out_strings(f, "/model/outputs", (const char *const *)r->p->out_names, r->p->n_out);
    if (r->tr) {
        const adam *a = r->tr->adam;
        size_t dv[1] = {r->tr->n_vec}; /* the parameters, then the unknowns */
        h5out_doubles(f, "/model/adam_m", 1, dv, a->m);
        h5out_doubles(f, "/model/adam_v", 1, dv, a->v);
        h5out_attr_int(f, "/model", "adam_step", a->step);
        h5out_attr_int(f, "/model", "step", r->tr->step);
    }
}

/* The unknown constants: names, initial guesses, final values (from the
 * raw values in the network's vector), their history, the true values
 * and relative errors when the config gives them. */
static void write_unknowns(h5out *f, const run_result *r)
{
    unknowns u = r->p->unk;
    if (u.n == 0)
        return;
    const char *names[UNKNOWNS_MAX];
    for (size_t j = 0; j < u.n; j++)
        names[j] = u.name[j];
    size_t dn[1] = {u.n};
    h5out_strings(f, "/unknowns/names", names, u.n);
    h5out_doubles(f, "/unknowns/initial", 1, dn, u.initial);
    if (r->net && r->tr) {
        const double *raw = r->net->params + r->net->n_params;
        unknowns_set_raw(&u, raw);
        h5out_doubles(f, "/unknowns/raw", 1, dn, raw);
        const train_history *h = &r->tr->hist;
        size_t dh[2] = {h->n, u.n};
        h5out_doubles(f, "/unknowns/history", 2, dh, h->unknowns);
        h5out_attr_string(f, "/unknowns/history", "rows", "as /history/step");
    } else {
        memcpy(u.value, u.initial, sizeof u.value);
    }
    h5out_doubles(f, "/unknowns/values", 1, dn, u.value);
    if (u.has_truth) {
        double rel[UNKNOWNS_MAX];
        for (size_t j = 0; j < u.n; j++)
            rel[j] = unknowns_rel_error(&u, j);
        h5out_doubles(f, "/unknowns/true_values", 1, dn, u.truth);
        h5out_doubles(f, "/unknowns/rel_error", 1, dn, rel);
    }
    h5out_attr_double(f, "/unknowns", "lr_factor", u.scale);
}

static void write_points(h5out *f, const run_result *r)
{
    for (size_t k = 0; k < r->n_terms; k++) {
        const term *t = &r->terms[k];
        char path[64];
        snprintf(path, sizeof path, "/points/%s", t->name);
        size_t dims[2] = {t->n, r->p->n_in};
        h5out_doubles(f, path, 2, dims, t->x);
        h5out_attr_double(f, path, "weight", t->weight);
    }
}

int output_write(const char *path, const run_result *r, char *err, size_t errcap)
{
    h5out *f = h5out_create(path, err, errcap);
    if (!f)
        return -1;
    char created[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    h5out_attr_int(f, "/", "format_version", PINN_FORMAT_VERSION);
    h5out_attr_string(f, "/", "pinn_version", PINN_VERSION);
    h5out_attr_string(f, "/", "config", cfg_text(r->c));
    h5out_attr_string(f, "/", "config_file", cfg_file(r->c));
    h5out_attr_string(f, "/", "overrides", cfg_overrides(r->c));
    h5out_attr_string(f, "/", "problem", r->p->type->name);
    h5out_attr_int(f, "/", "seed", (long long)r->seed);
    h5out_attr_int(f, "/", "threads", r->threads);
    h5out_attr_string(f, "/", "created", created);
    h5out_attr_string(f, "/", "status", r->status);
    if (r->verdict) {
        h5out_attr_string(f, "/", "verdict", r->verdict->text);
        h5out_attr_string(f, "/", "verdict_measure", r->verdict->measure);
        h5out_attr_double(f, "/", "verdict_value", r->verdict->value);
        h5out_attr_double(f, "/", "verdict_tolerance", r->verdict->tolerance);
        h5out_attr_int(f, "/", "verdict_pass", r->verdict->pass);
    }

    const grid *g = r->g;
    for (size_t a = 0; a < g->n_axes; a++) {
        char path[64];
        snprintf(path, sizeof path, "/grid/%s", g->axis_name[a] ? g->axis_name[a] : "t");
        size_t d1[1] = {g->len[a]};
        h5out_doubles(f, path, 1, d1, g->axis[a]);
    }
    if (matrix_layout(r)) {
        h5out_attr_string(f, "/grid", "layout", "fields are (t, variable): u[k][j] = y_j(t_k)");
    } else {
        char axes[64], layout[160];
        axes_text(g, axes, sizeof axes, 0);
        snprintf(layout, sizeof layout,
                 "each field is /solution/NAME over the axes (%s), the last fastest", axes);
        h5out_attr_string(f, "/grid", "layout", layout);
    }
    h5out_strings(f, "/grid/variables", (const char *const *)r->p->out_names, r->p->n_out);
    if (r->u)
        write_fields(f, "/solution", r, r->u);
    if (r->ref) {
        write_fields(f, "/reference", r, r->ref);
        for (size_t k = 0; k < (matrix_layout(r) ? 1 : r->p->n_out); k++) {
            char path[128];
            snprintf(path, sizeof path, "/reference/%s", matrix_layout(r) ? "u" : r->p->out_names[k]);
            h5out_attr_string(f, path, "method", r->ref_method);
            h5out_attr_double(f, path, "seconds", r->ref_seconds);
            /* pde references state their own error (problems/pde_reference.c) */
            const char *est = strstr(r->ref_method, "error estimate ");
            if (est)
                h5out_attr_double(f, path, "error_estimate", strtod(est + 15, NULL));
            const char *rel = est ? strstr(est, "rel L2 ") : NULL;
            if (rel)
                h5out_attr_double(f, path, "error_estimate_rel_l2", strtod(rel + 7, NULL));
        }
        if (r->u)
            write_errors(f, "/error", r, r->u, r->ref);
    }
    if (r->exact) {
        write_fields(f, "/exact", r, r->exact);
        if (r->u)
            write_errors(f, "/error/vs_exact", r, r->u, r->exact);
        if (r->ref)
            write_errors(f, "/error/reference_vs_exact", r, r->ref, r->exact);
    }
    if (r->tr) {
        write_history(f, r->tr);
        if (r->windows)
            write_windows(f, r->windows);
        h5out_attr_double(f, "/history", "train_seconds", r->tr->seconds);
    }
    if (r->net)
        write_model(f, r);
    if (r->tr)
        write_checkpoint(f, r->tr);
    write_unknowns(f, r);
    write_points(f, r);
    if (xdmf_scales_attach(f, err, errcap)) {
        h5out_abort(f);
        return -1;
    }
    if (h5out_commit_msg(f, err, errcap))
        return -1;
    return xdmf_write(path, err, errcap);
}

/* Temporaries are "NAME.tmp.PID" (h5io); one whose process is gone was
 * left by a kill and is removed. */
int output_remove_stale(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[1024];
    const char *base = slash ? slash + 1 : path;
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) + (slash == path), path);
    else
        snprintf(dir, sizeof dir, ".");
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t blen = strlen(base);
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (strncmp(n, base, blen) != 0 || strncmp(n + blen, ".tmp.", 5) != 0)
            continue;
        char *end;
        long pid = strtol(n + blen + 5, &end, 10);
        if (end == n + blen + 5 || *end || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive, or not ours to judge */
        char full[2048];
        snprintf(full, sizeof full, "%s/%s", dir, n);
        if (unlink(full) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}
