#!/usr/bin/env bash
# conf/guest-images.sh OBJDIR: the Linux guest images of issue 15, from
# Debian's packages, never installed on this system and never committed.
#
#   OBJDIR/debian/PKG_VERSION_amd64.deb   apt-get download (kept: a .deb
#                                         that is there is not fetched again)
#   OBJDIR/debian/root-PKG/               dpkg-deb -x of it
#   OBJDIR/guests/vmlinuz                 the kernel of linux-image-cloud-amd64
#   OBJDIR/guests/kernel-release          its release, as `uname -r` prints it
#   OBJDIR/guests/initrd.gz               busybox-static as an initramfs
#                                         (cpio newc, gzip) whose /init
#                                         starts a shell on the console
#   OBJDIR/guests/vmlinuz-cut             its first 64 KiB (a truncated bzImage)
#   OBJDIR/guests/disk-specs              the fsformat PATH=FILE words for
#                                         the host disk; empty without images
#   OBJDIR/guests/unavailable             why there are none (only then)
#   OBJDIR/guests/invaders.exec           GRUB Invaders (grub-invaders'
#                                         /boot/invaders.exec, a multiboot
#                                         kernel; issue 13)
#   OBJDIR/guests/invaders-specs          its fsformat word, empty without it
#                                         (fs/Makefrag looks for the file)
#   OBJDIR/guests/invaders-unavailable    why it is not there (only then)
#
# When the packages cannot be had it says so in one line and exits 0, so
# that the build goes on without the images (disk-specs is then empty).
# GUEST_IMAGES=no skips the fetch.
set -u

OBJDIR=${1:-obj}
DEBDIR=$OBJDIR/debian
OUT=$OBJDIR/guests
META=linux-image-cloud-amd64

mkdir -p "$DEBDIR" "$OUT"

# write_if_changed FILE TEXT: FILE holds TEXT; its time changes only when
# its text does, so make rebuilds the disk only then.
write_if_changed() {
	if [[ ! -f $1 || "$(cat "$1")" != "$2" ]]; then
		printf '%s\n' "$2" >"$1.tmp" && mv "$1.tmp" "$1"
	fi
}

# no_images REASON: say why there are none, leave the disk without them.
no_images() {
	echo "guest-images: no Linux guest images ($*); the disk is built without /guests"
	write_if_changed "$OUT/unavailable" "$*"
	write_if_changed "$OUT/disk-specs" ""
	exit 0
}

if [[ ${GUEST_IMAGES:-yes} == no ]]; then
	write_if_changed "$OUT/invaders-unavailable" "GUEST_IMAGES=no"
	write_if_changed "$OUT/invaders-specs" ""
	no_images "GUEST_IMAGES=no"
fi

# deb_of PKG: the .deb of PKG in DEBDIR, fetched when it is not there.
# Prints its path; fails when apt-get cannot fetch it.
deb_of() {
	local pkg=$1 tmp debs
	debs=("$DEBDIR/${pkg}"_*.deb)
	if [[ ! -f ${debs[0]} ]]; then
		tmp=$(mktemp -d "$DEBDIR/fetch.XXXXXX") || return 1
		if ! (cd "$tmp" && apt-get download -q "$pkg") >"$tmp/log" 2>&1; then
			# A fresh machine may have no package lists yet: as root,
			# read them once and try again.
			if [[ $(id -u) -ne 0 || -n ${apt_updated:-} ]] ||
				! { apt_updated=1; apt-get update -q >>"$tmp/log" 2>&1; } ||
				! (cd "$tmp" && apt-get download -q "$pkg") >>"$tmp/log" 2>&1; then
				rm -rf "$tmp"
				return 1
			fi
		fi
		mv "$tmp"/*.deb "$DEBDIR/" && rm -rf "$tmp" || return 1
		debs=("$DEBDIR/${pkg}"_*.deb)
	fi
	printf '%s\n' "${debs[-1]}"
}

# unpack DEB PKG: DEBDIR/root-PKG holds DEB's files (again when DEB is newer).
unpack() {
	local root=$DEBDIR/root-$2
	if [[ ! -f $root/.unpacked || $1 -nt $root/.unpacked ]]; then
		rm -rf "$root"
		dpkg-deb -x "$1" "$root" && touch "$root/.unpacked"
	fi
}

# invaders_image: OUT/invaders.exec from Debian's grub-invaders, and
# its fsformat word in OUT/invaders-specs (empty, with the reason in
# OUT/invaders-unavailable, when it cannot be had).  Apart from the
# Linux images: either may be had without the other.  When the word
# changes, disk-specs is touched, so that make writes the disk again.
invaders_image() {
	local deb exe=$DEBDIR/root-grub-invaders/boot/invaders.exec spec= why=
	if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
		why="apt-get or dpkg-deb is not installed"
	elif ! deb=$(deb_of grub-invaders); then
		why="apt-get download grub-invaders failed; an 'apt-get update' may help"
	elif ! unpack "$deb" grub-invaders; then
		why="dpkg-deb -x $deb failed"
	elif [[ ! -f $exe ]]; then
		why="grub-invaders has no /boot/invaders.exec"
	elif [[ -f $OUT/invaders.exec && ! $exe -nt $OUT/invaders.exec ]] ||
		{ cp "$exe" "$OUT/invaders.exec.tmp" && mv "$OUT/invaders.exec.tmp" "$OUT/invaders.exec"; }; then
		spec="guests/invaders.exec=$OUT/invaders.exec"
	else
		why="copying $exe failed"
	fi
	if [[ -n $why ]]; then
		echo "guest-images: no GRUB Invaders ($why); the disk is built without /guests/invaders.exec"
		write_if_changed "$OUT/invaders-unavailable" "$why"
	else
		rm -f "$OUT/invaders-unavailable"
	fi
	if [[ ! -f $OUT/invaders-specs || "$(cat "$OUT/invaders-specs")" != "$spec" ]]; then
		write_if_changed "$OUT/invaders-specs" "$spec"
		touch "$OUT/disk-specs"
	fi
}

invaders_image
for tool in apt-get dpkg-deb gzip python3; do
	command -v "$tool" >/dev/null 2>&1 || no_images "$tool is not installed"
done

meta_deb=$(deb_of "$META") ||
	no_images "apt-get download $META failed; an 'apt-get update' may help"
# The versioned package the meta package depends on, from the .deb itself
# (so that a cached .deb needs no package lists).
kpkg=$(dpkg-deb -f "$meta_deb" Depends | tr ',' '\n' |
	sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
[[ -n $kpkg ]] || no_images "$META names no versioned linux-image package"
kdeb=$(deb_of "$kpkg") || no_images "apt-get download $kpkg failed"
bdeb=$(deb_of busybox-static) || no_images "apt-get download busybox-static failed"
unpack "$kdeb" "$kpkg" || no_images "dpkg-deb -x $kdeb failed"
unpack "$bdeb" busybox-static || no_images "dpkg-deb -x $bdeb failed"

release=${kpkg#linux-image-}
vmlinuz=$DEBDIR/root-$kpkg/boot/vmlinuz-$release
busybox=$DEBDIR/root-busybox-static/bin/busybox
[[ -f $vmlinuz ]] || no_images "$kpkg has no /boot/vmlinuz-$release"
[[ -x $busybox ]] || no_images "busybox-static has no /bin/busybox"

if [[ ! -f $OUT/vmlinuz || $vmlinuz -nt $OUT/vmlinuz ]]; then
	cp "$vmlinuz" "$OUT/vmlinuz.tmp" && mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
fi
write_if_changed "$OUT/kernel-release" "$release"

# The initramfs's /init: a busybox shell script.  PID 1 must not exit
# (the kernel panics), so the shell runs as its child, and busybox's
# poweroff/halt/reboot, which signal PID 1 (USR2, USR1, TERM), end the
# machine through the traps.
INIT_SCRIPT='#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox --install -s
trap "poweroff -f" USR2 USR1
trap "reboot -f" TERM
echo "JOS-guest initramfs: busybox shell"
setsid cttyhack sh -l </dev/console >/dev/console 2>&1 &
wait $!
poweroff -f'

# The cpio "newc" archive, written by this Python (the system may have no
# cpio): one entry per line of a list on stdin, in order:
#   dir PATH MODE | file PATH MODE HOSTFILE | slink PATH MODE TARGET |
#   nod PATH MODE c|b MAJOR MINOR
# Owner root, time 0, so that the same inputs give the same bytes.
MKCPIO_PY=$(
	cat <<'EOF'
import stat, sys
out = sys.stdout.buffer
ino = [0x1000]

def pad4(n):
    return b'\0' * (-n % 4)

def entry(path, mode, data=b'', rmaj=0, rmin=0):
    ino[0] += 1
    name = path.encode() + b'\0'
    fields = (ino[0], mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, 0, len(data),
              0, 0, rmaj, rmin, len(name), 0)
    head = b'070701' + b''.join(b'%08X' % f for f in fields)
    out.write(head + name + pad4(len(head) + len(name)) + data + pad4(len(data)))

for line in sys.stdin:
    w = line.split()
    if not w:
        continue
    kind, path, perm = w[0], w[1].lstrip('/'), int(w[2], 8)
    if kind == 'dir':
        entry(path, stat.S_IFDIR | perm)
    elif kind == 'file':
        entry(path, stat.S_IFREG | perm, open(w[3], 'rb').read())
    elif kind == 'slink':
        entry(path, stat.S_IFLNK | perm, w[3].encode())
    elif kind == 'nod':
        entry(path, (stat.S_IFCHR if w[3] == 'c' else stat.S_IFBLK) | perm,
              rmaj=int(w[4]), rmin=int(w[5]))
    else:
        sys.exit('mkcpio: unknown entry kind %r' % kind)
entry('TRAILER!!!', 0)
EOF
)

# The initrd is made again when busybox or this script is newer than it.
initrd=$OUT/initrd.gz
if [[ ! -f $initrd || $busybox -nt $initrd || $0 -nt $initrd ]]; then
	printf '%s\n' "$INIT_SCRIPT" >"$OUT/init"
	{
		for d in bin sbin usr usr/bin usr/sbin proc sys dev tmp etc root; do
			echo "dir /$d 755"
		done
		echo "nod /dev/console 600 c 5 1"
		echo "nod /dev/ttyS0 660 c 4 64"
		echo "nod /dev/null 666 c 1 3"
		echo "file /bin/busybox 755 $busybox"
		echo "slink /bin/sh 777 busybox"
		echo "file /init 755 $OUT/init"
	} >"$OUT/initramfs.list"
	python3 -c "$MKCPIO_PY" <"$OUT/initramfs.list" >"$OUT/initrd.cpio" &&
		gzip -n -9 -c "$OUT/initrd.cpio" >"$initrd.tmp" &&
		mv "$initrd.tmp" "$initrd" ||
		{ rm -f "$initrd.tmp"; no_images "writing the initramfs failed"; }
fi

# The kernel's first 64 KiB, a truncated bzImage that vmm must refuse
# (test linux_refused), and the .boot file that boots Linux.
if [[ ! -f $OUT/vmlinuz-cut || $OUT/vmlinuz -nt $OUT/vmlinuz-cut ]]; then
	head -c 65536 "$OUT/vmlinuz" >"$OUT/vmlinuz-cut.tmp" && mv "$OUT/vmlinuz-cut.tmp" "$OUT/vmlinuz-cut"
fi

rm -f "$OUT/unavailable"
write_if_changed "$OUT/disk-specs" \
	"guests/vmlinuz=$OUT/vmlinuz guests/initrd.gz=$initrd guests/linux.boot=fs/linux.boot guests/vmlinuz-cut=$OUT/vmlinuz-cut"
