/* re.c - matching dryRun / measurementRetention patterns (Go RE2, unanchored, §23 E5) with POSIX
 * extended regular expressions. RE2 syntax is translated where POSIX has an equivalent (\d, \w,
 * \s outside and inside brackets, (?:...), lazy quantifiers, which cannot change whether a
 * pattern matches) and refused where it has none (flags, \b, \pN, ...), so a pattern never
 * matches differently from Go. An invalid pattern never matches, as regexp.MatchString's error
 * is ignored upstream. */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "analysis_int.h"

#define RE_MAX_BYTES ((size_t)8192)

static bool unsup(char *why, size_t size, const char *what)
{
    snprintf(why, size, "uses %s, which rollsim cannot match", what);
    return false;
}

/* A backslash escape at s[0] == '\\' inside a bracket expression. */
static bool class_escape(const char **s, rsim_buf *o, char *why, size_t size)
{
    char c = (*s)[1];
    const char *rep = NULL;
    switch (c) {
    case 'd':
        rep = "0-9";
        break;
    case 'w':
        rep = "0-9A-Za-z_";
        break;
    case 's':
        rep = "[:space:]";
        break;
    case 'n':
        rep = "\n";
        break;
    case 't':
        rep = "\t";
        break;
    case ']':
    case '\\':
    case '^':
    case '-':
    case '[':
        return unsup(why, size, "an escaped bracket metacharacter inside [...]");
    default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\0') {
            return unsup(why, size, "an escape sequence inside [...]");
        }
        (void)rsim_buf_append(o, &(*s)[1], 1);
        *s += 2;
        return true;
    }
    (void)rsim_buf_puts(o, rep);
    *s += 2;
    return true;
}

static bool copy_class(const char **s, rsim_buf *o, char *why, size_t size)
{
    const char *p = *s + 1;
    (void)rsim_buf_puts(o, "[");
    if (*p == '^') {
        (void)rsim_buf_puts(o, "^");
        p++;
    }
    if (*p == ']') {
        (void)rsim_buf_puts(o, "]");
        p++;
    }
    while (*p && *p != ']') {
        if (*p == '\\') {
            if (!class_escape(&p, o, why, size)) {
                return false;
            }
        } else if (p[0] == '[' && p[1] == ':') {
            const char *e = strstr(p + 2, ":]");
            size_t n = e ? (size_t)(e + 2 - p) : 1;
            (void)rsim_buf_append(o, p, n);
            p += n;
        } else {
            (void)rsim_buf_append(o, p, 1);
            p++;
        }
    }
    if (*p != ']') {
        return false; /* invalid in Go too */
    }
    (void)rsim_buf_puts(o, "]");
    *s = p + 1;
    return true;
}

static bool escape(const char **s, rsim_buf *o, char *why, size_t size)
{
    char c = (*s)[1];
    static const struct {
        char c;
        const char *rep;
    } map[] = {
        {'d', "[0-9]"},       {'D', "[^0-9]"},       {'w', "[0-9A-Za-z_]"}, {'W', "[^0-9A-Za-z_]"},
        {'s', "[[:space:]]"}, {'S', "[^[:space:]]"}, {'n', "\n"},           {'t', "\t"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (map[i].c == c) {
            (void)rsim_buf_puts(o, map[i].rep);
            *s += 2;
            return true;
        }
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        char what[32];
        snprintf(what, sizeof what, "'\\%c'", c);
        return unsup(why, size, what);
    }
    (void)rsim_buf_append(o, *s, 2);
    *s += 2;
    return true;
}

/* Translates RE2 to POSIX ERE; false with why set when it cannot. *invalid is set for a pattern
 * Go rejects too (it then matches nothing). */
static bool translate(const char *s, rsim_buf *o, bool *invalid, char *why, size_t size)
{
    why[0] = '\0';
    const char *start = s;
    while (*s) {
        /* A repetition with nothing to repeat ("*", "(+", "a|?") is an error in Go. */
        if ((*s == '*' || *s == '+' || *s == '?') && (s == start || s[-1] == '(' || s[-1] == '|')) {
            *invalid = true;
            return true;
        }
        if (*s == '\\') {
            if (s[1] == '\0') {
                *invalid = true;
                return true;
            }
            if (!escape(&s, o, why, size)) {
                return false;
            }
        } else if (*s == '[') {
            if (!copy_class(&s, o, why, size)) {
                if (why[0]) {
                    return false;
                }
                *invalid = true;
                return true;
            }
        } else if (s[0] == '(' && s[1] == '?') {
            if (s[2] != ':') {
                return unsup(why, size, "a (?...) group or flag");
            }
            (void)rsim_buf_puts(o, "(");
            s += 3;
        } else if ((*s == '*' || *s == '+' || *s == '?' || *s == '}') && s[1] == '?') {
            (void)rsim_buf_append(o, s, 1); /* lazy and greedy match the same names */
            s += 2;
        } else {
            (void)rsim_buf_append(o, s, 1);
            s++;
        }
    }
    return true;
}

int rsim_analysis_re_match(const char *pattern, const char *name, char *why, size_t size)
{
    char tmp[8];
    if (!why || size == 0) {
        why = tmp;
        size = sizeof tmp;
    }
    why[0] = '\0';
    if (pattern[0] == '\0') {
        return 1; /* the empty pattern matches everything */
    }
    rsim_buf o;
    rsim_buf_init(&o, RE_MAX_BYTES);
    bool invalid = false;
    if (!translate(pattern, &o, &invalid, why, size)) {
        rsim_buf_fini(&o);
        return -1;
    }
    int result = 0;
    regex_t re;
    if (!invalid && o.data && regcomp(&re, o.data, REG_EXTENDED | REG_NOSUB) == 0) {
        result = regexec(&re, name, 0, NULL, 0) == 0 ? 1 : 0;
        regfree(&re);
    }
    rsim_buf_fini(&o);
    return result;
}
