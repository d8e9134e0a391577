#!/usr/bin/env python3
"""Find an account name X such that FNV-1a-32("X:veth:LINK") equals
FNV-1a-32("VICTIM:veth:LINK") (meet in the middle: X = A + B, 4 letters each)."""
import itertools, string, sys
P, M = 16777619, 1 << 32
INV = pow(P, -1, M)
def fnv(s, h=2166136261):
    for c in s.encode():
        h = ((h ^ c) * P) % M
    return h
def unfnv(s, h):  # the state before feeding s, given the state after
    for c in reversed(s.encode()):
        h = ((h * INV) % M) ^ c
    return h
victim, link = sys.argv[1], sys.argv[2]
prefix = sys.argv[3] if len(sys.argv) > 3 else ""
suffix = ":veth:" + link
target = fnv(victim + suffix)
need = unfnv(suffix, target)          # state after X
letters = string.ascii_lowercase
back = {}
for b in itertools.product(letters, repeat=4):
    b = "".join(b)
    back.setdefault(unfnv(b, need), b)
for a in itertools.product(letters, repeat=4):
    a = prefix + "".join(a)
    b = back.get(fnv(a))
    if b and a + b != victim:
        x = a + b
        assert fnv(x + suffix) == target
        print(x, hex(target))
        break
