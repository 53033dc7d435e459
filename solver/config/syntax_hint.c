/* solver/config/syntax_hint.c - a better message for libconfig's
 * "mismatched element type in array": the setting's full path (groups
 * tracked by a small scan of the text up to the error) and the element to
 * rewrite. libconfig's arrays hold one scalar type, so [0, 1.0] fails
 * although both are numbers. */
#include "config/syntax_hint.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define HINT_DEPTH 16

typedef struct scan {
    char stack[HINT_DEPTH][64]; /* enclosing group names */
    int depth;
    char name[64];              /* the last identifier before '=' or ':' */
    char array_path[256];       /* the last array opened: its setting */
    const char *array_at;       /* and where its '[' is */
} scan;

static const char *skip_space_comments(const char *s, const char *end)
{
    while (s < end) {
        if (isspace((unsigned char)*s)) {
            s++;
        } else if (*s == '#' || (s[0] == '/' && s + 1 < end && s[1] == '/')) {
            while (s < end && *s != '\n')
                s++;
        } else if (s[0] == '/' && s + 1 < end && s[1] == '*') {
            const char *e = strstr(s + 2, "*/");
            s = e && e < end ? e + 2 : end;
        } else {
            break;
        }
    }
    return s;
}

static void path_of(const scan *sc, const char *leaf, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < sc->depth && i < HINT_DEPTH; i++)
        if (sc->stack[i][0] && n < cap)
            n += (size_t)snprintf(buf + n, cap - n, "%s.", sc->stack[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, "%s", leaf);
}

/* Scans text up to end: groups, names, the last array opened. */
static void scan_text(scan *sc, const char *text, const char *end)
{
    memset(sc, 0, sizeof *sc);
    char ident[64] = "";
    int after_assign = 0;
    for (const char *s = text; (s = skip_space_comments(s, end)) < end;) {
        if (*s == '"') {
            for (s++; s < end && *s != '"'; s++)
                if (*s == '\\' && s + 1 < end)
                    s++;
            s++;
            after_assign = 0;
        } else if (isalpha((unsigned char)*s) || *s == '_' || *s == '*') {
            size_t n = 0;
            while (s < end && (isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '*')) {
                if (n + 1 < sizeof ident)
                    ident[n++] = *s;
                s++;
            }
            ident[n] = '\0';
        } else if (*s == '=' || *s == ':') {
            snprintf(sc->name, sizeof sc->name, "%s", ident);
            after_assign = 1;
            s++;
        } else if (*s == '{' || *s == '(') {
            if (sc->depth < HINT_DEPTH)
                snprintf(sc->stack[sc->depth], sizeof sc->stack[0], "%s", after_assign ? sc->name : "");
            sc->depth++;
            after_assign = 0;
            s++;
        } else if (*s == '}' || *s == ')') {
            if (sc->depth > 0)
                sc->depth--;
            after_assign = 0;
            s++;
        } else if (*s == '[') {
            path_of(sc, after_assign ? sc->name : "?", sc->array_path, sizeof sc->array_path);
            sc->array_at = s;
            after_assign = 0;
            s++;
        } else {
            if (*s == ';' || *s == ',')
                after_assign = 0;
            s++;
        }
    }
}

enum { EL_INT, EL_FLOAT, EL_STRING, EL_BOOL, EL_OTHER };

static int element_kind(const char *e, size_t n)
{
    if (n && e[0] == '"')
        return EL_STRING;
    if ((n == 4 && strncmp(e, "true", 4) == 0) || (n == 5 && strncmp(e, "false", 5) == 0))
        return EL_BOOL;
    int digits = 0, fl = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = e[i];
        if (isdigit((unsigned char)ch))
            digits = 1;
        else if (ch == '.' || ch == 'e' || ch == 'E')
            fl = 1;
        else if (ch != '+' && ch != '-' && ch != 'L' && ch != 'x' && !isxdigit((unsigned char)ch))
            return EL_OTHER;
    }
    if (n > 1 && e[0] == '0' && (e[1] == 'x' || e[1] == 'X'))
        return EL_INT;
    return !digits ? EL_OTHER : fl ? EL_FLOAT : EL_INT;
}

int syntax_hint(const char *text, int line, const char *msg, char *out, size_t cap)
{
    if (!text || !msg || line < 1 || !strstr(msg, "mismatched element type in array"))
        return -1;
    const char *end = text;
    for (int l = 1; *end && l <= line; end++)
        if (*end == '\n')
            l++;
    scan sc;
    scan_text(&sc, text, end);
    if (!sc.array_at)
        return -1;
    /* the elements, up to the closing bracket */
    const char *s = sc.array_at + 1, *first_int = NULL;
    size_t first_int_n = 0;
    int kinds[5] = {0};
    while (*s && *s != ']') {
        s = skip_space_comments(s, s + strlen(s));
        const char *e = s;
        if (*s == '"') {
            for (s++; *s && *s != '"'; s++)
                if (*s == '\\' && s[1])
                    s++;
            if (*s)
                s++;
        } else {
            while (*s && *s != ',' && *s != ']' && !isspace((unsigned char)*s))
                s++;
        }
        size_t n = (size_t)(s - e);
        if (n) {
            int k = element_kind(e, n);
            kinds[k]++;
            if (k == EL_INT && !first_int)
                first_int = e, first_int_n = n;
        }
        s = skip_space_comments(s, s + strlen(s));
        if (*s == ',')
            s++;
    }
    if (kinds[EL_INT] && kinds[EL_FLOAT] && !kinds[EL_STRING] && !kinds[EL_BOOL]) {
        snprintf(out, cap,
                 "%s: write %.*s.0, not %.*s: the array holds numbers, and libconfig wants them "
                 "all written alike (counts all without a decimal point: [16, 32])",
                 sc.array_path, (int)first_int_n, first_int, (int)first_int_n, first_int);
        return 0;
    }
    snprintf(out, cap,
             "%s: the elements of an array must all be of one type (all numbers with a decimal "
             "point, all strings, ...)",
             sc.array_path);
    return 0;
}
