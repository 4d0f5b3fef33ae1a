package dev.kiln.store;

import dev.kiln.linux.Linux;

import java.io.IOException;
import java.lang.invoke.WrongMethodTypeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Mounts overlays. Two limits shape this:
 *
 * <ul>
 * <li>mount(2) takes its options in one page: with many layers even short absolute lower paths
 *     do not fit. Then the mount runs in a child process whose working directory is the container
 *     directory, with relative lowers {@code l/0:l/1:…} (as containers/storage does), which fits
 *     ~600 layers, more than overlayfs' own limit of 500.
 * <li>Stopgap: {@code Linux.mount} passes its {@code data} argument to {@code invokeExact} as a
 *     conditional expression, whose static type in a signature-polymorphic call is Object, so
 *     every call throws WrongMethodTypeException. Until dev.kiln.linux casts it to MemorySegment,
 *     we fall back to mount(8) with the same options. Delete that fallback with the fix.
 * </ul>
 */
final class OverlayMount {
    private OverlayMount() {}

    /** Room for the option string in one page, with margin for the kernel's own additions. */
    private static final int MAX_OPTIONS = 4000;

    /** Mounts {@code containerDir/merged} from {@code l/0 … l/(lowers-1)} (top first), {@code upper/} and {@code work/}. */
    static void mountContainer(Path containerDir, int lowers) throws IOException {
        Path abs = containerDir.toAbsolutePath();
        List<Path> links = new ArrayList<>();
        for (int i = 0; i < lowers; i++) links.add(abs.resolve("l").resolve(Integer.toString(i)));
        String absOptions = options(links, abs.resolve("upper"), abs.resolve("work"));
        if (absOptions.length() <= MAX_OPTIONS) {
            mount(links, abs.resolve("upper"), abs.resolve("work"), abs.resolve("merged"));
            return;
        }
        List<Path> relative = links.stream().map(abs::relativize).toList();
        mountWithTool(options(relative, Path.of("upper"), Path.of("work")), abs.resolve("merged"), abs);
    }

    /** Mounts an overlay of {@code lowers} (top first) at {@code target}. */
    static void mount(List<Path> lowers, Path upper, Path work, Path target) throws IOException {
        try {
            Linux.mountOverlay(lowers, upper, work, target);
        } catch (WrongMethodTypeException e) {
            mountWithTool(options(lowers, upper, work), target, null);
        }
    }

    private static String options(List<Path> lowers, Path upper, Path work) {
        StringBuilder opts = new StringBuilder("lowerdir=");
        for (int i = 0; i < lowers.size(); i++) opts.append(i > 0 ? ":" : "").append(lowers.get(i));
        return opts.append(",upperdir=").append(upper).append(",workdir=").append(work).toString();
    }

    private static void mountWithTool(String options, Path target, Path cwd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("mount", "-t", "overlay", "overlay", "-o", options, target.toString())
                .redirectErrorStream(true);
        if (cwd != null) pb.directory(cwd.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("mount overlay on " + target + " timed out");
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted mounting overlay on " + target, ie);
        }
        if (p.exitValue() != 0) throw new IOException("mount overlay on " + target + ": " + out);
    }
}
