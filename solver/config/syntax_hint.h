/* solver/config/syntax_hint.h - turns a libconfig syntax error that names
 * no setting into one that does and says what to write, e.g.
 * "problem.t: write 0.0, not 0: the array holds numbers". */
#ifndef PINN_SYNTAX_HINT_H
#define PINN_SYNTAX_HINT_H

#include <stddef.h>

/* For libconfig's message msg at line (1-based) of text: 0 with the better
 * message in out, or -1 when there is none to give (keep libconfig's). */
int syntax_hint(const char *text, int line, const char *msg, char *out, size_t cap);

#endif
