# Shared set-up for the tests/e2e/images_*.sh scripts (sourced after
# world_reexec and manager_setup.bash): a certificate authority trusted
# only inside the world, small images built here in LXC's layout, and a
# local HTTPS image server on loopback (tests/e2e/image_server.py).

IMG=/run/uxc-images             # everything the image tests make
IMG_ROOT=$IMG/root              # what the server serves
IMG_ARCH=$(dpkg --print-architecture)
PYTHON=/usr/bin/python3
declare -A IMG_SERVER_PID=()

# img_make_ca NAME: a CA and a certificate for localhost/127.0.0.1 signed
# by it, in $IMG/NAME/{ca.pem,server.pem,server.key}.
img_make_ca() {
  local d=$IMG/$1
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=uxc test CA $1" \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null || return 1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null || return 1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >"$d/ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/ext" -out "$d/server.pem" 2>/dev/null
}

# img_trust_ca NAME: the CA joins the system's store, in the world's /etc
# only (the way an administrator adds a private mirror's CA).
img_trust_ca() {
  cat "$IMG/$1/ca.pem" >>/etc/ssl/certs/ca-certificates.crt
}

# img_start_server NAME PORT: serves $IMG_ROOT with NAME's certificate;
# requests are logged to $IMG/requests-PORT.
img_start_server() {
  local name=$1 port=$2 i
  rm -f "$IMG/ready-$port"
  "$PYTHON" "$UXC_SRC/tests/e2e/image_server.py" --root "$IMG_ROOT" --port "$port" \
    --cert "$IMG/$name/server.pem" --key "$IMG/$name/server.key" --log "$IMG/requests-$port" \
    --ready "$IMG/ready-$port" </dev/null >"$IMG/server-$port.log" 2>&1 &
  IMG_SERVER_PID[$port]=$!
  for i in $(seq 100); do
    [ -e "$IMG/ready-$port" ] && return 0
    sleep 0.05
  done
  echo "the image server on port $port did not start: $(cat "$IMG/server-$port.log")"
  return 1
}

img_stop_server() {
  local port=$1
  [ -n "${IMG_SERVER_PID[$port]:-}" ] || return 0
  kill "${IMG_SERVER_PID[$port]}" 2>/dev/null
  wait "${IMG_SERVER_PID[$port]}" 2>/dev/null
  unset "IMG_SERVER_PID[$port]"
}

# img_requests PORT PATTERN: how many logged requests match PATTERN.
img_requests() {
  grep -c -- "$2" "$IMG/requests-$1" 2>/dev/null || true
}

# img_busybox_tree DIR: a small busybox system with what an image can
# hold: device nodes, hard links, a setuid file, a file capability, a
# sparse file, a long name, a FIFO, files of several owners, and the
# LXC_NAME placeholders of an image server's templates.
img_busybox_tree() {
  local t=$1 a
  mkdir -p "$t"/{bin,sbin,usr/bin,usr/sbin,etc,dev,proc,sys,run,tmp,root,var/lib,home/user}
  cp /bin/busybox "$t/bin/busybox"
  for a in sh ls cat stat id hostname su grep; do ln -s busybox "$t/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n' >"$t/etc/passwd"
  printf 'root:x:0:\nshadow:x:42:\nuser:x:1000:\n' >"$t/etc/group"
  printf 'root:*:19000:0:99999:7:::\n' >"$t/etc/shadow"
  chown 0:42 "$t/etc/shadow" && chmod 0640 "$t/etc/shadow"
  echo LXC_NAME >"$t/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 LXC_NAME\n' >"$t/etc/hosts"
  printf 'ID=busybox\nVERSION_ID=1.35\n' >"$t/etc/os-release"
  echo "the image says no" >"$t/etc/excluded-by-image"
  mknod "$t/dev/null" c 1 3 && mknod "$t/dev/zero" c 1 5 && mknod "$t/dev/console" c 5 1
  mkfifo "$t/run/fifo"
  echo shared >"$t/usr/bin/hard-a" && ln "$t/usr/bin/hard-a" "$t/usr/bin/hard-b"
  cp /bin/busybox "$t/usr/bin/suid" && chmod 4755 "$t/usr/bin/suid"
  cp /bin/busybox "$t/usr/bin/pinger" && setcap cap_net_raw+ep "$t/usr/bin/pinger"
  mkdir -p "$t/usr/lib/caps" && ln -s /usr/bin/pinger "$t/usr/lib/caps/cat"  # cat, run with pinger's capability
  truncate -s 64M "$t/var/lib/sparse" && echo end >>"$t/var/lib/sparse"
  a=$t/var/lib/$(printf 'd%.0s' $(seq 100))/$(printf 'e%.0s' $(seq 100))
  mkdir -p "$a" && echo long >"$a/$(printf 'f%.0s' $(seq 200))"
  echo mine >"$t/home/user/file" && chown -R 1000:1000 "$t/home/user"
}

# img_tarball DIR OUT: DIR as a rootfs tarball the way image builders make
# one (numeric owners, xattrs, sparse files), compressed by OUT's suffix.
img_tarball() {
  local dir=$1 out=$2
  local tar=(tar --format=posix --numeric-owner --xattrs --xattrs-include='*' --sparse -C "$dir" -cf - .)
  case $out in
    *.tar.xz) "${tar[@]}" | xz -T2 -3 >"$out" ;;
    *.tar.gz) "${tar[@]}" | gzip -1 >"$out" ;;
    *.tar.zst) "${tar[@]}" | zstd -q -3 >"$out" ;;
    *.tar) "${tar[@]}" >"$out" ;;
  esac
}

# img_publish DIST RELEASE BUILD TREE [EXPIRY]: an image in LXC's layout
# under $IMG_ROOT/images/..., with SHA256SUMS; prints its server path.
img_publish() {
  local dist=$1 release=$2 build=$3 tree=$4 expiry=${5:-$(($(date +%s) + 30 * 86400))}
  local path=/images/$dist/$release/$IMG_ARCH/default/$build
  local d=$IMG_ROOT$path m=$IMG/meta-$dist-$release
  mkdir -p "$d" "$m"
  img_tarball "$tree" "$d/rootfs.tar.xz"
  printf 'lxc.include = LXC_TEMPLATE_CONFIG/common.conf\nlxc.include = LXC_TEMPLATE_CONFIG/userns.conf\nlxc.arch = %s\n' \
    "$(uname -m)" >"$m/config-user"
  printf 'lxc.include = LXC_TEMPLATE_CONFIG/common.conf\nlxc.arch = %s\n' "$(uname -m)" >"$m/config"
  printf '/etc/hostname\n/etc/hosts\n' >"$m/templates"
  printf './dev/null\n./dev/zero\n./dev/console\n./etc/excluded-by-image\n' >"$m/excludes-user"
  printf 'You just created a %s %s container (build %s).\n' "$dist" "$release" "$build" >"$m/create-message"
  echo "$expiry" >"$m/expiry"
  tar --numeric-owner -C "$m" -cJf "$d/meta.tar.xz" .
  (cd "$d" && sha256sum rootfs.tar.xz meta.tar.xz >SHA256SUMS)
  echo "$path/"
}

# img_index LINE...: the server's meta/1.0/index-user.
img_index() {
  mkdir -p "$IMG_ROOT/meta/1.0"
  printf '%s\n' "$@" >"$IMG_ROOT/meta/1.0/index-user"
}
