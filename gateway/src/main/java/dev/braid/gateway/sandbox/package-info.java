/**
 * Sandboxed execution of untrusted Python and JavaScript scripts (DESIGN §6): {@link
 * dev.braid.gateway.sandbox.Sandbox} runs a {@link dev.braid.gateway.sandbox.Script} under {@link
 * dev.braid.gateway.sandbox.Limits} and returns an {@link dev.braid.gateway.sandbox.ExecResult}
 * with a {@link dev.braid.gateway.sandbox.Verdict}.
 *
 * <p>Each script runs in a fresh, single-use process tree started as (outermost first): {@code
 * /bin/sh -c JOIN} (only with cgroups or seccomp: writes its pid into the sandbox's cgroup v1
 * memory, pids and cpuacct groups, opens the seccomp BPF as fd 3, execs on), {@code setpriv
 * --reuid=65534 --regid=65534 --clear-groups} (only when the gateway is root: RLIMIT_NPROC is not
 * enforced for uid 0), {@code bwrap --unshare-user --uid 65534 --gid 65534 --unshare-pid
 * --unshare-net --unshare-ipc --unshare-uts --unshare-cgroup-try --hostname sandbox
 * --disable-userns --cap-drop ALL --die-with-parent --new-session --clearenv --setenv ... --ro-bind
 * /usr /usr --symlink usr/bin /bin ... --ro-bind-try /etc/ld.so.cache ... --proc /proc --dev /dev
 * --perms 1777 --size TMPFS --tmpfs /tmp --ro-bind RUNNER /run/braid/runner.py --bind FIFO
 * /run/braid/result --remount-ro /dev --remount-ro / --chdir /tmp [--seccomp 3]}, then {@code
 * prlimit --as --cpu --nproc --fsize --nofile --core=0} and the interpreter ({@code python3 -I -S
 * -B -X utf8} or {@code node --max-old-space-size}) running the runner.
 *
 * <p>The runner reads one JSON request on stdin (so a warm sandbox waits there), runs the script
 * and writes one JSON line to the FIFO; stdout and stderr are the process's pipes. Nothing else of
 * the sandbox's file system is read by the host. The gateway enforces the wall-clock deadline, the
 * output cap and (from cgroup accounting, or by sampling the tree) the whole tree's CPU time, and
 * kills the tree with SIGKILL.
 */
package dev.braid.gateway.sandbox;
