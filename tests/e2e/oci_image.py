#!/usr/bin/env python3
"""Builds the images tests/e2e/images_oci.sh imports: a busybox system in
three layers (plain, gzip, zstd) with whiteouts, an opaque directory and a
directory a later layer replaces by a file, written as an OCI image layout
(index.json -> nested image index -> per-platform manifests) or as a
`docker save` archive (manifest.json, repositories, HEX/layer.tar).

  oci_image.py oci DIR --busybox PATH --arch ARCH
  oci_image.py docker FILE.tar --busybox PATH --arch ARCH
  oci_image.py evil DIR --busybox PATH --arch ARCH --member NAME [--symlink TARGET]

`evil` is a layout whose second layer holds NAME (a "../" path, or, with
--symlink, a symlink NAME -> TARGET followed by NAME/planted; with
--whiteout W too, a third layer whites out NAME/W through the link), with
correct digests: only the extraction can refuse it.
"""
import argparse
import hashlib
import io
import json
import os
import subprocess
import tarfile


def member(name, data=b"", mode=0o644, uid=0, gid=0, kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.uid, info.gid = uid, gid
    info.mtime = 1700000000
    info.linkname = link
    if kind == tarfile.REGTYPE:
        info.size = len(data)
    return info, (data if kind == tarfile.REGTYPE else None)


def directory(name, mode=0o755, uid=0, gid=0):
    return member(name, mode=mode, uid=uid, gid=gid, kind=tarfile.DIRTYPE)


def tar_bytes(members):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def layers(busybox):
    one = [directory("./"), directory("bin"), directory("etc"), directory("usr"), directory("usr/bin"),
           directory("home"), directory("home/user", uid=1000, gid=1000), directory("root", mode=0o700),
           directory("tmp", mode=0o1777), directory("opt"), directory("opt/data"), directory("opt/data/sub"),
           directory("var"), directory("var/becomes-file"), directory("dev"), directory("srv"),
           directory("srv/old")]
    one.append(member("bin/busybox", busybox, mode=0o755))
    for applet in ("sh", "cat", "ls", "echo", "test", "stat", "id"):
        one.append(member("bin/" + applet, kind=tarfile.SYMTYPE, link="busybox"))
    one += [member("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n"),
            member("etc/group", b"root:x:0:\nshadow:x:42:\nuser:x:1000:\n"),
            member("etc/shadow", b"root:*:19000:0:99999:7:::\n", mode=0o640, gid=42),
            member("etc/os-release", b"ID=busybox\nVERSION_ID=1.36\n"),
            member("etc/removed", b"from the lower layer\n"),
            member("etc/motd", b"layer one\n"),
            member("usr/bin/suid", b"#!/bin/sh\necho suid\n", mode=0o4755),
            member("home/user/file", b"mine\n", uid=1000, gid=1000),
            member("opt/data/a", b"a\n"), member("opt/data/b", b"b\n"), member("opt/data/sub/deep", b"deep\n"),
            member("var/becomes-file/x", b"x\n"), member("srv/old/x", b"x\n"),
            member("dev/null", mode=0o666, kind=tarfile.CHRTYPE)]
    # The whiteouts come after what this layer puts in the same places, and
    # the opaque marker after the directory's new file: neither may take
    # this layer's own files away.
    two = [directory("etc"), member("etc/motd", b"layer two\n"), member("etc/.wh.removed"),
           directory("opt/data"), member("opt/data/c", b"c from layer two\n"), member("opt/data/.wh..wh..opq"),
           member("usr/bin/.wh.never-there"), member("srv/old/new", b"new\n"), member("srv/.wh.old")]
    three = [member("var/becomes-file", b"a file now\n"), member("etc/motd", b"layer three\n")]
    return [tar_bytes(one), tar_bytes(two), tar_bytes(three)]


def compress(data, how):
    if how == "gzip":
        return subprocess.run(["gzip", "-n", "-1"], input=data, stdout=subprocess.PIPE, check=True).stdout
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-3", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout
    return data


def sha(data):
    return hashlib.sha256(data).hexdigest()


def image_config(arch, diff_ids, user="0"):
    return json.dumps({
        "architecture": arch, "os": "linux",
        "config": {"Cmd": ["/bin/cat", "/etc/motd"], "Env": ["PATH=/usr/bin:/bin", "GREETING=hello"],
                   "WorkingDir": "/opt", "User": user, "ExposedPorts": {"80/tcp": {}}},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for d in diff_ids]},
        "history": [{"created_by": "oci_image.py"}],
    }, indent=2).encode()


class Layout:
    def __init__(self, out):
        self.out = out
        os.makedirs(out + "/blobs/sha256", exist_ok=True)
        with open(out + "/oci-layout", "w") as f:
            f.write('{"imageLayoutVersion": "1.0.0"}')

    def blob(self, data, media_type):
        digest = sha(data)
        with open(self.out + "/blobs/sha256/" + digest, "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}

    def manifest(self, arch, raw, kinds, user="0"):
        oci = "application/vnd.oci.image.layer.v1.tar"
        suffix = {"gzip": "+gzip", "zstd": "+zstd", "none": ""}
        descs = [self.blob(compress(r, k), oci + suffix[k]) for r, k in zip(raw, kinds)]
        config = self.blob(image_config(arch, [sha(r) for r in raw], user), "application/vnd.oci.image.config.v1+json")
        body = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": config, "layers": descs}
        return self.blob(json.dumps(body).encode(), "application/vnd.oci.image.manifest.v1+json")

    def index(self, entries, path=None):
        body = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}
        data = json.dumps(body, indent=1).encode()
        if path is None:
            return self.blob(data, "application/vnd.oci.image.index.v1+json")
        with open(self.out + "/" + path, "wb") as f:
            f.write(data)


def build_oci(args):
    raw = layers(open(args.busybox, "rb").read())
    layout = Layout(args.out)
    host = layout.manifest(args.arch, raw, ["none", "gzip", "zstd"], user="user")
    host["platform"] = {"os": "linux", "architecture": args.arch}
    foreign_arch = "s390x" if args.arch != "s390x" else "riscv64"
    foreign = layout.manifest(foreign_arch, raw, ["gzip", "gzip", "gzip"])
    foreign["platform"] = {"os": "linux", "architecture": foreign_arch}
    attestation = layout.blob(b'{"schemaVersion": 2, "config": {}, "layers": []}',
                              "application/vnd.oci.image.manifest.v1+json")
    attestation["platform"] = {"os": "unknown", "architecture": "unknown"}
    nested = layout.index([foreign, host, attestation])
    nested["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
    other = dict(host)
    del other["platform"]
    other["annotations"] = {"org.opencontainers.image.ref.name": "other"}
    layout.index([nested, other], path="index.json")


def build_docker(args):
    raw = layers(open(args.busybox, "rb").read())
    ids = [sha(r) for r in raw]
    config = image_config(args.arch, ids, user="1000:1000")
    config_name = sha(config) + ".json"
    members = [member(config_name, config)]
    paths = []
    for r in raw:
        d = sha(r + b"layer-dir")
        members += [directory(d), member(d + "/VERSION", b"1.0"), member(d + "/layer.tar", r)]
        paths.append(d + "/layer.tar")
    manifest = [{"Config": config_name, "RepoTags": ["busybox:latest", "busybox:1.36"], "Layers": paths}]
    members.append(member("manifest.json", json.dumps(manifest).encode()))
    members.append(member("repositories", json.dumps({"busybox": {"latest": paths[-1].split("/")[0]}}).encode()))
    with open(args.out, "wb") as f:
        f.write(tar_bytes(members))


def build_evil(args):
    busybox = open(args.busybox, "rb").read()
    base = [directory("./"), directory("bin"), member("bin/busybox", busybox, mode=0o755),
            member("bin/sh", kind=tarfile.SYMTYPE, link="busybox")]
    raw = [tar_bytes(base)]
    if args.symlink and args.whiteout:
        raw += [tar_bytes([member(args.member, kind=tarfile.SYMTYPE, link=args.symlink)]),
                tar_bytes([member(args.member + "/.wh." + args.whiteout)])]
    elif args.symlink:
        raw.append(tar_bytes([member(args.member, kind=tarfile.SYMTYPE, link=args.symlink),
                              member(args.member + "/planted", b"planted\n")]))
    else:
        raw.append(tar_bytes([member(args.member, b"planted\n")]))
    layout = Layout(args.out)
    host = layout.manifest(args.arch, raw, ["none"] * len(raw))
    host["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
    layout.index([host], path="index.json")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["oci", "docker", "evil"])
    p.add_argument("out")
    p.add_argument("--busybox", required=True)
    p.add_argument("--arch", required=True)
    p.add_argument("--member")
    p.add_argument("--symlink")
    p.add_argument("--whiteout")
    args = p.parse_args()
    {"oci": build_oci, "docker": build_docker, "evil": build_evil}[args.kind](args)


if __name__ == "__main__":
    main()
