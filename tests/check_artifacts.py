"""Checks Lambda artifacts built by cargo-lambda: each rule's bootstrap.zip holds an executable
`bootstrap` ELF for the expected instruction set; prints each one's binary and zipped size.

    python tests/check_artifacts.py --arch arm64 [--dir target/lambda] [--extract] RULE...

Exit 1 (with one line naming the artifact) when one is missing or built for the wrong machine.
`--extract` also unpacks `bootstrap` next to the zip, for tests that run it.
"""

import argparse
import os
import stat
import sys
import zipfile

# ELF e_machine values (System V ABI): the two instruction sets Lambda runs.
MACHINES = {"arm64": 0xB7, "x86_64": 0x3E}


def check(path, arch, extract):
    if not os.path.isfile(path):
        return f"{path}: missing (run make build)"
    with zipfile.ZipFile(path) as z:
        try:
            info = z.getinfo("bootstrap")
        except KeyError:
            return f"{path}: no bootstrap in the zip"
        data = z.read("bootstrap")
        mode = (info.external_attr >> 16) & 0o777
    if data[:4] != b"\x7fELF":
        return f"{path}: bootstrap is not an ELF executable"
    machine = int.from_bytes(data[18:20], "little")
    if machine != MACHINES[arch]:
        found = {v: k for k, v in MACHINES.items()}.get(machine, hex(machine))
        return f"{path}: bootstrap is built for {found}, not {arch}"
    if not mode & 0o100:
        return f"{path}: bootstrap is not executable in the zip (mode {oct(mode)})"
    if extract:
        out = os.path.join(os.path.dirname(path), "bootstrap")
        with open(out, "wb") as f:
            f.write(data)
        os.chmod(out, os.stat(out).st_mode | stat.S_IXUSR)
    return (len(data), os.path.getsize(path))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", choices=sorted(MACHINES), required=True)
    parser.add_argument("--dir", default="target/lambda")
    parser.add_argument("--extract", action="store_true")
    parser.add_argument("rules", nargs="+")
    args = parser.parse_args(argv)
    print(f"{'function':<36} {'binary MB':>10} {'zip MB':>8}  ({args.arch})")
    failed = False
    for rule in args.rules:
        result = check(os.path.join(args.dir, rule, "bootstrap.zip"), args.arch, args.extract)
        if isinstance(result, str):
            print(result, file=sys.stderr)
            failed = True
        else:
            binary, zipped = result
            print(f"{rule:<36} {binary / 1e6:>10.2f} {zipped / 1e6:>8.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
