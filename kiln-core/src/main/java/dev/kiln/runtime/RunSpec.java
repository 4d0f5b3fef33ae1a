package dev.kiln.runtime;

import dev.kiln.oci.InvalidInputException;
import java.nio.file.Path;
import java.util.List;

/**
 * One command to run in a container whose root is {@code rootfs}.
 *
 * @param env        the image's and the user's {@code K=V} entries, later ones winning
 * @param workingDir absolute path in the container, created if missing; null means "/"
 * @param user       {@code USER[:GROUP]}, names or ids, resolved in the rootfs; null means root
 * @param hostname   null means a name derived from the container id
 * @param runtime    "runc", "crun" or a path to an OCI runtime binary (OCI isolation only)
 * @param stateDir   a directory kiln owns for bundles and runtime state (e.g. STORE/tmp)
 * @param tmpfs      tmpfs mounts, made after the volumes
 */
public record RunSpec(Path rootfs, List<String> args, List<String> env, String workingDir, String user, String hostname,
        boolean tty, Network network, List<VolumeMount> volumes, Isolation isolation, String runtime, Path stateDir,
        List<TmpfsMount> tmpfs) {
    public RunSpec {
        if (rootfs == null || !rootfs.isAbsolute()) throw new InvalidInputException("run: rootfs must be an absolute path, got " + rootfs);
        if (args == null || args.isEmpty()) throw new InvalidInputException("run: no command given");
        if (stateDir == null) throw new InvalidInputException("run: no state directory given");
        if (workingDir != null && !workingDir.isEmpty() && !workingDir.startsWith("/")) {
            throw new InvalidInputException("run: working directory must be absolute, got '" + workingDir + "'");
        }
        args = List.copyOf(args);
        env = env == null ? List.of() : List.copyOf(env);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        tmpfs = tmpfs == null ? List.of() : List.copyOf(tmpfs);
        network = network == null ? Network.HOST : network;
        isolation = isolation == null ? Isolation.OCI : isolation;
        runtime = runtime == null || runtime.isEmpty() ? "runc" : runtime;
    }

    /** A spec without tmpfs mounts. */
    public RunSpec(Path rootfs, List<String> args, List<String> env, String workingDir, String user, String hostname,
            boolean tty, Network network, List<VolumeMount> volumes, Isolation isolation, String runtime, Path stateDir) {
        this(rootfs, args, env, workingDir, user, hostname, tty, network, volumes, isolation, runtime, stateDir, List.of());
    }

    /** Parses {@code HOST:CTR[:ro|rw]}; see {@link VolumeMount#parse}. */
    public static VolumeMount parseVolume(String unsafeSpec) {
        return VolumeMount.parse(unsafeSpec);
    }

    /** The working directory, "/" when none was set. */
    public String cwd() {
        return workingDir == null || workingDir.isEmpty() ? "/" : workingDir;
    }
}
