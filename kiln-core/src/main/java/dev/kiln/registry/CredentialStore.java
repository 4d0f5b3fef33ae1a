package dev.kiln.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.InvalidInputException;
import dev.kiln.oci.KilnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where credentials come from and go to, as podman/buildah (containers-auth.json(5)) and Docker
 * keep them. {@link #find} looks, in order, at: explicit {@code --creds}; {@code --authfile};
 * {@code $REGISTRY_AUTH_FILE}; {@code ${XDG_RUNTIME_DIR}/containers/auth.json};
 * {@code ~/.config/containers/auth.json}; Docker's {@code config.json} ({@code $DOCKER_CONFIG} or
 * {@code ~/.docker}), whose {@code credHelpers}/{@code credsStore} run
 * {@code docker-credential-NAME get}. The first that knows the registry wins.
 *
 * <p>{@link #login} and {@link #logout} change one entry of {@link #authFile()} and keep the
 * others; the file is written to a temporary file with mode 0600 and renamed over the old one.
 * Secrets never appear in messages.
 */
public final class CredentialStore {
    private final Credentials explicit;
    private final Path authFile;
    private final Map<String, String> env;
    private final Path home;

    /**
     * @param explicit nullable: {@code --creds}
     * @param authFile nullable: {@code --authfile}
     * @param env      the environment (System.getenv() in production)
     * @param home     the user's home directory
     */
    public CredentialStore(Credentials explicit, Path authFile, Map<String, String> env, Path home) {
        this.explicit = explicit;
        this.authFile = authFile;
        this.env = Map.copyOf(env);
        this.home = home;
    }

    /** With the process's environment and home directory. */
    public static CredentialStore of(Credentials explicit, Path authFile) {
        return new CredentialStore(explicit, authFile, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** The credentials for {@code registry} ({@code host[:port]}), if any source has them. */
    public Optional<Credentials> find(String registry) {
        if (explicit != null) return Optional.of(explicit);
        for (Path file : authFiles()) {
            Optional<Credentials> c = fromAuthFile(file, registry);
            if (c.isPresent()) return c;
        }
        return fromDockerConfig(registry);
    }

    /**
     * The file {@code login} writes: {@code --authfile}, else {@code $REGISTRY_AUTH_FILE}, else
     * {@code ${XDG_RUNTIME_DIR}/containers/auth.json}, else {@code /run/containers/UID/auth.json} (as podman).
     */
    public Path authFile() {
        if (authFile != null) return authFile;
        String f = env.get("REGISTRY_AUTH_FILE");
        if (f != null && !f.isEmpty()) return Path.of(f);
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty()) return Path.of(xdg, "containers", "auth.json");
        return Path.of("/run/containers", uid(), "auth.json");
    }

    /** Stores {@code credentials} for {@code registry} in {@link #authFile()}, keeping other entries. */
    public void login(String registry, Credentials credentials) {
        Path file = authFile();
        ObjectNode root = readOrEmpty(file);
        ObjectNode auths = root.has("auths") && root.get("auths").isObject() ? (ObjectNode) root.get("auths") : root.putObject("auths");
        auths.putObject(registry).put("auth", credentials.base64());
        write(file, root);
    }

    /** Removes {@code registry}'s entry from {@link #authFile()}; false if there was none. */
    public boolean logout(String registry) {
        Path file = authFile();
        ObjectNode root = readOrEmpty(file);
        JsonNode auths = root.get("auths");
        if (!(auths instanceof ObjectNode o) || o.remove(registry) == null) return false;
        write(file, root);
        return true;
    }

    private List<Path> authFiles() {
        List<Path> files = new ArrayList<>();
        if (authFile != null) files.add(authFile);
        String f = env.get("REGISTRY_AUTH_FILE");
        if (f != null && !f.isEmpty()) files.add(Path.of(f));
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty()) files.add(Path.of(xdg, "containers", "auth.json"));
        else files.add(Path.of("/run/containers", uid(), "auth.json"));
        files.add(home.resolve(".config/containers/auth.json"));
        return files;
    }

    private Path dockerConfig() {
        String d = env.get("DOCKER_CONFIG");
        return d != null && !d.isEmpty() ? Path.of(d, "config.json") : home.resolve(".docker/config.json");
    }

    private Optional<Credentials> fromAuthFile(Path file, String registry) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        JsonNode auths = read(file).path("auths");
        for (String key : keysFor(registry)) {
            JsonNode entry = auths.get(key);
            if (entry != null && !entry.path("auth").asText("").isEmpty()) {
                return Optional.of(Credentials.fromAuthField(entry.path("auth").asText(), file + " (entry " + key + ")"));
            }
        }
        return Optional.empty();
    }

    private Optional<Credentials> fromDockerConfig(String registry) {
        Path file = dockerConfig();
        if (!Files.isRegularFile(file)) return Optional.empty();
        JsonNode root = read(file);
        for (String key : keysFor(registry)) {
            String helper = root.path("credHelpers").path(key).asText("");
            if (!helper.isEmpty()) return runHelper(helper, key);
        }
        Optional<Credentials> c = fromAuthFile(file, registry);
        if (c.isPresent()) return c;
        String store = root.path("credsStore").asText("");
        return store.isEmpty() ? Optional.empty() : runHelper(store, keysFor(registry).get(0));
    }

    /** The keys an auth file may use for a registry; Docker Hub has several historical ones. */
    static List<String> keysFor(String registry) {
        if (registry.equals("docker.io") || registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
            return List.of("https://index.docker.io/v1/", "docker.io", "index.docker.io", "registry-1.docker.io",
                    "https://index.docker.io/v1");
        }
        return List.of(registry, "https://" + registry, "http://" + registry);
    }

    /** docker-credential-helpers protocol: {@code get} with the server on stdin, JSON on stdout. */
    private Optional<Credentials> runHelper(String name, String server) {
        String program = "docker-credential-" + name;
        if (!name.matches("[A-Za-z0-9._-]+")) throw new InvalidInputException("invalid credential helper name '" + name + "'");
        try {
            Process p = new ProcessBuilder(locate(program), "get").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (var in = p.getOutputStream()) {
                in.write(server.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = p.getInputStream().readNBytes(1 << 20);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new KilnException(program + " get did not answer within 30 s");
            }
            if (p.exitValue() != 0) return Optional.empty(); // "credentials not found in native keychain"
            JsonNode json = RegistryErrors.JSON.readTree(out);
            String user = json.path("Username").asText("");
            String secret = json.path("Secret").asText("");
            if (user.isEmpty() || user.equals("<token>")) return Optional.empty(); // identity tokens: not supported
            return Optional.of(new Credentials(user, secret));
        } catch (IOException e) {
            throw new KilnException("running the credential helper " + program + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KilnException("interrupted while running " + program, e);
        }
    }

    /** Finds the helper on this store's PATH (so tests can inject one). */
    private String locate(String program) {
        for (String dir : env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) return p.toString();
        }
        throw new KilnException("the Docker config names the credential helper " + program + ", which is not on PATH");
    }

    private static JsonNode read(Path file) {
        try {
            JsonNode n = RegistryErrors.JSON.readTree(Files.readAllBytes(file));
            if (n == null || !n.isObject()) throw new InvalidInputException("the auth file " + file + " is not a JSON object");
            return n;
        } catch (IOException e) {
            throw new InvalidInputException("reading the auth file " + file + ": it is not valid JSON", e);
        }
    }

    private static ObjectNode readOrEmpty(Path file) {
        try {
            return (ObjectNode) read(file);
        } catch (InvalidInputException e) {
            if (e.getCause() instanceof NoSuchFileException || !Files.exists(file)) return RegistryErrors.JSON.createObjectNode();
            throw e;
        }
    }

    private static void write(Path file, ObjectNode root) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path tmp = Files.createTempFile(dir, ".auth", ".json.tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.write(tmp, RegistryErrors.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new KilnException("writing the auth file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return "0";
        }
    }
}
