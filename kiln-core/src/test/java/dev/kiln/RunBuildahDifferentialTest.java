package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Tools;
import dev.kiln.testing.TreeListing;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, second "Done when": the same RUN commands on the same busybox base, once with buildah
 * (runc, host network, private vfs storage) and once with kiln, give the same filesystem entry by
 * entry (type, mode, uid, gid, size, content, link target). Only buildah's runtime placeholders
 * (empty /proc, /sys, /dev, /run, /etc/hosts, /etc/hostname, /etc/resolv.conf) are ignored:
 * kiln leaves none.
 */
@Tag("privileged")
class RunBuildahDifferentialTest {
    private static final Set<String> BUILDAH_PLACEHOLDERS = Set.of("/proc", "/sys", "/dev", "/run", "/etc/hosts",
            "/etc/hostname", "/etc/resolv.conf");

    @TempDir Path tmp;

    private List<String> buildah(String... args) {
        List<String> cmd = new ArrayList<>(List.of("buildah", "--root", tmp.resolve("buildah/root").toString(),
                "--runroot", tmp.resolve("buildah/run").toString(), "--storage-driver", "vfs"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static String run(List<String> cmd) throws Exception {
        return Tools.exec(null, cmd).orFail(String.join(" ", cmd)).stdout();
    }

    @Test
    void kilnAndBuildahRunsLeaveTheSameTree() throws Exception {
        Tools.requireRoot();
        Tools.require("runc");
        Tools.require("buildah");
        Path archive = tmp.resolve("bb.tar");
        List<List<String>> commands = new ArrayList<>();
        commands.add(RunWorkflowTest.sh("echo hi > /hello"));
        commands.addAll(RunWorkflowTest.COMMANDS);
        try (Kiln kiln = Kiln.open(new KilnOptions(tmp.resolve("store"), "overlay"))) {
            RunWorkflowTest.busyboxBase(kiln, tmp);
            kiln.push("bb", "oci-archive:" + archive + ":bb", PushOptions.defaults());

            String theirs = run(buildah("from", "--quiet", "oci-archive:" + archive + ":bb")).strip();
            for (List<String> c : commands) {
                List<String> args = new ArrayList<>(List.of("run", "--runtime", "runc", "--network", "host", theirs, "--"));
                args.addAll(c);
                run(buildah(args.toArray(String[]::new)));
            }
            Path theirRoot = Path.of(run(buildah("mount", theirs)).strip());

            WorkingContainer ours = kiln.from("bb", null);
            for (List<String> c : commands) assertThat(ours.run(RunOptions.defaults(c.toArray(String[]::new)))).as("%s", c).isZero();
            Path ourRoot = ours.mount();
            try {
                Map<String, String> buildahTree = withoutPlaceholders(theirRoot, TreeListing.of(theirRoot, Set.of()));
                Map<String, String> kilnTree = TreeListing.of(ourRoot, Set.of());
                assertThat(kilnTree).containsKeys("/data/prog", "/data/prog-hard", "/data/fifo", "/data/link", "/home");
                assertThat(kilnTree).isEqualTo(buildahTree);
                assertThat(inode(ourRoot, "data/prog")).isEqualTo(inode(ourRoot, "data/prog-hard"));
                assertThat(inode(theirRoot, "data/prog")).isEqualTo(inode(theirRoot, "data/prog-hard"));
            } finally {
                ours.unmount();
                run(buildah("umount", theirs));
                run(buildah("rm", theirs));
            }
        }
    }

    private static Object inode(Path root, String rel) throws Exception {
        return Files.getAttribute(root.resolve(rel), "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    /** Buildah's listing without its placeholders, and only while they are empty (the command did not write them). */
    private static Map<String, String> withoutPlaceholders(Path root, Map<String, String> listing) throws Exception {
        Map<String, String> out = new TreeMap<>(listing);
        for (String p : BUILDAH_PLACEHOLDERS) {
            Path host = root.resolve(p.substring(1));
            if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> s = Files.list(host)) {
                    if (s.findAny().isEmpty()) out.remove(p);
                }
            } else if (Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS) && Files.size(host) == 0) {
                out.remove(p);
            }
        }
        return out;
    }
}
