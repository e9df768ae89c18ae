"""Writes Braid's sandbox seccomp filter (a BPF program for bwrap --seccomp) to argv[1].

Generated with libseccomp (through ctypes, so no binding package is needed). Everything is
allowed except the syscalls below, which fail with EPERM (clone3 with ENOSYS, so the C library
falls back to clone, whose namespace flags can be checked), and sockets of any family but unix
and IP, which fail with EAFNOSUPPORT. Syscalls of a foreign architecture
(x32, i386) kill the process: that is libseccomp's default for a filter's non-native arches.
"""

import ctypes
import errno
import os
import sys

DENY = """
unshare setns mount umount umount2 pivot_root chroot move_mount open_tree fsopen fsconfig fsmount
fspick mount_setattr ptrace process_vm_readv process_vm_writev keyctl add_key request_key bpf
perf_event_open userfaultfd kexec_load kexec_file_load init_module finit_module delete_module
reboot swapon swapoff syslog acct quotactl quotactl_fd lookup_dcookie open_by_handle_at
name_to_handle_at io_uring_setup io_uring_enter io_uring_register iopl ioperm settimeofday
clock_settime clock_adjtime adjtimex sethostname setdomainname vhangup uselib fanotify_init
nfsservctl personality
""".split()

# socket()/socketpair() families a script may use: local sockets (asyncio's self-pipe is a
# socketpair, node's IPC a unix socket) and IP, which in the sandbox's own network namespace
# reaches only its own loopback. Every other family fails with EAFNOSUPPORT, as if the kernel
# lacked it: AF_NETLINK (kernel configuration interfaces; only getifaddrs and glibc's
# AI_ADDRCONFIG probe use it, and both fall back), AF_PACKET and AF_XDP (raw frames), AF_VSOCK
# (the hypervisor's host), AF_ALG (kernel crypto), AF_BLUETOOTH, AF_KEY, AF_RDS, AF_TIPC, ... —
# protocol code the kernel loads on demand and a long source of privilege escalations.
AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
ALLOWED_FAMILIES = (AF_UNIX, AF_INET, AF_INET6)

CLONE_NEW = [0x00020000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x02000000]
TIOCSTI, TIOCLINUX = 0x5412, 0x541C


class ArgCmp(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def main(out):
    lib = ctypes.CDLL("libseccomp.so.2")
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(ArgCmp)
    ]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    allow, eperm = 0x7FFF0000, 0x00050000 | errno.EPERM
    ctx = lib.seccomp_init(allow)
    if not ctx:
        raise OSError("seccomp_init failed")

    def rule(action, name, *cmps):
        nr = lib.seccomp_syscall_resolve_name(name.encode())
        if nr < 0:
            return  # unknown on this architecture
        arr = (ArgCmp * len(cmps))(*cmps) if cmps else None
        rc = lib.seccomp_rule_add_array(ctx, action, nr, len(cmps), arr)
        if rc < 0:
            raise OSError(-rc, "seccomp_rule_add %s" % name)

    for name in DENY:
        rule(eperm, name)
    rule(0x00050000 | errno.ENOSYS, "clone3")
    masked_eq, eq = 7, 4
    for flag in CLONE_NEW:
        rule(eperm, "clone", ArgCmp(0, masked_eq, flag, flag))
    # One rule per denied value or range: libseccomp takes one comparison per argument and rule,
    # and rules for one syscall are alternatives. The comparison is on all 64 bits, so a value
    # with any upper bit set (the kernel reads an int) is above AF_INET6 and denied too.
    eafnosupport = 0x00050000 | errno.EAFNOSUPPORT
    gt = 6
    for name in ("socket", "socketpair"):
        for family in range(max(ALLOWED_FAMILIES)):
            if family not in ALLOWED_FAMILIES:
                rule(eafnosupport, name, ArgCmp(0, eq, family, 0))
        rule(eafnosupport, name, ArgCmp(0, gt, max(ALLOWED_FAMILIES), 0))
    for req in (TIOCSTI, TIOCLINUX):
        rule(eperm, "ioctl", ArgCmp(1, masked_eq, 0xFFFFFFFF, req))
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    try:
        rc = lib.seccomp_export_bpf(ctx, fd)
        if rc < 0:
            raise OSError(-rc, "seccomp_export_bpf")
    finally:
        os.close(fd)


if __name__ == "__main__":
    main(sys.argv[1])
