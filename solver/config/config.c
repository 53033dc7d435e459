/* solver/config/config.c - libconfig files checked against tables of known settings.
 * Defaults from the tables are written into the tree after validation, so
 * the getters read one place and the effective config can be saved whole.
 * It does not interpret settings: the modules owning them do. */
#include "config/config.h"
#include "config/source.h"

#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/syntax_hint.h"

/* Setting hooks mark where a value came from: none for the file,
 * MARK_DEFAULT for a table default, the --set argument for an override. */
static const char MARK_DEFAULT = 'd';

typedef struct str_node {
    struct str_node *next;
    char s[];
} str_node;

struct cfg {
    config_t lc;
    char *file;
    char *text;
    cfg_source *src; /* includes, line map */
    char *overrides;
    str_node *pool; /* formatted numbers handed out by cfg_expr */
    const setting_spec *const *tables;
    size_t n_tables;
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void cfg_free(cfg *c)
{
    if (!c)
        return;
    config_destroy(&c->lc);
    while (c->pool) {
        str_node *n = c->pool->next;
        free(c->pool);
        c->pool = n;
    }
    free(c->file);
    free(c->text);
    cfg_source_free(c->src);
    free(c->overrides);
    free(c);
}

static const char *pool_add(cfg *c, const char *s)
{
    size_t n = strlen(s) + 1;
    str_node *node = malloc(sizeof *node + n);
    if (!node)
        return NULL;
    memcpy(node->s, s, n);
    node->next = c->pool;
    c->pool = node;
    return node->s;
}

/* ---- paths ------------------------------------------------------------- */

static config_setting_t *lookup(const cfg *c, const char *path)
{
    return config_lookup(&c->lc, path);
}

/* Creates the groups of path's parent (new groups get hook mark) and returns
 * the parent; *leaf points at the last component. NULL if a component exists
 * and is not a group. */
static config_setting_t *make_parent(cfg *c, const char *path, const char **leaf, const char *mark)
{
    config_setting_t *g = config_root_setting(&c->lc);
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        if (!dot) {
            *leaf = p;
            return g;
        }
        char name[128];
        size_t n = (size_t)(dot - p);
        if (n == 0 || n >= sizeof name)
            return NULL;
        memcpy(name, p, n);
        name[n] = '\0';
        config_setting_t *m = config_setting_get_member(g, name);
        if (!m) {
            m = config_setting_add(g, name, CONFIG_TYPE_GROUP);
            if (!m)
                return NULL;
            config_setting_set_hook(m, (void *)mark);
        }
        if (!config_setting_is_group(m))
            return NULL;
        g = m;
        p = dot + 1;
    }
}

/* Copies scalar or array/list-of-scalars value src into parent.name. */
static config_setting_t *copy_setting(config_setting_t *parent, const char *name,
                                      const config_setting_t *src)
{
    if (config_setting_get_member(parent, name))
        config_setting_remove(parent, name);
    int type = config_setting_type(src);
    config_setting_t *d = config_setting_add(parent, name, type);
    if (!d)
        return NULL;
    switch (type) {
    case CONFIG_TYPE_INT:
        config_setting_set_int(d, config_setting_get_int(src));
        break;
    case CONFIG_TYPE_INT64:
        config_setting_set_int64(d, config_setting_get_int64(src));
        break;
    case CONFIG_TYPE_FLOAT:
        config_setting_set_float(d, config_setting_get_float(src));
        break;
    case CONFIG_TYPE_BOOL:
        config_setting_set_bool(d, config_setting_get_bool(src));
        break;
    case CONFIG_TYPE_STRING:
        config_setting_set_string(d, config_setting_get_string(src));
        break;
    case CONFIG_TYPE_ARRAY:
    case CONFIG_TYPE_LIST:
        for (int i = 0; i < config_setting_length(src); i++) {
            const config_setting_t *e = config_setting_get_elem(src, (unsigned)i);
            if (config_setting_is_aggregate(e))
                return NULL;
            int et = config_setting_type(e);
            config_setting_t *de = config_setting_add(d, NULL, et);
            if (!de)
                return NULL;
            if (et == CONFIG_TYPE_STRING)
                config_setting_set_string(de, config_setting_get_string(e));
            else if (et == CONFIG_TYPE_FLOAT)
                config_setting_set_float(de, config_setting_get_float(e));
            else if (et == CONFIG_TYPE_BOOL)
                config_setting_set_bool(de, config_setting_get_bool(e));
            else
                config_setting_set_int64(de, config_setting_get_int64(e));
        }
        break;
    default:
        return NULL;
    }
    return d;
}

/* Sets path to the value written as config text (`[1, 2]`, `1e-3`, `"s"`);
 * text that does not parse as a value is taken as a bare string. */
static int set_from_text(cfg *c, const char *path, const char *text, const char *mark,
                         char *why, size_t whycap)
{
    config_t tmp;
    config_init(&tmp);
    char *value = cfg_source_value(text, why, whycap);
    size_t n = value ? strlen(value) + 16 : 0;
    char *src = value ? malloc(n) : NULL;
    if (!src) {
        free(value);
        config_destroy(&tmp);
        return -1;
    }
    snprintf(src, n, "v = %s;", value);
    free(value);
    int ok = config_read_string(&tmp, src);
    free(src);
    /* `1e-3; bogus = 1` parses as two settings: refused, not cut short. */
    if (ok && config_setting_length(config_root_setting(&tmp)) != 1) {
        snprintf(why, whycap, "one value expected, found more after a ';'");
        config_destroy(&tmp);
        return -1;
    }
    if (!ok) {
        config_destroy(&tmp);
        config_init(&tmp);
        config_setting_t *s = config_setting_add(config_root_setting(&tmp), "v", CONFIG_TYPE_STRING);
        config_setting_set_string(s, text);
    }
    const char *leaf;
    int rc = -1;
    config_setting_t *parent = make_parent(c, path, &leaf, mark);
    config_setting_t *v = config_lookup(&tmp, "v");
    if (parent && v) {
        config_setting_t *d = copy_setting(parent, leaf, v);
        if (d) {
            config_setting_set_hook(d, (void *)mark);
            rc = 0;
        }
    }
    config_destroy(&tmp);
    return rc;
}

static cfg *load_common(cfg *c, const char *const *overrides, size_t n_over, char *err,
                        size_t errcap)
{
    size_t total = 1;
    for (size_t i = 0; i < n_over; i++)
        total += strlen(overrides[i]) + 1;
    c->overrides = calloc(total, 1);
    if (!c->overrides) {
        snprintf(err, errcap, "%s: out of memory", c->file);
        cfg_free(c);
        return NULL;
    }
    for (size_t i = 0; i < n_over; i++) {
        const char *eq = strchr(overrides[i], '=');
        char path[256];
        size_t plen = eq ? (size_t)(eq - overrides[i]) : 0;
        if (!eq || plen == 0 || plen >= sizeof path) {
            snprintf(err, errcap, "--set %s: expected path=value", overrides[i]);
            cfg_free(c);
            return NULL;
        }
        memcpy(path, overrides[i], plen);
        path[plen] = '\0';
        /* The hook of an overridden setting is its --set argument (a copy
         * owned by c), so messages can quote it. */
        const char *arg = pool_add(c, overrides[i]);
        char why[256] = "";
        if (!arg || set_from_text(c, path, eq + 1, arg, why, sizeof why) != 0) {
            if (why[0])
                snprintf(err, errcap, "--set %s: %s", overrides[i], why);
            else
                snprintf(err, errcap, "--set %s: cannot set '%s' (not a setting path, or its parent is not a group)",
                         overrides[i], path);
            cfg_free(c);
            return NULL;
        }
        strcat(c->overrides, overrides[i]);
        strcat(c->overrides, "\n");
    }
    return c;
}

/* FILE:LINE: syntax: libconfig's message, or the setting and what to write
 * when syntax_hint knows better. pline is the line in the parsed text
 * (includes expanded), line the line in the file named where. */
static void syntax_error(char *err, size_t errcap, const char *where, int line,
                         const char *parse_text, int pline, const char *msg)
{
    char hint[512];
    if (parse_text && syntax_hint(parse_text, pline, msg, hint, sizeof hint) == 0)
        snprintf(err, errcap, "%s:%d: %s", where, line, hint);
    else
        snprintf(err, errcap, "%s:%d: syntax: %s", where, line, msg);
}

/* Reads the text through config/source.c (one read, includes expanded,
 * wide integers kept) and parses the result with libconfig. */
static cfg *load_source(const char *text, const char *file, const char *const *overrides,
                        size_t n_overrides, char *err, size_t errcap)
{
    cfg_source *src = cfg_source_load(file, text, err, errcap);
    if (!src)
        return NULL;
    cfg *c = calloc(1, sizeof *c);
    if (!c) {
        cfg_source_free(src);
        snprintf(err, errcap, "%s: out of memory", file);
        return NULL;
    }
    config_init(&c->lc);
    c->src = src;
    c->file = dup_str(file);
    c->text = dup_str(cfg_source_text(src));
    if (!c->file || !c->text) {
        snprintf(err, errcap, "%s: out of memory", file);
        cfg_free(c);
        return NULL;
    }
    if (!config_read_string(&c->lc, cfg_source_parse_text(src))) {
        int line = 0, pline = config_error_line(&c->lc);
        const char *where = cfg_source_where(src, pline, &line);
        syntax_error(err, errcap, where, line, cfg_source_parse_text(src), pline,
                     config_error_text(&c->lc));
        cfg_free(c);
        return NULL;
    }
    return load_common(c, overrides, n_overrides, err, errcap);
}

cfg *cfg_load_string(const char *text, const char *file, const char *const *overrides,
                     size_t n_overrides, char *err, size_t errcap)
{
    return load_source(text, file, overrides, n_overrides, err, errcap);
}

cfg *cfg_load(const char *file, const char *const *overrides, size_t n_overrides, char *err,
              size_t errcap)
{
    return load_source(NULL, file, overrides, n_overrides, err, errcap);
}

/* ---- messages ---------------------------------------------------------- */

int cfg_line(const cfg *c, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (;;) {
        config_setting_t *s = lookup(c, buf);
        if (s && config_setting_source_line(s) > 0)
            return (int)config_setting_source_line(s);
        char *dot = strrchr(buf, '.');
        if (!dot)
            return 0;
        *dot = '\0';
    }
}

static int vfail(const cfg *c, char *err, size_t errcap, const char *path, const char *fmt,
                 va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* The setting, or the nearest present parent that is a value (a --set
     * can put a value where a group belongs: --set problem=3). */
    char up[256];
    snprintf(up, sizeof up, "%s", path);
    config_setting_t *s = lookup(c, up);
    for (char *dot; !s && (dot = strrchr(up, '.'));) {
        *dot = '\0';
        s = lookup(c, up);
        if (s && config_setting_is_group(s))
            s = NULL;
    }
    const char *hook = s ? config_setting_get_hook(s) : NULL;
    int line = cfg_line(c, path);
    const char *file = c->file;
    if (line > 0 && c->src)
        file = cfg_source_where(c->src, line, &line);
    if (hook && hook != &MARK_DEFAULT && strcmp(up, path) == 0)
        snprintf(err, errcap, "--set %s: %s", hook, msg);
    else if (hook && hook != &MARK_DEFAULT)
        snprintf(err, errcap, "--set %s: %s: %s", hook, path, msg);
    else if (line > 0)
        snprintf(err, errcap, "%s:%d: %s: %s", file, line, path, msg);
    else /* nothing of path is in the file: no line to name */
        snprintf(err, errcap, "%s: %s: %s", c->file, path, msg);
    return -1;
}

int cfg_fail(const cfg *c, char *err, size_t errcap, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(c, err, errcap, path, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- validation -------------------------------------------------------- */

/* Nonzero when path matches pattern component by component, a "*"
 * component of pattern matching any one name. */
static int path_matches(const char *pattern, const char *path)
{
    for (;;) {
        const char *pe = strchr(pattern, '.'), *qe = strchr(path, '.');
        size_t pl = pe ? (size_t)(pe - pattern) : strlen(pattern);
        size_t ql = qe ? (size_t)(qe - path) : strlen(path);
        if (ql == 0)
            return 0;
        if (!(pl == 1 && pattern[0] == '*') && !(pl == ql && strncmp(pattern, path, pl) == 0))
            return 0;
        if (!pe || !qe)
            return !pe && !qe;
        pattern = pe + 1;
        path = qe + 1;
    }
}

/* The entry for path: an exact match, else an entry with "*" components
 * standing for any name (named constants, boundary sides and fields). */
static const setting_spec *find_spec(const setting_spec *const *tables, size_t n,
                                     const char *path)
{
    for (size_t t = 0; t < n; t++)
        for (const setting_spec *s = tables[t]; s->path; s++)
            if (strcmp(s->path, path) == 0)
                return s;
    for (size_t t = 0; t < n; t++)
        for (const setting_spec *s = tables[t]; s->path; s++)
            if (strchr(s->path, '*') && path_matches(s->path, path))
                return s;
    return NULL;
}

const setting_spec *cfg_spec(const cfg *c, const char *path)
{
    return find_spec(c->tables, c->n_tables, path);
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The known setting under parent whose last component is nearest to name. */
static const char *suggest(const setting_spec *const *tables, size_t n, const char *parent,
                           const char *name)
{
    const char *best = NULL;
    size_t best_d = strlen(name) / 3 + 1;
    if (best_d > 3)
        best_d = 3;
    for (size_t t = 0; t < n; t++)
        for (const setting_spec *s = tables[t]; s->path; s++) {
            const char *dot = strrchr(s->path, '.');
            const char *leaf = dot ? dot + 1 : s->path;
            char up[256];
            snprintf(up, sizeof up, "%.*s", dot ? (int)(dot - s->path) : 0, s->path);
            if (parent[0] ? !dot || !path_matches(up, parent) : dot != NULL)
                continue;
            if (strcmp(leaf, "*") == 0)
                continue;
            size_t d = edit_distance(name, leaf);
            if (d <= best_d && d > 0) {
                best_d = d;
                best = leaf;
            }
        }
    return best;
}

static int parse_range(const char *r, double *lo, double *hi, int *lo_open, int *hi_open)
{
    char *end;
    if (r[0] != '[' && r[0] != '(')
        return -1;
    *lo_open = r[0] == '(';
    *lo = strtod(r + 1, &end);
    if (*end != ',')
        return -1;
    *hi = strtod(end + 1, &end);
    if (*end != ']' && *end != ')')
        return -1;
    *hi_open = *end == ')';
    return 0;
}

static int check_number(const cfg *c, const setting_spec *sp, const char *path, double v,
                        char *err, size_t errcap)
{
    if (!isfinite(v))
        return cfg_fail(c, err, errcap, path, "must be a finite number");
    if (!sp->range)
        return 0;
    double lo, hi;
    int lo_open, hi_open;
    if (parse_range(sp->range, &lo, &hi, &lo_open, &hi_open) != 0)
        return cfg_fail(c, err, errcap, path, "internal: bad range '%s'", sp->range);
    if ((lo_open ? v <= lo : v < lo) || (hi_open ? v >= hi : v > hi))
        return cfg_fail(c, err, errcap, path, "%.17g is out of range %s", v, sp->range);
    return 0;
}

static int is_int(const config_setting_t *s);

/* An integer setting's range check, naming the value exactly (a double
 * would print 2^63 - 1 as 9.2233720368547758e+18). */
static int check_integer(const cfg *c, const setting_spec *sp, const char *path,
                         const config_setting_t *s, char *err, size_t errcap)
{
    long long v = config_setting_get_int64(s);
    double lo, hi;
    int lo_open, hi_open;
    if (!sp->range)
        return 0;
    if (parse_range(sp->range, &lo, &hi, &lo_open, &hi_open) != 0)
        return cfg_fail(c, err, errcap, path, "internal: bad range '%s'", sp->range);
    double d = (double)v;
    if ((lo_open ? d <= lo : d < lo) || (hi_open ? d >= hi : d > hi))
        return cfg_fail(c, err, errcap, path, "%lld is out of range %s", v, sp->range);
    return 0;
}

static int is_number(const config_setting_t *s)
{
    return config_setting_is_number(s);
}

static int is_int(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static double number_of(const config_setting_t *s)
{
    return is_int(s) ? (double)config_setting_get_int64(s) : config_setting_get_float(s);
}

static int check_choice(const cfg *c, const setting_spec *sp, const char *path, const char *v,
                        char *err, size_t errcap)
{
    if (!sp->choices)
        return 0;
    size_t n = strlen(v);
    for (const char *p = sp->choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0)
            return 0;
        p += len + (bar ? 1 : 0);
    }
    return cfg_fail(c, err, errcap, path, "'%s' is not one of %s", v, sp->choices);
}

static const char *type_name(spec_type t)
{
    static const char *const names[] = {
        [SPEC_GROUP] = "a group { ... }", [SPEC_INT] = "an integer",
        [SPEC_FLOAT] = "a number", [SPEC_BOOL] = "true or false",
        [SPEC_STRING] = "a string", [SPEC_EXPR] = "an expression (string or number)",
        [SPEC_INTERVAL] = "an interval [lo, hi]", [SPEC_FLOATS] = "an array of numbers",
        [SPEC_INTS] = "an array of integers", [SPEC_EXPRS] = "a list of expressions",
    };
    return names[t];
}

/* What to write instead, for the common mix-ups: ": write 2540, not
 * 2540.0", ": write 0.4, not \"0.4\"", ": write true, not 1"; "" if none. */
static void type_hint(spec_type want, const config_setting_t *s, char *buf, size_t cap)
{
    buf[0] = '\0';
    int t = config_setting_type(s);
    if (want == SPEC_INT && t == CONFIG_TYPE_FLOAT) {
        double v = config_setting_get_float(s);
        if (v == floor(v) && fabs(v) < 1e15)
            snprintf(buf, cap, ": write %.0f, not %.1f", v, v);
    } else if ((want == SPEC_INT || want == SPEC_FLOAT) && t == CONFIG_TYPE_STRING) {
        const char *str = config_setting_get_string(s);
        char *end;
        double v = strtod(str, &end);
        if (end != str && !*end && isfinite(v) && strlen(str) < 40)
            snprintf(buf, cap, ": write %s, not \"%s\" (no quotes)", str, str);
    } else if (want == SPEC_BOOL && (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)) {
        snprintf(buf, cap, ": write %s, not %lld", config_setting_get_int64(s) ? "true" : "false",
                 (long long)config_setting_get_int64(s));
    }
}

static int check_value(const cfg *c, const setting_spec *sp, const char *path,
                       const config_setting_t *s, char *err, size_t errcap)
{
    int t = config_setting_type(s);
    int agg = t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST;
    switch (sp->type) {
    case SPEC_GROUP:
        if (t != CONFIG_TYPE_GROUP)
            break;
        return 0;
    case SPEC_INT:
        if (!is_int(s))
            break;
        return check_integer(c, sp, path, s, err, errcap);
    case SPEC_FLOAT:
        if (!is_number(s))
            break;
        return check_number(c, sp, path, number_of(s), err, errcap);
    case SPEC_BOOL:
        if (t != CONFIG_TYPE_BOOL)
            break;
        return 0;
    case SPEC_STRING:
        if (t != CONFIG_TYPE_STRING)
            break;
        if (!config_setting_get_string(s)[0])
            return cfg_fail(c, err, errcap, path, "must not be empty");
        return check_choice(c, sp, path, config_setting_get_string(s), err, errcap);
    case SPEC_EXPR:
        if (t == CONFIG_TYPE_STRING) {
            if (!config_setting_get_string(s)[0])
                return cfg_fail(c, err, errcap, path, "empty expression");
            return 0;
        }
        if (!is_number(s))
            break;
        return check_number(c, sp, path, number_of(s), err, errcap);
    case SPEC_INTERVAL: {
        if (!agg || config_setting_length(s) != 2)
            break;
        const config_setting_t *a = config_setting_get_elem(s, 0);
        const config_setting_t *b = config_setting_get_elem(s, 1);
        if (!is_number(a) || !is_number(b))
            break;
        double lo = number_of(a), hi = number_of(b);
        if (check_number(c, sp, path, lo, err, errcap) || check_number(c, sp, path, hi, err, errcap))
            return -1;
        if (!(lo < hi))
            return cfg_fail(c, err, errcap, path, "empty or reversed interval [%.17g, %.17g]", lo, hi);
        if (!isfinite(hi - lo))
            return cfg_fail(c, err, errcap, path,
                            "interval [%.17g, %.17g] is too wide (hi - lo overflows)", lo, hi);
        return 0;
    }
    case SPEC_FLOATS:
    case SPEC_INTS:
    case SPEC_EXPRS: {
        if (!agg)
            break;
        int n = config_setting_length(s);
        if (n == 0)
            return cfg_fail(c, err, errcap, path, "must not be empty");
        for (int i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
            char epath[300];
            snprintf(epath, sizeof epath, "%s", path);
            if (sp->type == SPEC_EXPRS) {
                if (config_setting_type(e) == CONFIG_TYPE_STRING) {
                    if (!config_setting_get_string(e)[0])
                        return cfg_fail(c, err, errcap, path, "element %d: empty expression", i + 1);
                    continue;
                }
                if (!is_number(e))
                    return cfg_fail(c, err, errcap, path, "element %d: must be %s", i + 1,
                                    "a string or a number");
            } else if (sp->type == SPEC_INTS ? !is_int(e) : !is_number(e)) {
                return cfg_fail(c, err, errcap, path, "element %d: must be %s", i + 1,
                                sp->type == SPEC_INTS ? "an integer" : "a number");
            }
            if (sp->type == SPEC_INTS ? check_integer(c, sp, epath, e, err, errcap)
                                      : check_number(c, sp, epath, number_of(e), err, errcap))
                return -1;
        }
        return 0;
    }
    }
    char hint[128];
    type_hint(sp->type, s, hint, sizeof hint);
    return cfg_fail(c, err, errcap, path, "must be %s%s", type_name(sp->type), hint);
}

static int validate_group(cfg *c, const config_setting_t *g, const char *prefix, char *err,
                          size_t errcap)
{
    int n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        char path[256];
        if (prefix[0])
            snprintf(path, sizeof path, "%s.%s", prefix, config_setting_name(s));
        else
            snprintf(path, sizeof path, "%s", config_setting_name(s));
        const setting_spec *sp = find_spec(c->tables, c->n_tables, path);
        if (!sp) {
            const char *near = suggest(c->tables, c->n_tables, prefix, config_setting_name(s));
            if (near)
                return cfg_fail(c, err, errcap, path, "unknown setting; did you mean '%s'?", near);
            return cfg_fail(c, err, errcap, path, "unknown setting");
        }
        if (check_value(c, sp, path, s, err, errcap))
            return -1;
        if (config_setting_is_group(s) && validate_group(c, s, path, err, errcap))
            return -1;
    }
    return 0;
}

int cfg_validate(cfg *c, const setting_spec *const *tables, size_t n_tables, char *err,
                 size_t errcap)
{
    c->tables = tables;
    c->n_tables = n_tables;
    if (validate_group(c, config_root_setting(&c->lc), "", err, errcap))
        return -1;
    /* Materialise the defaults so the getters and the saved config see them. */
    for (size_t t = 0; t < n_tables; t++)
        for (const setting_spec *s = tables[t]; s->path; s++) {
            if (!s->def || lookup(c, s->path) || strchr(s->path, '*'))
                continue;
            char why[256];
            if (set_from_text(c, s->path, s->def, &MARK_DEFAULT, why, sizeof why) != 0)
                return cfg_fail(c, err, errcap, s->path, "internal: bad default '%s'", s->def);
        }
    return 0;
}

/* ---- getters ----------------------------------------------------------- */

int cfg_has(const cfg *c, const char *path)
{
    config_setting_t *s = lookup(c, path);
    return s && config_setting_get_hook(s) != &MARK_DEFAULT;
}

long long cfg_int(const cfg *c, const char *path)
{
    config_setting_t *s = lookup(c, path);
    if (s && is_int(s))
        return config_setting_get_int64(s);
    return s && is_number(s) ? (long long)number_of(s) : 0;
}

double cfg_float(const cfg *c, const char *path)
{
    config_setting_t *s = lookup(c, path);
    return s && is_number(s) ? number_of(s) : NAN;
}

int cfg_bool(const cfg *c, const char *path)
{
    config_setting_t *s = lookup(c, path);
    return s && config_setting_type(s) == CONFIG_TYPE_BOOL ? config_setting_get_bool(s) : 0;
}

const char *cfg_string(const cfg *c, const char *path)
{
    config_setting_t *s = lookup(c, path);
    return s && config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
}

static const char *expr_of(const cfg *c, const config_setting_t *s)
{
    if (!s)
        return NULL;
    if (config_setting_type(s) == CONFIG_TYPE_STRING)
        return config_setting_get_string(s);
    if (!is_number(s))
        return NULL;
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", number_of(s));
    return pool_add((cfg *)c, buf);
}

const char *cfg_expr(const cfg *c, const char *path)
{
    return expr_of(c, lookup(c, path));
}

size_t cfg_len(const cfg *c, const char *path)
{
    config_setting_t *s = lookup(c, path);
    if (!s || !(config_setting_is_array(s) || config_setting_is_list(s)))
        return 0;
    return (size_t)config_setting_length(s);
}

double cfg_float_at(const cfg *c, const char *path, size_t i)
{
    config_setting_t *s = lookup(c, path);
    if (!s || i >= cfg_len(c, path))
        return NAN;
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    return is_number(e) ? number_of(e) : NAN;
}

size_t cfg_members(const cfg *c, const char *path)
{
    config_setting_t *s = lookup(c, path);
    return s && config_setting_is_group(s) ? (size_t)config_setting_length(s) : 0;
}

const char *cfg_member_name(const cfg *c, const char *path, size_t i)
{
    if (i >= cfg_members(c, path))
        return NULL;
    return config_setting_name(config_setting_get_elem(lookup(c, path), (unsigned)i));
}

const char *cfg_expr_at(const cfg *c, const char *path, size_t i)
{
    config_setting_t *s = lookup(c, path);
    if (!s || i >= cfg_len(c, path))
        return NULL;
    return expr_of(c, config_setting_get_elem(s, (unsigned)i));
}

const char *cfg_file(const cfg *c) { return c->file; }
const char *cfg_text(const cfg *c) { return c->text; }
const char *cfg_overrides(const cfg *c) { return c->overrides; }
size_t cfg_n_inputs(const cfg *c) { return c->src ? cfg_source_n_files(c->src) : 0; }
const char *cfg_input(const cfg *c, size_t i) { return c->src ? cfg_source_file(c->src, i) : NULL; }

int cfg_integer_arg(const setting_spec *table, const char *path, const char *text, long long *v,
                    char *why, size_t whycap)
{
    const setting_spec *sp = find_spec(&table, 1, path);
    const char *p = text;
    while (*p == ' ')
        p++;
    if (*p == '+')
        p++;
    size_t digits = strspn(p, "0123456789");
    if (!sp || sp->type != SPEC_INT || digits == 0 || p[digits] != '\0') {
        snprintf(why, whycap, "'%s' is not an integer", text);
        return -1;
    }
    errno = 0;
    long long x = strtoll(text, NULL, 10);
    double lo, hi;
    int lo_open, hi_open;
    if (errno == ERANGE || (sp->range && parse_range(sp->range, &lo, &hi, &lo_open, &hi_open) == 0 &&
                            ((lo_open ? (double)x <= lo : (double)x < lo) ||
                             (hi_open ? (double)x >= hi : (double)x > hi)))) {
        snprintf(why, whycap, "%s is out of range %s (%s)", text, sp->range ? sp->range : "", path);
        return -1;
    }
    *v = x;
    return 0;
}
