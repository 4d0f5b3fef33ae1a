package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import dev.kiln.testing.TreeListing;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code RUN --mount} and VOLUME in {@code Kiln.build}, for what the differential corpus cannot
 * show: the context and other images stay unchanged, mount points leave nothing behind, cache
 * mounts outlive the build in the store, and the errors. (The corpus compares the rest with buildah.)
 */
@Tag("privileged")
class BuildRunMountTest {
    @TempDir
    Path tmp;

    Kiln kiln;
    Path ctx;
    ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @BeforeEach
    void busybox() throws Exception {
        Tools.requireRoot();
        Tools.require("runc");
        kiln = Kiln.open(tmp.resolve("store"));
        WorkingContainer ctr = kiln.from("scratch", null);
        ctr.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
        ctr.commit("localhost/busybox", new CommitOptions(false, "oci", null, null, true, null));
        ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.createDirectories(ctx.resolve("src"));
        Files.writeString(ctx.resolve("src/a.txt"), "a\n");
    }

    @AfterEach
    void close() {
        if (kiln != null) kiln.close();
    }

    private BuildResult build(String dockerfile, BuildRequest req) throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        return kiln.build(req.withProgress(new PrintStream(progress, true, StandardCharsets.UTF_8)));
    }

    /** The built image's tree, outside the busybox directories. */
    private Map<String, String> tree(String image) throws Exception {
        WorkingContainer c = kiln.from(image, null);
        try {
            Map<String, String> t = new java.util.TreeMap<>(TreeListing.of(c.mount(), java.util.Set.of()));
            t.keySet().removeIf(p -> p.matches("/(bin|sbin|usr)(/.*)?"));
            return t;
        } finally {
            c.unmount();
            kiln.removeContainer(c.id());
        }
    }

    private String file(String image, String path) throws Exception {
        WorkingContainer c = kiln.from(image, null);
        try {
            return Files.readString(c.mount().resolve(path.substring(1)));
        } finally {
            c.unmount();
            kiln.removeContainer(c.id());
        }
    }

    @Test
    void aReadWriteBindIsAScratchCopyAndTheMountPointsLeaveNothing() throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM localhost/busybox AS other
                RUN mkdir /data && echo other > /data/o
                FROM localhost/busybox
                RUN --mount=type=bind,source=src,target=/mnt/deep/src,rw echo changed > /mnt/deep/src/a.txt && touch /mnt/deep/src/new \\
                    && cat /mnt/deep/src/a.txt > /seen
                RUN --mount=type=bind,from=other,source=/data,target=/mnt/o,rw rm /mnt/o/o && ls -A /mnt/o > /other-seen
                RUN --mount=type=bind,from=other,source=/data,target=/mnt/o ls /mnt/o > /other-again
                RUN --mount=type=bind,target=/c (echo x > /c/ro-write) 2> /ro-error || true
                """);
        Map<String, String> ctxBefore = TreeListing.of(ctx, java.util.Set.of());
        kiln.build(BuildRequest.of(ctx).withTags("app").withProgress(new PrintStream(progress, true, StandardCharsets.UTF_8)));
        assertThat(file("app", "/seen")).isEqualTo("changed\n");
        assertThat(file("app", "/other-seen")).isEmpty();
        assertThat(file("app", "/other-again")).isEqualTo("o\n");
        assertThat(file("app", "/ro-error")).contains("Read-only file system");
        // buildah 1.28 writes an rw bind's changes into the context; kiln changes neither it nor the other stage.
        assertThat(TreeListing.of(ctx, java.util.Set.of())).isEqualTo(ctxBefore);
        // No mount point, nor the directories made for them (/mnt), reaches the image; no scratch copy is left.
        assertThat(tree("app")).doesNotContainKeys("/mnt", "/c").containsKeys("/seen", "/ro-error");
        try (Stream<Path> s = Files.list(kiln.root().resolve("tmp"))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("bind-") || n.startsWith("volume-"));
        }
        assertThat(kiln.containers()).isEmpty();
    }

    @Test
    void aCacheMountOutlivesTheBuildInTheStoreAndPrivateSharingStepsAsideWhenItIsInUse() throws Exception {
        String counter = "RUN --mount=type=cache,target=/var/cache/n%s sh -c 'echo $(( $(cat /var/cache/n/count 2>/dev/null || echo 0) + 1 ))"
                + " > /var/cache/n/count; cp /var/cache/n/count /count'\n";
        build("FROM localhost/busybox\n" + counter.formatted(""), BuildRequest.of(ctx).withTags("one"));
        build("FROM localhost/busybox\n" + counter.formatted(",sharing=locked"), BuildRequest.of(ctx).withTags("two"));
        assertThat(file("one", "/count")).isEqualTo("1\n");
        assertThat(file("two", "/count")).isEqualTo("2\n");
        assertThat(tree("two")).doesNotContainKey("/var/cache");
        Path caches = kiln.root().resolve("cache-mounts");
        Path dir;
        try (Stream<Path> s = Files.list(caches)) {
            dir = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertThat(dir.resolve("count")).hasContent("2");
        // Held elsewhere: a private mount gets a fresh, empty directory and the cache keeps its count.
        try (FileChannel ch = FileChannel.open(caches.resolve(dir.getFileName() + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = ch.lock()) {
            build("FROM localhost/busybox\n" + counter.formatted(",sharing=private"), BuildRequest.of(ctx).withTags("three"));
        }
        assertThat(file("three", "/count")).isEqualTo("1\n");
        assertThat(dir.resolve("count")).hasContent("2");
    }

    @Test
    void mountOptionsAreExpandedAndBadOnesNameTheLine() throws Exception {
        build("""
                FROM localhost/busybox
                ARG DIR=src
                ENV T=/mnt/t
                RUN --mount=type=bind,source=${DIR}/a.txt,target=$T cat /mnt/t > /expanded
                RUN --mount=type=tmpfs,target=/mnt/tmp,size=1m df -k /mnt/tmp | tail -1 | awk '{print $2}' > /size
                """, BuildRequest.of(ctx).withTags("x"));
        assertThat(file("x", "/expanded")).isEqualTo("a\n");
        assertThat(file("x", "/size")).isEqualTo("1024\n");
        assertThatThrownBy(() -> build("FROM localhost/busybox\nRUN --mount=type=secret,id=s true\n", BuildRequest.of(ctx)))
                .isInstanceOf(BuildException.class)
                .hasMessage("Dockerfile:2: RUN --mount=type=secret,id=s true: --mount=type=secret is not supported yet "
                        + "(kiln build takes no --secret or --ssh)");
        assertThatThrownBy(() -> build("FROM localhost/busybox\nRUN --mount=type=bind,target=rel true\n", BuildRequest.of(ctx)))
                .isInstanceOf(BuildException.class).hasMessageEndingWith("--mount target 'rel' must be an absolute path");
        assertThatThrownBy(() -> build("FROM localhost/busybox\nRUN --mount=type=bind,source=nope,target=/n true\n", BuildRequest.of(ctx)))
                .isInstanceOf(BuildException.class).hasMessageEndingWith("--mount source 'nope' not found in the build context");
        assertThatThrownBy(() -> build("FROM localhost/busybox\nRUN --mount=target=/x,bogus=1 true\n", BuildRequest.of(ctx)))
                .isInstanceOf(BuildException.class).hasMessageEndingWith("unexpected key 'bogus' in --mount=target=/x,bogus=1");
        assertThat(kiln.containers()).isEmpty();
    }
}
