/* nets/mlp_threads.c - how many OpenMP threads a pass runs on. By default
 * what OpenMP allows; in auto mode (mlp_threads_set_auto, pinn's default
 * train.threads = 0) each workspace times its own passes and runs 1 thread
 * or all, whichever measures faster now, probing the other now and then:
 * on a shared or small machine 2 threads can be far slower than 1 (a
 * worker waits for a core at every pass). Results are the same bits for
 * every thread count (mlp_pass.c), so switching changes only the speed. */
#include <stddef.h>
#include <string.h>
#include "mlp_internal.h"

static int threads_auto;

void mlp_threads_set_auto(int on) { threads_auto = on != 0; }
int mlp_threads_get_auto(void) { return threads_auto; }

static double median_of(const double *v, int n)
{
    double s[MLP_TUNE_HIST];
    memcpy(s, v, (size_t)n * sizeof *s);
    for (int i = 1; i < n; i++) /* insertion sort: n <= 8 */
        for (int j = i; j > 0 && s[j] < s[j - 1]; j--) {
            double t = s[j];
            s[j] = s[j - 1];
            s[j - 1] = t;
        }
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

void mlp_tuner_init(mlp_tuner *t)
{
    memset(t, 0, sizeof *t);
    t->cur = 1;
    t->interval = MLP_TUNE_FIRST;
    t->countdown = MLP_TUNE_FIRST;
}

int mlp_tuner_threads(mlp_tuner *t, int max)
{
    if (max <= 1)
        return 1;
    if (t->cur != 1 && t->cur != max) /* the allowed count changed: start over */
        mlp_tuner_init(t);
    t->max = max;
    if (t->probing == 0 && t->countdown <= 0 && t->nh >= 3)
        t->probing = MLP_TUNE_PROBES;
    if (t->probing > 0)
        return t->cur == 1 ? max : 1;
    return t->cur;
}

/* A probe round is over: switch when the other count was clearly faster
 * (10%), else wait MLP_TUNE_GROWTH times longer before the next probe. */
static void probe_end(mlp_tuner *t, int won)
{
    t->probing = 0;
    if (won) {
        t->cur = t->cur == 1 ? t->max : 1;
        memcpy(t->hist, t->probe, (size_t)t->np * sizeof *t->hist);
        t->nh = t->np;
        t->head = t->np % MLP_TUNE_HIST;
        t->interval = MLP_TUNE_FIRST;
    } else if (t->interval < MLP_TUNE_MAX) {
        t->interval *= MLP_TUNE_GROWTH;
    }
    t->np = 0;
    t->countdown = t->interval;
}

void mlp_tuner_record(mlp_tuner *t, int used, double cost)
{
    if (t->max <= 1)
        return;
    if (t->probing > 0 && used != t->cur) {
        double cur = median_of(t->hist, t->nh);
        t->probe[t->np++] = cost;
        t->probing--;
        if (cost > MLP_TUNE_GIVEUP * cur) /* clearly worse: do not pay for the rest */
            probe_end(t, 0);
        else if (t->probing == 0)
            probe_end(t, median_of(t->probe, t->np) < 0.9 * cur);
        return;
    }
    t->hist[t->head] = cost;
    t->head = (t->head + 1) % MLP_TUNE_HIST;
    if (t->nh < MLP_TUNE_HIST)
        t->nh++;
    t->countdown--;
}
