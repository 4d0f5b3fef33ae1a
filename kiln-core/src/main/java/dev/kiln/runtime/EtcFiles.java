package dev.kiln.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The /etc/hosts, /etc/hostname and /etc/resolv.conf kiln writes into a bundle and bind-mounts. */
final class EtcFiles {
    static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");

    private EtcFiles() {}

    static Map<String, Placeholders.BindSource> write(Path bundle, String hostname) throws IOException {
        Map<String, Placeholders.BindSource> files = new LinkedHashMap<>();
        put(files, bundle, "/etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t" + hostname + "\n");
        put(files, bundle, "/etc/hostname", hostname + "\n");
        // Files.readAllBytes follows the host's symlink (systemd-resolved's stub file, say) on the HOST side.
        String resolv = Files.isReadable(HOST_RESOLV_CONF) ? Files.readString(HOST_RESOLV_CONF, StandardCharsets.UTF_8) : "";
        put(files, bundle, "/etc/resolv.conf", resolv);
        return files;
    }

    private static void put(Map<String, Placeholders.BindSource> files, Path bundle, String containerPath, String content) throws IOException {
        Path file = bundle.resolve(containerPath.substring("/etc/".length()));
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Files.write(file, bytes);
        files.put(containerPath, new Placeholders.BindSource(file, bytes));
    }
}
