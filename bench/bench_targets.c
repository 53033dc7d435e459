/* bench/bench_targets.c - the targets of issue 16, each printed with its
 * measured number, the baseline measured in this same run, the ratio and
 * met / not met: the Adam step of heat1d.cfg against PyTorch (when python3
 * has torch) and against the core's FMA peak (measured here), wide nets at
 * 22000 points, 2 threads against 1, the shipped configs at the default
 * thread count against 1 thread, and the whole recipe of
 * configs/heat1d_fast.cfg (BENCH_RECIPE=0 skips it). Not a test: it asserts nothing.
 *
 * The machine may be shared: single-thread rates use this thread's CPU time
 * (time other processes held the core left out), thread comparisons use
 * wall time with batches of 1- and 2-thread steps interleaved so both see
 * the same load, and the shipped configs run whole (pinn run, default
 * against --threads 1, alternating); each line says which. BENCH_REPS
 * scales the repetitions. */
#include <glob.h>
#include <math.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include "bench_common.h"
#include "mlp_internal.h"
#include "mlp_simd.h"

#if MLP_X86
#include <immintrin.h>
#endif

static double reps_scale = 1.0;
static int n_cpu = 1; /* omp_get_max_threads() at start: what train.threads = 0 allows */

/* Exactly t threads for the in-process steps (the default's auto mode is
 * measured by whole runs, pinn_run). */
static void use_threads(int t)
{
    mlp_threads_set_auto(0);
    bench_set_threads(t);
}

static size_t reps_of(double r)
{
    double v = r * reps_scale;
    return v < 3 ? 3 : (size_t)v;
}

/* ---- the core's FMA peak: 12 independent multiply-add chains (enough to
 * cover the FMA latency times the pipes of any current x86 core) ---- */

#if MLP_X86
MLP_AVX2 static double fma_loop_256(long it)
{
    __m256d a[12], x = _mm256_set1_pd(0.9999999), y = _mm256_set1_pd(1e-9);
    for (int i = 0; i < 12; i++)
        a[i] = _mm256_set1_pd((double)i);
    for (long r = 0; r < it; r++)
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++)
            a[i] = _mm256_fmadd_pd(a[i], x, y);
    __m256d s = a[0];
    for (int i = 1; i < 12; i++)
        s = _mm256_add_pd(s, a[i]);
    double o[4];
    _mm256_storeu_pd(o, s);
    return o[0] + o[1] + o[2] + o[3];
}

MLP_AVX512 static double fma_loop_512(long it)
{
    __m512d a[12], x = _mm512_set1_pd(0.9999999), y = _mm512_set1_pd(1e-9);
    for (int i = 0; i < 12; i++)
        a[i] = _mm512_set1_pd((double)i);
    for (long r = 0; r < it; r++)
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++)
            a[i] = _mm512_fmadd_pd(a[i], x, y);
    __m512d s = a[0];
    for (int i = 1; i < 12; i++)
        s = _mm512_add_pd(s, a[i]);
    return _mm512_reduce_add_pd(s);
}
#endif

/* GFLOP/s of the FMA loop of width lanes (4 or 8): the best of 31 runs of
 * ~10 ms by this thread's CPU time; the median into *med. 0 if the CPU
 * lacks the instructions. */
static double fma_peak(int lanes, double *med)
{
    *med = 0;
#if MLP_X86
    if (!mlp_isa_usable(lanes == 8 ? MLP_ISA_AVX512 : MLP_ISA_AVX2))
        return 0;
    enum { R = 31 };
    double g[R], sink = 0, best;
    const long it = 1000000;
    for (int r = 0; r < R; r++) {
        double t0 = bench_cpu_ms();
        sink += lanes == 8 ? fma_loop_512(it) : fma_loop_256(it);
        double ms = bench_cpu_ms() - t0;
        g[r] = 2.0 * 12 * lanes * (double)it / ms * 1e-6;
    }
    *med = bench_median(g, R, NULL);
    best = g[R - 1];
    if (sink == 42.0) /* keeps the loops */
        printf(" ");
    return best;
#else
    (void)lanes;
    return 0;
#endif
}

/* ---- steps ---- */

/* Median and min CPU ms (this thread) of reps steps at 1 thread, after 3. */
static double cpu_step_ms(bench_setup *s, size_t reps, double *min)
{
    double *t = malloc(reps * sizeof *t);
    use_threads(1);
    for (size_t r = 0; r < reps + 3; r++) {
        double t0 = bench_cpu_ms();
        bench_step(s);
        if (r >= 3)
            t[r - 3] = bench_cpu_ms() - t0;
    }
    double m = bench_median(t, reps, min);
    free(t);
    return m;
}

/* Wall ms of steps at t1 and at t2 threads (use_threads), interleaved in batches of 6
 * (t1 x 6, t2 x 6, ...; the first step of a batch, where OpenMP's workers
 * wake up, not counted) so both see the same load: medians into m1, m2;
 * returns m1 / m2 (> 1: t2 faster). reps steps of each count are kept. */
static double wall_pair(bench_setup *s, int t1, int t2, size_t reps, double *m1, double *m2)
{
    enum { BATCH = 6 };
    double *a = malloc((reps + BATCH) * sizeof *a), *b = malloc((reps + BATCH) * sizeof *b);
    size_t na = 0, nb = 0;
    bench_step(s); /* warm-up */
    while (na < reps) {
        for (int w = 0; w < 2; w++) {
            use_threads(w ? t2 : t1);
            for (int k = 0; k < BATCH; k++) {
                double t0 = bench_now_ms();
                bench_step(s);
                double ms = bench_now_ms() - t0;
                if (k > 0) {
                    if (w)
                        b[nb++] = ms;
                    else
                        a[na++] = ms;
                }
            }
        }
    }
    use_threads(1);
    *m1 = bench_median(a, na, NULL);
    *m2 = bench_median(b, nb, NULL);
    free(a);
    free(b);
    return *m1 / *m2;
}

/* ---- the targets table ---- */

typedef struct target {
    char what[96], measured[64], baseline[64];
    double ratio, need; /* met when ratio >= need; need < 0: not measured */
} target;

#define MAX_TARGETS 24
static target targets[MAX_TARGETS];
static size_t n_targets;

static void target_add(const char *what, const char *measured, const char *baseline,
                       double ratio, double need)
{
    if (n_targets == MAX_TARGETS)
        return;
    target *t = &targets[n_targets++];
    snprintf(t->what, sizeof t->what, "%s", what);
    snprintf(t->measured, sizeof t->measured, "%s", measured);
    snprintf(t->baseline, sizeof t->baseline, "%s", baseline);
    t->ratio = ratio;
    t->need = need;
}

static void targets_print(void)
{
    printf("\n== targets (issue 16)\n%-52s %-22s %-24s %7s %7s  %s\n", "target", "measured",
           "baseline (same run)", "ratio", "need", "");
    for (size_t i = 0; i < n_targets; i++) {
        const target *t = &targets[i];
        if (t->need < 0)
            printf("%-52s %-22s %-24s %7s %7s  not measured\n", t->what, t->measured,
                   t->baseline, "-", "-");
        else
            printf("%-52s %-22s %-24s %7.2f %7.2f  %s\n", t->what, t->measured, t->baseline,
                   t->ratio, t->need, t->ratio >= t->need ? "met" : "NOT MET");
    }
}

/* ---- PyTorch ---- */

/* Median wall ms per Adam step of bench/torch_heat.py (1 thread, dtype),
 * its median process CPU ms into *cpu, or -1 when python3 has no torch. */
static double torch_step_ms(const char *py, const char *dtype, double *cpu)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 %s bench/torch_heat.py --threads 1 "
             "--dtype %s --adam 210 --lbfgs 0 2>/dev/null",
             py, dtype);
    FILE *f = popen(cmd, "r");
    char line[1024];
    double ms = -1;
    *cpu = -1;
    while (f && fgets(line, sizeof line, f)) {
        const char *p = strstr(line, "adam_ms ");
        if (p)
            ms = strtod(p + 8, NULL);
        p = strstr(line, "adam_cpu_ms ");
        if (p)
            *cpu = strtod(p + 12, NULL);
    }
    if (f)
        pclose(f);
    return ms;
}

static const char *torch_python(void)
{
    static const char *const cand[] = {"/usr/bin/python3", "python3"};
    for (size_t i = 0; i < 2; i++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "%s -c 'import torch' >/dev/null 2>&1", cand[i]);
        if (system(cmd) == 0)
            return cand[i];
    }
    return NULL;
}

/* ---- whole pinn runs ---- */

typedef struct pinn_result {
    double wall_s, cpu_s, adam_wall_s, rel_l2, proc_wall_s;
    int ok;
} pinn_result;

/* CPU seconds of every child waited for so far. */
static double children_cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_CHILDREN, &ru))
        return 0;
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

#define MAX_RUN_SETS 6

/* pinn run CFG --threads THREADS ("0": the default) with the config's
 * schedule changed by the --set overrides in sets (NULL-terminated, at
 * most MAX_RUN_SETS; sets itself may be NULL): wall seconds from its log
 * (Adam: the last adam row) and of the whole process (proc_wall_s), CPU
 * seconds of the whole process (setup, reference and output included)
 * from the child's rusage, rel L2 against the exact solution when the log
 * has one. ok: the run exited with status 0. */
static pinn_result pinn_run(const char *pinn, const char *cfg, const char *threads,
                       const char *const *sets)
{
    pinn_result r = {0};
    char out[] = "/tmp/pinn-bench-XXXXXX";
    int fd = mkstemp(out);
    if (fd < 0)
        return r;
    close(fd);
    char h5[64];
    snprintf(h5, sizeof h5, "%s.h5", out);
    const char *argv[16 + 2 * MAX_RUN_SETS];
    size_t na = 0;
    argv[na++] = pinn;
    argv[na++] = "run";
    argv[na++] = cfg;
    argv[na++] = "--threads";
    argv[na++] = threads;
    argv[na++] = "--set";
    argv[na++] = "train.log_every=500";
    for (size_t i = 0; sets && sets[i] && i < MAX_RUN_SETS; i++) {
        argv[na++] = "--set";
        argv[na++] = sets[i];
    }
    argv[na++] = "-o";
    argv[na++] = h5;
    argv[na] = NULL;
    int pfd[2];
    if (pipe(pfd))
        return r;
    const double cpu0 = children_cpu_s(), wall0 = bench_now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        int dn = open("/dev/null", O_WRONLY); /* the Adam-only run's verdict warning */
        if (dn >= 0)
            dup2(dn, 2);
        execv(pinn, (char *const *)argv);
        _exit(127);
    }
    close(pfd[1]);
    FILE *f = fdopen(pfd[0], "r");
    char line[1024];
    while (f && fgets(line, sizeof line, f)) {
        long step;
        char phase[16];
        double sec;
        if (sscanf(line, "%ld %15s %lf", &step, phase, &sec) == 3) {
            if (strcmp(phase, "adam") == 0)
                r.adam_wall_s = sec;
            if (strcmp(phase, "adam") == 0 || strstr(phase, "bfgs") || strstr(phase, "broyden"))
                r.wall_s = sec;
        }
        const char *p = strstr(line, "network vs exact");
        if (p)
            r.rel_l2 = strtod(p + 16, NULL);
    }
    if (f)
        fclose(f);
    int st;
    if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        r.cpu_s = children_cpu_s() - cpu0;
        r.proc_wall_s = 1e-3 * (bench_now_ms() - wall0);
        r.ok = 1;
    }
    unlink(out);
    unlink(h5);
    return r;
}

/* ---- main ---- */

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress lines as they come */
    const char *env = getenv("BENCH_REPS");
    if (env && atof(env) > 0)
        reps_scale = atof(env);
    const char *pinn = getenv("PINN") ? getenv("PINN") : "build/pinn";
#ifdef _OPENMP
    n_cpu = omp_get_max_threads(); /* the default thread count (train.threads = 0) */
#endif
    double load0 = bench_load();
    char buf[64], base[64];
    printf("issue 16 targets; load average at start %.2f on %ld cores; gemm path %s, "
           "element-wise path %s\n",
           load0, sysconf(_SC_NPROCESSORS_ONLN), mlp_gemm_active()->name,
           mlp_isa_names[mlp_isa_active()]);

    /* the FMA peak of one core */
    double med256, med512, p256 = fma_peak(4, &med256), p512 = fma_peak(8, &med512);
    double peak = p512 > p256 ? p512 : p256;
    printf("FMA peak, 1 thread (best / median of 31 runs, CPU time): 256-bit %.1f / %.1f "
           "GFLOP/s",
           p256, med256);
    if (p512 > 0)
        printf(", 512-bit %.1f / %.1f GFLOP/s\n", p512, med512);
    else
        printf(", 512-bit: this CPU has no AVX-512\n");

    /* heat1d.cfg at 1 thread: each gemm path, then PyTorch */
    bench_set_threads(n_cpu); /* workspaces sized for the default */
    bench_setup s;
    if (bench_setup_make(&s, "configs/heat1d.cfg", NULL, 0))
        return 1;
    double flops = bench_step_flops(&s), mn;
    printf("\n== heat1d.cfg Adam step, 1 thread (CPU ms: median, min; products %.1f MFLOP "
           "per step)\n",
           flops * 1e-6);
    const mlp_gemm_kernel *dflt = mlp_gemm_active();
    double heat_ms = 0;
    for (const mlp_gemm_kernel *k = mlp_gemm_kernels; k->name; k++) {
        if (!k->usable())
            continue;
        mlp_gemm_select(k);
        double ms = cpu_step_ms(&s, reps_of(300), &mn);
        if (k == dflt)
            heat_ms = ms;
        printf("  gemm %-8s %8.3f %8.3f ms  products at %5.1f GFLOP/s = %4.1f%% of peak%s\n",
               k->name, ms, mn, flops / ms * 1e-6, 100 * flops / ms * 1e-6 / peak,
               k == dflt ? "  (default)" : "");
    }
    mlp_gemm_select(dflt);
    for (int i = 0; i < MLP_ISA_N; i++) {
        if (!mlp_isa_usable(i) || i == mlp_isa_active())
            continue;
        int keep = mlp_isa_active();
        mlp_isa_select(i);
        double ms = cpu_step_ms(&s, reps_of(100), &mn);
        mlp_isa_select(keep);
        printf("  element-wise path %s instead of %s: %8.3f ms\n", mlp_isa_names[i],
               mlp_isa_names[keep], ms);
    }
    snprintf(buf, sizeof buf, "%.1f%% of peak", 100 * flops / heat_ms * 1e-6 / peak);
    snprintf(base, sizeof base, "peak %.1f GFLOP/s", peak);
    target_add("heat1d step products >= 60% of FMA peak (1 thr)", buf, base,
               flops / heat_ms * 1e-6 / peak, 0.60);

    const char *py = torch_python();
    double pin_wall = 0, dummy;
    if (py) {
        /* pinn's wall time next to PyTorch's, both under the same load */
        wall_pair(&s, 1, 1, reps_of(200), &pin_wall, &dummy);
        const char *dt[2] = {"float64", "float32"};
        const double need[2] = {6, 3};
        for (int d = 0; d < 2; d++) {
            double tc, tm = torch_step_ms(py, dt[d], &tc);
            printf("  PyTorch %s (%s): %.3f ms per step wall median (pinn %.3f ms: %.2fx), "
                   "%.3f ms CPU median (pinn %.3f ms: %.2fx)\n",
                   dt[d], py, tm, pin_wall, tm / pin_wall, tc, heat_ms, tc / heat_ms);
            char what[96];
            snprintf(what, sizeof what, "heat1d step >= %gx faster than PyTorch %s (CPU)",
                     need[d], dt[d]);
            snprintf(buf, sizeof buf, "pinn %.3f ms", heat_ms);
            snprintf(base, sizeof base, "torch %.3f ms", tc);
            target_add(what, buf, base, tc > 0 ? tc / heat_ms : 0, tc > 0 ? need[d] : -1);
        }
    } else {
        printf("  PyTorch: skipped, no python3 with torch (Debian: apt-get install "
               "python3-torch)\n");
        target_add("heat1d step >= 6x faster than PyTorch float64", "-", "no torch", 0, -1);
        target_add("heat1d step >= 3x faster than PyTorch float32", "-", "no torch", 0, -1);
    }

    /* sizes: 2 threads against 1 (wall, interleaved) and wide nets' rates */
    printf("\n== sizes: 1 thread CPU ms (rate, %% of peak); 1 vs 2 threads wall ms "
           "interleaved\n%-6s %7s %10s %8s %7s %10s %10s %8s\n",
           "width", "points", "1thr CPU", "GFLOP/s", "%peak", "1thr wall", "2thr wall",
           "speedup");
    const size_t widths[] = {20, 64, 128}, pts[] = {2540, 22000};
    double min_small = 1e9, min_big = 1e9;
    for (size_t wi = 0; wi < 3; wi++)
        for (size_t pi = 0; pi < 2; pi++) {
            char set_w[64], set_n[64];
            snprintf(set_w, sizeof set_w, "network.hidden=[%zu,%zu,%zu]", widths[wi],
                     widths[wi], widths[wi]);
            snprintf(set_n, sizeof set_n, "points.interior=%zu", pts[pi]);
            const char *sets[2] = {set_w, set_n};
            bench_setup b;
            bench_set_threads(2);
            if (bench_setup_make(&b, "configs/heat1d.cfg", sets, 2))
                return 1;
            double f = bench_step_flops(&b);
            /* about 2 s of 1-thread steps at 20 GFLOP/s */
            double r = 2.0 / (f / 20e9);
            size_t reps = reps_of(r > 200 ? 200 : r);
            double c1 = cpu_step_ms(&b, reps, &mn), w1, w2;
            double sp = wall_pair(&b, 1, 2, reps, &w1, &w2);
            printf("%-6zu %7zu %10.3f %8.2f %7.1f %10.3f %10.3f %8.2f\n", widths[wi], pts[pi],
                   c1, f / c1 * 1e-6, 100 * f / c1 * 1e-6 / peak, w1, w2, sp);
            if (pts[pi] >= 20000) {
                min_big = sp < min_big ? sp : min_big;
                if (widths[wi] >= 64) {
                    char what[96];
                    snprintf(what, sizeof what, "width %zu, %zu points: >= 50%% of FMA peak",
                             widths[wi], pts[pi]);
                    snprintf(buf, sizeof buf, "%.1f%% of peak", 100 * f / c1 * 1e-6 / peak);
                    snprintf(base, sizeof base, "peak %.1f GFLOP/s", peak);
                    target_add(what, buf, base, f / c1 * 1e-6 / peak, 0.5);
                }
            }
            min_small = sp < min_small ? sp : min_small;
            bench_setup_free(&b);
        }
    snprintf(buf, sizeof buf, "worst %.2fx", min_big);
    target_add("2 threads >= 1.7x faster than 1 at >= 20k points", buf, "1 thread", min_big,
               1.7);
    snprintf(buf, sizeof buf, "worst %.2fx", min_small);
    target_add("2 threads faster than 1 at every bench size", buf, "1 thread", min_small, 1.0);

    /* the shipped configs at the default thread count: whole runs, as a
     * user starts them (the default's thread tuner sees the run it tunes),
     * on a short schedule, 1 thread and default alternating; at least 3
     * rounds, and for short runs as many as fill about 10 s of each (at
     * most 15): a 1 s run's median of 3 moves by a few % */
    const size_t min_rounds = reps_of(3), max_rounds = 5 * min_rounds;
    printf("\n== shipped configs: whole runs (train.adam.iterations = 400, second phase 100), "
           "default (train.threads = 0: auto over %d threads) vs --threads 1, median wall s "
           "of n alternating runs each (n >= %zu, more for short runs)\n",
           n_cpu, min_rounds);
    const char *short_run[] = {"train.adam.iterations=400", "train.lbfgs.iterations=100", NULL};
    glob_t gl;
    double worst = 1e9;
    char worst_cfg[256] = "";
    if (glob("configs/*.cfg", 0, NULL, &gl) == 0) {
        double *w1 = malloc(max_rounds * sizeof *w1), *wd = malloc(max_rounds * sizeof *wd);
        for (size_t i = 0; i < gl.gl_pathc; i++) {
            const char *cfg = gl.gl_pathv[i];
            int ok = 1;
            size_t rounds = min_rounds;
            for (size_t k = 0; k < rounds && ok; k++) {
                pinn_result r1 = pinn_run(pinn, cfg, "1", short_run);
                pinn_result rd = pinn_run(pinn, cfg, "0", short_run);
                ok = r1.ok && rd.ok;
                w1[k] = r1.proc_wall_s;
                wd[k] = rd.proc_wall_s;
                if (k == 0 && ok) {
                    double want = ceil(10.0 * reps_scale / fmax(w1[0], wd[0]));
                    rounds = (size_t)fmin(fmax(want, (double)min_rounds), (double)max_rounds);
                }
            }
            if (!ok) {
                printf("  %-36s run failed\n", cfg);
                continue;
            }
            double m1 = bench_median(w1, rounds, NULL), md = bench_median(wd, rounds, NULL);
            printf("  %-36s 1 thread %7.2f s, default %7.2f s: %.2fx (n = %zu)\n", cfg, m1, md,
                   m1 / md, rounds);
            fflush(stdout);
            if (m1 / md < worst) {
                worst = m1 / md;
                snprintf(worst_cfg, sizeof worst_cfg, "%s", strrchr(cfg, '/') + 1);
            }
        }
        free(w1);
        free(wd);
        globfree(&gl);
    }
    snprintf(buf, sizeof buf, "worst %.2fx", worst);
    snprintf(base, sizeof base, "1 thr (%s)", worst_cfg);
    target_add("default threads not slower than 1, shipped configs", buf, base, worst, 1.0);

    /* the whole recipe: the fast heat1d config (the accuracy one takes
     * minutes and is reported in docs/performance.md), CPU time of 1 thread;
     * a second run without the second phase gives Adam's share */
    const char *rec = getenv("BENCH_RECIPE");
    const char *rcfg = "configs/heat1d_fast.cfg";
    if (rec && strcmp(rec, "0") == 0) {
        target_add("heat1d recipe rel L2 <= 2e-4 in <= 20 s (1 thr)", "skipped", "BENCH_RECIPE=0",
                   0, -1);
    } else {
        printf("\n== %s whole recipe, 1 thread (and once more without the second phase)\n",
               rcfg);
        fflush(stdout);
        const char *adam_only[] = {"train.lbfgs.iterations=0", NULL};
        pinn_result r = pinn_run(pinn, rcfg, "1", NULL);
        pinn_result ra = pinn_run(pinn, rcfg, "1", adam_only);
        if (!r.ok || !ra.ok || !(r.rel_l2 > 0) || !(ra.rel_l2 > 0)) {
            printf("  pinn run failed\n");
            target_add("heat1d recipe rel L2 <= 2e-4 in <= 20 s (1 thr)", "run failed", "-", 0,
                       -1);
        } else {
            printf("  CPU %.1f s: Adam phase %.1f s (its own run, setup and reference "
                   "included), second phase %.1f s; wall %.1f s (Adam %.1f s) at this load; "
                   "rel L2 %.3e (Adam alone: %.3e)\n",
                   r.cpu_s, ra.cpu_s, r.cpu_s - ra.cpu_s, r.wall_s, ra.wall_s, r.rel_l2,
                   ra.rel_l2);
            snprintf(buf, sizeof buf, "%.1f s CPU, L2 %.2e", r.cpu_s, r.rel_l2);
            target_add("heat1d recipe in <= 20 s CPU (1 thr)", buf, "20 s", 20.0 / r.cpu_s,
                       1.0);
            target_add("heat1d recipe rel L2 <= 2e-4", buf, "2e-4", 2e-4 / r.rel_l2, 1.0);
            target_add("heat1d recipe rel L2 <= 1e-5 (hard-problem bar)", buf, "1e-5",
                       1e-5 / r.rel_l2, 1.0);
        }
    }
    bench_setup_free(&s);
    targets_print();
    printf("load average at end %.2f (start %.2f) on %ld cores\n", bench_load(), load0,
           sysconf(_SC_NPROCESSORS_ONLN));
    return 0;
}
