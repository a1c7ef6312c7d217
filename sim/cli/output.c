/* output.c - output files written whole or not at all, directory creation, diagnostics. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

void rsim_cli_print_diag(rsim_diag *diag)
{
    rsim_diag_print(diag, stderr);
}

int rsim_cli_make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf)) {
        fprintf(stderr, "rollsim: %s: output path is empty or too long\n", path);
        return RSIM_EXIT_IO;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') {
            continue;
        }
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "rollsim: cannot create directory %s: %s\n", buf, strerror(errno));
            return RSIM_EXIT_IO;
        }
        buf[i] = saved;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "rollsim: %s: not a directory\n", path);
        return RSIM_EXIT_IO;
    }
    return RSIM_EXIT_OK;
}

int rsim_cli_write_file(const char *path, rsim_cli_writer_fn *fn, const void *arg)
{
    if (strcmp(path, "-") == 0) {
        rsim_err err = fn(stdout, arg);
        if (err != RSIM_OK || fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "rollsim: cannot write to standard output\n");
            return RSIM_EXIT_IO;
        }
        return RSIM_EXIT_OK;
    }
    char tmp[4096];
    int w = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (w < 0 || (size_t)w >= sizeof(tmp)) {
        fprintf(stderr, "rollsim: %s: path too long\n", path);
        return RSIM_EXIT_IO;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "rollsim: cannot write %s: %s\n", path, strerror(errno));
        return RSIM_EXIT_IO;
    }
    rsim_err err = fn(f, arg);
    bool bad = err != RSIM_OK || ferror(f);
    int saved_errno = errno;
    if (fclose(f) != 0) {
        bad = true;
        saved_errno = errno;
    }
    if (bad || rename(tmp, path) != 0) {
        if (!bad) {
            saved_errno = errno;
        }
        unlink(tmp);
        fprintf(stderr, "rollsim: cannot write %s: %s\n", path, strerror(saved_errno));
        return RSIM_EXIT_IO;
    }
    return RSIM_EXIT_OK;
}
