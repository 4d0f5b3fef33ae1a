package dev.kiln.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/** The config.json of an OCI runtime bundle (runtime-spec 1.0.2) with Docker's defaults. */
final class OciConfig {
    static final List<String> DEFAULT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    // moby's oci/defaults.go.
    static final List<String> MASKED_PATHS = List.of("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");
    static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private OciConfig() {}

    static ObjectNode build(Launch l) {
        ObjectNode c = MAPPER.createObjectNode();
        c.put("ociVersion", "1.0.2");
        c.set("process", process(l));
        c.putObject("root").put("path", l.spec().rootfs().toAbsolutePath().toString()).put("readonly", false);
        c.put("hostname", l.hostname());
        c.set("mounts", mounts(l));
        ObjectNode linux = c.putObject("linux");
        ArrayNode ns = linux.putArray("namespaces");
        for (String type : List.of("pid", "ipc", "uts", "mount")) ns.addObject().put("type", type);
        if (l.spec().network() == Network.NONE) ns.addObject().put("type", "network");
        strings(linux.putArray("maskedPaths"), MASKED_PATHS);
        strings(linux.putArray("readonlyPaths"), READONLY_PATHS);
        return c;
    }

    private static ObjectNode process(Launch l) {
        ObjectNode p = MAPPER.createObjectNode();
        p.put("terminal", l.spec().tty());
        ObjectNode user = p.putObject("user").put("uid", l.user().uid()).put("gid", l.user().gid());
        l.user().processGroups().forEach(user.putArray("additionalGids")::add);
        strings(p.putArray("args"), l.spec().args());
        strings(p.putArray("env"), l.env());
        p.put("cwd", l.spec().cwd());
        ObjectNode caps = p.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) strings(caps.putArray(set), DEFAULT_CAPABILITIES);
        long nofile = Math.min(1048576, hostNofileHardLimit());
        p.putArray("rlimits").addObject().put("type", "RLIMIT_NOFILE").put("hard", nofile).put("soft", nofile);
        p.put("noNewPrivileges", false);
        return p;
    }

    /**
     * Docker's 1048576, unless kiln's own hard limit is lower: raising it needs CAP_SYS_RESOURCE
     * in the host's user namespace, which kiln may lack (runc then fails "error setting rlimits").
     */
    static long hostNofileHardLimit() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String hard = line.substring("Max open files".length()).trim().split("\\s+")[1];
                    return hard.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(hard);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // Fall through to Docker's value.
        }
        return 1048576;
    }

    private static ArrayNode mounts(Launch l) {
        ArrayNode m = MAPPER.createArrayNode();
        mount(m, "/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
        mount(m, "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
        mount(m, "/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        mount(m, "/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
        mount(m, "/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
        mount(m, "/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro"));
        for (Map.Entry<String, Placeholders.BindSource> e : l.etcFiles().entrySet()) {
            mount(m, e.getKey(), "bind", e.getValue().file().toString(), List.of("rbind", "rprivate"));
        }
        for (VolumeMount v : l.spec().volumes()) {
            List<String> options = v.readOnly() ? List.of("rbind", "rprivate", "ro") : List.of("rbind", "rprivate");
            mount(m, v.containerPath(), "bind", v.hostPath().toString(), options);
        }
        for (TmpfsMount t : l.spec().tmpfs()) mount(m, t.containerPath(), "tmpfs", "tmpfs", t.options());
        return m;
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, List<String> options) {
        ObjectNode o = mounts.addObject().put("destination", destination).put("type", type).put("source", source);
        strings(o.putArray("options"), options);
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    static byte[] bytes(ObjectNode config) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(config);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
