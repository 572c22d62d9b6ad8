/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_chars.h -- the character classes of the pure code: ASCII only and
 * independent of the locale (an Origin or a header name is bytes, not text
 * in the server's language).
 *
 * Inline: these run per byte of every Origin and
 * Access-Control-Request-Headers value, where a call would cost more than
 * the test.
 */
#ifndef CORS_CHARS_H
#define CORS_CHARS_H

#include <stddef.h>

#include "apr.h"

/* Classes by table (cors_char_class[byte] is a mask of these). */
typedef enum {
    CORS_C_TCHAR = 1,           /* RFC 9110 tchar */
    CORS_C_HOST = 2,            /* a-z 0-9 - _ : a host as browsers send it */
    CORS_C_SCHEME = 4           /* a-z 0-9 + - . */
} cors_char_classes;

/* The classes of each byte (CORS_C_TCHAR 1, CORS_C_HOST 2, CORS_C_SCHEME
 * 4).  Static in each file that uses it: the compiler then addresses it
 * directly, not through a shared object's global offset table. */
static const unsigned char cors_char_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 5, 0, 7, 5, 0,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 3,
    1, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 1, 0, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static APR_INLINE int cors_is_lower(int c) { return c >= 'a' && c <= 'z'; }
static APR_INLINE int cors_is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static APR_INLINE int cors_is_digit(int c) { return c >= '0' && c <= '9'; }

static APR_INLINE int cors_is_hex(int c)
{
    return cors_is_digit(c) || (c >= 'a' && c <= 'f')
           || (c >= 'A' && c <= 'F');
}

static APR_INLINE int cors_to_lower(int c)
{
    return cors_is_upper(c) ? c + ('a' - 'A') : c;
}

static APR_INLINE int cors_is_tchar(int c)
{
    return cors_char_class[c & 0xff] & CORS_C_TCHAR;
}

static APR_INLINE int cors_is_scheme_char(int c)
{
    return cors_char_class[c & 0xff] & CORS_C_SCHEME;
}

static APR_INLINE int cors_is_host_char(int c)
{
    return cors_char_class[c & 0xff] & CORS_C_HOST;
}

/* Is name (len bytes, in any case) key (lowercase)?  Header names differ
 * mostly in their first bytes, so a mismatch ends the loop at once. */
static APR_INLINE int cors_same_name(const char *key, const char *name,
                                     size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (key[i] != (char)cors_to_lower((unsigned char)name[i])) {
            return 0;
        }
    }
    return 1;
}

#endif /* CORS_CHARS_H */
