#!/usr/bin/env python3
"""Writes the hostile configs of the security review (issue 16) into DIR, for measuring
`awsw list` with `/usr/bin/time -v` (see BENCHMARKS.md):

  chain.ini   a 10,000-deep source_profile chain whose last source does not exist
  cycle.ini   a 10,000-member source_profile loop
  keys.ini    one section with 160,000 keys, then the same 160,000 keys again (repeats)
  repeats.ini one profile declared in 160,000 sections, one new key each
  mixed.ini   all of the above in one file (a few MB)
"""
import os
import sys

N = 10_000
KEYS = 160_000
ROLE = "role_arn = arn:aws:iam::123456789012:role/r\n"


def chain():
    return "".join(f"[profile c{k}]\n{ROLE}source_profile = c{k + 1}\n" for k in range(N))


def cycle():
    return "".join(f"[profile l{k}]\n{ROLE}source_profile = l{(k + 1) % N}\n" for k in range(N))


def keys():
    body = "".join(f"k{k} = v{k}\n" for k in range(KEYS))
    return f"[profile big]\n{body}{body}"


def repeats():
    return "".join(f"[profile rep]\nr{k} = v\n" for k in range(KEYS))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    parts = {"chain": chain(), "cycle": cycle(), "keys": keys(), "repeats": repeats()}
    parts["mixed"] = "".join(parts.values())
    for name, text in parts.items():
        with open(os.path.join(out, f"{name}.ini"), "w") as f:
            f.write(text)
        print(f"{name}.ini {len(text) / 1e6:.2f} MB")


main()
