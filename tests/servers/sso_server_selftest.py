#!/usr/bin/env python3
"""Checks sso_server.py against botocore's own clients (its service models define the wire
format), and checks the server's strictness with raw requests. Usage: selftest.py URL"""

import json
import sys
import urllib.error
import urllib.request

import botocore.session
from botocore import UNSIGNED
from botocore.config import Config

URL = sys.argv[1]
DEVICE = "urn:ietf:params:oauth:grant-type:device_code"


def control(path, body):
    req = urllib.request.Request(URL + path, data=json.dumps(body).encode(), method="POST")
    return json.load(urllib.request.urlopen(req))


def raw(method, path, body=None, headers=None):
    req = urllib.request.Request(URL + path, data=body, method=method, headers=headers or {})
    try:
        resp = urllib.request.urlopen(req)
        return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def expect(cond, what):
    if not cond:
        print("FAILED: " + what)
        sys.exit(1)


def main():
    session = botocore.session.get_session()
    cfg = Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1})
    oidc = session.create_client("sso-oidc", region_name="us-east-1", endpoint_url=URL, config=cfg)
    portal = session.create_client("sso", region_name="us-east-1", endpoint_url=URL, config=cfg)
    control("/_test/seed", {"accounts": [
        {"accountId": "111111111111", "accountName": "dev", "emailAddress": "d@example.com", "roles": ["Admin", "Read"]}]})

    reg = oidc.register_client(clientName="selftest", clientType="public", scopes=["sso:account:access"])
    auth = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl="https://x/start")
    args = dict(grantType=DEVICE, clientId=reg["clientId"], clientSecret=reg["clientSecret"], deviceCode=auth["deviceCode"])
    try:
        oidc.create_token(**args)
        expect(False, "pending")
    except oidc.exceptions.AuthorizationPendingException:
        pass
    try:
        oidc.create_token(**args)
        expect(False, "slow_down")
    except oidc.exceptions.SlowDownException:
        pass
    control("/_test/approve", {"userCode": auth["userCode"]})
    token = oidc.create_token(**args)
    expect(token["tokenType"] == "Bearer" and "refreshToken" in token, "token fields")
    try:
        oidc.create_token(**args)
        expect(False, "device code reused")
    except oidc.exceptions.InvalidGrantException:
        pass
    try:
        oidc.create_token(grantType="refresh_token", clientId=reg["clientId"], clientSecret="wrong", refreshToken="x")
        expect(False, "bad secret")
    except oidc.exceptions.InvalidClientException:
        pass
    fresh = oidc.create_token(grantType="refresh_token", clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                              refreshToken=token["refreshToken"])
    access = fresh["accessToken"]

    first = portal.list_account_roles(accessToken=access, accountId="111111111111", maxResults=1)
    expect(len(first["roleList"]) == 1 and "nextToken" in first, "role pagination")
    second = portal.list_account_roles(accessToken=access, accountId="111111111111", maxResults=1,
                                       nextToken=first["nextToken"])
    expect("nextToken" not in second, "last page")
    creds = portal.get_role_credentials(accessToken=access, accountId="111111111111", roleName="Admin")
    expect(set(creds["roleCredentials"]) == {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"}, "creds")

    control("/_test/config", {"rateLimit": 1})
    portal.list_accounts(accessToken=access)
    try:
        portal.list_accounts(accessToken=access)
        expect(False, "429")
    except portal.exceptions.TooManyRequestsException:
        pass
    control("/_test/config", {"rateLimit": 0})

    # Strictness: methods, paths, content types, unknown fields, missing header.
    expect(raw("GET", "/token")[0] == 405, "GET /token")
    expect(raw("POST", "/assignment/accounts")[0] == 405, "POST on a portal path")
    expect(raw("POST", "/nope", b"{}", {"Content-Type": "application/json"})[0] == 404, "unknown path")
    status, headers, _ = raw("POST", "/client/register", b'{"clientName":"x","clientType":"public"}',
                             {"Content-Type": "text/plain"})
    expect(status == 400 and headers["x-amzn-ErrorType"] == "InvalidRequestException", "content type")
    status, _, body = raw("POST", "/client/register", b'{"clientName":"x","clientType":"public","x":1}',
                          {"Content-Type": "application/json"})
    expect(status == 400 and json.loads(body)["error"] == "invalid_request", "unknown field")
    expect(raw("GET", "/assignment/accounts")[0] == 401, "no bearer header")
    status, headers, _ = raw("GET", "/assignment/accounts", None,
                             {"x-amz-sso_bearer_token": access, "Authorization": "AWS4-HMAC-SHA256 Credential=AKIA"})
    expect(status == 400, "a signed request to an unsigned service")

    portal.logout(accessToken=access)
    try:
        portal.list_accounts(accessToken=access)
        expect(False, "revoked token")
    except portal.exceptions.UnauthorizedException:
        pass
    print("selftest ok")


main()
