#!/usr/bin/env python3
"""json_check.py KIND < JSON: checks uxc's --format json output against
docs/json.md's schema (KIND: ls, info, check, monitor, images); prints what is
wrong and exits 1, or exits 0. Shared by the tests/e2e scripts."""
import json
import sys

STATES = {"STOPPED", "STARTING", "RUNNING", "FROZEN"}


def fail(why):
    print(why)
    sys.exit(1)


def want(obj, field, kinds, where):
    if field not in obj:
        fail(f"{where}: no field {field!r}")
    value = obj[field]
    ok = any((k is None and value is None) or (k is not None and type(value) is k) for k in kinds)
    if not ok:
        fail(f"{where}: {field!r} is {value!r}, wanted {kinds}")
    return value


def strings(obj, field, where):
    for item in want(obj, field, [list], where):
        if type(item) is not str:
            fail(f"{where}: {field!r} holds {item!r}")


def container(obj, where):
    if type(obj) is not dict:
        fail(f"{where}: not an object")
    want(obj, "name", [str], where)
    if want(obj, "state", [str], where) not in STATES:
        fail(f"{where}: state {obj['state']!r}")
    strings(obj, "ipv4", where)
    strings(obj, "ipv6", where)
    want(obj, "pid", [int, None], where)


def main():
    kind = sys.argv[1]
    text = sys.stdin.read()
    if any(ord(c) > 0x7e or (ord(c) < 0x20 and c != "\n") for c in text):
        fail("not printable ASCII")
    docs = [json.loads(line) for line in text.splitlines()] if kind == "monitor" else [json.loads(text)]
    for doc in docs:
        if kind == "ls":
            if type(doc) is not list:
                fail("not an array")
            for i, c in enumerate(doc):
                container(c, f"[{i}]")
                want(c, "autostart", [bool], f"[{i}]")
                strings(c, "groups", f"[{i}]")
                if want(c, "unprivileged", [bool], f"[{i}]") is not True:
                    fail("unprivileged is not true")
                strings(c, "interfaces", f"[{i}]")
                want(c, "memory_bytes", [int, None], f"[{i}]")
                image = want(c, "image", [dict, None], f"[{i}]")
                for f in ("dist", "release", "arch", "variant", "build", "server") if image is not None else ():
                    want(image, f, [str], f"[{i}].image")
        elif kind == "info":
            container(doc, "info")
            stats = want(doc, "stats", [dict], "info")
            for f in ("cpu_ns", "blkio_bytes", "memory_bytes", "kmem_bytes"):
                want(stats, f, [int, None], "stats")
            for i, link in enumerate(want(doc, "links", [list], "info")):
                want(link, "name", [str], f"links[{i}]")
                want(link, "tx_bytes", [int], f"links[{i}]")
                want(link, "rx_bytes", [int], f"links[{i}]")
        elif kind == "check":
            ok = want(doc, "ok", [bool], "check")
            problems = want(doc, "problems", [int], "check")
            fails = 0
            for i, c in enumerate(want(doc, "checks", [list], "check")):
                status = want(c, "status", [str], f"checks[{i}]")
                if status not in ("ok", "warn", "fail", "fixed"):
                    fail(f"checks[{i}]: status {status!r}")
                want(c, "what", [str], f"checks[{i}]")
                want(c, "fix", [None] if status in ("ok", "fixed") else [str], f"checks[{i}]")
                fails += status == "fail"
            if fails != problems or ok != (problems == 0):
                fail(f"ok={ok} problems={problems} but {fails} checks failed")
        elif kind == "images":
            if type(doc) is not list:
                fail("not an array")
            for i, image in enumerate(doc):
                where = f"[{i}]"
                if type(image) is not dict:
                    fail(f"{where}: not an object")
                for f in ("server", "dist", "release", "arch", "variant", "build", "path"):
                    want(image, f, [str], where)
                want(image, "current", [bool], where)
                if want(image, "size_bytes", [int], where) < 0:
                    fail(f"{where}: negative size")
                expires = want(image, "expires", [int, None], where)
                if want(image, "expired", [bool], where) and expires is None:
                    fail(f"{where}: expired without an expiry")
            keys = [(d["server"], d["dist"], d["release"], d["arch"], d["variant"], d["build"]) for d in doc]
            if keys != sorted(keys):
                fail("not in the order of the table")
        elif kind == "monitor":
            if set(doc) != {"name", "state", "time"} or doc["state"] not in STATES:
                fail(f"monitor line {doc!r}")
        else:
            fail(f"unknown kind {kind}")


main()
