package dev.kiln.build;

import dev.kiln.CommitOptions;
import dev.kiln.ConfigChange;
import dev.kiln.CopyOptions;
import dev.kiln.Kiln;
import dev.kiln.PushOptions;
import dev.kiln.WorkingContainer;
import dev.kiln.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The base images the corpus builds on, made locally with kiln's library (there is no registry)
 * and handed to both builders as docker-archive tarballs (Docker format, so OnBuild survives) under fixed names:
 * <ul>
 *   <li>{@code localhost/busybox:latest}: Debian's busybox-static rootfs (users root, daemon,
 *       www-data, nobody; groups root, daemon, www-data, users, nogroup), plus
 *       {@code /etc/motd-gone}, {@code /opt/base/keep}, {@code /opt/base/gone/{a,b}} for the
 *       whiteout cases; Env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin,
 *       Cmd ["/bin/sh"].</li>
 *   <li>{@code localhost/onbuild:latest}: busybox with one trigger,
 *       {@code ONBUILD RUN echo triggered > /onbuild-ran} (Docker format).</li>
 * </ul>
 */
public final class BaseImages {
    public static final String BUSYBOX = "localhost/busybox:latest";
    public static final String ONBUILD = "localhost/onbuild:latest";

    /** Archive path → the image name a builder must give what it loads from it. */
    public record Archive(Path path, String ref, String name) {
        public String transport() {
            return "docker-archive:" + path + ":" + ref;
        }
    }

    private BaseImages() {}

    /** Builds both bases in a throwaway kiln store under {@code work} and pushes them to archives there. */
    public static List<Archive> create(Path work) throws Exception {
        Path files = work.resolve("base-files");
        Files.createDirectories(files.resolve("etc"));
        Files.createDirectories(files.resolve("opt/base/gone"));
        Files.writeString(files.resolve("etc/motd-gone"), "deleted by a RUN\n");
        Files.writeString(files.resolve("opt/base/keep"), "kept\n");
        Files.writeString(files.resolve("opt/base/gone/a"), "a\n");
        Files.writeString(files.resolve("opt/base/gone/b"), "b\n");
        Path busybox = work.resolve("busybox.tar");
        Path onbuild = work.resolve("onbuild.tar");
        try (Kiln kiln = Kiln.open(work.resolve("kiln-store"))) {
            WorkingContainer ctr = kiln.from("scratch", null);
            ctr.add(List.of(Fixtures.busyboxRootfsTar().toString()), "/", CopyOptions.add());
            ctr.add(List.of(files.toString() + "/"), "/", CopyOptions.copy());
            ctr.config(new ConfigChange(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                    "[\"/bin/sh\"]", null, null, null, List.of(), List.of(), List.of(), List.of(), null, null, null, null,
                    null, null, null, null, null, null, null, List.of()));
            ctr.commit("busybox", new CommitOptions(false, "docker", 0L, null, true, null));
            kiln.push("busybox", "docker-archive:" + busybox + ":" + BUSYBOX, new PushOptions("docker", null));

            WorkingContainer ob = kiln.from("busybox", null);
            ob.config(new ConfigChange(List.of(), null, null, null, null, List.of(), List.of(), List.of(), List.of(), null,
                    null, null, null, null, null, null, null, null, null, null,
                    List.of("RUN echo triggered > /onbuild-ran")));
            ob.commit("onbuild", new CommitOptions(false, "docker", 0L, null, true, null));
            kiln.push("onbuild", "docker-archive:" + onbuild + ":" + ONBUILD, new PushOptions("docker", null));
        }
        return List.of(new Archive(busybox, BUSYBOX, BUSYBOX), new Archive(onbuild, ONBUILD, ONBUILD));
    }
}
