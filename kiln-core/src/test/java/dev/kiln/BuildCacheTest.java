package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.registry.TestRegistry;
import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build cache (issue 6, "Cache"): what runs and what is written on a rebuild. Every RUN goes
 * through a wrapper around runc that logs each {@code runc run}, so "runs no container" is counted
 * at the runtime, not inferred from kiln's own output.
 */
@Tag("privileged")
class BuildCacheTest {
    static final String DOCKERFILE = """
            FROM localhost/busybox
            ARG FLAVOR=plain
            ENV GREETING=hello
            RUN echo "$GREETING" > /greeting
            COPY app.txt /app/
            RUN echo "$FLAVOR" > /flavor && cat /app/app.txt > /app/copy
            WORKDIR /app
            LABEL stage=final
            """;

    @TempDir
    Path tmp;

    Kiln kiln;
    Path ctx;
    Path runtime;
    Path runLog;
    ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        Tools.requireRoot();
        Tools.require("runc");
        kiln = storeWithBusybox(tmp.resolve("store"));
        ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE);
        Files.writeString(ctx.resolve("app.txt"), "version 1\n");
        runLog = tmp.resolve("runs.log");
        runtime = tmp.resolve("counting-runc");
        Files.writeString(runtime, """
                #!/bin/sh
                for a in "$@"; do [ "$a" = run ] && echo "$*" >> %s && break; done
                exec runc "$@"
                """.formatted(runLog));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void close() {
        if (kiln != null) kiln.close();
    }

    static Kiln storeWithBusybox(Path root) throws Exception {
        Kiln k = Kiln.open(root);
        WorkingContainer ctr = k.from("scratch", null);
        ctr.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
        // A fixed timestamp: two stores get the same base image id, as two machines pulling one image.
        ctr.commit("localhost/busybox", new CommitOptions(false, "oci", 0L, null, true, null));
        return k;
    }

    private BuildRequest.Builder request() {
        return BuildRequest.builder(ctx).tag("app").runtime(runtime.toString())
                .progress(new PrintStream(progress, true, StandardCharsets.UTF_8));
    }

    private int runs() throws Exception {
        return Files.exists(runLog) ? Files.readAllLines(runLog).size() : 0;
    }

    private long blobCount(Kiln k) throws Exception {
        try (Stream<Path> s = Files.list(k.store().root().resolve("blobs/sha256"))) {
            return s.count();
        }
    }

    private String inImage(Kiln k, String image, String script) {
        WorkingContainer c = k.from(image, null);
        try {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            assertThat(c.run(RunOptions.defaults("/bin/sh", "-c", script), null, o, System.err)).isZero();
            return o.toString(StandardCharsets.UTF_8);
        } finally {
            k.removeContainer(c.id());
        }
    }

    @Test
    void aRebuildWithNothingChangedRunsNoContainerAndWritesNoBlob() throws Exception {
        BuildResult first = kiln.build(request().build());
        assertThat(runs()).isEqualTo(2);
        assertThat(first.cacheHits()).isZero();
        long blobs = blobCount(kiln);
        String tree = inImage(kiln, "app", "cat /greeting /flavor /app/copy; pwd");
        assertThat(tree).isEqualTo("hello\nplain\nversion 1\n/app\n");
        Files.delete(runLog);

        progress.reset();
        BuildResult second = kiln.build(request().build());
        assertThat(runs()).as("runc run calls on the rebuild").isZero();
        assertThat(second.imageId()).isEqualTo(first.imageId());
        assertThat(second.manifest()).isEqualTo(first.manifest());
        assertThat(second.cacheMisses()).isZero();
        assertThat(second.cacheHits()).isEqualTo(4); // RUN, COPY, RUN, and the stage's end (WORKDIR, LABEL)
        assertThat(blobCount(kiln)).as("blobs after the rebuild").isEqualTo(blobs);
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("--> Using cache " + first.imageId());
        assertThat(kiln.containers()).isEmpty();
        assertThat(kiln.images()).extracting(ImageInfo::names).containsExactlyInAnyOrder(
                List.of("localhost/busybox:latest"), List.of("localhost/app:latest"));
        assertThat(kiln.images(true)).hasSizeGreaterThan(2);
    }

    /**
     * Issue 7: the context's digests are remembered between builds (cache/context-HEX), keyed by
     * stat with ctime, so a file rewritten with its size and mtime put back is still seen; a failed
     * build writes none.
     */
    @Test
    void rememberedContextDigestsStillSeeAFileRewrittenWithItsSizeAndMtimePutBack() throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE + "RUN false\n");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> kiln.build(request().build()))).isNotNull();
        assertThat(contextDigestFiles()).as("after a failed build").isEmpty();
        Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE);

        kiln.build(request().build());
        assertThat(contextDigestFiles()).singleElement().satisfies(n -> assertThat(n).matches("context-[0-9a-f]{64}"));
        Path app = ctx.resolve("app.txt");
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(app);
        Thread.sleep(20);
        Files.writeString(app, "version 9\n");
        Files.setLastModifiedTime(app, mtime);
        Files.delete(runLog);
        kiln.build(request().build());
        assertThat(runs()).as("the RUN after the COPY runs again").isEqualTo(1);
        assertThat(inImage(kiln, "app", "cat /app/copy")).isEqualTo("version 9\n");
    }

    private List<String> contextDigestFiles() throws Exception {
        try (Stream<Path> s = Files.list(kiln.store().root().resolve("cache"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("context-")).toList();
        }
    }

    @Test
    void aChangedContextFileRerunsOnlyFromItsCopyOn() throws Exception {
        BuildResult first = kiln.build(request().build());
        Files.delete(runLog);
        Files.writeString(ctx.resolve("app.txt"), "version 2\n");
        progress.reset();
        BuildResult second = kiln.build(request().build());
        assertThat(runs()).as("only the RUN after the COPY runs").isEqualTo(1);
        assertThat(Files.readString(runLog)).doesNotContain("greeting");
        assertThat(second.cacheHits()).isEqualTo(1);
        assertThat(second.imageId()).isNotEqualTo(first.imageId());
        assertThat(inImage(kiln, "app", "cat /greeting /app/copy")).isEqualTo("hello\nversion 2\n");

        // Only the mtime changes: contents and metadata are the key, so everything hits.
        Files.delete(runLog);
        Files.setLastModifiedTime(ctx.resolve("app.txt"), java.nio.file.attribute.FileTime.fromMillis(0));
        BuildResult third = kiln.build(request().build());
        assertThat(runs()).isZero();
        assertThat(third.imageId()).isEqualTo(second.imageId());
    }

    @Test
    void aBuildArgRerunsTheStepsThatSeeItAndNoCacheRerunsAll() throws Exception {
        kiln.build(request().build());
        Files.delete(runLog);
        BuildResult spicy = kiln.build(request().buildArg("FLAVOR", "spicy").build());
        // The first RUN sees FLAVOR as an environment variable too (as Docker's cache treats ARGs).
        assertThat(runs()).isEqualTo(2);
        assertThat(inImage(kiln, "app", "cat /flavor")).isEqualTo("spicy\n");
        Files.delete(runLog);
        kiln.build(request().buildArg("FLAVOR", "spicy").build());
        assertThat(runs()).isZero();
        BuildResult fresh = kiln.build(request().buildArg("FLAVOR", "spicy").noCache(true).build());
        assertThat(runs()).isEqualTo(2);
        assertThat(fresh.cacheHits()).isZero();
        assertThat(fresh.imageId()).isNotEqualTo(spicy.imageId());
    }

    @Test
    void layersFalseCommitsOneLayerPerStageAndCachesNothing() throws Exception {
        BuildResult one = kiln.build(request().tags(List.of("one")).layers(false).timestamp(0L).build());
        BuildResult layered = kiln.build(request().tags(List.of("layered")).timestamp(0L).build());
        assertThat(runs()).isEqualTo(4);
        LocalImage a = kiln.localImages().get(one.manifest().hex());
        LocalImage b = kiln.localImages().get(layered.manifest().hex());
        assertThat(a.manifest().layers()).hasSize(2); // busybox + the stage
        assertThat(b.manifest().layers()).hasSize(4); // busybox + RUN, COPY, RUN (WORKDIR only records the directory)
        assertThat(b.config().history()).extracting(h -> h.emptyLayer()).containsExactly(false, true, false, false, false, true, true);
        assertThat(inImage(kiln, one.manifest().hex(), "cat /greeting /flavor /app/copy; pwd"))
                .isEqualTo(inImage(kiln, layered.manifest().hex(), "cat /greeting /flavor /app/copy; pwd"));
    }

    @Test
    void twoStoresSharingARegistryCacheGetEveryStepFromIt() throws Exception {
        Tools.require("docker-registry");
        try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"), TestRegistry.Config.plain());
             Kiln other = storeWithBusybox(tmp.resolve("other-store"))) {
            String repo = registry.host() + "/kiln/cache";
            BuildResult first = kiln.build(request().timestamp(0L).cacheTo(List.of(repo)).build());
            assertThat(runs()).isEqualTo(2);
            Files.delete(runLog);

            BuildResult second = other.build(request().timestamp(0L).cacheFrom(List.of(repo)).build());
            assertThat(runs()).as("runc run calls in the second store").isZero();
            assertThat(second.cacheHits()).isEqualTo(4);
            assertThat(second.imageId()).isEqualTo(first.imageId());
            assertThat(inImage(other, "app", "cat /greeting /flavor /app/copy")).isEqualTo("hello\nplain\nversion 1\n");
            assertThat(other.images()).extracting(ImageInfo::names).containsExactlyInAnyOrder(
                    List.of("localhost/busybox:latest"), List.of("localhost/app:latest"));
        }
    }

    @Test
    void whatABindMountShowsTheRunIsPartOfItsKey() throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM localhost/busybox
                RUN --mount=type=bind,source=data,target=/data cat /data/x > /out
                """);
        Files.createDirectories(ctx.resolve("data"));
        Files.writeString(ctx.resolve("data/x"), "one\n");
        kiln.build(request().build());
        kiln.build(request().build());
        assertThat(runs()).isEqualTo(1);
        Files.writeString(ctx.resolve("data/x"), "two\n");
        kiln.build(request().build());
        assertThat(runs()).isEqualTo(2);
        assertThat(inImage(kiln, "app", "cat /out")).isEqualTo("two\n");
    }
}
