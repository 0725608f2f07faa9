#!/usr/bin/env bash
#
# kern/mksymtab.sh ELF > ksymtab.S     the kernel's symbol table, from ELF
# kern/mksymtab.sh --empty > ksymtab.S the same symbols, with no entries
#
# Writes assembler source for section .ksymtab, which kern/kdebug.c reads
# to name kernel addresses (see struct Ksymfn and friends in kern/kdebug.h):
#
#   ksym_base   .quad  the lowest text address described; all other
#                      addresses are 32-bit offsets from it
#   ksym_nfn, ksym_narg, ksym_nline, ksym_nfile   .long counts
#   ksym_fn     functions sorted by start: start, size, name (offset into
#               ksym_str), index of the first argument, argument count
#   ksym_arg    arguments: offset from the function's %rbp, byte size
#               (size 0: the location is not a plain frame slot)
#   ksym_line   line rows sorted by address: address, file, line; a row
#               covers the addresses up to the next row; line 0 means no
#               line information there
#   ksym_file   file names (offsets into ksym_str), relative to the repo
#   ksym_str    NUL-terminated strings
#
# Functions come from the ELF symbol table (nm: every T, t or W symbol in
# an executable section, so assembly labels count too; a symbol without a
# size reaches to the next symbol), arguments from the DWARF
# DW_TAG_formal_parameter entries of the function whose low_pc matches,
# lines from the DWARF line table.  Only text addresses go in, so the
# table for pass 1 fits the final link unchanged.
#
# Needs bash, binutils (nm, readelf), awk (plain POSIX, mawk is fine) and
# sort.

set -eu -o pipefail
export LC_ALL=C

NM=${NM:-nm}
READELF=${READELF:-readelf}

usage() {
	echo "usage: $0 ELF | --empty" >&2
	exit 2
}

[ $# -eq 1 ] || usage

if [ "$1" = "--empty" ]; then
	elf=
else
	elf=$1
	if [ ! -f "$elf" ]; then
		echo "$0: $elf: no such file" >&2
		exit 1
	fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mksymtab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ -z "$elf" ]; then
	: > "$tmp/sections"
	: > "$tmp/syms"
	: > "$tmp/info"
	: > "$tmp/lines"
else
	"$READELF" -S -W "$elf" > "$tmp/sections"
	"$NM" -n -S --defined-only "$elf" > "$tmp/syms"
	"$READELF" --wide --debug-dump=info "$elf" > "$tmp/info"
	"$READELF" --wide --debug-dump=decodedline "$elf" > "$tmp/decodedline"

	# Line rows as "address<TAB>kind<TAB>serial<TAB>line<TAB>file", where
	# kind 0 is an end of sequence and 1 an ordinary row; sorted so that
	# at one address an end of sequence comes first and the rows keep
	# their order.
	awk -v root="$(pwd)" '
	function hex(s,    i, n, c) {
		n = 0
		s = tolower(s)
		sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++) {
			c = index("0123456789abcdef", substr(s, i, 1))
			n = n * 16 + c - 1
		}
		if (n >= 9007199254740992) {
			print "mksymtab: address beyond awk precision" > "/dev/stderr"
			exit 1
		}
		return n
	}
	# Repo-relative spelling of a path from the line table header.
	function relpath(p) {
		sub(/:$/, "", p)
		sub(/^CU: /, "", p)
		sub(/ *\[\+\+\]$/, "", p)
		if (substr(p, 1, length(root) + 1) == root "/")
			p = substr(p, length(root) + 2)
		while (substr(p, 1, 2) == "./")
			p = substr(p, 3)
		return p
	}
	/^Contents of / { next }
	/^File name +Line number/ { next }
	/^CU: / { file = relpath($0); next }
	/:$/ && NF >= 1 && $NF !~ /^0x/ { file = relpath($0); next }
	NF >= 3 && $3 ~ /^0x[0-9a-fA-F]+$/ && ($2 ~ /^[0-9]+$/ || $2 == "-") {
		serial++
		if ($2 == "-")
			printf "%.0f\t0\t%d\t0\t\n", hex($3), serial
		else
			printf "%.0f\t1\t%d\t%d\t%s\n", hex($3), serial, $2, file
	}
	' "$tmp/decodedline" | sort -t "$(printf '\t')" -k1,1n -k2,2n -k3,3n > "$tmp/lines"
fi

awk '
function hex(s,    i, n, c) {
	n = 0
	s = tolower(s)
	sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1))
		n = n * 16 + c - 1
	}
	if (n >= 9007199254740992) {
		print "mksymtab: address beyond awk precision" > "/dev/stderr"
		broken = 1
		exit 1
	}
	return n
}

# Index of the executable section holding address a, or 0; with atend,
# the address just past a section counts too.
function textsec(a, atend,    i) {
	for (i = 1; i <= nsec; i++)
		if (a >= secstart[i] && (a < secend[i] || (atend && a == secend[i])))
			return i
	return 0
}

# Byte size of the type at DIE offset t, following typedefs and
# qualifiers; 0 when unknown.
function typesize(t,    n) {
	for (n = 0; n < 32 && t != ""; n++) {
		if (t in dsize)
			return dsize[t]
		if (!(t in dtype))
			return 0
		t = dtype[t]
	}
	return 0
}

# Add a string to ksym_str (once) and return its offset.
function str(s) {
	if (!(s in stroff)) {
		stroff[s] = strsize
		strtext[nstr++] = s
		strsize += length(s) + 1
	}
	return stroff[s]
}

# Index of a file name in ksym_file.
function fileidx(f) {
	if (!(f in fileno)) {
		fileno[f] = nfile
		filename[nfile++] = f
		str(f)
	}
	return fileno[f]
}

# Finish the DIE collected so far: remember type facts, and record
# functions with code and their parameters.
function closedie(    n) {
	if (dieoff == "")
		return
	if (diesize != "")
		dsize[dieoff] = diesize
	if (dietype != "")
		dtype[dieoff] = dietype
	else if (dieorigin != "")
		dtype[dieoff] = dieorigin
	if (fnactive && diedepth <= fndepth)
		fnactive = 0
	if (dietag == "DW_TAG_subprogram" && dielowpc != "") {
		fnactive = 1
		fndepth = diedepth
		curfn = dielowpc
		if (!(curfn in dnarg)) {
			dnarg[curfn] = 0
			dbias[curfn] = diebias
		}
	} else if (dietag == "DW_TAG_formal_parameter" && fnactive &&
	    diedepth == fndepth + 1) {
		n = dnarg[curfn]++
		dargloc[curfn, n] = dieloc
		dargtype[curfn, n] = (dietype != "") ? dietype : dieorigin
	}
	dieoff = ""
}

function quote(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	return "\"" s "\""
}

# Part 1: section headers; keep allocated executable sections.
part == 1 && /^ *\[ *[0-9]+\]/ {
	line = $0
	sub(/^ *\[ *[0-9]+\] */, "", line)
	split(line, f, " ")
	if (f[2] != "NULL" && f[7] ~ /A/ && f[7] ~ /X/) {
		nsec++
		secstart[nsec] = hex(f[3])
		secend[nsec] = hex(f[3]) + hex(f[5])
	}
	next
}
part == 1 { next }

# Part 2: nm -n -S: "addr [size] type name".
part == 2 {
	if (NF == 4) {
		a = $1; sz = $2; ty = $3; nm = $4
	} else if (NF == 3) {
		a = $1; sz = ""; ty = $2; nm = $3
	} else
		next
	if (ty !~ /^[TtWw]$/)
		next
	a = hex(a)
	sec = textsec(a)
	if (sec == 0)
		next
	sz = (sz == "") ? 0 : hex(sz)
	# Several names at one address: keep one with a size, else a
	# global one, else the first.
	if (nsym > 0 && symaddr[nsym] == a) {
		if ((sz > 0 && symsize[nsym] == 0) ||
		    (sz == symsize[nsym] && ty == "T" && symtype[nsym] == "t")) {
			symsize[nsym] = sz
			symname[nsym] = nm
			symtype[nsym] = ty
		}
		next
	}
	nsym++
	symaddr[nsym] = a
	symsize[nsym] = sz
	symname[nsym] = nm
	symtype[nsym] = ty
	symsec[nsym] = sec
	next
}

# Part 3: readelf --debug-dump=info.
part == 3 && /^ *<[0-9]+><[0-9a-f]+>: Abbrev Number:/ {
	closedie()
	split($1, f, /[<>]/)
	diedepth = f[2] + 0
	dieoff = f[4]
	dietag = ""
	if (match($0, /\(DW_TAG_[a-zA-Z0-9_]+\)/))
		dietag = substr($0, RSTART + 1, RLENGTH - 2)
	diesize = ""; dietype = ""; dieorigin = ""; dielowpc = ""
	dieloc = ""; diebias = ""
	next
}
part == 3 && /^ *<[0-9a-f]+> +DW_AT_/ {
	at = $2
	sub(/:$/, "", at)
	if (at == "DW_AT_byte_size") {
		diesize = $NF + 0
	} else if (at == "DW_AT_type" || at == "DW_AT_abstract_origin") {
		if (match($0, /<0x[0-9a-f]+>/)) {
			r = substr($0, RSTART + 3, RLENGTH - 4)
			if (at == "DW_AT_type")
				dietype = r
			else
				dieorigin = r
		}
	} else if (at == "DW_AT_low_pc") {
		dielowpc = sprintf("%.0f", hex($NF))
	} else if (at == "DW_AT_frame_base") {
		if ($0 ~ /\(DW_OP_call_frame_cfa\)[ \t]*$/)
			diebias = 16	# the CFA is %rbp + 16 after the prologue
		else if (match($0, /\(DW_OP_breg6 \(rbp\): -?[0-9]+\)[ \t]*$/)) {
			r = substr($0, RSTART, RLENGTH)
			sub(/^.*: /, "", r)
			sub(/\).*$/, "", r)
			diebias = r + 0
		}
	} else if (at == "DW_AT_location") {
		if (match($0, /\(DW_OP_fbreg: -?[0-9]+\)[ \t]*$/)) {
			r = substr($0, RSTART, RLENGTH)
			sub(/^.*: /, "", r)
			sub(/\).*$/, "", r)
			dieloc = r + 0
		}
	}
	next
}
part == 3 { next }

# Part 4: sorted line rows "address kind serial line file".
part == 4 {
	split($0, f, "\t")
	a = f[1] + 0
	if (textsec(a, f[2] == 0) == 0)
		next
	nrow++
	rowaddr[nrow] = a
	rowline[nrow] = f[4] + 0
	rowfile[nrow] = f[5]
	next
}

END {
	if (broken)
		exit 1
	closedie()

	# Function extents: a symbol without a size reaches to the next
	# symbol in its section, or to the end of the section.
	for (i = 1; i <= nsym; i++) {
		if (symsize[i] > 0)
			continue
		end = secend[symsec[i]]
		if (i < nsym && symsec[i + 1] == symsec[i])
			end = symaddr[i + 1]
		symsize[i] = end - symaddr[i]
	}

	# The base: the lowest address described.
	base = -1
	if (nsym > 0)
		base = symaddr[1]
	if (nrow > 0 && (base < 0 || rowaddr[1] < base))
		base = rowaddr[1]
	if (base < 0)
		base = 0

	str("")
	nfn = 0
	narg = 0
	for (i = 1; i <= nsym; i++) {
		if (symsize[i] <= 0)
			continue
		if (symaddr[i] - base + symsize[i] > 4294967295) {
			printf "mksymtab: %s too far from the base, left out\n", \
			    symname[i] > "/dev/stderr"
			continue
		}
		nfn++
		fnstart[nfn] = symaddr[i] - base
		fnsize[nfn] = symsize[i]
		fnname[nfn] = str(symname[i])
		fnarg[nfn] = narg
		key = sprintf("%.0f", symaddr[i])
		n = 0
		if (key in dnarg)
			n = dnarg[key]
		if (n > 255)
			n = 255
		for (j = 0; j < n; j++) {
			sz = typesize(dargtype[key, j])
			loc = dargloc[key, j]
			if (loc == "" || dbias[key] == "" || sz == 0) {
				argoff[narg] = 0
				argsize[narg] = 0
			} else {
				argoff[narg] = loc + dbias[key]
				argsize[narg] = sz
			}
			narg++
		}
		fnnarg[nfn] = n
	}
	if (narg > 65535) {
		print "mksymtab: more than 65535 arguments" > "/dev/stderr"
		exit 1
	}

	# Line rows: at one address the last row wins; then drop rows that
	# repeat the file and line of the row before.
	nline = 0
	lastkey = ""
	for (i = 1; i <= nrow; i++) {
		if (i < nrow && rowaddr[i + 1] == rowaddr[i])
			continue
		if (rowaddr[i] - base > 4294967295)
			continue
		if (rowline[i] == 0)
			fi = 0
		else
			fi = fileidx(rowfile[i])
		ln = rowline[i]
		if (ln > 65535)
			ln = 65535
		k = fi "," ln
		if (k == lastkey)
			continue
		lastkey = k
		nline++
		lnaddr[nline] = rowaddr[i] - base
		lnfile[nline] = fi
		lnline[nline] = ln
	}
	if (nfile == 0)
		fileidx("<unknown>")

	print "/* Generated by kern/mksymtab.sh; do not edit. */"
	print "\t.section .ksymtab, \"a\""
	print "\t.balign 8"
	print "\t.globl ksym_base"
	print "ksym_base:"
	printf "\t.quad %.0f\n", base
	print "\t.globl ksym_nfn"
	print "ksym_nfn:"
	printf "\t.long %d\n", nfn
	print "\t.globl ksym_narg"
	print "ksym_narg:"
	printf "\t.long %d\n", narg
	print "\t.globl ksym_nline"
	print "ksym_nline:"
	printf "\t.long %d\n", nline
	print "\t.globl ksym_nfile"
	print "ksym_nfile:"
	printf "\t.long %d\n", nfile

	print "\t.balign 4"
	print "\t.globl ksym_fn"
	print "ksym_fn:"
	for (i = 1; i <= nfn; i++)
		printf "\t.long %.0f, %.0f, %.0f\n\t.short %d\n\t.byte %d, 0\n", \
		    fnstart[i], fnsize[i], fnname[i], fnarg[i], fnnarg[i]

	print "\t.globl ksym_arg"
	print "ksym_arg:"
	for (i = 0; i < narg; i++)
		printf "\t.long %d, %d\n", argoff[i], argsize[i]

	print "\t.globl ksym_line"
	print "ksym_line:"
	for (i = 1; i <= nline; i++)
		printf "\t.long %.0f\n\t.short %d, %d\n", \
		    lnaddr[i], lnfile[i], lnline[i]

	print "\t.globl ksym_file"
	print "ksym_file:"
	for (i = 0; i < nfile; i++)
		printf "\t.long %.0f\n", stroff[filename[i]]

	print "\t.globl ksym_str"
	print "ksym_str:"
	for (i = 0; i < nstr; i++)
		printf "\t.asciz %s\n", quote(strtext[i])

	print "\t.section .note.GNU-stack, \"\", @progbits"
}
' part=1 "$tmp/sections" part=2 "$tmp/syms" part=3 "$tmp/info" \
    part=4 "$tmp/lines"
