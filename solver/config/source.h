/* solver/config/source.h - the text of a config before libconfig sees it:
 * read once (pipes work), bounded in size, @include expanded relative to the
 * including file, integer literals beyond 32 bits widened so libconfig 1.5
 * does not wrap them. Keeps the map from expanded lines to file:line.
 * It does not parse settings: config.c does, through libconfig. */
#ifndef PINN_CONFIG_SOURCE_H
#define PINN_CONFIG_SOURCE_H

#include <stddef.h>

/* A config and everything it includes, at most this many bytes in all. */
#define CFG_SOURCE_MAX_BYTES (4u << 20)
/* @include nesting (libconfig's own limit is 10 as well). */
#define CFG_SOURCE_MAX_DEPTH 10

typedef struct cfg_source cfg_source;

/* Reads file (or takes text when text is not NULL; file then names it in
 * messages and anchors relative includes). NULL with `FILE:LINE: what` in
 * err on an unreadable, endless or binary file, a bad @include or an
 * integer literal beyond 64 bits. Caller owns: cfg_source_free. */
cfg_source *cfg_source_load(const char *file, const char *text, char *err, size_t errcap);
void cfg_source_free(cfg_source *s);

/* The expanded text as the user wrote it (stored in results), and the same
 * with wide integer literals suffixed L (what libconfig parses). */
const char *cfg_source_text(const cfg_source *s);
const char *cfg_source_parse_text(const cfg_source *s);

/* The file and line that line `line` of the expanded text came from. */
const char *cfg_source_where(const cfg_source *s, int line, int *src_line);

/* The files read: 0 is the config itself, then each include in order. */
size_t cfg_source_n_files(const cfg_source *s);
const char *cfg_source_file(const cfg_source *s, size_t i);

/* A --set value as libconfig should parse it (wide integers suffixed L);
 * NULL with the reason in why on an integer beyond 64 bits or an @include.
 * Caller frees. */
char *cfg_source_value(const char *text, char *why, size_t whycap);

#endif
