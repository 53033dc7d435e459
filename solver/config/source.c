/* solver/config/source.c - a config's text before libconfig parses it: one
 * bounded read per file (so /dev/stdin and pipes work and /dev/zero does
 * not run away), @include expanded here rather than by libconfig (relative
 * to the including file; nested at most CFG_SOURCE_MAX_DEPTH deep), and
 * integer literals outside 32 bits given libconfig's L suffix, because
 * libconfig 1.5 silently truncates them to int (2^32 + 64 would read 64).
 * The scanner follows libconfig 1.5's lexical rules for strings, comments,
 * names and numbers; it does not check syntax (libconfig does). */
#include "config/source.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

typedef struct {
    int out_line; /* first line of the expanded text in this span */
    size_t file;  /* index into files */
    int src_line; /* its line in that file */
} span;

struct cfg_source {
    sbuf text, parse;
    span *spans;
    size_t n_spans, cap_spans;
    char **files;
    int *regular; /* files[i] is a regular file (relative includes use its directory) */
    size_t n_files;
    int out_line;
    size_t total;
    char *why; /* scan error (without FILE:LINE) */
    size_t whycap;
    int err_line;
    size_t err_file;
    int no_include;
    /* The array being copied: libconfig wants one element type per array,
     * so one wide integer widens them all (offsets into parse). */
    int in_array, array_wide;
    size_t *ints, n_ints, cap_ints;
};

static void sbuf_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* Text that goes unchanged into both the stored and the parsed text. */
static void emit(cfg_source *x, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n')
            x->out_line++;
    sbuf_add(&x->text, s, n);
    sbuf_add(&x->parse, s, n);
}

static int span_push(cfg_source *x, size_t file, int src_line)
{
    if (x->n_spans == x->cap_spans) {
        size_t cap = x->cap_spans ? 2 * x->cap_spans : 16;
        span *p = realloc(x->spans, cap * sizeof *p);
        if (!p)
            return -1;
        x->spans = p;
        x->cap_spans = cap;
    }
    x->spans[x->n_spans++] = (span){x->out_line, file, src_line};
    return 0;
}

static int scan_fail(cfg_source *x, size_t file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int scan_fail(cfg_source *x, size_t file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->why, x->whycap, fmt, ap);
    va_end(ap);
    x->err_file = file;
    x->err_line = line;
    return -1;
}

/* Opens path for reading; with regular_only anything but a regular file is
 * refused, without blocking on a FIFO. */
static FILE *open_input(const char *path, int regular_only, char *why, size_t whycap)
{
    if (!regular_only) {
        FILE *f = fopen(path, "rb");
        if (!f)
            snprintf(why, whycap, "cannot read: %s", strerror(errno));
        return f;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    FILE *f = NULL;
    if (fd < 0 || fstat(fd, &st) != 0)
        snprintf(why, whycap, "cannot read: %s", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        snprintf(why, whycap, "not a regular file (an @include'd file must be one)");
    else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 || !(f = fdopen(fd, "rb")))
        snprintf(why, whycap, "cannot read: %s", strerror(errno));
    if (!f && fd >= 0)
        close(fd);
    return f;
}

/* Reads all of path, at most max bytes, refusing NUL bytes. NULL with the
 * reason in why. */
static char *read_bounded(const char *path, int regular_only, size_t max, size_t *len, char *why,
                          size_t whycap)
{
    FILE *f = open_input(path, regular_only, why, whycap);
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            snprintf(why, whycap, "out of memory");
            break;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (memchr(buf + n, '\0', got)) {
            snprintf(why, whycap, "contains a NUL byte: not a config file");
            goto fail;
        }
        n += got;
        if (n > max) {
            snprintf(why, whycap, "longer than %zu bytes: not a config file", max);
            goto fail;
        }
        if (ferror(f)) {
            snprintf(why, whycap, "cannot read: %s", strerror(errno));
            goto fail;
        }
        if (feof(f))
            break;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
fail:
    free(buf);
    fclose(f);
    return NULL;
}

static int is_name_start(int c) { return isalpha(c) || c == '*'; }
static int is_name_char(int c) { return isalnum(c) || c == '*' || c == '-' || c == '_'; }

/* An integer literal t[0..n) (sign, digits or 0x hex, suffix L/LL): copies
 * it, adding L where libconfig would truncate it to int. */
static int scan_integer(cfg_source *x, size_t file, int line, const char *t, size_t n,
                        size_t suffix, int hex)
{
    char tok[64];
    size_t digits = n - suffix;
    if (digits >= sizeof tok)
        return scan_fail(x, file, line, "integer %.*s does not fit in 64 bits", (int)digits, t);
    memcpy(tok, t, digits);
    tok[digits] = '\0';
    errno = 0;
    long long v;
    if (hex) {
        unsigned long long u = strtoull(tok, NULL, 16);
        if (errno == ERANGE || u > (unsigned long long)LLONG_MAX)
            return scan_fail(x, file, line, "integer %s does not fit in 64 bits", tok);
        v = (long long)u;
    } else {
        v = strtoll(tok, NULL, 10);
        if (errno == ERANGE)
            return scan_fail(x, file, line, "integer %s does not fit in 64 bits", tok);
    }
    sbuf_add(&x->text, t, n);
    sbuf_add(&x->parse, t, n);
    int wide = suffix > 0 || v < INT_MIN || v > INT_MAX;
    if (suffix == 0 && wide)
        sbuf_add(&x->parse, "L", 1);
    if (x->in_array) {
        x->array_wide |= wide;
        if (suffix == 0 && !wide) {
            if (x->n_ints == x->cap_ints) {
                size_t cap = x->cap_ints ? 2 * x->cap_ints : 16;
                size_t *p = realloc(x->ints, cap * sizeof *p);
                if (!p)
                    return scan_fail(x, file, line, "out of memory");
                x->ints = p;
                x->cap_ints = cap;
            }
            x->ints[x->n_ints++] = x->parse.len;
        }
    }
    return 0;
}

/* At the ']' of an array with a wide integer: suffix the others too. */
static void array_close(cfg_source *x)
{
    if (x->array_wide && !x->parse.oom) {
        size_t n = x->n_ints;
        sbuf_add(&x->parse, "", 0);
        char *grown = x->parse.oom ? NULL : realloc(x->parse.s, x->parse.len + n + 1);
        if (!grown) {
            x->parse.oom = 1;
        } else {
            x->parse.s = grown;
            x->parse.cap = x->parse.len + n + 1;
            size_t end = x->parse.len;
            x->parse.len += n;
            x->parse.s[x->parse.len] = '\0';
            for (size_t k = n; k-- > 0;) { /* move each tail right by k + 1 */
                size_t at = x->ints[k];
                memmove(x->parse.s + at + k + 1, x->parse.s + at, end - at);
                x->parse.s[at + k] = 'L';
                end = at;
            }
        }
    }
    x->in_array = x->array_wide = 0;
    x->n_ints = 0;
}

/* Length of the number at t and whether it is an integer: libconfig's
 * float, integer, integer64, hex and hex64 rules. */
static size_t number_at(const char *t, int *integer, int *hex, size_t *suffix)
{
    size_t j = 0;
    *integer = 1, *hex = 0, *suffix = 0;
    if (t[j] == '+' || t[j] == '-')
        j++;
    if (t[j] == '0' && (t[j + 1] == 'x' || t[j + 1] == 'X') && isxdigit((unsigned char)t[j + 2])) {
        *hex = 1;
        j += 2;
        while (isxdigit((unsigned char)t[j]))
            j++;
    } else {
        while (isdigit((unsigned char)t[j]))
            j++;
        if (t[j] == '.') {
            *integer = 0;
            j++;
            while (isdigit((unsigned char)t[j]))
                j++;
        }
        size_t e = j;
        if (t[e] == 'e' || t[e] == 'E') {
            e++;
            if (t[e] == '+' || t[e] == '-')
                e++;
            if (isdigit((unsigned char)t[e])) {
                *integer = 0;
                while (isdigit((unsigned char)t[e]))
                    e++;
                j = e;
            }
        }
    }
    if (*integer && t[j] == 'L') {
        *suffix = t[j + 1] == 'L' ? 2 : 1;
        j += *suffix;
    }
    return j;
}

static int scan(cfg_source *x, size_t file, const char *t, int depth);

/* `@include "name"` at t (the line's first non-blank); *used is set to the
 * bytes consumed up to (not including) the newline. 1 if t is not an
 * include, 0 when expanded, -1 on error. */
static int scan_include(cfg_source *x, size_t file, int line, const char *t, int depth,
                        size_t *used)
{
    size_t j = 8;
    if (strncmp(t, "@include", 8) != 0 || (t[j] != ' ' && t[j] != '\t'))
        return 1;
    while (t[j] == ' ' || t[j] == '\t')
        j++;
    if (t[j] != '"')
        return 1;
    if (x->no_include)
        return scan_fail(x, file, line, "@include is not allowed here");
    size_t name0 = ++j;
    while (t[j] && t[j] != '"' && t[j] != '\n' && t[j] != '\\')
        j++;
    if (t[j] != '"')
        return scan_fail(x, file, line, "@include: the file name must be one line in \"...\" "
                                        "without backslashes");
    size_t name_len = j - name0;
    j++;
    while (t[j] == ' ' || t[j] == '\t' || t[j] == '\r')
        j++;
    if (t[j] && t[j] != '\n' && t[j] != '#' && !(t[j] == '/' && t[j + 1] == '/'))
        return scan_fail(x, file, line, "@include \"%.*s\": text after the file name",
                         (int)name_len, t + name0);
    while (t[j] && t[j] != '\n')
        j++;
    *used = j;
    if (name_len == 0)
        return scan_fail(x, file, line, "@include: empty file name");
    if (depth + 1 > CFG_SOURCE_MAX_DEPTH)
        return scan_fail(x, file, line, "@include \"%.*s\": nested deeper than %d (does it "
                         "include itself?)", (int)name_len, t + name0, CFG_SOURCE_MAX_DEPTH);

    /* Relative to the including file's directory; for a pipe or a
     * terminal (/dev/stdin) the working directory. */
    const char *inc = x->files[file];
    const char *slash = strrchr(inc, '/');
    size_t dir_len = t[name0] != '/' && x->regular[file] && slash ? (size_t)(slash - inc) + 1 : 0;
    char *path = malloc(dir_len + name_len + 1);
    char **files = realloc(x->files, (x->n_files + 1) * sizeof *files);
    if (files)
        x->files = files;
    int *reg = realloc(x->regular, (x->n_files + 1) * sizeof *reg);
    if (reg)
        x->regular = reg;
    if (!path || !files || !reg) {
        free(path);
        return scan_fail(x, file, line, "out of memory");
    }
    memcpy(path, inc, dir_len);
    memcpy(path + dir_len, t + name0, name_len);
    path[dir_len + name_len] = '\0';
    size_t fi = x->n_files++;
    x->files[fi] = path;
    struct stat st;
    x->regular[fi] = stat(path, &st) == 0 && S_ISREG(st.st_mode);

    char why[256];
    size_t len = 0;
    char *text = read_bounded(path, 1, CFG_SOURCE_MAX_BYTES - x->total, &len, why, sizeof why);
    if (!text)
        return scan_fail(x, file, line, "@include \"%.*s\": %s: %s", (int)name_len, t + name0,
                         path, why);
    x->total += len;
    /* The directive stays in the stored text as a comment. */
    emit(x, "#", 1);
    emit(x, t, j);
    emit(x, "\n", 1);
    int rc = scan(x, fi, text, depth + 1);
    free(text);
    return rc;
}

/* Copies t (the text of files[file]) into x, expanding includes and
 * widening integers. The copy ends with a newline. */
static int scan(cfg_source *x, size_t file, const char *t, int depth)
{
    int line = 1;
    if (span_push(x, file, 1))
        return scan_fail(x, file, 1, "out of memory");
    size_t i = 0;
    int line_start = 1;
    while (t[i]) {
        if (line_start) {
            line_start = 0;
            size_t b = i;
            while (t[b] == ' ' || t[b] == '\t')
                b++;
            size_t used = 0;
            int rc = scan_include(x, file, line, t + b, depth, &used);
            if (rc < 0)
                return -1;
            if (rc == 0) {
                i = b + used;
                if (t[i] == '\n')
                    i++;
                line++;
                line_start = 1;
                if (span_push(x, file, line))
                    return scan_fail(x, file, line, "out of memory");
                continue;
            }
        }
        const char *p = t + i;
        int c = (unsigned char)*p;
        size_t n = 1;
        if (c == '\n') {
            line++;
            line_start = 1;
        } else if (c == '"') { /* a string, escapes and all */
            while (p[n] && p[n] != '"') {
                if (p[n] == '\\' && p[n + 1])
                    n++;
                n++;
            }
            if (p[n])
                n++;
        } else if (c == '#' || (c == '/' && p[1] == '/')) {
            while (p[n] && p[n] != '\n')
                n++;
        } else if (c == '/' && p[1] == '*') {
            n = 2;
            while (p[n] && !(p[n] == '*' && p[n + 1] == '/'))
                n++;
            n += p[n] ? 2 : 0;
        } else if (c == '[') {
            x->in_array = 1, x->array_wide = 0, x->n_ints = 0;
        } else if (c == ']') {
            emit(x, p, 1);
            array_close(x);
            i++;
            continue;
        } else if (is_name_start(c)) {
            while (is_name_char((unsigned char)p[n]))
                n++;
        } else if (isdigit(c) || c == '.' ||
                   ((c == '+' || c == '-') && (isdigit((unsigned char)p[1]) || p[1] == '.'))) {
            int integer, hex;
            size_t suffix;
            n = number_at(p, &integer, &hex, &suffix);
            if (n == 0 || (c == '.' && !isdigit((unsigned char)p[1])))
                n = 1;
            else if (integer) {
                if (scan_integer(x, file, line, p, n, suffix, hex))
                    return -1;
                i += n;
                continue;
            }
        }
        for (size_t k = 0; k < n; k++)
            if (p[k] == '\n' && c != '\n')
                line++;
        emit(x, p, n);
        i += n;
    }
    if (i > 0 && t[i - 1] != '\n')
        emit(x, "\n", 1);
    if (x->text.oom || x->parse.oom)
        return scan_fail(x, file, line, "out of memory");
    return 0;
}

void cfg_source_free(cfg_source *s)
{
    if (!s)
        return;
    free(s->text.s);
    free(s->parse.s);
    free(s->spans);
    for (size_t i = 0; i < s->n_files; i++)
        free(s->files[i]);
    free(s->files);
    free(s->regular);
    free(s->ints);
    free(s);
}

static cfg_source *source_new(const char *file, char *why, size_t whycap)
{
    cfg_source *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->files = malloc(sizeof *x->files);
    x->regular = malloc(sizeof *x->regular);
    if (!x->files || !x->regular || !(x->files[0] = strdup(file))) {
        cfg_source_free(x);
        return NULL;
    }
    x->n_files = 1;
    x->out_line = 1;
    x->why = why;
    x->whycap = whycap;
    return x;
}

cfg_source *cfg_source_load(const char *file, const char *text, char *err, size_t errcap)
{
    char why[512] = "";
    cfg_source *x = source_new(file, why, sizeof why);
    if (!x) {
        snprintf(err, errcap, "%s: out of memory", file);
        return NULL;
    }
    char *own = NULL;
    struct stat st;
    x->regular[0] = text ? 1 : stat(file, &st) == 0 && S_ISREG(st.st_mode);
    if (!text) {
        size_t len = 0;
        if (!(own = read_bounded(file, 0, CFG_SOURCE_MAX_BYTES, &len, why, sizeof why))) {
            snprintf(err, errcap, "%s: %s", file, why);
            cfg_source_free(x);
            return NULL;
        }
        x->total = len;
        text = own;
    } else if (strlen(text) > CFG_SOURCE_MAX_BYTES) {
        snprintf(err, errcap, "%s: longer than %u bytes: not a config file", file,
                 CFG_SOURCE_MAX_BYTES);
        cfg_source_free(x);
        return NULL;
    }
    int rc = scan(x, 0, text, 0);
    free(own);
    if (rc == 0 && !x->text.s) /* an empty file */
        emit(x, "", 0);
    if (rc || x->text.oom || x->parse.oom) {
        if (rc)
            snprintf(err, errcap, "%s:%d: %s", x->files[x->err_file], x->err_line, why);
        else
            snprintf(err, errcap, "%s: out of memory", file);
        cfg_source_free(x);
        return NULL;
    }
    x->why = NULL;
    return x;
}

const char *cfg_source_text(const cfg_source *s) { return s->text.s; }
const char *cfg_source_parse_text(const cfg_source *s) { return s->parse.s; }
size_t cfg_source_n_files(const cfg_source *s) { return s->n_files; }
const char *cfg_source_file(const cfg_source *s, size_t i) { return i < s->n_files ? s->files[i] : NULL; }

const char *cfg_source_where(const cfg_source *s, int line, int *src_line)
{
    const span *best = NULL;
    for (size_t i = 0; i < s->n_spans; i++)
        if (s->spans[i].out_line <= line)
            best = &s->spans[i];
    if (!best) {
        *src_line = line;
        return s->files[0];
    }
    *src_line = best->src_line + (line - best->out_line);
    return s->files[best->file];
}

char *cfg_source_value(const char *text, char *why, size_t whycap)
{
    cfg_source *x = source_new("--set", why, whycap);
    if (!x) {
        snprintf(why, whycap, "out of memory");
        return NULL;
    }
    x->no_include = 1;
    char *out = NULL;
    if (strstr(text, "@include"))
        snprintf(why, whycap, "@include is not allowed in a --set value");
    else if (scan(x, 0, text, 0) == 0 && x->parse.s) {
        out = x->parse.s;
        x->parse.s = NULL;
        size_t n = strlen(out);
        if (n > 0 && out[n - 1] == '\n' && text[strlen(text) - 1] != '\n')
            out[n - 1] = '\0'; /* scan's closing newline */
    } else if (!x->parse.s && !text[0]) {
        out = strdup("");
    }
    cfg_source_free(x);
    return out;
}
