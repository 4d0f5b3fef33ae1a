package dev.kiln.runtime;

import dev.kiln.layer.SafePath;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs one command in a container whose root is a directory (a working container's mounted
 * filesystem): resolve the user in the rootfs, create the working directory, create the mount
 * points the image lacks, run with the chosen isolation, then remove the mount points the
 * command left untouched and the bundle. Blocking; one call per command.
 */
public final class Runner {
    private static final SecureRandom RANDOM = new SecureRandom();

    public RunResult run(RunSpec spec, Stdio stdio) {
        if (!Files.isDirectory(spec.rootfs(), LinkOption.NOFOLLOW_LINKS)) {
            throw new KilnException("run: root filesystem " + spec.rootfs() + " is not a directory");
        }
        String id = "kiln-" + HexFormat.of().formatHex(randomBytes());
        String hostname = spec.hostname() == null || spec.hostname().isEmpty() ? id.substring("kiln-".length()) : spec.hostname();
        Users.User user = Users.resolve(spec.rootfs(), spec.user());
        Path bundle = null;
        Placeholders placeholders = null;
        Map<String, Placeholders.BindSource> etc = Map.of();
        List<String> removed = List.of();
        int code;
        try {
            createWorkingDir(spec, user);
            bundle = Files.createDirectories(spec.stateDir().resolve("bundles").resolve(id));
            etc = EtcFiles.write(bundle, hostname);
            placeholders = Placeholders.create(spec.rootfs(), mountTargets(spec));
            Launch launch = new Launch(spec, id, hostname, user, ProcessEnv.build(spec.env(), hostname, user), bundle, etc);
            code = switch (spec.isolation()) {
                case OCI -> OciRuntime.run(launch, stdio);
                case CHROOT -> ChrootRuntime.run(launch, stdio);
            };
        } catch (IOException e) {
            throw new KilnException("running " + spec.args().getFirst() + " in " + spec.rootfs() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException("running " + spec.args().getFirst() + " in " + spec.rootfs() + ": interrupted", e);
        } finally {
            // Whatever happened (a failed runtime included), the runtime's mount points go.
            if (placeholders != null) removed = placeholders.removeUntouched(etc);
            deleteTree(bundle);
        }
        return new RunResult(code, removed);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * Creates a missing working directory and keeps it, each new component mode 0755 and owned by
     * the user the command runs as (buildah's run does so; a WORKDIR is created by the RUN that
     * needs it). Resolved in the root so a symlink cannot lead out.
     */
    private static void createWorkingDir(RunSpec spec, Users.User user) throws IOException {
        SafePath.mkdirs(spec.rootfs(), spec.cwd(), user.uid(), user.gid());
    }

    private static List<Placeholders.Target> mountTargets(RunSpec spec) {
        List<Placeholders.Target> targets = new ArrayList<>();
        for (String dir : List.of("/proc", "/sys", "/dev")) targets.add(new Placeholders.Target(dir, true));
        for (String file : List.of("/etc/hosts", "/etc/hostname", "/etc/resolv.conf")) targets.add(new Placeholders.Target(file, false));
        for (VolumeMount v : spec.volumes()) {
            if (!Files.exists(v.hostPath())) throw new KilnException("volume: host path " + v.hostPath() + " does not exist");
            targets.add(new Placeholders.Target(v.containerPath(), Files.isDirectory(v.hostPath())));
        }
        for (TmpfsMount t : spec.tmpfs()) targets.add(new Placeholders.Target(t.containerPath(), true));
        return targets;
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new KilnException("removing bundle " + dir + ": " + e.getMessage(), e);
        }
    }
}
