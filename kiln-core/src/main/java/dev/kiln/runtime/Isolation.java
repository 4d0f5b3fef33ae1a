package dev.kiln.runtime;

/**
 * How a command is isolated from the host.
 *
 * <p>{@link #CHROOT} is weaker than {@link #OCI}; it exists for hosts without a usable OCI
 * runtime. Its differences, all deliberate:
 * <ul>
 *   <li>no cgroup: no resource accounting, and the command is not frozen or killed as a group by
 *       a cgroup (killing the namespace's pid 1 still kills every process in it);
 *   <li>no seccomp filter and no AppArmor/SELinux label (runc applies none either unless the
 *       config asks, which kiln's does not);
 *   <li>capabilities: only the bounding set is limited to Docker's default set; a root command
 *       also keeps them as inheritable (runc sets bounding, effective and permitted only);
 *   <li>chroot(2), not pivot_root(2): a root command with CAP_SYS_CHROOT can escape the root;
 *   <li>no {@code linux.maskedPaths}/{@code readonlyPaths}: /proc/kcore, /proc/sys etc. are as
 *       on the host (inside the new pid namespace);
 *   <li>/dev is a tmpfs holding bind mounts of the host's null, zero, full, random, urandom and
 *       tty (runc creates these nodes itself, plus /dev/console for a tty);
 *   <li>the working directory is entered as root, before the uid change: a user who may not
 *       enter it still starts there;
 *   <li>the current tty is used as is (no new pty is allocated for {@code tty}).
 * </ul>
 */
public enum Isolation {
    OCI,
    CHROOT
}
