#!/bin/sh
# echo.cgi -- the demo's echo endpoint: answers with the request's method,
# query string, Content-Type, X-Request-ID and body, as JSON.
#
# It also sends its own "Access-Control-Allow-Origin: *", as many
# applications do.  Under CORSBackendHeaders replace (the default) mod_cors
# removes it and sends the policy's header instead, so the response carries
# exactly one Access-Control-Allow-Origin.

# JSON string contents from stdin: drop control characters but tab and
# newline, escape \ and ", turn tabs into spaces and newlines into \n.
json_escape() {
    tr -d '\000-\010\013-\037' | tr '\t' ' ' |
        sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' |
        awk '{ printf "%s%s", (NR > 1 ? "\\n" : ""), $0 }'
}

len=${CONTENT_LENGTH:-0}
case $len in
    '' | *[!0-9]*) len=0 ;;
esac
[ "$len" -gt 8192 ] && len=8192

body=""
if [ "$len" -gt 0 ]; then
    body=$(dd bs=1 count="$len" 2>/dev/null | json_escape)
fi
method=$(printf '%s' "${REQUEST_METHOD:-}" | json_escape)
query=$(printf '%s' "${QUERY_STRING:-}" | json_escape)
ctype=$(printf '%s' "${CONTENT_TYPE:-}" | json_escape)
reqid=$(printf '%s' "${HTTP_X_REQUEST_ID:-}" | json_escape)

printf 'Content-Type: application/json\r\n'
printf 'X-Total-Count: 1\r\n'
# Not in CORSExposeHeaders: a script on another origin cannot read it.
if [ -n "$reqid" ]; then
    printf 'X-Request-ID: %s\r\n' "$(printf '%s' "$reqid" | tr -cd 'A-Za-z0-9._-')"
fi
printf 'Access-Control-Allow-Origin: *\r\n'
printf '\r\n'
printf '{"method": "%s", "query": "%s", "content_type": "%s", "request_id": "%s", "body": "%s"}\n' \
    "$method" "$query" "$ctype" "$reqid" "$body"
