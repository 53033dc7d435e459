/* solver/io/checkpoint.c - resuming a run: reads /checkpoint, /model and
 * /history from a result file, checks that they belong to the network and
 * loss terms built from the config, and restores the trainer through
 * trainer_restore. It neither writes files (output.c does) nor trains. */
#include "io/checkpoint.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5io.h"
#include "io/output.h"

/* Everything read from the file, freed in one place. */
typedef struct ck_data {
    double *params, *m, *v, *weighting, *rec_lr, *unk_raw, *unk_hist;
    char **unk_names;
    size_t n_unk_names;
    double *h_seconds, *h_loss, *h_terms, *h_weights;
    long long *widths, *rng, *rec_step, *h_step, *h_phase;
    char **names;
    size_t n_names;
    char *config, *overrides, *problem, *activation;
} ck_data;

static void ck_data_free(ck_data *d)
{
    free(d->params);
    free(d->m);
    free(d->v);
    free(d->weighting);
    free(d->rec_lr);
    free(d->unk_raw);
    free(d->unk_hist);
    h5in_strings_free(d->unk_names, d->n_unk_names);
    free(d->h_seconds);
    free(d->h_loss);
    free(d->h_terms);
    free(d->h_weights);
    free(d->widths);
    free(d->rng);
    free(d->rec_step);
    free(d->h_step);
    free(d->h_phase);
    h5in_strings_free(d->names, d->n_names);
    free(d->config);
    free(d->overrides);
    free(d->problem);
    free(d->activation);
}

static int fail(char *err, size_t errcap, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errcap, const char *path, const char *fmt, ...)
{
    int n = snprintf(err, errcap, "--resume %s: ", path);
    if (n < 0 || (size_t)n >= errcap)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errcap - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* Reads a 1-D dataset of want values (or of any length when want is
 * SIZE_MAX, returned in *got); 0 or -1. */
static int read_vec(h5in *f, const char *name, int ints, void **data, size_t want, size_t *got)
{
    size_t rank, dims[H5IO_MAX_RANK];
    int rc = ints ? h5in_ints(f, name, (long long **)data, &rank, dims)
                  : h5in_doubles(f, name, (double **)data, &rank, dims);
    if (rc)
        return -1;
    size_t n = rank == 0 ? 1 : dims[0];
    if (rank > 1 || (want != SIZE_MAX && n != want))
        return -1;
    if (got)
        *got = n;
    return 0;
}

/* The history: every row dataset with n rows (n_terms columns for the two
 * per-term ones). */
static int read_history(h5in *f, ck_data *d, size_t n_terms, size_t *n)
{
    size_t rank, dims[H5IO_MAX_RANK];
    if (read_vec(f, "/history/step", 1, (void **)&d->h_step, SIZE_MAX, n) ||
        read_vec(f, "/history/phase", 1, (void **)&d->h_phase, *n, NULL) ||
        read_vec(f, "/history/seconds", 0, (void **)&d->h_seconds, *n, NULL) ||
        read_vec(f, "/history/loss", 0, (void **)&d->h_loss, *n, NULL))
        return -1;
    if (h5in_doubles(f, "/history/loss_terms", &d->h_terms, &rank, dims) || rank != 2 ||
        dims[0] != *n || dims[1] != n_terms)
        return -1;
    if (h5in_doubles(f, "/history/weights", &d->h_weights, &rank, dims) || rank != 2 ||
        dims[0] != *n || dims[1] != n_terms)
        return -1;
    return 0;
}

/* /unknowns/history: n_hist rows of nu finite values. */
static int read_unknowns_history(h5in *f, ck_data *d, size_t nu, size_t n_hist)
{
    size_t rank, dims[H5IO_MAX_RANK];
    if (h5in_doubles(f, "/unknowns/history", &d->unk_hist, &rank, dims) || rank != 2 ||
        dims[0] != n_hist || dims[1] != nu)
        return -1;
    for (size_t j = 0; j < nu; j++)
        if (!isfinite(d->unk_raw[j]))
            return -1;
    return 0;
}

/* Whether the file's embedding and factorization are net's: the same kind,
 * and B (drawn again from the seed when the run resumes) the same bits. */
static int options_match(h5in *f, const mlp *net)
{
    if ((h5in_attr_exists(f, "/model", "factorization_mu") > 0) != (net->rwf != 0) ||
        (h5in_exists(f, "/model/embedding") > 0) != (net->embedded != 0))
        return 0;
    if (!net->embedded)
        return 1;
    long long mask = -1, harm = -1, four = -1;
    if (h5in_attr_int(f, "/model/embedding", "periodic_mask", &mask) ||
        h5in_attr_int(f, "/model/embedding", "harmonics", &harm) ||
        h5in_attr_int(f, "/model/embedding", "fourier", &four) ||
        mask != (long long)net->emb.periodic || harm != (long long)net->emb.harmonics ||
        four != (long long)net->emb.fourier)
        return 0;
    if (!net->fourier_B)
        return 1;
    double *B = NULL;
    size_t rank, dims[H5IO_MAX_RANK];
    int same = h5in_doubles(f, "/model/embedding/fourier_B", &B, &rank, dims) == 0 &&
               rank == 2 && dims[0] * dims[1] == net->emb.fourier * net->emb_mid &&
               memcmp(B, net->fourier_B, dims[0] * dims[1] * sizeof *B) == 0;
    free(B);
    return same;
}

/* Names the first way the file's network or terms differ from tr's, or
 * returns NULL when they match. */
static const char *architecture_differs(h5in *f, ck_data *d, trainer *tr, char *buf, size_t cap)
{
    const mlp *net = tr->net;
    size_t nw = 0;
    if (h5in_attr_string(f, "/", "problem", &d->problem) ||
        strcmp(d->problem, tr->p->type->name) != 0)
        return "the problem type";
    if (read_vec(f, "/model/widths", 1, (void **)&d->widths, SIZE_MAX, &nw) ||
        nw != net->n_layers + 1)
        return "the number of layers (network.hidden)";
    for (size_t l = 0; l < nw; l++)
        if (d->widths[l] != (long long)net->width[l])
            return "the layer widths (network.hidden)";
    if (h5in_attr_string(f, "/model", "activation", &d->activation) ||
        strcmp(d->activation, net->act->name) != 0)
        return "the activation (network.activation)";
    if (!options_match(f, net))
        return "the input embedding or weight factorization (network.periodic, network.fourier "
               "with its B drawn from the seed, network.factorization)";
    if (h5in_strings(f, "/history/term_names", &d->names, &d->n_names) ||
        d->n_names != tr->n_terms)
        return "the set of loss terms";
    for (size_t k = 0; k < tr->n_terms; k++) {
        if (strcmp(d->names[k], tr->terms[k].name) != 0)
            return "the set of loss terms";
        size_t rank, dims[H5IO_MAX_RANK];
        snprintf(buf, cap, "/points/%s", tr->terms[k].name);
        if (h5in_shape(f, buf, &rank, dims) || rank != 2 || dims[0] != tr->terms[k].n ||
            dims[1] != tr->p->n_in) {
            snprintf(buf, cap, "the number of '%s' points", tr->terms[k].name);
            return buf;
        }
    }
    if (read_vec(f, "/checkpoint/weighting", 0, (void **)&d->weighting,
                 trainer_weighting_state_size(tr), NULL))
        return "the loss weighting scheme (loss.weighting)";
    const unknowns *u = &tr->p->unk;
    if ((h5in_exists(f, "/unknowns/names") > 0) != (u->n > 0))
        return "the unknowns (problem.unknowns)";
    if (u->n > 0) {
        if (h5in_strings(f, "/unknowns/names", &d->unk_names, &d->n_unk_names) ||
            d->n_unk_names != u->n)
            return "the unknowns (problem.unknowns)";
        for (size_t j = 0; j < u->n; j++)
            if (strcmp(d->unk_names[j], u->name[j]) != 0)
                return "the unknowns (problem.unknowns)";
    }
    return NULL;
}

/* The first of the restored numbers that cannot be a checkpoint's (NaN or
 * Inf parameters or moments, a negative second moment, steps out of
 * order), or NULL. A run that diverges keeps its last finite model, so
 * only a damaged file has these. */
static const char *checkpoint_invalid(const ck_data *d, const train_checkpoint *ck, size_t np,
                                      size_t n_weighting, size_t n_rec)
{
    for (size_t i = 0; i < np; i++) {
        if (!isfinite(d->params[i]))
            return "/model/params holds a non-finite value";
        if (!isfinite(d->m[i]))
            return "/model/adam_m holds a non-finite value";
        if (!isfinite(d->v[i]) || d->v[i] < 0)
            return "/model/adam_v holds a negative or non-finite value";
    }
    for (size_t i = 0; i < n_weighting; i++)
        if (!isfinite(d->weighting[i]))
            return "/checkpoint/weighting holds a non-finite value";
    for (size_t i = 0; i < n_rec; i++)
        if (!isfinite(d->rec_lr[i]) || d->rec_step[i] < 0)
            return "/history/recovery_* holds a bad value";
    if (ck->step < 0 || ck->adam_step < 0 || ck->prog.adam_done < 0 || ck->prog.lbfgs_done < 0 ||
        ck->prog.resamples < 0 || ck->prog.adam_done + ck->prog.lbfgs_done > ck->step)
        return "/checkpoint has negative or inconsistent step counts";
    if (ck->prog.phase < TRAIN_PHASE_ADAM || ck->prog.phase > TRAIN_PHASE_DONE)
        return "/checkpoint has an unknown phase";
    if (!isfinite(ck->prog.lr_factor) || !(ck->prog.lr_factor > 0) || !isfinite(ck->seconds) ||
        ck->seconds < 0)
        return "/checkpoint has a bad lr_factor or seconds";
    return NULL;
}

static int checkpoint_read(const char *path, const cfg *c, unsigned long seed, trainer *tr,
                           FILE *warn, char *err, size_t errcap);

typedef struct probe_ctx {
    const char *path;
    const cfg *c;
    unsigned long seed;
    trainer *tr;
} probe_ctx;

static int checkpoint_probe(void *ctx, char *err, size_t errcap)
{
    probe_ctx *k = ctx;
    return checkpoint_read(k->path, k->c, k->seed, k->tr, NULL, err, errcap);
}

int checkpoint_load(const char *path, const cfg *c, unsigned long seed, trainer *tr, FILE *warn,
                    char *err, size_t errcap)
{
    /* First in a child process: a file that crashes libhdf5 is "corrupt". */
    probe_ctx k = {path, c, seed, tr};
    char why[1024];
    if (h5io_isolated(path, checkpoint_probe, &k, why, sizeof why)) {
        if (strncmp(why, "--resume ", 9) == 0)
            snprintf(err, errcap, "%s", why);
        else
            fail(err, errcap, path, "%s", why);
        return -1;
    }
    return checkpoint_read(path, c, seed, tr, warn, err, errcap);
}

static int checkpoint_read(const char *path, const cfg *c, unsigned long seed, trainer *tr,
                           FILE *warn, char *err, size_t errcap)
{
    char why[512];
    h5in *f = h5in_open(path, why, sizeof why);
    if (!f)
        return fail(err, errcap, path, "%s", why);
    ck_data d = {0};
    int rc = -1;
    long long version = 0, file_seed = -1;
    if (h5in_attr_int(f, "/", "format_version", &version) || version != PINN_FORMAT_VERSION) {
        fail(err, errcap, path, "not a pinn result file of format version %d",
             PINN_FORMAT_VERSION);
        goto done;
    }
    if (!h5in_exists(f, "/checkpoint")) {
        fail(err, errcap, path, "holds no checkpoint (it is not from `pinn run`)");
        goto done;
    }
    char buf[128];
    const char *diff = architecture_differs(f, &d, tr, buf, sizeof buf);
    if (diff) {
        fail(err, errcap, path, "differs from %s in %s; a run resumes only with the same "
             "problem type, network, loss terms, point counts and weighting scheme",
             cfg_file(c), diff);
        goto done;
    }
    if (h5in_attr_string(f, "/", "config", &d.config) ||
        h5in_attr_string(f, "/", "overrides", &d.overrides) ||
        h5in_attr_int(f, "/", "seed", &file_seed)) {
        fail(err, errcap, path, "lacks the stored config: %s", h5in_error(f));
        goto done;
    }
    if (warn && (strcmp(d.config, cfg_text(c)) != 0 || strcmp(d.overrides, cfg_overrides(c)) != 0 ||
                 file_seed != (long long)seed))
        fprintf(warn, "pinn: note: %s differs from the config%s stored in %s; the network and "
                      "loss terms match, so training goes on from the checkpoint, but the "
                      "result will not be that of an uninterrupted run\n",
                cfg_file(c), file_seed != (long long)seed ? " or seed" : "", path);

    size_t np = tr->net->n_params, nv = tr->n_vec, nu = nv - np, n_rng = 0, n_rec = 0,
           n_hist = 0;
    train_checkpoint ck = {0};
    long long phase = 0, rng_bytes = 0;
    if (read_vec(f, "/model/params", 0, (void **)&d.params, np, NULL) ||
        read_vec(f, "/model/adam_m", 0, (void **)&d.m, nv, NULL) ||
        read_vec(f, "/model/adam_v", 0, (void **)&d.v, nv, NULL) ||
        h5in_attr_int(f, "/model", "adam_step", &ck.adam_step) ||
        h5in_attr_int(f, "/checkpoint", "step", &ck.step) ||
        h5in_attr_int(f, "/checkpoint", "adam_done", &ck.prog.adam_done) ||
        h5in_attr_int(f, "/checkpoint", "lbfgs_done", &ck.prog.lbfgs_done) ||
        h5in_attr_int(f, "/checkpoint", "phase", &phase) ||
        h5in_attr_double(f, "/checkpoint", "lr_factor", &ck.prog.lr_factor) ||
        h5in_attr_int(f, "/checkpoint", "resamples", &ck.prog.resamples) ||
        h5in_attr_double(f, "/checkpoint", "seconds", &ck.seconds) ||
        read_vec(f, "/checkpoint/rng_state", 1, (void **)&d.rng, SIZE_MAX, &n_rng) ||
        h5in_attr_int(f, "/checkpoint/rng_state", "bytes", &rng_bytes) ||
        read_vec(f, "/history/recovery_step", 1, (void **)&d.rec_step, SIZE_MAX, &n_rec) ||
        read_vec(f, "/history/recovery_lr_factor", 0, (void **)&d.rec_lr, n_rec, NULL) ||
        read_history(f, &d, tr->n_terms, &n_hist) ||
        (nu > 0 && (read_vec(f, "/unknowns/raw", 0, (void **)&d.unk_raw, nu, NULL) ||
                    read_unknowns_history(f, &d, nu, n_hist)))) {
        fail(err, errcap, path, "its checkpoint is incomplete or has the wrong sizes%s%s",
             h5in_error(f)[0] ? ": " : "", h5in_error(f));
        goto done;
    }
    if (rng_bytes < 0 || (size_t)rng_bytes > 8 * n_rng) {
        fail(err, errcap, path, "its random state has %lld bytes in %zu words", rng_bytes, n_rng);
        goto done;
    }
    ck.prog.phase = phase < 0 || phase > 100 ? -1 : (int)phase;
    const char *bad = checkpoint_invalid(&d, &ck, np, trainer_weighting_state_size(tr), n_rec);
    if (bad) {
        fail(err, errcap, path, "%s: a corrupt file, refused", bad);
        goto done;
    }
    ck.adam_m = d.m;
    ck.adam_v = d.v;
    ck.weighting = d.weighting;
    ck.n_weighting = trainer_weighting_state_size(tr);
    ck.rng_state = (const unsigned char *)d.rng;
    ck.rng_size = (size_t)rng_bytes;
    ck.n_recoveries = n_rec;
    ck.recovery_step = d.rec_step;
    ck.recovery_lr = d.rec_lr;
    ck.n_hist = n_hist;
    ck.h_step = d.h_step;
    ck.h_phase = d.h_phase;
    ck.h_seconds = d.h_seconds;
    ck.h_loss = d.h_loss;
    ck.h_terms = d.h_terms;
    ck.h_weights = d.h_weights;
    ck.h_unknowns = d.unk_hist;
    if (trainer_restore(tr, &ck)) {
        fail(err, errcap, path, "cannot resume: %s", tr->error);
        tr->error[0] = '\0';
        goto done;
    }
    memcpy(tr->net->params, d.params, np * sizeof *d.params);
    if (nu > 0)
        memcpy(tr->net->params + np, d.unk_raw, nu * sizeof *d.unk_raw);
    rc = 0;
done:
    ck_data_free(&d);
    h5in_close(f);
    return rc;
}
