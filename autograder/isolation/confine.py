"""The confining launcher: ``python -I confine.py SPEC_JSON -- CMD...`` confines itself, then execs.

Run by path (``sandbox.spawn`` copies it into the child's working folder: the project tree is
closed to the child), as the sandbox user after ``setpriv --no-new-privs`` and ``prlimit`` (root
modes), or as the TA's own user under the supervisor (unprivileged) or inside bwrap. In order,
each step as SPEC asks:

1. ``oom_score_adj``: written to /proc/self/oom_score_adj (1000: when the container runs out of
   memory, the kernel's OOM killer takes the student's process first, not the grader).
2. ``nproc_above``: RLIMIT_NPROC set to the tasks the real user has now plus this many (the
   unprivileged mode: the child runs as the TA's own user, whose other processes count too),
   counted in /proc (tasks of the user in other PID namespaces are not seen: the limit is then
   lower, never higher), after pyseccomp is imported (it runs ldconfig to find libseccomp).
3. ``landlock``: a Landlock ruleset (kernel >= 5.13, ABI probed): read and execute only beneath
   the ``read`` paths (system and Python folders), read and write only beneath the ``write``
   paths (the child's fresh working folder) and the ``devices``; every other file on the machine
   is out of reach, /proc included. From ABI 4 on, TCP bind/connect are refused too; from ABI 6
   on, signals and abstract unix sockets cannot reach outside the child's own processes.
4. ``seccomp``: a filter loaded through libseccomp (``pyseccomp``): socket() of any family but
   AF_UNIX, ptrace and process_vm_*, namespaces (unshare, setns, clone with CLONE_NEW*, clone3),
   mount and its new API, chroot/pivot_root, the keyring (keyctl, add_key, request_key), bpf,
   perf_event_open, userfaultfd and io_uring fail with EPERM (clone3 with ENOSYS, so libc falls
   back to clone, whose flags the filter can see). Other architectures' syscalls kill the process.
   With ``"seccomp": {"deny_session": true}`` setsid and setpgid do nothing and report success
   (errno 0: ``start_new_session=True`` still works): everything the child starts stays in its
   process group, which the supervisor kills in one call. With ``"no_unix_sockets": true``
   socket() fails for AF_UNIX too (socketpair still works): the TA's own named sockets (D-Bus,
   ``systemd --user``, ssh-agent), which Landlock does not guard, cannot be reached.

Then CMD is exec'd with RNN_CONFINED=<what was applied> in its environment. A step that SPEC
requires (``"require": [...]``) and that fails ends the launcher with status 121 and a message on
stderr: the grader never runs student code less confined than it announced. Standard library and
pyseccomp only.
"""

import ctypes
import errno
import json
import os
import sys

EXIT_CONFINE_FAILED = 121

# -- Landlock (include/uapi/linux/landlock.h) -----------------------------------------------------

SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1

READ = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 if it has none (or a seccomp filter hides it)."""
    abi = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                        ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return max(int(abi), 0)


def _handled_fs(abi: int) -> int:
    rights = (1 << 13) - 1  # ABI 1: EXECUTE .. MAKE_SYM
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def apply_landlock(read, write, devices) -> int:
    """Restrict this process (and all it execs or forks) to the paths given; returns the ABI."""
    abi = landlock_abi()
    if abi < 1:
        raise OSError(errno.ENOSYS, "Landlock is not available")
    handled = _handled_fs(abi)
    attr = _RulesetAttr(handled, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr),
                            ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        rules = [(p, READ) for p in read] + [(p, handled) for p in write] + \
            [(p, FILE_RIGHTS) for p in devices]
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue  # a path this machine lacks (/lib32, ...)
            try:
                if not os.path.isdir(path):
                    rights &= FILE_RIGHTS
                beneath = _PathBeneath(rights & handled, fd)
                if _libc.syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset),
                                 ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
                                 ctypes.byref(beneath), ctypes.c_uint32(0)) < 0:
                    raise OSError(ctypes.get_errno(), f"landlock_add_rule {path} failed")
            finally:
                os.close(fd)
        if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS failed")
        if _libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset),
                         ctypes.c_uint32(0)) < 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return abi


# -- seccomp --------------------------------------------------------------------------------------

AF_UNIX = 1
CLONE_NEW_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                   0x40000000, 0x00000080)  # NEWNS UTS IPC USER PID NET CGROUP TIME
DENIED_SYSCALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
    "unshare", "setns", "mount", "umount", "umount2", "pivot_root", "chroot",
    "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
    "keyctl", "add_key", "request_key",
    "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "open_by_handle_at", "name_to_handle_at", "acct", "swapon", "swapoff", "reboot",
    "quotactl", "lookup_dcookie", "vhangup", "iopl", "ioperm",
)


SESSION_SYSCALLS = ("setsid", "setpgid")  # with deny_session: no-ops that report success


def apply_seccomp(seccomp, deny_session: bool = False, no_unix_sockets: bool = False) -> None:
    deny = seccomp.ERRNO(errno.EPERM)
    f = seccomp.SyscallFilter(seccomp.ALLOW)  # bad arch (i386, x32 syscalls): killed
    rules = [(deny, name) for name in DENIED_SYSCALLS]
    rules += [(seccomp.ERRNO(0), name) for name in SESSION_SYSCALLS if deny_session]
    for action, name in rules:
        try:
            f.add_rule(action, name)
        except (OSError, ValueError, RuntimeError):
            pass  # a syscall this architecture does not have
    if no_unix_sockets:
        f.add_rule(deny, "socket")
    else:
        f.add_rule(deny, "socket", seccomp.Arg(0, seccomp.NE, AF_UNIX))
    f.add_rule(deny, "socketpair", seccomp.Arg(0, seccomp.NE, AF_UNIX))
    for flag in CLONE_NEW_FLAGS:
        f.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    f.load()


# -- RLIMIT_NPROC relative to the user's tasks ----------------------------------------------------


def user_tasks(uid: int) -> int:
    """Tasks (threads included, as RLIMIT_NPROC counts them) whose real uid is ``uid``."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                fields = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
            if int(fields["Uid"].split()[0]) == uid:
                count += int(fields.get("Threads", "1"))
        except (OSError, KeyError, ValueError, IndexError):
            continue
    return count


def apply_nproc_above(extra: int) -> int:
    """RLIMIT_NPROC = the real user's tasks now + ``extra`` (never above the hard limit)."""
    import resource

    value = user_tasks(os.getuid()) + int(extra)
    hard = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(resource.RLIMIT_NPROC, (value, value))
    return value


# -- the launcher ---------------------------------------------------------------------------------


def confine(spec: dict) -> list[str]:
    """Apply what ``spec`` asks; returns the names of the steps applied."""
    applied, require = [], set(spec.get("require", ()))

    def step(name, fn):
        try:
            fn()
            applied.append(name)
        except Exception as exc:  # noqa: BLE001 - reported, fatal only if required
            if name in require:
                sys.stderr.write(f"confine: {name} failed: {exc}\n")
                sys.stderr.flush()
                os._exit(EXIT_CONFINE_FAILED)

    if spec.get("oom_score_adj") is not None:
        def oom():
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write(str(int(spec["oom_score_adj"])))
        step("oom_score_adj", oom)
    seccomp = None
    if spec.get("seccomp"):
        # Imported before Landlock closes the folders it may live in.
        try:
            import pyseccomp as seccomp
        except Exception as exc:  # noqa: BLE001
            if "seccomp" in require:
                sys.stderr.write(f"confine: seccomp failed: {exc}\n")
                os._exit(EXIT_CONFINE_FAILED)
    if spec.get("nproc_above") is not None:
        # After the import (libseccomp is found by running ldconfig: a fork), before Landlock
        # closes /proc, where the user's tasks are counted.
        step("nproc", lambda: apply_nproc_above(spec["nproc_above"]))
    if spec.get("landlock"):
        ll = spec["landlock"]
        step("landlock", lambda: apply_landlock(ll.get("read", ()), ll.get("write", ()),
                                                ll.get("devices", ())))
    if seccomp is not None:
        options = spec["seccomp"] if isinstance(spec["seccomp"], dict) else {}
        step("seccomp", lambda: apply_seccomp(seccomp, bool(options.get("deny_session")),
                                              bool(options.get("no_unix_sockets"))))
    return applied


def main(argv):
    spec = json.loads(argv[1])
    if argv[2] != "--":
        sys.stderr.write("usage: confine.py SPEC_JSON -- CMD...\n")
        return 2
    command = argv[3:]
    applied = confine(spec)
    env = dict(os.environ)
    env["RNN_CONFINED"] = ",".join(applied)
    os.execve(command[0], command, env)
    return 127  # pragma: no cover - execve does not return


if __name__ == "__main__":
    sys.exit(main(sys.argv))
