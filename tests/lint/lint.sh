#!/usr/bin/env bash
# lint.sh CHECK SOURCE_DIR BINARY_DIR - one house-rule check; exit 0 pass, 1 fail, 77 skip.
#   format       every C file is clang-formatted (.clang-format at the root)
#   symbols      every global symbol of every librsim_*.a starts with rsim_ (symbols the
#                sanitizers add are not ours and are ignored)
#   wallclock    no wall-clock time or libc randomness in sim/ outside the command line
#   int_headers  a module's private <module>_int.h is included only by its own folder and tests
set -u
check=$1 src=$2 bin=$3
cd "$src" || exit 1

case "$check" in
format)
    command -v clang-format >/dev/null || exit 77
    files=$(find sim include tests -name '*.[ch]' | sort)
    # shellcheck disable=SC2086
    clang-format --dry-run --Werror $files
    ;;
symbols)
    command -v nm >/dev/null || exit 77
    libs=$(find "$bin/sim" -name 'librsim_*.a' | sort)
    [ -n "$libs" ] || { echo "no librsim_*.a under $bin/sim"; exit 1; }
    bad=0
    for lib in $libs; do
        # Defined global symbols (text, data, bss, read-only): types T D B R (and C common).
        out=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF==3 && $2 ~ /[TDBRC]/ {print $3}' |
              grep -v '^rsim_' | grep -vE '^__(odr_asan|asan|ubsan|sancov)' || true)
        if [ -n "$out" ]; then
            echo "$lib: global symbols without the rsim_ prefix:"; echo "$out" | sed 's/^/  /'
            bad=1
        fi
    done
    exit $bad
    ;;
wallclock)
    hits=$(grep -rnE '\b(time|clock_gettime|gettimeofday|clock|rand|srand|random|srandom)\(' \
               --include='*.c' --include='*.h' sim | grep -v '^sim/cli/' || true)
    if [ -n "$hits" ]; then
        echo "wall-clock time or libc randomness in sim/ (use rsim_evq_now and rsim_rng):"
        echo "$hits"; exit 1
    fi
    ;;
int_headers)
    bad=0
    while IFS= read -r line; do
        file=${line%%:*}
        hdr=$(echo "$line" | sed -E 's/.*"([a-z0-9]+)_int\.h".*/\1/')
        case "$file" in
        sim/"$hdr"/*|tests/unit/test_"$hdr".c|tests/unit/test_"$hdr"_*.c) ;;
        *) echo "$file includes ${hdr}_int.h, which is private to sim/$hdr/"; bad=1 ;;
        esac
    done < <(grep -rnE '#include "[a-z0-9]+_int\.h"' sim tests || true)
    exit $bad
    ;;
*)
    echo "unknown check $check"; exit 1 ;;
esac
