/* solver/train/netopts.c - reads network.periodic, network.fourier and
 * network.factorization into mlp_options and checks them against the
 * problem's inputs and boundaries. No net is built here. */
#include <string.h>
#include "train/netopts.h"

/* Input of p called name (len characters), or -1. */
static int input_find(const problem *p, const char *name, size_t len)
{
    for (size_t j = 0; j < p->n_in; j++)
        if (strlen(p->in_names[j]) == len && strncmp(p->in_names[j], name, len) == 0)
            return (int)j;
    return -1;
}

/* The bits of network.periodic: none, auto, or names separated by commas
 * or spaces. */
static int periodic_bits(const cfg *c, const problem *p, unsigned *bits, char *err,
                         size_t errcap)
{
    const char *path = "network.periodic", *s = cfg_string(c, path);
    *bits = 0;
    if (strcmp(s, "none") == 0)
        return 0;
    if (strcmp(s, "auto") == 0) {
        for (size_t j = 0; j < p->n_in; j++)
            if (p->periodic[j])
                *bits |= 1u << j;
        return 0;
    }
    size_t n = 0;
    for (const char *q = s; *q;) {
        q += strspn(q, ", ");
        size_t len = strcspn(q, ", ");
        if (len == 0)
            break;
        int j = input_find(p, q, len);
        if (j < 0)
            return cfg_fail(c, err, errcap, path, "'%.*s' is not an input of this problem "
                            "(none, auto or input names)", (int)len, q);
        if (*bits & (1u << j))
            return cfg_fail(c, err, errcap, path, "'%.*s' is named twice", (int)len, q);
        if (!p->periodic[j])
            return cfg_fail(c, err, errcap, path, "'%.*s' does not have periodic boundaries on "
                            "both sides: the embedding would force u(lo) = u(hi)", (int)len, q);
        *bits |= 1u << j;
        n++;
        q += len;
    }
    if (n == 0)
        return cfg_fail(c, err, errcap, path, "names no input (none, auto or input names)");
    return 0;
}

int netopts_from_config(const cfg *c, const problem *p, mlp_options *o, char *err,
                        size_t errcap)
{
    memset(o, 0, sizeof *o);
    unsigned bits;
    if (periodic_bits(c, p, &bits, err, errcap))
        return -1;
    const int scaled = cfg_bool(c, "network.scale_inputs");
    mlp_embedding *e = &o->embed;
    e->periodic = bits;
    e->harmonics = bits ? (size_t)cfg_int(c, "network.periodic_harmonics") : 0;
    for (size_t j = 0; j < p->n_in; j++) {
        if (!(bits & (1u << j)))
            continue;
        /* the trainer's map x -> (x - shift) scale, applied to lo and hi the
         * same way, so x = hi lands one period after x = lo in the same bits */
        double shift = scaled ? 0.5 * (p->lo[j] + p->hi[j]) : 0.0;
        double scale = scaled ? 2.0 / (p->hi[j] - p->lo[j]) : 1.0;
        double lo = (p->lo[j] - shift) * scale, hi = (p->hi[j] - shift) * scale;
        e->lo[j] = lo;
        e->period[j] = hi - lo;
    }
    if (cfg_has(c, "network.fourier.features")) {
        e->fourier = (size_t)cfg_int(c, "network.fourier.features");
        e->sigma = cfg_float(c, "network.fourier.sigma");
    }
    size_t mid = 0;
    for (size_t j = 0; j < p->n_in; j++)
        mid += bits & (1u << j) ? 2 * e->harmonics : 1;
    if (mid > MLP_MAX_EMBED)
        return cfg_fail(c, err, errcap, "network.periodic_harmonics",
                        "the embedding would have %zu values: at most %d", mid, MLP_MAX_EMBED);
    if (cfg_has(c, "network.factorization.mu")) {
        o->rwf = 1;
        o->rwf_mu = cfg_float(c, "network.factorization.mu");
        o->rwf_sigma = cfg_float(c, "network.factorization.sigma");
    }
    return 0;
}

size_t netopts_input_width(size_t n_in, const mlp_options *o)
{
    const mlp_embedding *e = &o->embed;
    if (e->fourier)
        return 2 * e->fourier;
    size_t w0 = 0;
    for (size_t j = 0; j < n_in; j++)
        w0 += e->periodic & (1u << j) ? 2 * e->harmonics : 1;
    return w0;
}

size_t netopts_n_params(const size_t *width, size_t n_layers, const mlp_options *o)
{
    size_t w0 = netopts_input_width(width[0], o), np = 0;
    for (size_t l = 0; l < n_layers; l++)
        np += width[l + 1] * ((l == 0 ? w0 : width[l]) + 1 + (o->rwf ? 1 : 0));
    return np;
}

void netopts_periodic_names(const mlp_options *o, const problem *p, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < p->n_in && used < cap; j++)
        if (o->embed.periodic & (1u << j)) {
            int w = snprintf(buf + used, cap - used, "%s%s", used ? "," : "", p->in_names[j]);
            if (w < 0)
                break;
            used += (size_t)w;
        }
}
