package dev.kiln.runtime;

import dev.kiln.layer.SafePath;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Runs a {@link Launch} with util-linux alone ({@link Isolation#CHROOT}, weaker; the differences
 * are listed there). {@code unshare --mount --pid --uts --ipc --fork [--net]} runs the HOST's
 * /bin/sh, which mounts /proc, /dev, /sys and the bind mounts inside the new mount namespace
 * (so nothing reaches the host's mount table), sets the hostname, and then execs
 * {@code setpriv} (gid, supplementary groups, bounding set) → {@code env -i} (the container's
 * environment) → {@code unshare --root --wd --setuid} (chroot, cwd, uid) → the command.
 */
final class ChrootRuntime {
    private static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

    private ChrootRuntime() {}

    static int run(Launch l, Stdio stdio) throws IOException, InterruptedException {
        for (String tool : List.of("unshare", "setpriv", "mount", "hostname", "env")) {
            if (Subprocess.locate(tool) == null) {
                throw new KilnException("chroot isolation needs util-linux '" + tool + "' on PATH; install util-linux, or use --isolation oci");
            }
        }
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--pid", "--uts", "--ipc",
                "--fork", "--kill-child"));
        if (l.spec().network() == Network.NONE) command.add("--net");
        command.addAll(List.of("--", "/bin/sh", "-c", script(l)));
        return Subprocess.run(command, stdio, "running in a chroot");
    }

    static String script(Launch l) throws IOException {
        Path root = l.spec().rootfs();
        StringBuilder s = new StringBuilder("set -e\n");
        s.append("R=").append(q(root.toString())).append('\n');
        s.append("mount -t proc -o nosuid,noexec,nodev proc \"$R/proc\"\n");
        s.append("mount -t tmpfs -o nosuid,strictatime,mode=755,size=65536k tmpfs \"$R/dev\"\n");
        s.append("for n in ").append(String.join(" ", DEVICES)).append("; do : > \"$R/dev/$n\"; mount --bind \"/dev/$n\" \"$R/dev/$n\"; done\n");
        s.append("mkdir \"$R/dev/pts\" \"$R/dev/shm\" \"$R/dev/mqueue\"\n");
        s.append("mount -t devpts -o nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5 devpts \"$R/dev/pts\"\n");
        s.append("ln -s pts/ptmx \"$R/dev/ptmx\"; ln -s /proc/self/fd \"$R/dev/fd\"\n");
        s.append("ln -s /proc/self/fd/0 \"$R/dev/stdin\"; ln -s /proc/self/fd/1 \"$R/dev/stdout\"; ln -s /proc/self/fd/2 \"$R/dev/stderr\"\n");
        s.append("mount -t tmpfs -o nosuid,noexec,nodev,mode=1777,size=65536k shm \"$R/dev/shm\"\n");
        s.append("mount -t mqueue -o nosuid,noexec,nodev mqueue \"$R/dev/mqueue\"\n");
        s.append("mount -t sysfs -o ro,nosuid,noexec,nodev sysfs \"$R/sys\"\n");
        for (var e : l.etcFiles().entrySet()) {
            s.append("mount --bind ").append(q(e.getValue().file().toString())).append(' ')
                    .append(q(SafePath.resolve(root, e.getKey()).toString())).append('\n');
        }
        for (VolumeMount v : l.spec().volumes()) {
            String target = q(SafePath.resolve(root, v.containerPath()).toString());
            s.append("mount --rbind ").append(q(v.hostPath().toString())).append(' ').append(target).append('\n');
            if (v.readOnly()) s.append("mount -o remount,bind,ro ").append(target).append('\n');
        }
        for (TmpfsMount t : l.spec().tmpfs()) {
            s.append("mount -t tmpfs ").append(t.options().isEmpty() ? "" : "-o " + q(String.join(",", t.options())) + " ")
                    .append("tmpfs ").append(q(SafePath.resolve(root, t.containerPath()).toString())).append('\n');
        }
        s.append("hostname ").append(q(l.hostname())).append('\n');
        s.append("exec ").append(words(privileges(l))).append(" -- env -i ").append(words(l.env()))
                .append(" unshare --root=\"$R\" --wd=").append(q(l.spec().cwd())).append(" --setuid ").append(l.user().uid())
                .append(" -- ").append(words(l.spec().args())).append('\n');
        return s.toString();
    }

    private static List<String> privileges(Launch l) {
        List<String> p = new ArrayList<>(List.of("setpriv", "--regid", Integer.toString(l.user().gid())));
        p.addAll(List.of("--groups", l.user().processGroups().stream().map(String::valueOf).collect(Collectors.joining(","))));
        String caps = OciConfig.DEFAULT_CAPABILITIES.stream()
                .map(c -> "+" + c.substring("CAP_".length()).toLowerCase(Locale.ROOT)).collect(Collectors.joining(","));
        p.addAll(List.of("--bounding-set", "-all," + caps));
        return p;
    }

    private static String words(List<String> words) {
        return words.stream().map(ChrootRuntime::q).collect(Collectors.joining(" "));
    }

    private static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
