# conf/tests/51-fsformat.sh: the disk format is 64-bit JOS's (issue 11,
# part 1).  A writer and a reader of that layout in a few lines of Python,
# independent of fs/fsformat.c and inc/fs.h, check it from the outside:
# a disk the Python wrote must mount, list and read here (and take our
# writes in the same layout), and our obj/fs/fs.img must read right to it.
# Uses fs_boot, fs_same and FS_CHECKS from 50-fs.sh.

# The layout, as the JOS handout's fsformat writes it: 4096-byte blocks;
# block 1 the super block (magic, block count, the root's struct File);
# the bitmap from block 2, a set bit meaning free; struct File is 256
# bytes: name[128] at 0, int32 size at 128, type at 132 (0 file, 1
# directory), 10 direct block numbers at 136, the indirect block at 176;
# and our extension for files over 4 MiB, a double-indirect block at 180
# (a block of indirect block numbers; 0 in JOS's own files).
#
#   python3 -c "$FS_LAYOUT_PY" write IMAGE BINDIR   a test disk (below)
#   python3 -c "$FS_LAYOUT_PY" pattern SIZE FILE    the pattern file of SIZE bytes
#   python3 -c "$FS_LAYOUT_PY" check IMAGE PATH=HOSTFILE|PATH=pattern ...
#                                                   PATH holds those bytes
FS_LAYOUT_PY=$(
	cat <<'EOF'
import struct, sys
BLK, NDIRECT, FS_MAGIC = 4096, 10, 0x4A0530AE
NIND = BLK // 4

def pattern(size):                     # byte i: (131 i + size) mod 251
    period = bytes((i * 131 + size) % 251 for i in range(251))
    return (period * (size // 251 + 1))[:size]

def entry(name, size, ftype, direct, indirect):
    e = struct.pack('<128siI10II', name.encode(), size, ftype,
                    *(direct + [0] * (NDIRECT - len(direct))), indirect)
    return e + bytes(256 - len(e))

def write(image, bindir):
    nblocks = 504                      # 4 whole cylinders (16 heads, 63 sectors)
    disk = bytearray(nblocks * BLK)
    disk[2 * BLK:3 * BLK] = b'\xff' * BLK
    free = list(range(nblocks - 1, 2, -1))   # from the top down, unlike ours
    def take():
        b = free.pop(0)
        disk[2 * BLK + b // 8] &= ~(1 << (b % 8))
        return b
    for b in range(3):
        disk[2 * BLK + b // 8] &= ~(1 << (b % 8))
    def put(data):                     # data blocks, then the indirect block
        blocks = []
        for off in range(0, len(data), BLK):
            b = take()
            disk[b * BLK:b * BLK + len(data[off:off + BLK])] = data[off:off + BLK]
            blocks.append(b)
        ind = 0
        if len(blocks) > NDIRECT:
            ind = take()
            rest = blocks[NDIRECT:]
            disk[ind * BLK:ind * BLK + 4 * len(rest)] = struct.pack('<%dI' % len(rest), *rest)
        return blocks[:NDIRECT], ind
    def node(name, what):              # bytes: a file; a list: a directory
        if isinstance(what, bytes):
            return entry(name, len(what), 0, *put(what))
        # A directory's items: (name, what), an entry as it is, None (a free slot).
        data = b''.join(node(*e) if isinstance(e, tuple) else e or bytes(256) for e in what)
        data += bytes(-len(data) % BLK)
        return entry(name, len(data), 1, *put(data))
    binary = lambda n: open(bindir + '/' + n, 'rb').read()
    # Entries the server must refuse: a negative size, a size past what
    # a file can hold, a block number off the disk.
    bad = [entry('neg.bad', -5, 0, [], 0),
           entry('huge.bad', 0x7FFFF000 + 1, 0, [], 0),
           entry('ptr.bad', 100, 0, [nblocks + 7], 0)]
    root = [('motd', b"This disk was written by the test's own Python, in the JOS layout.\n"),
            ('newmotd', b'This is the NEW message of the day!\n'),
            None,
            ('small.pat', pattern(100)), ('empty.pat', b''),
            ('big.pat', pattern(14 * BLK + 123)),
            ('sub', [('inner.pat', pattern(5000))] + [None] * 17 +
                    [('deeper', [('edge.pat', pattern(NDIRECT * BLK))])]),
            ('ls', binary('ls')), ('cat', binary('cat'))] + bad
    disk[BLK:BLK + 8 + 256] = struct.pack('<II', FS_MAGIC, nblocks) + node('/', root)
    open(image, 'wb').write(disk)

def parse(d, off):
    name, size, ftype = struct.unpack_from('<128siI', d, off)
    return dict(name=name.split(b'\0')[0].decode(), size=size, type=ftype,
                direct=struct.unpack_from('<10I', d, off + 136),
                indirect=struct.unpack_from('<I', d, off + 176)[0],
                double=struct.unpack_from('<I', d, off + 180)[0],
                pad=d[off + 184:off + 256])

def second_level(d, f):                # the indirect blocks under the double one
    n = (f['size'] + BLK - 1) // BLK - NDIRECT - NIND
    if n <= 0:
        return []
    return list(struct.unpack_from('<%dI' % ((n + NIND - 1) // NIND), d, f['double'] * BLK))

def blocks_of(d, f):
    n = (f['size'] + BLK - 1) // BLK
    bl = list(f['direct'][:min(n, NDIRECT)])
    if n > NDIRECT:
        bl += struct.unpack_from('<%dI' % min(n - NDIRECT, NIND), d, f['indirect'] * BLK)
    for ind in second_level(d, f):
        bl += struct.unpack_from('<%dI' % min(n - len(bl), NIND), d, ind * BLK)
    return bl

def in_use(d, b):
    return not (d[2 * BLK + b // 8] >> (b % 8)) & 1

def check(image, specs):
    d = open(image, 'rb').read()
    magic, nblocks = struct.unpack_from('<II', d, BLK)
    root = parse(d, BLK + 8)
    ok = (magic == FS_MAGIC and nblocks * BLK == len(d) and root['name'] == '/'
          and root['type'] == 1 and root['size'] % BLK == 0 and not any(root['pad']))
    print('layout: super block: magic %08x, %d blocks, %s whole cylinders; root %r type %d, %d bytes: %s'
          % (magic, nblocks, 'in' if len(d) % 516096 == 0 else 'NOT in', root['name'],
             root['type'], root['size'], 'good' if ok else 'FAIL'))
    for spec in specs:
        path, host = spec.split('=')
        f = root
        for name in path.strip('/').split('/'):
            dirblocks = blocks_of(d, f) if f['type'] == 1 else []
            found = [e for e in (parse(d, b * BLK + j * 256) for b in dirblocks if b
                                 for j in range(BLK // 256)) if e['name'] == name]
            if not found:
                print('layout: %s: FAIL: no entry %r' % (path, name))
                break
            f = found[0]
        else:
            want = pattern(f['size']) if host == 'pattern' else open(host, 'rb').read()
            bl = blocks_of(d, f)
            got = b''.join(d[b * BLK:(b + 1) * BLK] for b in bl)[:f['size']]
            index = [b for b in [f['indirect'], f['double']] if b] + second_level(d, f)
            used = all(in_use(d, b) for b in bl + index)
            good = (got == want and f['type'] == 0 and used and not any(f['pad'])
                    and (f['indirect'] != 0) == (len(bl) > NDIRECT)
                    and (f['double'] != 0) == (len(bl) > NDIRECT + NIND))
            print('layout: %s: %d bytes, type %d, %d blocks (%d through the indirect block%s), %s, %s %s: %s'
                  % (path, f['size'], f['type'], len(bl), min(NIND, max(0, len(bl) - NDIRECT)),
                     ', %d through %d under the double-indirect block'
                     % (len(bl) - NDIRECT - NIND, len(index) - 2) if f['double'] else '',
                     'all in use' if used else 'NOT all in use',
                     'same bytes as' if got == want else 'DIFFERENT bytes from',
                     host, 'good' if good else 'FAIL'))
            if path.endswith('.img') and got[BLK:BLK + 4] == struct.pack('<I', FS_MAGIC):
                print('layout: %s holds a JOS file system of %d blocks'
                      % (path, struct.unpack_from('<I', got, BLK + 4)[0]))

if sys.argv[1] == 'write':
    write(sys.argv[2], sys.argv[3])
elif sys.argv[1] == 'pattern':
    open(sys.argv[3], 'wb').write(pattern(int(sys.argv[2])))
else:
    check(sys.argv[2], sys.argv[3:])
EOF
)

# fs_layout ARGS...: run the Python above; its output goes to stdout.
fs_layout() {
	if ! command -v python3 >/dev/null; then
		echo "fs_layout: python3 is not installed"
		return 1
	fi
	python3 -c "$FS_LAYOUT_PY" "$@" 2>&1
}

# A disk the Python wrote: the file server mounts it (its self-checks
# pass, writing to this copy), testfsimg lists and reads everything and
# writes /sub/made.pat; /ls and /cat run from it.  Then on the host the
# Python reads made.pat back, our fsformat extracts /big.pat and checks
# the whole disk (bitmap against files: the .bad entries are its only
# errors).
fs_foreign_session() {
	local dir=$1 log=$2
	fs_layout write "$dir/fs.img" obj/fs/bin >>"$log" || return 1
	fs_boot "$dir" "$log"
	fs_layout check "$dir/fs.img" /sub/made.pat=pattern /big.pat=pattern >>"$log"
	fs_layout pattern $((14 * 4096 + 123)) "$dir/big.pat" >>"$log"
	fs_same "$dir/fs.img" /big.pat "$dir/big.pat" "$log"
	obj/fs/fsformat -c "$dir/fs.img" >>"$log" 2>&1
	echo "fsck exit status $?" >>"$log"
}

add_test fs_foreign_image --cmdline "prog=testfsimg exit" --func fs_foreign_session --timeout 60 \
	"${FS_CHECKS[@]}" \
	--expect '^ide: disk 1 has 4032 sectors' \
	--expect '^testfsimg: - /motd 67$' \
	--expect '^testfsimg: - /big\.pat 57467$' \
	--expect '^testfsimg: /small\.pat: 100 bytes of the pattern$' \
	--expect '^testfsimg: /empty\.pat: 0 bytes of the pattern$' \
	--expect '^testfsimg: /big\.pat: 57467 bytes of the pattern$' \
	--expect '^testfsimg: d /sub 8192$' \
	--expect '^testfsimg: /sub/inner\.pat: 5000 bytes of the pattern$' \
	--expect '^testfsimg: d /sub/deeper 4096$' \
	--expect '^testfsimg: /sub/deeper/edge\.pat: 40960 bytes of the pattern$' \
	--expect "^fs: 'neg\.bad' has a bad size -5$" \
	--expect '^testfsimg: /neg\.bad refused at open: invalid parameter$' \
	--expect "^fs: 'huge\.bad' has a bad size 2147479553$" \
	--expect '^testfsimg: /huge\.bad refused at open: invalid parameter$' \
	--expect '^testfsimg: /ptr\.bad refused at read: invalid parameter$' \
	--expect '^testfsimg: - /ls [0-9]+$' \
	--expect-seq '^testfsimg: 5 pattern files are right$' \
	--expect-seq '^testfsimg: wrote /sub/made\.pat$' \
	--expect-seq '^testfsimg: sizes and offsets are range-checked$' \
	--expect-seq '^testfsimg: /sub/made\.pat: 49497 bytes of the pattern$' \
	--expect-seq '^ +5000 - /sub/inner\.pat$' \
	--expect-seq '^ +49497 - /sub/made\.pat$' \
	--expect-seq '^ +4096 d /sub/deeper$' \
	--expect-seq "^This disk was written by the test's own Python, in the JOS layout\.$" \
	--expect-seq '^testfsimg: all tests passed$' \
	--expect-seq '^No runnable environments in the system!' \
	--expect-seq '^layout: super block: magic 4a0530ae, 504 blocks, in whole cylinders; .*: good$' \
	--expect-seq '^layout: /sub/made\.pat: 49497 bytes, type 0, 13 blocks \(3 through the indirect block\), all in use, same bytes as pattern: good$' \
	--expect-seq '^layout: /big\.pat: 57467 bytes, type 0, 15 blocks \(5 through the indirect block\), all in use, same bytes as pattern: good$' \
	--expect-seq '^host: /big\.pat is intact$' \
	--expect '^fsck: /neg\.bad: bad size -5$' \
	--expect '^fsck: /huge\.bad: bad size 2147479553$' \
	--expect '^fsck: /ptr\.bad: direct block 511 is past the end$' \
	--expect-seq '^fsck: 504 blocks, [0-9]+ in use, 0 leaked, 3 errors$' \
	--expect-seq '^fsck exit status 1$' \
	--forbid 'FAIL' --forbid 'user panic' --forbid 'user fault' --forbid 'Traceback'

# Our image from the outside: the Python finds files by walking the
# directories at the JOS offsets and compares their blocks with the host
# files they were made from (sh and bench.1m use the indirect block;
# /vmm/fs.img is the guest's disk, itself a JOS file system).
fs_layout_session() {
	fs_layout check obj/fs/fs.img /motd=fs/motd /lorem=fs/lorem \
		/sh=obj/fs/bin/sh /bench.1m=obj/fs/bench.1m \
		/vmm/boot=obj/guest/boot /vmm/fs.img=obj/guest/fs.img >>"$2"
}

add_test fs_layout --func fs_layout_session \
	--expect-seq '^layout: super block: magic 4a0530ae, [0-9]+ blocks, in whole cylinders; root '"'"'/'"'"' type 1, [0-9]+ bytes: good$' \
	--expect-seq '^layout: /motd: [0-9]+ bytes, type 0, 1 blocks \(0 through the indirect block\), all in use, same bytes as fs/motd: good$' \
	--expect-seq '^layout: /lorem: [0-9]+ bytes, .*same bytes as fs/lorem: good$' \
	--expect-seq '^layout: /sh: [0-9]+ bytes, type 0, [0-9]+ blocks \([1-9][0-9]* through the indirect block\), all in use, same bytes as obj/fs/bin/sh: good$' \
	--expect-seq '^layout: /bench\.1m: 1048576 bytes, type 0, 256 blocks \(246 through the indirect block\), all in use, same bytes as obj/fs/bench\.1m: good$' \
	--expect-seq '^layout: /vmm/boot: [0-9]+ bytes, .*same bytes as obj/guest/boot: good$' \
	--expect-seq '^layout: /vmm/fs\.img: 4194304 bytes, .*same bytes as obj/guest/fs\.img: good$' \
	--expect-seq '^layout: /vmm/fs\.img holds a JOS file system of 1024 blocks$' \
	--forbid 'FAIL' --forbid 'Traceback'

# Files over 4 MiB (issue 15, part 2) on the host: fsformat makes an
# image with a file that reaches into the double-indirect block; -x gives
# its bytes back, -c finds every block accounted for, and the Python
# above reads the same bytes by following the layout itself.  Then the
# double-indirect pointer (the first root entry's, at 180) is set off the
# disk: -c and -x say so and fail (its 503 data blocks, the indirect
# block under it and the old double-indirect block then count as
# leaked).  A file bigger than the disk is refused by name.
fsformat_big_session() {
	local dir=$1 log=$2 size=$((6 * 1024 * 1024 + 5))
	fs_layout pattern "$size" "$dir/big.pat" >>"$log"
	obj/fs/fsformat "$dir/big.img" 2016 big.pat="$dir/big.pat" fs/motd >>"$log" 2>&1
	echo "fsformat exit status $?" >>"$log"
	fs_same "$dir/big.img" /big.pat "$dir/big.pat" "$log"
	obj/fs/fsformat -c "$dir/big.img" >>"$log" 2>&1
	fs_layout check "$dir/big.img" /big.pat=pattern /motd=fs/motd >>"$log"
	cp "$dir/big.img" "$dir/bad.img"
	# Block 3 is the root's first block (after boot, super, one bitmap block).
	printf '\x40\x1f\x00\x00' | dd of="$dir/bad.img" bs=1 seek=$((3 * 4096 + 180)) conv=notrunc 2>>"$log"
	obj/fs/fsformat -c "$dir/bad.img" >>"$log" 2>&1
	echo "fsck exit status $?" >>"$log"
	obj/fs/fsformat -x "$dir/bad.img" /big.pat >/dev/null 2>>"$log"
	echo "extract exit status $?" >>"$log"
	obj/fs/fsformat "$dir/small.img" 1008 big.pat="$dir/big.pat" >>"$log" 2>&1
	echo "small fsformat exit status $?" >>"$log"
}

add_test fsformat_bigfile --func fsformat_big_session \
	--expect-seq '^fsformat exit status 0$' \
	--expect-seq '^host: /big\.pat is intact$' \
	--expect-seq '^fsck: 2016 blocks, 1545 in use, 0 leaked, 0 errors$' \
	--expect-seq '^layout: super block: magic 4a0530ae, 2016 blocks, in whole cylinders; .*: good$' \
	--expect-seq '^layout: /big\.pat: 6291461 bytes, type 0, 1537 blocks \(1024 through the indirect block, 503 through 1 under the double-indirect block\), all in use, same bytes as pattern: good$' \
	--expect-seq '^layout: /motd: [0-9]+ bytes, type 0, 1 blocks \(0 through the indirect block\), all in use, same bytes as fs/motd: good$' \
	--expect-seq '^fsck: /big\.pat: double-indirect block 8000 is past the end$' \
	--expect-seq '^fsck: 2016 blocks, 1545 in use, 505 leaked, 506 errors$' \
	--expect-seq '^fsck exit status 1$' \
	--expect-seq '^fsformat: .*bad\.img: block 8000 is past the end of the disk$' \
	--expect-seq '^extract exit status 1$' \
	--expect-seq '^fsformat: .*big\.pat does not fit: it needs 1540 blocks, [0-9]+ of 1008 are free$' \
	--expect-seq '^small fsformat exit status 1$' \
	--forbid 'FAIL' --forbid 'Traceback'
