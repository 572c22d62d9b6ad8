/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf_reader.h -- httpd configuration files and .htaccess files read the
 * way httpd reads them, for cors-check audit: logical lines (backslash
 * continuations joined, comments dropped), words split as
 * ap_getword_conf() splits them (double or single quotes, \" inside
 * them), sections (<VirtualHost>, <Location>, <IfModule>, <If> ...)
 * nested, directive names compared without case, Include and
 * IncludeOptional followed (globs, directories, relative to ServerRoot),
 * ${NAME} replaced by what a Define line before it gave NAME (variables
 * from the environment, such as Debian's ${APACHE_LOG_DIR}, are left as
 * they are).
 *
 * Nothing read is ever run or loaded: an <IfModule> is read whatever
 * modules there are, both branches of an <IfDefine> are read.
 */
#ifndef CONF_READER_H
#define CONF_READER_H

#include "apr_hash.h"
#include "apr_pools.h"
#include "apr_tables.h"

/* Where a directive sits.  Sections nest through parent; a .htaccess file
 * gets a section of its own (name "Directory", its directory as args,
 * htaccess set), so that every file of them is a scope of its own. */
typedef struct conf_section conf_section;
struct conf_section {
    const char *name;           /* as written: "Location", "IfModule" */
    const char *args;           /* the rest of the line, words joined */
    const char *file;
    int line;
    int htaccess;               /* the root of a .htaccess file */
    const conf_section *parent;
};

typedef struct {
    const char *file;
    int line;                   /* of the logical line's first line */
    const char *name;           /* as written */
    apr_array_header_t *args;   /* const char *, quotes removed */
    const char *text;           /* the logical line, continuations joined */
    const conf_section *section;        /* innermost; NULL: server config */
} conf_directive;

typedef struct {
    apr_pool_t *pool;
    apr_array_header_t *directives;     /* conf_directive, in reading order */
    apr_array_header_t *files;          /* const char *: every file read */
    const char *server_root;            /* from ServerRoot, or NULL */
    apr_hash_t *defines;                /* Define NAME [value] */
} conf_tree;

conf_tree *conf_tree_make(apr_pool_t *p);

/* Reads a configuration file, a .htaccess file (by its name), or a
 * directory (every .htaccess and *.conf below it, in name order) into t.
 * Returns NULL, or a message naming the file (and line) that could not
 * be read: a missing file, an Include that matches nothing, a section
 * left open or closed twice, includes nested too deep. */
const char *conf_read_path(conf_tree *t, const char *path);

/* Splits a line into words as httpd does; the words are copied from p. */
apr_array_header_t *conf_split_words(apr_pool_t *p, const char *line);

/* The word at i, or NULL past the end. */
const char *conf_arg(const conf_directive *d, int i);

/* Is the directive named name (without case)? */
int conf_is(const conf_directive *d, const char *name);

/* Does the section make a scope of its own (<VirtualHost>, <Directory>,
 * <Location>, <Files>, their *Match forms, <Proxy>, a .htaccess file), as
 * opposed to a condition read in place (<IfModule>, <IfDefine>,
 * <IfVersion>, <If>, <Limit> ...)? */
int conf_section_is_scope(const conf_section *s);

/* The innermost section of d that makes a scope, or NULL (server). */
const conf_section *conf_scope_of(const conf_directive *d);

/* The scope as people write it: "server config",
 * "<VirtualHost *:443> <Location \"/api/\">", ".htaccess in /var/www/a". */
const char *conf_scope_name(apr_pool_t *p, const conf_section *scope);

/* Is inner the scope outer or one below it? */
int conf_scope_within(const conf_section *inner, const conf_section *outer);

#endif /* CONF_READER_H */
