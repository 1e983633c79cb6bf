#!/usr/bin/env python3
"""The state and operations of the local IAM Identity Center stand-in (sso_server.py serves
them over HTTP): OIDC RegisterClient / StartDeviceAuthorization / CreateToken, the browser's
authorize and device pages, the portal's ListAccounts / ListAccountRoles /
GetRoleCredentials / Logout, and the `/_test/` control operations. Errors are `ApiError`s
carrying the service's type name, code and HTTP status. Standard library only."""


import base64
import hashlib
import secrets
import threading
import time
from urllib.parse import urlencode, urlparse

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
LOCK = threading.Lock()


class ApiError(Exception):
    def __init__(self, status, type_name, code=None, description="", portal=False):
        super().__init__(type_name)
        self.status = status
        self.type_name = type_name
        self.code = code
        self.description = description
        self.portal = portal

    def body(self):
        if self.portal:
            return {"message": self.description}
        return {"error": self.code, "error_description": self.description}


def oidc_error(type_name, code, description, status=400):
    return ApiError(status, type_name, code, description)


def portal_error(type_name, description, status):
    return ApiError(status, type_name, description=description, portal=True)


class State:
    """Everything the server remembers. Guarded by LOCK."""

    def __init__(self):
        self.clients = {}  # clientId -> dict
        self.devices = {}  # deviceCode -> dict
        self.auth_requests = {}  # code -> dict (PKCE)
        self.access_tokens = {}  # token -> {"expires": t, "revoked": bool}
        self.refresh_tokens = {}  # token -> clientId
        self.accounts = []  # [{"accountId","accountName","emailAddress","roles":[...]}]
        self.config = {
            "deviceInterval": 1,
            "deviceExpiresIn": 600,
            "tokenExpiresIn": 3600,
            "credentialsExpiresIn": 3600,
            "registrationExpiresIn": 90 * 86400,
            "authorizeDecision": "approve",  # what /authorize answers: approve | deny | wait
            "rateLimit": 0,  # portal requests per second; 0 = unlimited
            "pageSize": 0,  # 0: honour max_result, else the server's own page size
            "failNext": None,  # {"operation": name, "status": n, "type": t}
        }
        self.calls = {}
        self.throttled = 0
        self.bucket = {"tokens": 0.0, "at": time.monotonic()}

    def count(self, operation):
        self.calls[operation] = self.calls.get(operation, 0) + 1

    def take_rate(self):
        """A token bucket of `rateLimit` per second, burst of one second's worth."""
        limit = self.config["rateLimit"]
        if not limit:
            return True
        now = time.monotonic()
        bucket = self.bucket
        bucket["tokens"] = min(float(limit), bucket["tokens"] + (now - bucket["at"]) * limit)
        bucket["at"] = now
        if bucket["tokens"] >= 1.0:
            bucket["tokens"] -= 1.0
            return True
        self.throttled += 1
        return False


STATE = State()


def new_id(prefix, n=24):
    return prefix + secrets.token_urlsafe(n).replace("-", "A").replace("_", "B")


def require_fields(body, required, allowed):
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise oidc_error("InvalidRequestException", "invalid_request", f"unknown field(s): {unknown}")
    for field in required:
        value = body.get(field)
        if value is None or value == "" or value == []:
            raise oidc_error("InvalidRequestException", "invalid_request", f"missing field: {field}")


def check_type(body, field, kind):
    if field in body and not isinstance(body[field], kind):
        raise oidc_error("InvalidRequestException", "invalid_request", f"{field} has the wrong type")


def issue_token(client_id, with_refresh):
    cfg = STATE.config
    token = new_id("aoa", 48)
    STATE.access_tokens[token] = {"expires": time.time() + cfg["tokenExpiresIn"], "revoked": False}
    out = {"accessToken": token, "tokenType": "Bearer", "expiresIn": cfg["tokenExpiresIn"]}
    if with_refresh:
        refresh = new_id("aor", 48)
        STATE.refresh_tokens[refresh] = client_id
        out["refreshToken"] = refresh
    return out


def authenticate_client(body):
    client = STATE.clients.get(body["clientId"])
    if client is None or client["secret"] != body["clientSecret"]:
        raise oidc_error("InvalidClientException", "invalid_client", "Invalid client", status=401)
    if client["expires"] <= time.time():
        raise oidc_error("InvalidClientException", "invalid_client", "Client registration has expired", status=401)
    return client


def register_client(body):
    allowed = ["clientName", "clientType", "scopes", "redirectUris", "grantTypes", "issuerUrl", "entitledApplicationArn"]
    require_fields(body, ["clientName", "clientType"], allowed)
    for field in ("scopes", "redirectUris", "grantTypes"):
        check_type(body, field, list)
    if body["clientType"] != "public":
        raise oidc_error("InvalidClientMetadataException", "invalid_client_metadata", "clientType must be public")
    grants = body.get("grantTypes") or []
    for grant in grants:
        if grant not in ("authorization_code", "refresh_token", DEVICE_GRANT):
            raise oidc_error("UnsupportedGrantTypeException", "unsupported_grant_type", f"grant {grant}")
    if "authorization_code" in grants:
        uris = body.get("redirectUris") or []
        if not uris or not body.get("issuerUrl"):
            raise oidc_error("InvalidRequestException", "invalid_request", "authorization_code needs redirectUris and issuerUrl")
        for uri in uris:
            parsed = urlparse(uri)
            if parsed.scheme != "http" or parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
                raise oidc_error("InvalidRedirectUriException", "invalid_redirect_uri", "redirect URI must be loopback")
    now = int(time.time())
    client_id = new_id("cid", 16)
    secret = new_id("csecret", 48)
    STATE.clients[client_id] = {
        "secret": secret,
        "expires": now + STATE.config["registrationExpiresIn"],
        "grants": grants,
        "redirectUris": body.get("redirectUris") or [],
        "scopes": body.get("scopes") or [],
    }
    return {
        "clientId": client_id,
        "clientSecret": secret,
        "clientIdIssuedAt": now,
        "clientSecretExpiresAt": now + STATE.config["registrationExpiresIn"],
    }


def start_device_authorization(body, base_url):
    require_fields(body, ["clientId", "clientSecret", "startUrl"], ["clientId", "clientSecret", "startUrl"])
    authenticate_client(body)
    cfg = STATE.config
    device_code = new_id("dc", 32)
    user_code = "-".join(secrets.token_hex(2).upper() for _ in range(2))
    STATE.devices[device_code] = {
        "clientId": body["clientId"],
        "userCode": user_code,
        "expires": time.time() + cfg["deviceExpiresIn"],
        "status": "pending",
        "interval": cfg["deviceInterval"],
        "lastPoll": None,
    }
    return {
        "deviceCode": device_code,
        "userCode": user_code,
        "verificationUri": f"{base_url}/device",
        "verificationUriComplete": f"{base_url}/device?user_code={user_code}",
        "expiresIn": cfg["deviceExpiresIn"],
        "interval": cfg["deviceInterval"],
    }


def create_token(body):
    allowed = ["clientId", "clientSecret", "grantType", "deviceCode", "code", "refreshToken", "scope", "redirectUri", "codeVerifier"]
    require_fields(body, ["clientId", "clientSecret", "grantType"], allowed)
    client = authenticate_client(body)
    grant = body["grantType"]
    if grant == DEVICE_GRANT:
        require_fields(body, ["deviceCode"], allowed)
        return device_token(body, client)
    if grant == "authorization_code":
        require_fields(body, ["code", "redirectUri", "codeVerifier"], allowed)
        return code_token(body, client)
    if grant == "refresh_token":
        require_fields(body, ["refreshToken"], allowed)
        if STATE.refresh_tokens.get(body["refreshToken"]) != body["clientId"]:
            raise oidc_error("InvalidGrantException", "invalid_grant", "Invalid refresh token")
        # Refresh tokens rotate, as the service does.
        del STATE.refresh_tokens[body["refreshToken"]]
        return issue_token(body["clientId"], True)
    raise oidc_error("UnsupportedGrantTypeException", "unsupported_grant_type", f"Unsupported grant type {grant}")


def device_token(body, client):
    device = STATE.devices.get(body["deviceCode"])
    if device is None or device["clientId"] != body["clientId"]:
        raise oidc_error("InvalidGrantException", "invalid_grant", "Invalid device code provided")
    now = time.time()
    if now >= device["expires"]:
        raise oidc_error("ExpiredTokenException", "expired_token", "Device code has expired")
    last, device["lastPoll"] = device["lastPoll"], now
    if device["status"] == "denied":
        raise oidc_error("AccessDeniedException", "access_denied", "Access denied")
    if device["status"] == "pending":
        if last is not None and now - last < device["interval"] - 0.2:
            raise oidc_error("SlowDownException", "slow_down", "Client is polling too quickly")
        raise oidc_error("AuthorizationPendingException", "authorization_pending", "Authorization is still pending")
    del STATE.devices[body["deviceCode"]]
    return issue_token(body["clientId"], bool(client["scopes"]) or "refresh_token" in client["grants"])


def code_token(body, client):
    request = STATE.auth_requests.pop(body["code"], None)
    if request is None or request["clientId"] != body["clientId"]:
        raise oidc_error("InvalidGrantException", "invalid_grant", "Invalid authorization code")
    if request["redirectUri"] != body["redirectUri"]:
        raise oidc_error("InvalidGrantException", "invalid_grant", "redirect_uri does not match")
    digest = hashlib.sha256(body["codeVerifier"].encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    if challenge != request["challenge"]:
        raise oidc_error("InvalidGrantException", "invalid_grant", "PKCE verification failed")
    if time.time() >= request["expires"]:
        raise oidc_error("ExpiredTokenException", "expired_token", "Authorization code has expired")
    return issue_token(body["clientId"], "refresh_token" in client["grants"])


def authorize(query):
    """The browser's authorize page: answers with a redirect to the loopback listener."""
    one = {k: v[0] for k, v in query.items()}
    for field in ("response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "scopes"):
        if not one.get(field):
            return 400, {}, f"missing {field}"
    client = STATE.clients.get(one["client_id"])
    if one["response_type"] != "code" or one["code_challenge_method"] != "S256" or client is None:
        return 400, {}, "bad authorize request"
    if "authorization_code" not in client["grants"]:
        return 400, {}, "client is not registered for authorization_code"
    redirect = urlparse(one["redirect_uri"])
    registered = [urlparse(u) for u in client["redirectUris"]]
    # RFC 8252 7.3: a loopback redirect URI may use any port.
    if not any(r.scheme == redirect.scheme and r.hostname == redirect.hostname and r.path == redirect.path for r in registered):
        return 400, {}, "redirect_uri is not registered"
    decision = STATE.config["authorizeDecision"]
    if decision == "wait":
        return 200, {}, "waiting for the user"
    if decision == "deny":
        params = {"error": "access_denied", "state": one["state"]}
    else:
        code = new_id("code", 24)
        STATE.auth_requests[code] = {
            "clientId": one["client_id"],
            "redirectUri": one["redirect_uri"],
            "challenge": one["code_challenge"],
            "expires": time.time() + 300,
        }
        state = one["state"] if decision != "wrong-state" else "not-the-state"
        params = {"code": code, "state": state}
    return 302, {"Location": one["redirect_uri"] + "?" + urlencode(params)}, ""


def device_page(query):
    """The page a user opens with the user code: approving here is what the browser does."""
    user_code = (query.get("user_code") or [""])[0]
    for device in STATE.devices.values():
        if device["userCode"] == user_code and device["status"] == "pending":
            decision = STATE.config["authorizeDecision"]
            if decision in ("approve", "deny"):
                device["status"] = "approved" if decision == "approve" else "denied"
            return 200, {}, "ok"
    return 404, {}, "unknown user code"


def bearer(headers):
    token = headers.get("x-amz-sso_bearer_token")
    if not token:
        raise portal_error("UnauthorizedException", "Session token not found or invalid", 401)
    entry = STATE.access_tokens.get(token)
    if entry is None or entry["revoked"] or entry["expires"] <= time.time():
        raise portal_error("UnauthorizedException", "Session token not found or invalid", 401)
    return token


def portal_query(query, required, allowed):
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        raise portal_error("InvalidRequestException", f"unknown query parameter(s): {unknown}", 400)
    one = {}
    for key, values in query.items():
        if len(values) != 1:
            raise portal_error("InvalidRequestException", f"{key} given twice", 400)
        one[key] = values[0]
    for key in required:
        if not one.get(key):
            raise portal_error("InvalidRequestException", f"missing {key}", 400)
    if "max_result" in one:
        try:
            size = int(one["max_result"])
        except ValueError:
            raise portal_error("InvalidRequestException", "max_result is not a number", 400)
        if not 1 <= size <= 100:
            raise portal_error("InvalidRequestException", "max_result out of range", 400)
    return one


def page(items, one, default_size):
    size = STATE.config["pageSize"] or int(one.get("max_result", default_size))
    start = 0
    if "next_token" in one:
        try:
            start = int(base64.urlsafe_b64decode(one["next_token"].encode()).decode())
        except Exception:
            raise portal_error("InvalidRequestException", "invalid next_token", 400)
    chunk = items[start:start + size]
    token = None
    if start + size < len(items):
        token = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return chunk, token


def find_account(account_id):
    for account in STATE.accounts:
        if account["accountId"] == account_id:
            return account
    return None


def list_accounts(query, headers):
    bearer(headers)
    one = portal_query(query, [], ["next_token", "max_result"])
    accounts = [{k: a[k] for k in ("accountId", "accountName", "emailAddress")} for a in STATE.accounts]
    chunk, token = page(accounts, one, 20)
    out = {"accountList": chunk}
    if token:
        out["nextToken"] = token
    return out


def list_account_roles(query, headers):
    bearer(headers)
    one = portal_query(query, ["account_id"], ["next_token", "max_result", "account_id"])
    account = find_account(one["account_id"])
    if account is None:
        raise portal_error("ResourceNotFoundException", "Account not found", 404)
    roles = [{"roleName": r, "accountId": account["accountId"]} for r in account["roles"]]
    chunk, token = page(roles, one, 20)
    out = {"roleList": chunk}
    if token:
        out["nextToken"] = token
    return out


def get_role_credentials(query, headers):
    bearer(headers)
    one = portal_query(query, ["role_name", "account_id"], ["role_name", "account_id"])
    account = find_account(one["account_id"])
    if account is None or one["role_name"] not in account["roles"]:
        # What the service answers for a role the user no longer has (unmodeled, HTTP 403).
        raise portal_error("ForbiddenException", "No access", 403)
    expires_ms = int((time.time() + STATE.config["credentialsExpiresIn"]) * 1000)
    return {
        "roleCredentials": {
            "accessKeyId": "ASIA" + secrets.token_hex(8).upper(),
            "secretAccessKey": secrets.token_urlsafe(30),
            "sessionToken": secrets.token_urlsafe(90),
            "expiration": expires_ms,
        }
    }


def logout(headers):
    token = bearer(headers)
    STATE.access_tokens[token]["revoked"] = True
    return None


def control(path, body):
    if path == "/_test/seed":
        STATE.accounts = body.get("accounts", [])
        if "generate" in body:
            spec = body["generate"]
            STATE.accounts = [
                {
                    "accountId": f"{100000000000 + i:012d}",
                    "accountName": f"account-{i:04d}",
                    "emailAddress": f"aws+{i}@example.com",
                    "roles": [f"Role{r}" for r in range(spec.get("roles", 1))],
                }
                for i in range(spec["accounts"])
            ]
        return {"accounts": len(STATE.accounts)}
    if path == "/_test/config":
        unknown = set(body) - set(STATE.config)
        if unknown:
            raise ValueError(f"unknown config {sorted(unknown)}")
        STATE.config.update(body)
        STATE.bucket = {"tokens": float(STATE.config["rateLimit"] or 0), "at": time.monotonic()}
        return STATE.config
    if path in ("/_test/approve", "/_test/deny"):
        for device in STATE.devices.values():
            if device["userCode"] == body["userCode"]:
                device["status"] = "approved" if path == "/_test/approve" else "denied"
                return {"ok": True}
        raise ValueError("unknown user code")
    if path == "/_test/token":
        # A token the server knows, for tests that write a cache file themselves.
        expires_in = body.get("expiresIn", STATE.config["tokenExpiresIn"])
        STATE.access_tokens[body["accessToken"]] = {"expires": time.time() + expires_in, "revoked": False}
        return {"ok": True}
    if path == "/_test/revoke":
        for entry in STATE.access_tokens.values():
            entry["revoked"] = True
        return {"ok": True}
    if path == "/_test/state":
        return {
            "pending": [d["userCode"] for d in STATE.devices.values() if d["status"] == "pending"],
            "calls": STATE.calls,
            "throttled": STATE.throttled,
            "clients": len(STATE.clients),
        }
    raise ValueError(f"unknown control path {path}")


