/* tests/pinn_cli.h - runs the pinn binary ($PINN, else ./pinn) with an
 * argument string for the suites that test through the command line; the
 * output (stdout and stderr) into buf, the exit status returned. */
#ifndef PINN_TEST_CLI_H
#define PINN_TEST_CLI_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

static inline int run_pinn(const char *args, char *buf, size_t cap)
{
    const char *bin = getenv("PINN");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin ? bin : "./pinn", args);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t len = 0, got;
    while ((got = fread(buf + len, 1, cap - 1 - len, p)) > 0 && len + 1 < cap)
        len += got;
    buf[len] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
