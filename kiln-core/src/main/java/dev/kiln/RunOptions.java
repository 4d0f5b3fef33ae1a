package dev.kiln;

import dev.kiln.oci.InvalidInputException;
import java.util.List;

/**
 * Options of {@code run}: what to run and how, over the image's own config (as {@code buildah run}).
 *
 * @param args       the command and its arguments (run as is, not through a shell)
 * @param env        {@code K=V} entries added after the image's Env (later ones win)
 * @param workingDir absolute directory to start in; null means the image's WorkingDir, else "/"
 * @param user       {@code USER[:GROUP]} by name or id; null means the image's User, else root
 * @param hostname   null means a name derived from the run's id
 * @param tty        allocate a terminal for the command (the CLI's {@code -t})
 * @param network    "host" (the default, as Docker's RUN) or "none" (only lo)
 * @param volumes    {@code HOST:CTR[:ro|rw]} bind mounts; nothing of them ends up in a layer
 * @param isolation  "oci" (the default: an OCI runtime) or "chroot" (weaker; for hosts without one)
 * @param runtime    "runc" (the default), "crun" or a path to an OCI runtime binary
 */
public record RunOptions(List<String> args, List<String> env, String workingDir, String user, String hostname, boolean tty,
        String network, List<String> volumes, String isolation, String runtime) {
    public RunOptions {
        if (args == null || args.isEmpty() || args.getFirst() == null || args.getFirst().isEmpty()) {
            throw new InvalidInputException("run: no command given (put it after --)");
        }
        args = List.copyOf(args);
        env = env == null ? List.of() : List.copyOf(env);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        for (String e : env) {
            if (e.indexOf('=') <= 0) throw new InvalidInputException("run: environment entry '" + e + "' is not KEY=VALUE");
        }
        if (workingDir != null && !workingDir.isEmpty() && !workingDir.startsWith("/")) {
            throw new InvalidInputException("run: working directory must be absolute, got '" + workingDir + "'");
        }
        network = network == null || network.isEmpty() ? "host" : network;
        if (!network.equals("host") && !network.equals("none")) {
            throw new InvalidInputException("run: network must be 'host' or 'none', got '" + network + "'");
        }
        isolation = isolation == null || isolation.isEmpty() ? "oci" : isolation;
        if (!isolation.equals("oci") && !isolation.equals("chroot")) {
            throw new InvalidInputException("run: isolation must be 'oci' or 'chroot', got '" + isolation + "'");
        }
        runtime = runtime == null || runtime.isEmpty() ? "runc" : runtime;
    }

    /** Runs {@code args} with the image's config and kiln's defaults. */
    public static RunOptions defaults(String... args) {
        return new RunOptions(List.of(args), List.of(), null, null, null, false, "host", List.of(), "oci", "runc");
    }

    public RunOptions withArgs(String... newArgs) {
        return new RunOptions(List.of(newArgs), env, workingDir, user, hostname, tty, network, volumes, isolation, runtime);
    }

    public RunOptions withUser(String newUser) {
        return new RunOptions(args, env, workingDir, newUser, hostname, tty, network, volumes, isolation, runtime);
    }

    public RunOptions withNetwork(String newNetwork) {
        return new RunOptions(args, env, workingDir, user, hostname, tty, newNetwork, volumes, isolation, runtime);
    }

    public RunOptions withVolumes(List<String> newVolumes) {
        return new RunOptions(args, env, workingDir, user, hostname, tty, network, newVolumes, isolation, runtime);
    }

    public RunOptions withIsolation(String newIsolation) {
        return new RunOptions(args, env, workingDir, user, hostname, tty, network, volumes, newIsolation, runtime);
    }
}
