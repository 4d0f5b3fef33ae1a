package dev.kiln.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Shared test inputs made locally: there is no registry to pull base images from. */
public final class Fixtures {
    private Fixtures() {}

    /** The repository root (the directory holding the parent pom). */
    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("examples/busybox/make-rootfs.sh"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("cannot find the kiln repository root from " + Path.of("").toAbsolutePath());
        return p;
    }

    /**
     * A busybox root filesystem tarball from Debian's busybox-static, made once per checkout by
     * examples/busybox/make-rootfs.sh (the same script the quick start uses) and cached under target/.
     */
    public static synchronized Path busyboxRootfsTar() throws IOException, InterruptedException {
        Tools.require("busybox");
        Path cache = repoRoot().resolve("kiln-core/target/fixtures/busybox-rootfs.tar");
        if (Files.exists(cache)) return cache;
        Files.createDirectories(cache.getParent());
        Path tmp = cache.resolveSibling("busybox-rootfs.tar.partial");
        Tools.run(repoRoot().resolve("examples/busybox/make-rootfs.sh").toString(), tmp.toString());
        Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return cache;
    }
}
