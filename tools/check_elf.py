"""check_elf.py - checks on the linked kernel ELF (run by make test).

New binutils add note sections and segments (GNU property, build-id) that
break loaders; a PIE or dynamic build cannot be loaded at all. This reads
the ELF with nothing but the struct module and checks what the two
loaders (GRUB multiboot2, QEMU PVH) rely on.
"""
import struct

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4
PT_GNU_PROPERTY = 0x6474e553
MB2_MAGIC = 0xe85250d6


def read_elf(path):
    data = open(path, "rb").read()
    hdr = struct.unpack_from("<16sHHIQQQIHHHHHH", data, 0)
    ident, etype, machine = hdr[0], hdr[1], hdr[2]
    phoff, phentsize, phnum = hdr[5], hdr[9], hdr[10]
    phdrs = [struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize) for i in range(phnum)]
    return data, ident, etype, machine, phdrs


def notes(data, off, size):
    end = off + size
    while off + 12 <= end:
        namesz, descsz, ntype = struct.unpack_from("<III", data, off)
        name = data[off + 12: off + 12 + namesz].rstrip(b"\0")
        doff = off + 12 + ((namesz + 3) & ~3)
        desc = data[doff: doff + descsz]
        yield name, ntype, desc
        off = doff + ((descsz + 3) & ~3)


def check(path):
    from harness import Result
    data, ident, etype, machine, phdrs = read_elf(path)
    res = []

    def add(name, ok, why):
        res.append(Result("elf." + name, ok, diag=[] if ok else [why]))

    add("is_elf64_x86_64_exec", ident[:4] == b"\x7fELF" and ident[4] == 2 and machine == 62 and etype == 2,
        "not an ELF64 x86-64 executable (type %d machine %d): PIE or wrong toolchain?" % (etype, machine))
    types = [p[0] for p in phdrs]
    add("static_no_interp_no_dynamic", PT_INTERP not in types and PT_DYNAMIC not in types,
        "has PT_INTERP or PT_DYNAMIC: link with -static -no-pie")
    add("no_gnu_property_segment", PT_GNU_PROPERTY not in types,
        "PT_GNU_PROPERTY present: discard .note.gnu.property in the linker script")
    pvh = [desc for p in phdrs if p[0] == PT_NOTE
           for (name, ntype, desc) in notes(data, p[2], p[5]) if name == b"Xen" and ntype == 18]
    entry = struct.unpack("<I", pvh[0][:4])[0] if pvh and len(pvh[0]) >= 4 else None
    loads = [p for p in phdrs if p[0] == PT_LOAD]
    in_load = entry is not None and any(p[4] <= entry < p[4] + p[6] for p in loads)
    add("pvh_note_points_into_image", in_load,
        "no Xen PVH note (type 18) with a 32-bit entry inside a loaded segment")
    add("loads_above_1MiB_below_16MiB", loads and all(0x100000 <= p[4] and p[4] + p[6] < 16 << 20 for p in loads),
        "a PT_LOAD physical range is outside 1 MiB..16 MiB")
    mb2 = [off for off in range(0, min(len(data), 32768) - 12, 8)
           if struct.unpack_from("<I", data, off)[0] == MB2_MAGIC and
           (sum(struct.unpack_from("<III", data, off)) + struct.unpack_from("<I", data, off + 12)[0]) & 0xffffffff == 0]
    add("multiboot2_header_in_first_32KiB", bool(mb2),
        "no valid multiboot2 header (magic + checksum) 8-aligned in the first 32 KiB")
    return res


if __name__ == "__main__":
    import sys
    for r in check(sys.argv[1]):
        print(("ok   " if r.ok else "FAIL ") + r.name, *r.diag)
