/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_map_txt.c -- the txt parser of CORSAllowOriginMap
 * (cors_map_parse_txt()), as it reads a file in chunks.
 *
 * Input: the first byte picks the chunk size (1 to 256, 0 meaning the
 * whole input at once); the rest is the file.  Checks, besides the
 * sanitizers:
 *  - the answer does not depend on how the file is cut into chunks (one
 *    piece and the chosen size give the same error or the same entries);
 *  - an error names the file and a line ("map.txt line N: ...");
 *  - an accepted file has no more entries than lines, and each of its
 *    first-field entries that is an exact origin is allowed by the set.
 */
#include "fuzz_common.h"

#include "cors_image.h"
#include "cors_map_file.h"

FUZZ_INITIALIZE_APR_ONLY

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    cors_map_builder *whole, *pieces;
    cors_image img;
    const char *err1, *err2, *text;
    long n1 = 0, n2 = 0, lines = 0;
    int comments;
    size_t chunk, i;

    if (size < 1) {
        return 0;
    }
    chunk = data[0];
    text = (const char *)data + 1;
    size--;
    p = fuzz_pool();
    whole = cors_image_builder_make(p, CORS_BUILD_ANY_ENTRY);
    pieces = cors_image_builder_make(p, CORS_BUILD_ANY_ENTRY);
    err1 = cors_map_parse_txt(p, "map.txt", text, size, 0, whole, &comments);
    err2 = cors_map_parse_txt(p, "map.txt", text, size, chunk, pieces,
                              &comments);
    n1 = cors_image_builder_entries(whole);
    n2 = cors_image_builder_entries(pieces);
    if ((err1 == NULL) != (err2 == NULL)
        || (err1 && strcmp(err1, err2) != 0) || (!err1 && n1 != n2)
        || (!err1 && cors_image_builder_digest(whole)
                     != cors_image_builder_digest(pieces))) {
        fuzz_print(stderr, "whole:  ", err1 ? err1 : "ok");
        fuzz_print(stderr, "pieces: ", err2 ? err2 : "ok");
        FUZZ_FAIL("chunk size %zu changes the answer (%ld vs %ld entries)",
                  chunk, n1, n2);
    }
    if (err1 && strncmp(err1, "map.txt line ", 13) != 0) {
        fuzz_print(stderr, "error: ", err1);
        FUZZ_FAIL("error does not name the file and line");
    }
    for (i = 0; i < size; i++) {
        lines += text[i] == '\n';
    }
    if (!err1 && n1 > lines + 1) {
        FUZZ_FAIL("%ld entries from %ld lines", n1, lines + 1);
    }
    /* the image of what was read is whole, and every exact origin
     * accepted is allowed: re-read each line's first field and ask it */
    if (!err1) {
        void *buf = apr_palloc(p, cors_image_size(whole));
        cors_image_meta meta = { 1, 0, 0, 0, "", 0 };
        apr_size_t used = cors_image_write(whole, &meta, buf);
        const char *bad = cors_image_open(p, buf, used, &img);
        if (bad) {
            fuzz_print(stderr, "image: ", bad);
            FUZZ_FAIL("the image of an accepted map does not open");
        }
    }
    if (!err1) {
        size_t start = 0;
        for (i = 0; i <= size; i++) {
            if (i == size || text[i] == '\n') {
                char *line = fuzz_strndup((const uint8_t *)text + start,
                                          i - start);
                char *hash = strchr(line, '#'), *tok, *last;
                const char *norm;
                if (hash) {
                    *hash = '\0';
                }
                tok = apr_strtok(line, " \t\r\v\f", &last);
                if (tok && strchr(tok, '*') == NULL
                    && cors_origin_normalize(p, tok, &norm) == NULL
                    && cors_origin_is_valid(norm)
                    && !cors_image_match(&img, norm)) {
                    fuzz_print(stderr, "entry: ", tok);
                    FUZZ_FAIL("an accepted entry is not allowed");
                }
                free(line);
                start = i + 1;
            }
        }
    }
    apr_pool_destroy(p);
    return 0;
}
