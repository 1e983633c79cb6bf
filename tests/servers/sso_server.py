#!/usr/bin/env python3
"""A local, strict stand-in for IAM Identity Center: the OIDC service (sso-oidc, rest-json)
and the portal (sso, rest-json), on one port, for awsw's tests.

Wire formats follow the service models botocore ships (sso-oidc 2019-06-10, sso 2019-06-10):
paths, methods, query names, the `x-amz-sso_bearer_token` header, JSON bodies, error codes
(`x-amzn-ErrorType` plus `error`/`error_description` for OIDC, `message` for the portal) and
HTTP statuses. It is strict where the service is and stricter where a lax client would hide a
bug: wrong method, unknown path, missing or unknown fields, a body that is not JSON, a wrong
content type, a missing token header all fail.

Test-only control endpoints live under `/_test/` (approve or deny a login, seed accounts and
roles, set a rate limit, revoke tokens, read counters). Standard library only.

The operations are in sso_service.py. Usage: sso_server.py [--port N]   prints the port on stdout once it listens.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from sso_service import (
    LOCK,
    STATE,
    ApiError,
    authorize,
    control,
    create_token,
    device_page,
    get_role_credentials,
    list_account_roles,
    list_accounts,
    logout,
    oidc_error,
    portal_error,
    register_client,
    start_device_authorization,
)


OIDC_ROUTES = {
    "/client/register": ("RegisterClient", lambda body, base: register_client(body)),
    "/device_authorization": ("StartDeviceAuthorization", start_device_authorization),
    "/token": ("CreateToken", lambda body, base: create_token(body)),
}

PORTAL_ROUTES = {
    "/assignment/accounts": ("ListAccounts", list_accounts),
    "/assignment/roles": ("ListAccountRoles", list_account_roles),
    "/federation/credentials": ("GetRoleCredentials", get_role_credentials),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def send(self, status, body=None, headers=None, raw=None):
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_error_json(self, err):
        self.send(err.status, err.body(), {"x-amzn-ErrorType": err.type_name})

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def json_body(self, raw):
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype != "application/json":
            raise oidc_error("InvalidRequestException", "invalid_request", f"unsupported content type {ctype!r}")
        try:
            body = json.loads(raw)
        except ValueError:
            raise oidc_error("InvalidRequestException", "invalid_request", "body is not JSON")
        if not isinstance(body, dict):
            raise oidc_error("InvalidRequestException", "invalid_request", "body is not a JSON object")
        return body

    def check_unsigned(self):
        """Both services are unsigned (authtype none): a client that signs is leaking keys."""
        if self.headers.get("Authorization") or self.headers.get("X-Amz-Security-Token"):
            raise oidc_error("InvalidRequestException", "invalid_request", "unexpected Authorization header")

    def do_POST(self):
        url = urlparse(self.path)
        raw = self.read_body()
        try:
            if not url.path.startswith("/_test/"):
                self.check_unsigned()
            with LOCK:
                self.post(url, raw)
        except ApiError as err:
            self.send_error_json(err)
        except (ValueError, KeyError, TypeError) as err:
            self.send(400, {"message": str(err)})

    def post(self, url, raw):
        if url.path.startswith("/_test/"):
            self.send(200, control(url.path, json.loads(raw or b"{}")))
            return
        if url.path == "/logout":
            STATE.count("Logout")
            if url.query or raw not in (b"", b"{}"):
                raise portal_error("InvalidRequestException", "Logout takes no parameters", 400)
            self.check_rate()
            logout(self.headers)
            self.send(200, raw=b"")
            return
        if url.path in PORTAL_ROUTES:
            self.wrong_method(read=False)
            return
        route = OIDC_ROUTES.get(url.path)
        if route is None or url.query:
            self.send(404, {"message": "Not Found"}, {"x-amzn-ErrorType": "UnknownOperationException"})
            return
        name, handler = route
        STATE.count(name)
        body = self.json_body(raw)
        self.send(200, handler(body, f"http://{self.headers.get('Host')}"))

    def check_rate(self):
        if not STATE.take_rate():
            raise portal_error("TooManyRequestsException", "Rate exceeded", 429)
        failing = STATE.config.get("failNext")
        if failing:
            STATE.config["failNext"] = None
            raise portal_error(failing["type"], "injected fault", failing["status"])

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        try:
            self.check_unsigned()
            with LOCK:
                self.get(url, query)
        except ApiError as err:
            self.send_error_json(err)

    def get(self, url, query):
        if url.path == "/authorize":
            status, headers, text = authorize(query)
            self.send(status, None, headers, raw=text.encode())
            return
        if url.path == "/device":
            status, headers, text = device_page(query)
            self.send(status, None, headers, raw=text.encode())
            return
        if url.path in OIDC_ROUTES or url.path == "/logout":
            self.wrong_method(read=False)
            return
        route = PORTAL_ROUTES.get(url.path)
        if route is None:
            self.send(404, {"message": "Not Found"}, {"x-amzn-ErrorType": "UnknownOperationException"})
            return
        name, handler = route
        STATE.count(name)
        if self.read_body():
            raise portal_error("InvalidRequestException", "GET takes no body", 400)
        self.check_rate()
        self.send(200, handler(query, self.headers))

    def wrong_method(self, read=True):
        if read:
            self.read_body()
        self.send(405, {"message": "Method Not Allowed"}, {"x-amzn-ErrorType": "MethodNotAllowedException"})

    do_PUT = do_DELETE = do_PATCH = do_HEAD = wrong_method


def main():
    port = 0
    if len(sys.argv) == 3 and sys.argv[1] == "--port":
        port = int(sys.argv[2])
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
