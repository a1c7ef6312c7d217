/* cmd_eval_condition.c - `rollsim eval-condition`: judges one measurement result, given as JSON,
 * with a success and/or failure condition exactly as an AnalysisRun measurement would (§16.2),
 * and prints the phase and each condition's value or error. JSON numbers become float64, as in
 * Go; NaN, Inf, +Inf and -Inf are accepted where a number may stand (Prometheus returns them). */
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include <rsim/common.h>
#include <rsim/diag.h>

#include "cli.h"
#include "cond.h"
#include "util.h"

static const char eval_condition_help[] =
    "Usage: rollsim eval-condition [--success EXPR] [--failure EXPR] --result JSON\n"
    "Evaluate an AnalysisTemplate metric's successCondition and failureCondition against one\n"
    "measurement result, the way an Argo Rollouts AnalysisRun would, and print the\n"
    "measurement's phase (Successful, Failed, Inconclusive or Error) on the first line, then\n"
    "the value of each condition or the error with its column.\n"
    "\n"
    "  -s, --success EXPR   the successCondition (e.g. 'result[0] >= 0.95')\n"
    "  -f, --failure EXPR   the failureCondition (e.g. 'result[0] < 0.90')\n"
    "  -r, --result JSON    the measurement's value: a number, a list, an object, a string,\n"
    "                       true/false or null; NaN and Inf are accepted as numbers. A\n"
    "                       Prometheus vector is a list ('[0.97]'), a scalar a number.\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 whatever the phase; 2 for a usage error or a condition that does not\n"
    "parse (printed as --success:LINE:COLUMN).\n";

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage(const char *fmt, ...)
{
    fprintf(stderr, "rollsim eval-condition: ");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'rollsim eval-condition --help' for more information.\n", stderr);
    return RSIM_EXIT_USAGE;
}

/* ---- JSON with NaN and Inf ---- */

typedef struct special_number {
    size_t ordinal; /* index among the numbers of the document, in text order */
    double value;
} special_number;

typedef RSIM_VEC(special_number) special_vec;

/* Matches NaN/Inf/Infinity (any case, optional sign) at s; returns its length or 0. */
static size_t match_special(const char *s, double *value)
{
    static const struct {
        const char *word;
        double value;
    } words[] = {{"infinity", INFINITY}, {"inf", INFINITY}, {"nan", NAN}};
    size_t sign = *s == '-' || *s == '+' ? 1 : 0;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t n = strlen(words[i].word);
        if (strncasecmp(s + sign, words[i].word, n) == 0 && !isalnum((unsigned char)s[sign + n])) {
            *value = *s == '-' ? -words[i].value : words[i].value;
            return sign + n;
        }
    }
    return 0;
}

/* Copies JSON text, replacing NaN/Inf tokens outside strings by 0 and noting which number of
 * the document each one was; cJSON then parses standard JSON. */
static char *replace_specials(const char *in, special_vec *specials)
{
    rsim_buf b;
    rsim_buf_init(&b, (size_t)1 << 30);
    size_t numbers = 0;
    bool in_string = false;
    for (size_t i = 0; in[i];) {
        char c = in[i];
        double v = 0.0;
        size_t n = 0;
        if (in_string) {
            n = c == '\\' && in[i + 1] ? 2 : 1;
            in_string = c != '"';
        } else if (c == '"') {
            in_string = true;
            n = 1;
        } else if ((n = match_special(in + i, &v)) > 0) {
            special_number sp = {numbers++, v};
            RSIM_VEC_PUSH(*specials, sp);
            (void)rsim_buf_puts(&b, "0");
            i += n;
            continue;
        } else if (c == '-' || isdigit((unsigned char)c)) {
            numbers++;
            n = 1;
            while (in[i + n] && strchr("0123456789.eE+-", in[i + n])) {
                n++;
            }
        } else {
            n = 1;
        }
        (void)rsim_buf_append(&b, in + i, n);
        i += n;
    }
    return b.data ? b.data : rsim_xstrdup("");
}

typedef struct json_frame {
    const cJSON *node;
    rsim_cond_value *parent; /* NULL for the root */
    const char *key;         /* member name when the parent is a map */
} json_frame;

static rsim_cond_value *
scalar_value(rsim_arena *a, const cJSON *node, const special_vec *specials, size_t *numbers)
{
    if (cJSON_IsNumber(node)) {
        double v = node->valuedouble;
        for (size_t k = 0; k < specials->n; k++) {
            if (specials->items[k].ordinal == *numbers) {
                v = specials->items[k].value;
            }
        }
        (*numbers)++;
        return rsim_cond_float(a, v);
    }
    if (cJSON_IsString(node)) {
        return rsim_cond_string(a, node->valuestring);
    }
    if (cJSON_IsBool(node)) {
        return rsim_cond_bool(a, cJSON_IsTrue(node));
    }
    return NULL; /* null */
}

/* Converts a cJSON tree without recursion: a stack visited in document order, so that the
 * numbers are met in the order replace_specials counted them. */
static const rsim_cond_value *
json_to_value(rsim_arena *a, const cJSON *root, const special_vec *specials)
{
    RSIM_VEC(json_frame) stack = {0};
    json_frame top = {root, NULL, NULL};
    RSIM_VEC_PUSH(stack, top);
    const rsim_cond_value *out = NULL;
    size_t numbers = 0;
    while (stack.n > 0) {
        json_frame f = stack.items[--stack.n];
        rsim_cond_value *v = NULL;
        if (cJSON_IsArray(f.node) || cJSON_IsObject(f.node)) {
            v = cJSON_IsArray(f.node) ? rsim_cond_array(a) : rsim_cond_map(a);
            size_t first = stack.n;
            for (const cJSON *ch = f.node->child; ch; ch = ch->next) {
                json_frame cf = {ch, v, ch->string};
                RSIM_VEC_PUSH(stack, cf);
            }
            /* Reverse the children so that the first is popped first. */
            for (size_t i = first, j = stack.n; i + 1 < j; i++, j--) {
                json_frame t = stack.items[i];
                stack.items[i] = stack.items[j - 1];
                stack.items[j - 1] = t;
            }
        } else {
            v = scalar_value(a, f.node, specials, &numbers);
        }
        if (!f.parent) {
            out = v;
        } else if (rsim_cond_value_kind(f.parent) == RSIM_COND_ARRAY) {
            rsim_cond_array_push(a, f.parent, v);
        } else {
            rsim_cond_map_set(a, f.parent, f.key ? f.key : "", v);
        }
    }
    free(stack.items);
    return out;
}

/* Parses the --result text; prints the reason and returns false when it is not JSON. */
static bool parse_result(rsim_arena *a, const char *text, const rsim_cond_value **out)
{
    special_vec specials = {0};
    char *clean = replace_specials(text, &specials);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(clean, &end, true);
    bool ok = root != NULL;
    if (!ok) {
        long col = end ? (long)(end - clean) + 1 : 1;
        fprintf(stderr,
                "rollsim eval-condition: --result:1:%ld: not valid JSON (expected a number, "
                "a list, an object, a string, true, false or null)\n",
                col);
    } else {
        *out = json_to_value(a, root, &specials);
    }
    cJSON_Delete(root);
    free(clean);
    free(specials.items);
    return ok;
}

/* ---- conditions ---- */

/* Parses one condition; on error prints it with the text and a caret under the column. */
static bool parse_condition(const char *option, const char *text, rsim_cond **out)
{
    rsim_diag *diag = rsim_diag_new(1);
    rsim_loc base = {option, 1, 1, 0};
    rsim_err err = rsim_cond_parse(text, base, diag, out);
    if (err != RSIM_OK) {
        rsim_loc loc = rsim_diag_loc_at(diag, 0);
        fprintf(stderr, "rollsim eval-condition: %s:%d:%d: %s\n", option, loc.line, loc.col,
                rsim_diag_message_at(diag, 0));
        /* Quote the offending line of the expression with a caret under the column. */
        const char *line = text;
        for (int l = 1; l < loc.line && strchr(line, '\n'); l++) {
            line = strchr(line, '\n') + 1;
        }
        int len = (int)strcspn(line, "\n");
        fprintf(stderr, "    %.*s\n    %*s^", len, line, loc.col - 1, "");
        for (int i = 1; i < loc.len && loc.col + i <= len; i++) {
            fputc('~', stderr);
        }
        fputc('\n', stderr);
    }
    rsim_diag_free(diag);
    return err == RSIM_OK;
}

static void print_line(const char *label,
                       const rsim_cond *c,
                       bool evaluated,
                       bool value,
                       bool errored,
                       const rsim_cond_judgement *j)
{
    printf("  %s: %s -> ", label, rsim_cond_text(c));
    if (errored) {
        printf("error at column %d: %s\n", j->error_col, j->error);
    } else if (evaluated) {
        printf("%s\n", value ? "true" : "false");
    } else {
        printf("not evaluated (the successCondition could not be evaluated)\n");
    }
}

static void
print_judgement(const rsim_cond *success, const rsim_cond *failure, const rsim_cond_judgement *j)
{
    printf("%s\n", rsim_cond_phase_name(j->phase));
    if (!success && !failure) {
        printf("  no conditions: a measurement without conditions is Successful\n");
    }
    if (success) {
        print_line("successCondition", success, j->success_evaluated, j->success_value,
                   j->error_in == 1, j);
    }
    if (failure) {
        print_line("failureCondition", failure, j->failure_evaluated, j->failure_value,
                   j->error_in == 2, j);
    }
}

int rsim_cli_eval_condition(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"success", required_argument, NULL, 's'},
        {"failure", required_argument, NULL, 'f'},
        {"result", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *success_text = NULL;
    const char *failure_text = NULL;
    const char *result_text = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+s:f:r:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            success_text = optarg;
            break;
        case 'f':
            failure_text = optarg;
            break;
        case 'r':
            result_text = optarg;
            break;
        case 'h':
            fputs(eval_condition_help, stdout);
            return RSIM_EXIT_OK;
        default:
            fputs("Try 'rollsim eval-condition --help' for more information.\n", stderr);
            return RSIM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        return usage("unexpected argument '%s'", argv[optind]);
    }
    if (!result_text) {
        return usage("--result JSON is required");
    }
    /* Argo treats an empty condition as absent; so does rollsim. */
    rsim_cond *success = NULL;
    rsim_cond *failure = NULL;
    bool ok = true;
    if (success_text && *success_text) {
        ok = parse_condition("--success", success_text, &success);
    }
    if (failure_text && *failure_text) {
        ok = parse_condition("--failure", failure_text, &failure) && ok;
    }
    rsim_arena arena;
    rsim_arena_init(&arena);
    const rsim_cond_value *result = NULL;
    ok = ok && parse_result(&arena, result_text, &result);
    if (ok) {
        rsim_cond_judgement j;
        (void)rsim_cond_judge(success, failure, result, &j);
        print_judgement(success, failure, &j);
    }
    rsim_arena_fini(&arena);
    rsim_cond_free(success);
    rsim_cond_free(failure);
    if (!ok) {
        return RSIM_EXIT_USAGE;
    }
    return fflush(stdout) == 0 && !ferror(stdout) ? RSIM_EXIT_OK : RSIM_EXIT_IO;
}
