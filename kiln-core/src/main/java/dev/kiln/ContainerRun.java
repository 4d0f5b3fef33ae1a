package dev.kiln;

import dev.kiln.oci.ContainerConfig;
import dev.kiln.oci.ImageConfig;
import dev.kiln.runtime.Isolation;
import dev.kiln.runtime.Network;
import dev.kiln.runtime.RunSpec;
import dev.kiln.runtime.TmpfsMount;
import dev.kiln.runtime.VolumeMount;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@link RunOptions} and a working container's image config into a {@link RunSpec}, as
 * {@code buildah run} does: the image's Env then the options' env; the options' working
 * directory and user, else the image's.
 */
final class ContainerRun {
    private ContainerRun() {}

    static RunSpec spec(Path rootfs, ImageConfig image, RunOptions o, Path stateDir) {
        return spec(rootfs, image, o, stateDir, Mounts.NONE);
    }

    /**
     * Mounts a build adds to one run besides {@link RunOptions#volumes()}: binds (after the
     * options' volumes, in this order) and tmpfs mounts.
     */
    record Mounts(List<VolumeMount> binds, List<TmpfsMount> tmpfs) {
        static final Mounts NONE = new Mounts(List.of(), List.of());

        Mounts {
            binds = List.copyOf(binds);
            tmpfs = List.copyOf(tmpfs);
        }
    }

    static RunSpec spec(Path rootfs, ImageConfig image, RunOptions o, Path stateDir, Mounts extra) {
        ContainerConfig c = image.config();
        List<String> env = new ArrayList<>(c == null ? List.of() : c.env());
        env.addAll(o.env());
        String workingDir = firstSet(o.workingDir(), c == null ? null : c.workingDir());
        String user = firstSet(o.user(), c == null ? null : c.user());
        List<VolumeMount> volumes = new ArrayList<>(o.volumes().stream().map(VolumeMount::parse).toList());
        volumes.addAll(extra.binds());
        Network network = o.network().equals("none") ? Network.NONE : Network.HOST;
        Isolation isolation = o.isolation().equals("chroot") ? Isolation.CHROOT : Isolation.OCI;
        return new RunSpec(rootfs, o.args(), env, workingDir, user, o.hostname(), o.tty(), network, volumes, isolation,
                o.runtime(), stateDir, extra.tmpfs());
    }

    private static String firstSet(String preferred, String fallback) {
        return preferred != null && !preferred.isEmpty() ? preferred : fallback;
    }

    /** The directories holding a mount point kiln or the runtime may create: /etc and the volumes' parents. */
    static List<String> mountPointParents(RunOptions o, Mounts extra) {
        List<String> targets = new ArrayList<>(List.of("/etc/hosts", "/etc/hostname", "/etc/resolv.conf"));
        for (String v : o.volumes()) targets.add(VolumeMount.parse(v).containerPath());
        for (VolumeMount v : extra.binds()) targets.add(v.containerPath());
        for (TmpfsMount t : extra.tmpfs()) targets.add(t.containerPath());
        List<String> parents = new ArrayList<>();
        for (String t : targets) {
            for (Path p = Path.of(t).normalize().getParent(); p != null && p.getParent() != null; p = p.getParent()) {
                if (!parents.contains(p.toString())) parents.add(p.toString());
            }
        }
        return parents;
    }
}
