#!/usr/bin/env bash
# conf/deps.sh: make sure the Debian packages this project needs are installed.
#
#   bash conf/deps.sh           install whatever is missing (apt-get, via sudo
#                               when not root); silent and fast when all present
#   bash conf/deps.sh --check   only list what is missing; exit 1 if anything is
#
# Packages: the toolchain (gcc, make, binutils), the debugger (gdb), the two
# emulators (QEMU; Bochs with its terminal display and BIOS images), and
# procps (ps), which grade-lab.sh uses besides bash, coreutils, grep, sed
# and awk.
set -eu

# Space-separated, word-split on purpose below.
PACKAGES="gcc make binutils gdb qemu-system-x86 bochs bochs-term bochsbios vgabios procps python3"

# Print the packages of $PACKAGES that dpkg does not list as fully installed.
missing_packages() {
	local installed
	# One dpkg-query call for all packages keeps the all-present case fast.
	installed=$(dpkg-query -W -f='${Package} ${Status}\n' $PACKAGES 2>/dev/null |
		awk '$NF == "installed" && $(NF-1) == "ok" { printf "%s ", $1 }') || true
	local p
	for p in $PACKAGES; do
		case " $installed " in
		*" $p "*) ;;
		*) echo "$p" ;;
		esac
	done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "conf/deps.sh: dpkg-query not found; this script supports Debian only." >&2
	echo "conf/deps.sh: install by hand: $PACKAGES" >&2
	exit 1
fi

missing=$(missing_packages | tr '\n' ' ')
missing=${missing% }

if [ "${1:-}" = "--check" ]; then
	if [ -n "$missing" ]; then
		echo "missing: $missing"
		exit 1
	fi
	exit 0
elif [ $# -gt 0 ]; then
	echo "usage: conf/deps.sh [--check]" >&2
	exit 2
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "conf/deps.sh: need root (or sudo) to install: $missing" >&2
	exit 1
fi

echo "conf/deps.sh: installing $missing"
export DEBIAN_FRONTEND=noninteractive
# Try straight away with the package lists we have; refresh them (once) only
# if that fails, e.g. on a fresh container whose lists are empty.
if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing; then
	echo "conf/deps.sh: refreshing package lists"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

missing=$(missing_packages | tr '\n' ' ')
if [ -n "$missing" ]; then
	echo "conf/deps.sh: still missing after install: $missing" >&2
	exit 1
fi
echo "conf/deps.sh: all packages installed"
