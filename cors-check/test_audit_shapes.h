/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_audit_shapes.h -- the table of test_audit.c: one row per CORS
 * recipe shape as admins write them (from tutorials, Q&A answers and
 * hosting snippets, rewritten here), with what cors-check audit must say
 * of it.  Risks are "kind@line", in the order audit reports them.
 */

static const shape shapes[] = {
/* ---- Access-Control-Allow-Origin: * ------------------------------------ */
{ "wildcard, Header set without always", HTA,
  "Header set Access-Control-Allow-Origin \"*\"\n",
  1, "lost-on-errors@1", "any", 0, NULL,
  "CORSAllowOrigin *\n" },
{ "wildcard, Header always set", HTA,
  "Header always set Access-Control-Allow-Origin \"*\"\n",
  1, "", "any", 0, NULL,
  "CORSAllowOrigin *\n" },
{ "wildcard in <IfModule> with methods and headers", HTA,
  "<IfModule mod_headers.c>\n"
  "    Header set Access-Control-Allow-Origin \"*\"\n"
  "    Header set Access-Control-Allow-Methods \"GET, POST, OPTIONS\"\n"
  "    Header set Access-Control-Allow-Headers \"Content-Type, Authorization\"\n"
  "</IfModule>\n",
  1, "lost-on-errors@2", "any", 0, NULL,
  "CORSAllowOrigin *\nCORSAllowHeaders Content-Type Authorization\n" },
{ "wildcard with credentials", HTA,
  "Header always set Access-Control-Allow-Origin \"*\"\n"
  "Header always set Access-Control-Allow-Credentials \"true\"\n",
  1, "wildcard-with-credentials@2", "any", 1, NULL,
  "CORSAllowOrigin *\n# credentials left out: browsers never send them to '*'; "
  "to allow them, list the origins (cors-check propose)\n" },
{ "web fonts in <FilesMatch>", CONF,
  "<FilesMatch \"\\.(ttf|otf|eot|woff2?)$\">\n"
  "    <IfModule mod_headers.c>\n"
  "        Header set Access-Control-Allow-Origin \"*\"\n"
  "    </IfModule>\n"
  "</FilesMatch>\n",
  1, "lost-on-errors@3", "any", 0, NULL,
  "CORSAllowOrigin *\n" },
{ "wildcard with every header listed (Origin among them)", HTA,
  "Header always set Access-Control-Allow-Origin \"*\"\n"
  "Header always set Access-Control-Allow-Methods \"POST, GET, OPTIONS, DELETE, PUT\"\n"
  "Header always set Access-Control-Max-Age \"1000\"\n"
  "Header always set Access-Control-Allow-Headers \"x-requested-with, Content-Type, "
  "origin, authorization, accept, client-security-token\"\n",
  1, "", "any", 0, NULL,
  "CORSAllowOrigin *\nCORSAllowMethods DELETE PUT\n"
  "# CORSAllowHeaders origin left out: 'origin' is a forbidden request header: "
  "browsers never let a page send it\n"
  "CORSAllowHeaders x-requested-with Content-Type authorization accept "
  "client-security-token\nCORSMaxAge 1000\n" },
{ "wildcard unless an env variable says no", HTA,
  "SetEnvIf Request_URI \"^/private/\" NO_CORS\n"
  "Header always set Access-Control-Allow-Origin \"*\" env=!NO_CORS\n",
  1, "", "any", 0, NULL,
  "CORSAllowOrigin *\n" },
{ "wildcard on /public/, one origin on /api/: two recipes", CONF,
  "<Location \"/public/\">\n"
  "    Header set Access-Control-Allow-Origin \"*\"\n"
  "</Location>\n"
  "<Location \"/api/\">\n"
  "    Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n"
  "</Location>\n",
  2, "lost-on-errors@2", "any", 0, NULL,
  "CORSAllowOrigin *\n" },

/* ---- fixed origins ------------------------------------------------------- */
{ "one fixed origin", HTA,
  "Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n",
  1, "", "https://app.example.com", 0, NULL,
  "CORSAllowOrigin https://app.example.com\n" },
{ "one fixed origin with credentials, without always", HTA,
  "Header set Access-Control-Allow-Origin \"https://app.example.com\"\n"
  "Header set Access-Control-Allow-Credentials \"true\"\n",
  1, "lost-on-errors@1", "https://app.example.com", 1, NULL,
  "CORSAllowOrigin https://app.example.com\nCORSAllowCredentials On\n" },
{ "a plain-http origin with credentials", HTA,
  "Header always set Access-Control-Allow-Origin \"http://app.example.com\"\n"
  "Header always set Access-Control-Allow-Credentials \"true\"\n",
  1, "http-origin-with-credentials@1", "http://app.example.com", 1, NULL,
  "# left out, plain http with credentials (serve them over https): "
  "http://app.example.com\n" },
{ "a local dev server with credentials", HTA,
  "Header always set Access-Control-Allow-Origin \"http://localhost:3000\"\n"
  "Header always set Access-Control-Allow-Credentials \"true\"\n",
  1, "", "http://localhost:3000", 1, NULL,
  "CORSAllowOrigin http://localhost:3000\nCORSAllowCredentials On\n" },
{ "the null origin", HTA,
  "Header always set Access-Control-Allow-Origin \"null\"\n",
  1, "null-allowed@1", "null", 0, NULL,
  "# null left out: any page can send it (a sandboxed iframe, a data: URL)\n" },
{ "two origins in one value", HTA,
  "Header always set Access-Control-Allow-Origin "
  "\"https://a.example.com https://b.example.com\"\n",
  1, "", "https://a.example.com https://b.example.com", 0, NULL,
  "CORSAllowOrigin https://a.example.com https://b.example.com\n" },
{ "names of any case, single quotes", HTA,
  "header ALWAYS Set access-control-allow-origin 'https://app.example.com'\n"
  "HEADER always set ACCESS-CONTROL-ALLOW-CREDENTIALS True\n",
  1, "", "https://app.example.com", 1, NULL,
  "CORSAllowOrigin https://app.example.com\nCORSAllowCredentials On\n" },
{ "continued lines", HTA,
  "Header always set Access-Control-Allow-Origin \\\n"
  "    \"https://app.example.com\"\n"
  "Header always set Access-Control-Allow-Methods \\\n"
  "    \"GET, PUT\"\n",
  1, "", "https://app.example.com", 0, NULL,
  "CORSAllowOrigin https://app.example.com\nCORSAllowMethods PUT\n" },
{ "'*' methods and headers with credentials, a long max-age", HTA,
  "Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n"
  "Header always set Access-Control-Allow-Credentials \"true\"\n"
  "Header always set Access-Control-Allow-Methods \"*\"\n"
  "Header always set Access-Control-Allow-Headers \"*\"\n"
  "Header always set Access-Control-Expose-Headers \"X-Total-Count, Set-Cookie\"\n"
  "Header always set Access-Control-Max-Age \"172800\"\n",
  1, "", "https://app.example.com", 1, NULL,
  "CORSAllowOrigin https://app.example.com\nCORSAllowCredentials On\n"
  "# CORSAllowMethods '*' left out: with credentials, list the names\n"
  "# CORSAllowHeaders '*' left out: with credentials, list the names\n"
  "# CORSExposeHeaders Set-Cookie left out: 'Set-Cookie' can never be exposed to a page\n"
  "CORSExposeHeaders X-Total-Count\nCORSMaxAge 86400\n" },
{ "one env variable per origin", HTA,
  "SetEnvIf Origin \"^https://a\\.example\\.com$\" CORS_A\n"
  "SetEnvIf Origin \"^https://b\\.example\\.com$\" CORS_B\n"
  "Header always set Access-Control-Allow-Origin \"https://a.example.com\" env=CORS_A\n"
  "Header always set Access-Control-Allow-Origin \"https://b.example.com\" env=CORS_B\n"
  VARY,
  1, "", "https://a.example.com https://b.example.com", 0, NULL,
  "CORSAllowOrigin https://a.example.com https://b.example.com\n" },
{ "Header unset and Vary only: no recipe", HTA,
  "Header unset Access-Control-Allow-Origin\n" VARY,
  0, NULL, NULL, 0, NULL, NULL },

/* ---- the Origin echoed back ---------------------------------------------- */
{ "%{HTTP_ORIGIN}e with env=HTTP_ORIGIN, credentials", HTA,
  "Header always set Access-Control-Allow-Origin \"%{HTTP_ORIGIN}e\" env=HTTP_ORIGIN\n"
  "Header always set Access-Control-Allow-Credentials \"true\"\n",
  1, "reflects-any-origin@1 no-vary@1", "any", 1, NULL, ANY_PROPOSAL },
{ "expr=%{req:Origin} echoed, with Vary", HTA,
  "Header always set Access-Control-Allow-Origin expr=%{req:Origin}\n" VARY,
  1, "reflects-any-origin@1", "any", 0, NULL, ANY_PROPOSAL },
{ "SetEnvIf Origin (.*) echoed with credentials", HTA,
  "SetEnvIf Origin \"(.*)\" ORIGIN=$1\n"
  "Header set Access-Control-Allow-Origin \"%{ORIGIN}e\" env=ORIGIN\n"
  "Header set Access-Control-Allow-Credentials \"true\"\n",
  1, "reflects-any-origin@1 no-vary@2 lost-on-errors@2", "any", 1, NULL,
  ANY_PROPOSAL },
{ "SetEnvIf Origin ^(.*)$ with Vary", HTA,
  "SetEnvIf Origin \"^(.*)$\" ORIGIN_SUB_DOMAIN=$1\n"
  "Header always set Access-Control-Allow-Origin \"%{ORIGIN_SUB_DOMAIN}e\" "
  "env=ORIGIN_SUB_DOMAIN\n" VARY,
  1, "reflects-any-origin@1", "any", 0, NULL, ANY_PROPOSAL },
{ "SetEnvIf Origin .+ as a flag, HTTP_ORIGIN echoed", HTA,
  "SetEnvIf Origin \".+\" HAS_ORIGIN\n"
  "Header always set Access-Control-Allow-Origin \"%{HTTP_ORIGIN}e\" env=HAS_ORIGIN\n",
  1, "reflects-any-origin@1 no-vary@2", "any", 0, NULL, ANY_PROPOSAL },
{ "a negative lookahead lets every other site in", HTA,
  "SetEnvIf Origin \"^https://(?!evil).*$\" CORS_ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n",
  1, "reflects-any-origin@1 no-vary@2", "any", 0, NULL, ANY_PROPOSAL },
{ "SetEnvIf on the URL, not the Origin", HTA,
  "SetEnvIf Request_URI \"^/api/\" API\n"
  "Header always set Access-Control-Allow-Origin \"%{HTTP_ORIGIN}e\" env=API\n",
  1, "reflects-any-origin@2 no-vary@2", "any", 0, NULL, ANY_PROPOSAL },
{ "rewrite: the Origin into E= for every request", HTA,
  "RewriteEngine On\n"
  "RewriteRule .* - [E=ORIGIN:%{HTTP:Origin}]\n"
  "Header always set Access-Control-Allow-Origin %{ORIGIN}e env=ORIGIN\n"
  "Header always set Access-Control-Allow-Credentials true\n",
  1, "reflects-any-origin@3 no-vary@3", "any", 1, NULL, ANY_PROPOSAL },
{ "rewrite: any Origin but an empty one", HTA,
  "RewriteEngine On\n"
  "RewriteCond %{HTTP:Origin} !^$\n"
  "RewriteRule .* - [E=CORS_ORIGIN:%{HTTP:Origin}]\n"
  "Header always set Access-Control-Allow-Origin %{CORS_ORIGIN}e env=CORS_ORIGIN\n",
  1, "reflects-any-origin@2", "any", 0, NULL, ANY_PROPOSAL },
{ "<If> with != lets every other site in", HTA,
  "<If \"%{HTTP:Origin} != 'https://evil.example'\">\n"
  "    Header always set Access-Control-Allow-Origin expr=%{req:Origin}\n"
  "</If>\n",
  1, "reflects-any-origin@1", "any", 0, NULL, ANY_PROPOSAL },

/* ---- SetEnvIf regexes ---------------------------------------------------- */
{ "unescaped dots: https://.*.your-domain.tld", HTA,
  "SetEnvIf Origin \"https://.*.your-domain.tld\" ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{ORIGIN}e\" env=ORIGIN\n"
  "Header always set Access-Control-Allow-Credentials \"true\"\n" VARY,
  1, "regex-lets-in@1", "https://*.your-domain.tld", 1,
  "https://evilyour-domain.tld",
  "CORSAllowOrigin https://*.your-domain.tld\nCORSAllowCredentials On\n" },
{ "anchored at the start only, the Origin echoed through expr=", HTA,
  "SetEnvIf Origin \"^https://app\\.example\\.com\" CORS_OK\n"
  "Header always set Access-Control-Allow-Origin expr=%{req:Origin} env=CORS_OK\n"
  VARY,
  1, "regex-lets-in@1", "https://app.example.com", 0,
  "https://app.example.com.evil.example",
  "CORSAllowOrigin https://app.example.com\n" },
{ "anchored at the start only, $0 echoed: never another site's own origin", HTA,
  "SetEnvIf Origin \"^https://app\\.example\\.com\" CORS_ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin %{CORS_ORIGIN}e env=CORS_ORIGIN\n"
  VARY,
  1, "", "https://app.example.com", 0, NULL,
  "CORSAllowOrigin https://app.example.com\n" },
{ "anything before the domain, (.*example\\.com)$ echoed as $1", HTA,
  "SetEnvIf Origin \"(.*example\\.com)$\" CORS_ORIGIN=$1\n"
  "Header always set Access-Control-Allow-Origin %{CORS_ORIGIN}e env=CORS_ORIGIN\n"
  VARY,
  1, "regex-lets-in@1", "https://example.com https://*.example.com", 0,
  "https://evilexample.com",
  "CORSAllowOrigin https://example.com https://*.example.com\n" },
{ "no anchors, no scheme, $0: only the matched text is sent", HTA,
  "SetEnvIfNoCase Origin \"example.com\" AccessControlAllowOrigin=$0\n"
  "Header add Access-Control-Allow-Origin %{AccessControlAllowOrigin}e "
  "env=AccessControlAllowOrigin\n",
  1, "no-vary@2 lost-on-errors@2", "https://example.com", 0, NULL,
  "CORSAllowOrigin https://example.com\n" },
{ "the Q&A allowlist with unescaped dots", CONF,
  "<IfModule mod_headers.c>\n"
  "    SetEnvIf Origin \"http(s)?://(www\\.)?(google.com|staging.google.com|"
  "development.google.com)$\" AccessControlAllowOrigin=$0\n"
  "    Header add Access-Control-Allow-Origin %{AccessControlAllowOrigin}e "
  "env=AccessControlAllowOrigin\n"
  "    Header merge Vary Origin\n"
  "</IfModule>\n",
  1, "regex-lets-in@2 lost-on-errors@3",
  "http://google.com http://staging.google.com http://development.google.com "
  "http://www.google.com http://www.staging.google.com http://www.development.google.com "
  "https://google.com https://staging.google.com https://development.google.com "
  "https://www.google.com https://www.staging.google.com https://www.development.google.com",
  0, "http://googlexcom",
  "CORSAllowOrigin http://google.com http://staging.google.com "
  "http://development.google.com http://www.google.com http://www.staging.google.com "
  "http://www.development.google.com https://google.com https://staging.google.com "
  "https://development.google.com https://www.google.com https://www.staging.google.com "
  "https://www.development.google.com\n" },
{ "two hosts, anchored and escaped", HTA,
  "SetEnvIf Origin \"^https://(app|admin)\\.example\\.com$\" CORS_ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n"
  VARY
  "Header always set Access-Control-Allow-Credentials \"true\"\n",
  1, "", "https://app.example.com https://admin.example.com", 1, NULL,
  "CORSAllowOrigin https://app.example.com https://admin.example.com\n"
  "CORSAllowCredentials On\n" },
{ "subdomains at any depth, ([a-z0-9-]+\\.)*", HTA,
  "SetEnvIf Origin \"^https://([a-z0-9-]+\\.)*example\\.com$\" CORS_ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n"
  VARY,
  1, "", "https://example.com https://*.example.com", 0, NULL,
  "CORSAllowOrigin https://example.com https://*.example.com\n" },
{ "https? and www with credentials", HTA,
  "SetEnvIf Origin \"^https?://(www\\.)?example\\.com$\" CORS_ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n"
  "Header always set Access-Control-Allow-Credentials \"true\"\n" VARY,
  1, "http-origin-with-credentials@1",
  "http://example.com http://www.example.com https://example.com https://www.example.com",
  1, NULL,
  "# left out, plain http with credentials (serve them over https): "
  "http://example.com, http://www.example.com\n"
  "CORSAllowOrigin https://example.com https://www.example.com\n"
  "CORSAllowCredentials On\n" },
{ "https? and www without credentials", HTA,
  "SetEnvIf Origin \"^https?://(www\\.)?example\\.com$\" CORS_ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n"
  VARY,
  1, "",
  "http://example.com http://www.example.com https://example.com https://www.example.com",
  0, NULL,
  "CORSAllowOrigin http://example.com http://www.example.com https://example.com "
  "https://www.example.com\n" },
{ "optional subdomain (.*\\.)?", HTA,
  "SetEnvIf Origin \"^https://(.*\\.)?example\\.com$\" CORS_ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n"
  VARY,
  1, "", "https://example.com https://*.example.com", 0, NULL,
  "CORSAllowOrigin https://example.com https://*.example.com\n" },
{ "https://(.*)?\\.example\\.com.* (a path allowed after the host)", HTA,
  "SetEnvIf Origin \"https://(.*)?\\.example\\.com.*\" CORS_ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n"
  VARY,
  1, "regex-lets-in@1", "https://*.example.com", 0,
  "https://evil.example.com.evil.example",
  "CORSAllowOrigin https://*.example.com\n" },
{ "localhost on any port, credentials", HTA,
  "SetEnvIf Origin \"^http://localhost(:[0-9]+)?$\" CORS_ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n"
  VARY
  "Header always set Access-Control-Allow-Credentials \"true\"\n",
  1, "", "http://localhost:*", 1, NULL,
  "CORSAllowOrigin http://localhost:*\nCORSAllowCredentials On\n" },
{ "loopback names and ports, https?", HTA,
  "SetEnvIf Origin \"^https?://(localhost|127\\.0\\.0\\.1)(:\\d+)?$\" CORS_ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n"
  "Header always set Access-Control-Allow-Credentials \"true\"\n" VARY,
  1, "", "http://localhost:* http://127.0.0.1:* https://localhost:* https://127.0.0.1:*",
  1, NULL,
  "CORSAllowOrigin http://localhost:* http://127.0.0.1:* https://localhost:* "
  "https://127.0.0.1:*\nCORSAllowCredentials On\n" },
{ "null written in the regex", HTA,
  "SetEnvIf Origin \"^(null|https://app\\.example\\.com)$\" ORIGIN_OK=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{ORIGIN_OK}e\" env=ORIGIN_OK\n"
  VARY,
  1, "null-allowed@1", "null https://app.example.com", 0, NULL,
  "# null left out: any page can send it (a sandboxed iframe, a data: URL)\n"
  "CORSAllowOrigin https://app.example.com\n" },
{ "a Define'd name in the regex, its dots unescaped", CONF,
  "Define APP_HOST app.example.com\n"
  "<VirtualHost *:443>\n"
  "    SetEnvIf Origin \"^https://${APP_HOST}$\" ORIGIN_OK=$0\n"
  "    Header always set Access-Control-Allow-Origin \"%{ORIGIN_OK}e\" env=ORIGIN_OK\n"
  "    " VARY
  "</VirtualHost>\n",
  1, "regex-lets-in@3", "https://app.example.com", 0, "https://appxexample.com",
  "CORSAllowOrigin https://app.example.com\n" },
{ "one label of letters, [a-z]+\\.", HTA,
  "SetEnvIf Origin \"^https://[a-z]+\\.example\\.com$\" CORS_ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n"
  VARY,
  1, "", "https://*.example.com", 0, NULL,
  "CORSAllowOrigin https://*.example.com\n" },
{ "digits inside a name: kept as a regex", HTA,
  "SetEnvIf Origin \"^https://app[0-9]+\\.example\\.com$\" CORS_ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n"
  VARY,
  1, "", "^https://app[0-9]+\\.example\\.com$", 0, NULL,
  "CORSAllowOriginMatch \"^https://app[0-9]+\\.example\\.com$\"\n" },
{ "SetEnvIfNoCase, a good regex", HTA,
  "SetEnvIfNoCase Origin \"^https://app\\.example\\.com$\" CORS_ORIGIN=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n"
  VARY,
  1, "", "https://app.example.com", 0, NULL,
  "CORSAllowOrigin https://app.example.com\n" },
{ "one variable from two SetEnvIf lines, one of them loose", HTA,
  "SetEnvIf Origin \"^https://a\\.example\\.com$\" ORIGIN_OK=$0\n"
  "SetEnvIf Origin \"^https://b.example.com$\" ORIGIN_OK=$0\n"
  "Header always set Access-Control-Allow-Origin \"%{ORIGIN_OK}e\" env=ORIGIN_OK\n"
  VARY,
  1, "regex-lets-in@2", "https://a.example.com https://b.example.com", 0,
  "https://bxexample.com",
  "CORSAllowOrigin https://a.example.com https://b.example.com\n" },
{ "SetEnvIfExpr on the Origin", HTA,
  "SetEnvIfExpr \"%{HTTP:Origin} =~ /^https:\\/\\/(app|www)\\.example\\.com$/\" CORS_OK=1\n"
  "Header always set Access-Control-Allow-Origin \"%{HTTP_ORIGIN}e\" env=CORS_OK\n"
  VARY,
  1, "", "https://app.example.com https://www.example.com", 0, NULL,
  "CORSAllowOrigin https://app.example.com https://www.example.com\n" },
{ "SetEnvIf in server config, Header in the virtual host", CONF,
  "SetEnvIf Origin \"^https://app\\.example\\.com$\" CORS_ORIGIN=$0\n"
  "<VirtualHost *:443>\n"
  "    ServerName api.example.com\n"
  "    Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" "
  "env=CORS_ORIGIN\n"
  "    " VARY
  "</VirtualHost>\n",
  1, "", "https://app.example.com", 0, NULL,
  "CORSAllowOrigin https://app.example.com\n" },
{ "<Directory> with Header add and Vary append", CONF,
  "<Directory \"/var/www/html/api\">\n"
  "    SetEnvIf Origin \"^https://([a-z]+\\.)?example\\.org$\" CORS=$0\n"
  "    Header add Access-Control-Allow-Origin \"%{CORS}e\" env=CORS\n"
  "    Header append Vary Origin\n"
  "</Directory>\n",
  1, "lost-on-errors@3", "https://example.org https://*.example.org", 0, NULL,
  "CORSAllowOrigin https://example.org https://*.example.org\n" },

/* ---- mod_rewrite --------------------------------------------------------- */
{ "rewrite: RewriteCond on HTTP:Origin into E=, [NC]", HTA,
  "RewriteEngine On\n"
  "RewriteCond %{HTTP:Origin} ^https://(www\\.)?example\\.com$ [NC]\n"
  "RewriteRule .* - [E=CORS_ORIGIN:%{HTTP:Origin}]\n"
  "Header always set Access-Control-Allow-Origin %{CORS_ORIGIN}e env=CORS_ORIGIN\n"
  VARY,
  1, "", "https://example.com https://www.example.com", 0, NULL,
  "CORSAllowOrigin https://example.com https://www.example.com\n" },
{ "rewrite: HTTP:Origin with an unescaped dot, %0", HTA,
  "RewriteEngine on\n"
  "RewriteCond %{HTTP:Origin} ^https://api.example.com$\n"
  "RewriteRule ^ - [E=AO:%0]\n"
  "Header set Access-Control-Allow-Origin %{AO}e env=AO\n",
  1, "regex-lets-in@2 lost-on-errors@4", "https://api.example.com", 0,
  "https://apixexample.com",
  "CORSAllowOrigin https://api.example.com\n" },
{ "rewrite: two origins with [OR]", HTA,
  "RewriteEngine On\n"
  "RewriteCond %{HTTP:Origin} ^https://a\\.example\\.com$ [OR]\n"
  "RewriteCond %{HTTP:Origin} ^https://b\\.example\\.com$\n"
  "RewriteRule .* - [E=CORS_ORIGIN:%{HTTP:Origin}]\n"
  "Header always set Access-Control-Allow-Origin %{CORS_ORIGIN}e env=CORS_ORIGIN\n"
  VARY,
  1, "", "https://a.example.com https://b.example.com", 0, NULL,
  "CORSAllowOrigin https://a.example.com https://b.example.com\n" },
{ "rewrite: [NV] keeps Origin out of Vary", HTA,
  "RewriteEngine On\n"
  "RewriteCond %{HTTP:Origin} ^https://app\\.example\\.com$ [NV]\n"
  "RewriteRule .* - [E=CORS_ORIGIN:%{HTTP:Origin}]\n"
  "Header always set Access-Control-Allow-Origin %{CORS_ORIGIN}e env=CORS_ORIGIN\n",
  1, "no-vary@4", "https://app.example.com", 0, NULL,
  "CORSAllowOrigin https://app.example.com\n" },
{ "<If> with req_novary('Origin')", HTA,
  "<If \"req_novary('Origin') == 'https://app.example.com'\">\n"
  "    Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n"
  "</If>\n",
  1, "no-vary@2", "https://app.example.com", 0, NULL,
  "CORSAllowOrigin https://app.example.com\n" },
{ "rewrite: every OPTIONS answered 200", HTA,
  "Header always set Access-Control-Allow-Origin \"*\"\n"
  "Header always set Access-Control-Allow-Methods \"GET, POST, PUT, DELETE, OPTIONS\"\n"
  "Header always set Access-Control-Allow-Headers \"Content-Type, Authorization, "
  "X-Requested-With\"\n"
  "RewriteEngine On\n"
  "RewriteCond %{REQUEST_METHOD} OPTIONS\n"
  "RewriteRule ^(.*)$ $1 [R=200,L]\n",
  1, "preflight-any-options@6", "any", 0, NULL,
  "CORSAllowOrigin *\nCORSAllowMethods PUT DELETE\n"
  "CORSAllowHeaders Content-Type Authorization X-Requested-With\n"
  "# remove the rule at line 6 that answers OPTIONS: mod_cors answers preflights "
  "itself\n" },
{ "rewrite: =OPTIONS answered 204", HTA,
  "Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n"
  "RewriteEngine On\n"
  "RewriteCond %{REQUEST_METHOD} =OPTIONS\n"
  "RewriteRule ^ - [R=204,L]\n",
  1, "preflight-any-options@4", "https://app.example.com", 0, NULL,
  "CORSAllowOrigin https://app.example.com\n"
  "# remove the rule at line 4 that answers OPTIONS: mod_cors answers preflights "
  "itself\n" },
{ "rewrite: OPTIONS answered only for the allowed origin", HTA,
  "RewriteEngine On\n"
  "RewriteCond %{HTTP:Origin} ^https://app\\.example\\.com$\n"
  "RewriteRule .* - [E=CORS_ORIGIN:%0]\n"
  "RewriteCond %{REQUEST_METHOD} OPTIONS\n"
  "RewriteCond %{HTTP:Origin} ^https://app\\.example\\.com$\n"
  "RewriteRule ^ - [R=204,L]\n"
  "Header always set Access-Control-Allow-Origin %{CORS_ORIGIN}e env=CORS_ORIGIN\n"
  VARY,
  1, "", "https://app.example.com", 0, NULL,
  "CORSAllowOrigin https://app.example.com\n" },

{ "rewrite: %{HTTP_ORIGIN}, which mod_rewrite reads as empty", HTA,
  "RewriteEngine On\n"
  "RewriteCond %{HTTP_ORIGIN} ^https://app\\.example\\.com$\n"
  "RewriteRule .* - [E=CORS_ORIGIN:%0]\n"
  "Header always set Access-Control-Allow-Origin %{CORS_ORIGIN}e env=CORS_ORIGIN\n"
  VARY,
  1, "", "", 0, NULL, ANY_PROPOSAL },

/* ---- <If> and expr= ---------------------------------------------------------- */
{ "<If> with m#regex#, expr= value", HTA,
  "<If \"%{HTTP:Origin} =~ m#^https://(app|www)\\.example\\.com$#\">\n"
  "    Header always set Access-Control-Allow-Origin expr=%{req:Origin}\n"
  "</If>\n",
  1, "", "https://app.example.com https://www.example.com", 0, NULL,
  "CORSAllowOrigin https://app.example.com https://www.example.com\n" },
{ "<If> with ==, credentials", HTA,
  "<If \"%{HTTP:Origin} == 'https://app.example.com'\">\n"
  "    Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n"
  "    Header always set Access-Control-Allow-Credentials \"true\"\n"
  "</If>\n" VARY,
  1, "", "https://app.example.com", 1, NULL,
  "CORSAllowOrigin https://app.example.com\nCORSAllowCredentials On\n" },
{ "<If> with in { ... }", HTA,
  "<If \"%{HTTP:Origin} in { 'https://a.example.com', 'https://b.example.com' }\">\n"
  "    Header always set Access-Control-Allow-Origin expr=%{req:Origin}\n"
  "    " VARY
  "</If>\n",
  1, "", "https://a.example.com https://b.example.com", 0, NULL,
  "CORSAllowOrigin https://a.example.com https://b.example.com\n" },
{ "<If> with an unanchored regex", HTA,
  "<If \"%{HTTP:Origin} =~ /example\\.com/\">\n"
  "    Header always set Access-Control-Allow-Origin expr=%{req:Origin}\n"
  "</If>\n",
  1, "regex-lets-in@1", "https://example.com", 0, "https://evilexample.com",
  "CORSAllowOrigin https://example.com\n" },
{ "Header with an expr= condition", HTA,
  "Header always set Access-Control-Allow-Origin \"%{HTTP_ORIGIN}e\" "
  "\"expr=%{HTTP:Origin} =~ /^https:\\/\\/app\\.example\\.com$/\"\n" VARY,
  1, "", "https://app.example.com", 0, NULL,
  "CORSAllowOrigin https://app.example.com\n" },
};
