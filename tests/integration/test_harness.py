# SPDX-License-Identifier: Apache-2.0
"""Self-tests of the harness, on an httpd WITHOUT mod_cors (they run before `make` too)."""

import pytest

from httpd_harness import Httpd, assert_no_cors

CONF = r"""
<Location "/hdr">
  Header always add X-Dup a
  Header always add X-Dup b
  Header always set Vary "Accept-Encoding, X-Foo"
</Location>
<Directory "${DOCROOT}/cgi">
  Options +ExecCGI
  AddHandler cgi-script .cgi
</Directory>
<VirtualHost 127.0.0.1:${PORT2}>
  DocumentRoot "${DOCROOT}/two"
</VirtualHost>
"""

FILES = {
    "htdocs/a.txt": "hello ${PORT}",
    "htdocs/hdr": "x",
    "htdocs/two/b.txt": "two",
    "htdocs/cgi/echo.cgi": "#!/bin/sh\ncat >/dev/null\nprintf 'Content-Type: text/plain\\r\\nX-From-Cgi: 1\\r\\n\\r\\n'\n"
                           "printf '%s %s' \"$REQUEST_METHOD\" \"$HTTP_ORIGIN\"\n",
}


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    s = Httpd(tmp_path_factory.mktemp("harness"), CONF, files=FILES, with_cors=False,
              modules=("headers", "cgid"))
    s.start()
    s.check_log()
    yield s
    s.stop()


def test_static_and_placeholders(plain):
    r = plain.request("GET", "/a.txt")
    assert r.status == 200
    assert r.body == f"hello {plain.port}".encode()
    assert_no_cors(r)


def test_duplicates_and_vary(plain):
    r = plain.request("GET", "/hdr")
    assert r.get_all("x-dup") == ["a", "b"]
    assert r.vary_tokens() == ["Accept-Encoding", "X-Foo"]
    with pytest.raises(AssertionError):
        r.get("X-Dup")
    assert r.get("X-None") is None and not r.has("x-none")


def test_second_port_and_head(plain):
    assert plain.request("GET", "/b.txt", port=plain.port2).body == b"two"
    r = plain.request("HEAD", "/a.txt")
    assert r.status == 200 and r.body == b""


def test_cgi_and_duplicate_request_headers(plain):
    r = plain.request("POST", "/cgi/echo.cgi", [("Origin", "https://a.example"),
                                                 ("Origin", "https://b.example")], body=b"x=1")
    assert r.status == 200, r
    assert r.get("X-From-Cgi") == "1"
    assert r.body == b"POST https://a.example, https://b.example"


def test_access_log_and_marks(plain):
    r = plain.preflight("/nothere-xyz", "https://a.example", "PUT", ["a", "b"])
    assert plain.access_log_line(r) == "OPTIONS /nothere-xyz 200 cors=-"
    assert "OPTIONS /nothere-xyz 200 cors=-" in plain.access_log_lines()
    plain.mark_log()
    assert plain.new_log_lines() == []
    plain.check_log()


def test_check_log_detects_errors(plain):
    # a missing file logs nothing at warn; a CGI that fails logs [cgid:error]
    plain.write_files({"htdocs/cgi/bad.cgi": "#!/nonexistent/interpreter\n"})
    plain.mark_log()
    r = plain.request("GET", "/cgi/bad.cgi")
    assert r.status == 500
    with pytest.raises(AssertionError):
        plain.check_log()
    # check_log moved the mark: nothing new now
    plain.check_log()
    r = plain.request("GET", "/cgi/bad.cgi")
    plain.check_log(allow=[r"cgid:error", r"AH01215|AH01241|exec of"])


def test_configtest_and_startup_failure(tmp_path):
    s = Httpd(tmp_path, "Bogus on\n", with_cors=False)
    rc, out = s.configtest()
    assert rc != 0 and "Bogus" in out
    with pytest.raises(RuntimeError, match="Bogus"):
        s.start()


def test_mpm_prefork(make_server):
    s = make_server("", with_cors=False, mpm="prefork", files={"htdocs/p": "p"})
    assert s.request("GET", "/p").body == b"p"
    assert any("mpm_prefork" in ln for ln in s.error_log().splitlines())
