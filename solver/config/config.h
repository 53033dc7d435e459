/* solver/config/config.h - run configuration: reads a libconfig file, applies
 * `--set path=value` overrides and checks every setting against tables of
 * known settings (type, range, choices, default, documentation) before any
 * work starts. Errors read `FILE:LINE: setting: what is wrong`.
 * It does not know what the settings mean; the modules that own them do. */
#ifndef PINN_CONFIG_H
#define PINN_CONFIG_H

#include <stddef.h>

typedef enum {
    SPEC_GROUP,    /* a group of settings */
    SPEC_INT,      /* integer */
    SPEC_FLOAT,    /* number (an integer literal is accepted) */
    SPEC_BOOL,     /* true / false */
    SPEC_STRING,   /* string; `choices` lists the allowed values, "|"-separated */
    SPEC_EXPR,     /* expression: a string or a number */
    SPEC_INTERVAL, /* [lo, hi] with lo < hi */
    SPEC_FLOATS,   /* array or list of numbers */
    SPEC_INTS,     /* array or list of integers */
    SPEC_EXPRS     /* array or list of expressions (strings or numbers) */
} spec_type;

/* One known setting. A "*" component of a path matches any one name
 * ("problem.constants.*", "problem.boundary.*.*.type"); such entries have
 * no default. `range` bounds numbers (and every element of arrays)
 * as "[lo,hi]", "(lo,hi]", ... with inf allowed; NULL means no bound. `def`
 * is the default as config text, NULL meaning "no default" (optional unless
 * the owning module says otherwise). */
typedef struct setting_spec {
    const char *path;
    spec_type type;
    const char *def;
    const char *range;
    const char *choices;
    const char *doc;
} setting_spec;

typedef struct cfg cfg;

/* Reads file and applies overrides ("path=value" each). Syntax errors and bad
 * overrides return NULL with `FILE:LINE: ...` in err. Caller owns: cfg_free. */
cfg *cfg_load(const char *file, const char *const *overrides, size_t n_overrides,
              char *err, size_t errcap);
/* The same from text (file is used for messages only). */
cfg *cfg_load_string(const char *text, const char *file, const char *const *overrides,
                     size_t n_overrides, char *err, size_t errcap);
void cfg_free(cfg *c);

/* Checks every setting in the file against the NULL-path-terminated tables:
 * unknown settings (with a "did you mean" for near misses), wrong types,
 * out-of-range numbers, NaN/Inf, unknown choices, reversed intervals.
 * Returns 0 or -1 with the first problem in err. After it succeeds the
 * getters below cannot fail for paths in the tables. */
int cfg_validate(cfg *c, const setting_spec *const *tables, size_t n_tables,
                 char *err, size_t errcap);

/* Getters: the value in the file, else the table default. */
int cfg_has(const cfg *c, const char *path);            /* present in the file */
long long cfg_int(const cfg *c, const char *path);
double cfg_float(const cfg *c, const char *path);
int cfg_bool(const cfg *c, const char *path);
const char *cfg_string(const cfg *c, const char *path); /* NULL if none */
/* Expression text (numbers are formatted with %.17g); NULL if none. The
 * pointer stays valid until cfg_free. */
const char *cfg_expr(const cfg *c, const char *path);
size_t cfg_len(const cfg *c, const char *path);         /* array length, 0 if absent */
double cfg_float_at(const cfg *c, const char *path, size_t i);
/* Members of the group at path, in file order (0 if path is not a group),
 * and the name of member i (NULL past the end): for groups of arbitrary
 * names such as problem.constants, whose table entry is "problem.constants.*". */
size_t cfg_members(const cfg *c, const char *path);
const char *cfg_member_name(const cfg *c, const char *path, size_t i);
const char *cfg_expr_at(const cfg *c, const char *path, size_t i);

/* Line of the setting (or of its nearest present parent). */
int cfg_line(const cfg *c, const char *path);
const char *cfg_file(const cfg *c);
/* The file's full text and the overrides, for the output file. */
const char *cfg_text(const cfg *c);
const char *cfg_overrides(const cfg *c);
/* The files the config was read from: 0 is the config, then every
 * @include'd file (paths as opened). */
size_t cfg_n_inputs(const cfg *c);
const char *cfg_input(const cfg *c, size_t i);
/* Writes `FILE:LINE: path: message` into err; returns -1 for convenience. */
int cfg_fail(const cfg *c, char *err, size_t errcap, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* A command-line number for the integer setting path of table (--threads
 * for train.threads): decimal digits only, no overflow, within the
 * setting's range. 0, or -1 with the reason in why. */
int cfg_integer_arg(const setting_spec *table, const char *path, const char *text, long long *v,
                    char *why, size_t whycap);

/* The table entry for path, or NULL. */
const setting_spec *cfg_spec(const cfg *c, const char *path);

#endif
