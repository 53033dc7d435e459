/* solver/train/parallel.c - data-parallel training over MPI ranks: row blocks of
 * the loss terms, the one all-reduce per objective evaluation, setup
 * agreement and job abort (see parallel.h). With PINN_MPI it calls Open MPI;
 * without, it is the one-process version pinn is built with. It knows
 * terms only as point blocks; residuals and training are not its business. */
#include "train/parallel.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef PINN_MPI
#include <mpi.h>
#endif

#define PAR_MSG 1024

struct parallel {
    int rank, size;
    int we_initialised;            /* par_open called MPI_Init_thread */
    int profile;                   /* PINN_PAR_PROFILE=1: barrier before each all-reduce */
    par_scaling scaling;
    double share[PROBLEM_MAX_TERMS];
    double *own_r[PROBLEM_MAX_TERMS]; /* residual buffers of block views */
    size_t own_r_cap[PROBLEM_MAX_TERMS];
    double *buf;                   /* the all-reduce vector */
    size_t buf_cap;
    const volatile sig_atomic_t *local_stop;
    volatile sig_atomic_t agreed_stop;
    par_stats st;
};

#ifdef PINN_MPI
static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}
#endif

int par_available(void)
{
#ifdef PINN_MPI
    return 1;
#else
    return 0;
#endif
}

parallel *par_open(char *err, size_t errcap)
{
    parallel *par = calloc(1, sizeof *par);
    if (!par) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    par->size = 1;
    for (size_t k = 0; k < PROBLEM_MAX_TERMS; k++)
        par->share[k] = 1.0;
#ifdef PINN_MPI
    int inited = 0, provided = 0;
    MPI_Initialized(&inited);
    if (!inited) {
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            snprintf(err, errcap, "MPI_Init_thread failed");
            free(par);
            return NULL;
        }
        par->we_initialised = 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &par->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &par->size);
    const char *prof = getenv("PINN_PAR_PROFILE");
    par->profile = prof && strcmp(prof, "1") == 0;
#endif
    return par;
}

void par_close(parallel *par)
{
    if (!par)
        return;
    for (size_t k = 0; k < PROBLEM_MAX_TERMS; k++)
        free(par->own_r[k]);
    free(par->buf);
#ifdef PINN_MPI
    int fin = 0;
    MPI_Finalized(&fin);
    if (par->we_initialised && !fin)
        MPI_Finalize();
#endif
    free(par);
}

int par_rank(const parallel *par)
{
    return par ? par->rank : 0;
}

int par_size(const parallel *par)
{
    return par ? par->size : 1;
}

void par_set_scaling(parallel *par, par_scaling s)
{
    if (par)
        par->scaling = s;
}

par_scaling par_get_scaling(const parallel *par)
{
    return par ? par->scaling : PAR_STRONG;
}

int par_own_draws(const parallel *par)
{
    return par && par->scaling == PAR_WEAK && par->rank > 0;
}

/* splitmix64's finaliser: well-mixed seeds for neighbouring ranks. */
static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void par_seed_draws(const parallel *par, gsl_rng *rng, unsigned long seed)
{
    if (!par_own_draws(par))
        return;
    /* mt19937 takes 32 bits of its seed */
    uint64_t s = mix64((uint64_t)seed ^ ((uint64_t)par->rank << 32));
    gsl_rng_set(rng, (unsigned long)(s & 0xffffffffu));
}

/* A term may be split in row blocks when its residual i depends on point i
 * alone and its data and residuals are a whole number of values per point. */
static int splittable(const term *t)
{
    return t->pointwise && !(t->causal_eps > 0) && t->n > 0 && t->n_r % t->n == 0 &&
           t->n_aux % t->n == 0;
}

int par_term_view(parallel *par, size_t k, const term *full, size_t n_in, term *view)
{
    *view = *full;
    if (!par)
        return 0;
    if (k >= PROBLEM_MAX_TERMS)
        return -1;
    int size = par->size, rank = par->rank;
    if (size == 1 || par->scaling == PAR_WEAK) {
        par->share[k] = 1.0 / (double)size;
        return 0;
    }
    if (!splittable(full)) {
        int mine = (int)(k % (size_t)size) == rank;
        par->share[k] = mine ? 1.0 : 0.0;
        if (!mine)
            view->n = view->n_r = view->n_aux = 0;
        return 0;
    }
    size_t n = full->n, lo = n * (size_t)rank / (size_t)size;
    size_t hi = n * ((size_t)rank + 1) / (size_t)size, sr = full->n_r / n, sa = full->n_aux / n;
    view->n = hi - lo;
    view->x = full->x + lo * n_in;
    view->aux = full->aux + lo * sa;
    view->n_aux = (hi - lo) * sa;
    view->n_r = (hi - lo) * sr;
    par->share[k] = (double)(hi - lo) / (double)n;
    /* residuals, then dL/dr (term_mse's layout), for this block alone */
    size_t need = 2 * (view->n_r ? view->n_r : 1);
    if (par->own_r_cap[k] < need) {
        double *r = realloc(par->own_r[k], need * sizeof *r);
        if (!r)
            return -1;
        par->own_r[k] = r;
        par->own_r_cap[k] = need;
    }
    view->r = par->own_r[k];
    return 0;
}

int par_reduce_terms(parallel *par, size_t n_terms, size_t np, double *loss, double *grad)
{
    if (!par || par->size == 1)
        return 0;
#ifdef PINN_MPI
    size_t n = n_terms * np + n_terms + 1;
    if (par->buf_cap < n) { /* once: the sizes do not change during a run */
        double *b = realloc(par->buf, n * sizeof *b);
        if (!b)
            par_abort(par, 1, "out of memory for the all-reduce buffer");
        par->buf = b;
        par->buf_cap = n;
    }
    double *b = par->buf;
    for (size_t k = 0; k < n_terms; k++) {
        double s = par->share[k];
        const double *g = grad + k * np;
        double *d = b + k * np;
        for (size_t i = 0; i < np; i++)
            d[i] = s * g[i];
        b[n_terms * np + k] = s * loss[k];
    }
    int local = par->local_stop ? (int)*par->local_stop : 0;
    b[n - 1] = local ? 1.0 : 0.0;
    double t0 = now(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    if (par->profile) {
        MPI_Barrier(MPI_COMM_WORLD);
        double t1 = now();
        par->st.wait_seconds += t1 - t0;
        t0 = t1;
    }
    MPI_Allreduce(MPI_IN_PLACE, b, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    par->st.reduce_seconds += now() - t0;
    par->st.mpi_cpu_seconds += clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    par->st.reductions++;
    par->st.doubles = n;
    memcpy(grad, b, n_terms * np * sizeof *grad);
    memcpy(loss, b + n_terms * np, n_terms * sizeof *loss);
    if (b[n - 1] > 0 && !par->agreed_stop)
        par->agreed_stop = local ? local : SIGTERM;
    return 0;
#else
    (void)n_terms, (void)np, (void)loss, (void)grad;
    return 0;
#endif
}

const volatile sig_atomic_t *par_stop_flag(parallel *par, const volatile sig_atomic_t *local)
{
    if (!par || par->size == 1)
        return local;
    par->local_stop = local;
    return &par->agreed_stop;
}

int par_agree(parallel *par, int status, char *err, size_t errcap)
{
    if (!par || par->size == 1)
        return status;
#ifdef PINN_MPI
    int *all = malloc((size_t)par->size * sizeof *all);
    if (!all)
        par_abort(par, 1, "out of memory agreeing on the setup");
    MPI_Allgather(&status, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD);
    int first = -1;
    for (int r = 0; r < par->size && first < 0; r++)
        if (all[r] != 0)
            first = r;
    int result = first < 0 ? 0 : all[first];
    free(all);
    if (first < 0)
        return 0;
    char msg[PAR_MSG];
    if (first == par->rank)
        snprintf(msg, sizeof msg, "%s", err);
    MPI_Bcast(msg, PAR_MSG, MPI_CHAR, first, MPI_COMM_WORLD);
    msg[PAR_MSG - 1] = '\0';
    if (first != par->rank)
        snprintf(err, errcap, "rank %d: %s", first, msg);
    return result;
#else
    (void)err, (void)errcap;
    return status;
#endif
}

/* FNV-1a over the bytes. */
static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

int par_identical(parallel *par, const void *x, size_t bytes)
{
    if (!par || par->size == 1)
        return 1;
#ifdef PINN_MPI
    uint64_t h = hash_bytes(x, bytes), v[2] = {h, ~h};
    MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    return v[0] == h && ~v[1] == h; /* max == min == this rank's */
#else
    (void)hash_bytes, (void)x, (void)bytes;
    return 1;
#endif
}

void par_abort(parallel *par, int code, const char *msg)
{
    fprintf(stderr, "pinn: rank %d of %d: %s; stopping the job\n", par_rank(par), par_size(par),
            msg);
    fflush(stderr);
#ifdef PINN_MPI
    if (par && par->size > 1)
        MPI_Abort(MPI_COMM_WORLD, code);
#endif
    exit(code);
}

void par_stats_get(const parallel *par, par_stats *st)
{
    if (par)
        *st = par->st;
    else
        memset(st, 0, sizeof *st);
}
