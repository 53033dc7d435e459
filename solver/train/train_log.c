/* solver/train/train_log.c - what the trainer shows while it runs: the progress
 * table (a row every log_every steps, with rel L2 against the exact solution
 * when there is one, and the unknown constants' values), the same rows as
 * CSV or JSON lines to --log's file, and, on a terminal, a one-line bar with
 * the ETA. It shows; it does not decide anything about training. */
#include "train/train_log.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double train_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double rel_l2_exact(trainer *tr)
{
    if (!tr->g || !tr->exact)
        return NAN;
    size_t m = tr->p->n_out, d = tr->p->n_in;
    double num = 0.0, den = 0.0;
    double *xn = tr->grid_out, *out = tr->grid_out + TRAIN_PREDICT_CHUNK * d;
    mlp_channels ch;
    mlp_channels_set(&ch, 0, 0, d);
    for (size_t s = 0; s < tr->g->n; s += TRAIN_PREDICT_CHUNK) {
        size_t b = tr->g->n - s < TRAIN_PREDICT_CHUNK ? tr->g->n - s : TRAIN_PREDICT_CHUNK;
        trainer_scale_inputs(tr, tr->g->x + s * d, b, xn);
        mlp_forward(tr->grid_ws, tr->net, &ch, xn, b, out);
        for (size_t i = 0; i < b * m; i++) {
            double e = tr->exact[s * m + i], diff = out[i] - e;
            num += diff * diff;
            den += e * e;
        }
    }
    return den > 0 ? sqrt(num / den) : sqrt(num);
}

static int bar_enabled(const trainer *tr)
{
    return !tr->opt.quiet && tr->opt.log && isatty(fileno(tr->opt.log));
}

void train_bar_clear(const trainer *tr)
{
    if (bar_enabled(tr))
        fputs("\r\033[K", tr->opt.log);
}

/* The CSV header of --log's file (JSON lines need none). */
static void file_header(trainer *tr)
{
    FILE *f = tr->opt.log_file;
    if (!f || tr->opt.log_json)
        return;
    fputs("step,phase,seconds,loss", f);
    for (size_t k = 0; k < tr->n_terms; k++)
        fprintf(f, ",loss_%s", tr->terms[k].name);
    for (size_t k = 0; k < tr->n_terms; k++)
        fprintf(f, ",w_%s", tr->terms[k].name);
    if (tr->exact)
        fputs(",rel_l2", f);
    fputc('\n', f);
    fflush(f);
}

/* JSON has no NaN or infinity: those are null. */
static void json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("null", f);
}

/* "adam" for phase 0, else the second phase's method ("lbfgs", "ssbfgs", ...). */
static const char *phase_name(const trainer *tr, int phase)
{
    if (!phase)
        return "adam";
    return tr->opt.second_phase ? tr->opt.second_phase : "lbfgs";
}

static void file_row(trainer *tr, int phase, double loss, double rel_l2)
{
    FILE *f = tr->opt.log_file;
    if (!f)
        return;
    const char *ph = phase_name(tr, phase);
    if (tr->opt.log_json) {
        fprintf(f, "{\"step\":%lld,\"phase\":\"%s\",\"seconds\":%.4f,\"loss\":", tr->step, ph,
                tr->seconds);
        json_number(f, loss);
        fputs(",\"terms\":{", f);
        for (size_t k = 0; k < tr->n_terms; k++) {
            fprintf(f, "%s\"%s\":", k ? "," : "", tr->terms[k].name);
            json_number(f, tr->term_loss[k]);
        }
        fputs("},\"weights\":{", f);
        for (size_t k = 0; k < tr->n_terms; k++) {
            fprintf(f, "%s\"%s\":", k ? "," : "", tr->terms[k].name);
            json_number(f, tr->weight[k]);
        }
        fputc('}', f);
        if (tr->exact) {
            fputs(",\"rel_l2\":", f);
            json_number(f, rel_l2);
        }
        fputs("}\n", f);
    } else {
        fprintf(f, "%lld,%s,%.4f,%.10g", tr->step, ph, tr->seconds, loss);
        for (size_t k = 0; k < tr->n_terms; k++)
            fprintf(f, ",%.10g", tr->term_loss[k]);
        for (size_t k = 0; k < tr->n_terms; k++)
            fprintf(f, ",%.10g", tr->weight[k]);
        if (tr->exact)
            fprintf(f, ",%.10g", rel_l2);
        fputc('\n', f);
    }
    fflush(f);
}

void train_log_header(trainer *tr)
{
    file_header(tr);
    if (tr->opt.quiet || !tr->opt.log)
        return;
    FILE *f = tr->opt.log;
    fprintf(f, "%8s %9s %9s %11s", "step", "phase", "seconds", "loss");
    for (size_t k = 0; k < tr->n_terms; k++)
        fprintf(f, " %11s", tr->terms[k].name);
    for (size_t k = 0; tr->wt && k < tr->n_terms; k++) {
        char label[32];
        snprintf(label, sizeof label, "w_%s", tr->terms[k].name);
        fprintf(f, " %11s", label);
    }
    if (tr->exact)
        fprintf(f, " %11s", "rel_l2");
    for (size_t j = 0; j < tr->p->unk.n; j++)
        fprintf(f, " %11s", tr->p->unk.name[j]);
    fputc('\n', f);
}

void train_log_row(trainer *tr, int phase, double loss)
{
    int table = !tr->opt.quiet && tr->opt.log;
    if (tr->exact && (table || tr->opt.log_file))
        tr->last_rel_l2 = rel_l2_exact(tr);
    file_row(tr, phase, loss, tr->last_rel_l2);
    tr->logged_step = tr->step;
    if (!table)
        return;
    FILE *f = tr->opt.log;
    train_bar_clear(tr);
    fprintf(f, "%8lld %9s %9.2f %11.4e", tr->step, phase_name(tr, phase), tr->seconds, loss);
    for (size_t k = 0; k < tr->n_terms; k++)
        fprintf(f, " %11.4e", tr->term_loss[k]);
    for (size_t k = 0; tr->wt && k < tr->n_terms; k++) {
        char label[32];
        int w = snprintf(label, sizeof label, "w_%s", tr->terms[k].name);
        fprintf(f, " %*.4e", w > 11 ? w : 11, tr->weight[k]);
    }
    if (tr->exact)
        fprintf(f, " %11.4e", tr->last_rel_l2);
    for (size_t j = 0; j < tr->p->unk.n; j++) {
        int w = (int)strlen(tr->p->unk.name[j]);
        fprintf(f, " %*.6g", w > 11 ? w : 11, tr->p->unk.value[j]);
    }
    fputc('\n', f);
    fflush(f);
}

void train_bar_update(trainer *tr, int phase, long long done, long long total, double loss,
                      double *last_draw)
{
    if (!bar_enabled(tr))
        return;
    double t = train_now();
    if (t - *last_draw < 0.2 && done < total)
        return;
    *last_draw = t;
    int width = 30, fill = total > 0 ? (int)(width * done / total) : width;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    double eta = done > 0 ? tr->seconds / (double)done * (double)(total - done) : 0.0;
    fprintf(tr->opt.log, "\r\033[K%-5s [%s] %lld/%lld loss %.3e", phase_name(tr, phase), bar,
            done, total, loss);
    if (phase == 0)
        fprintf(tr->opt.log, " ETA %.0f s", eta);
    fflush(tr->opt.log);
}
