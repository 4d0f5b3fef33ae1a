package dev.kiln.store;

import dev.kiln.linux.Linux;

import java.io.IOException;
import java.lang.invoke.WrongMethodTypeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Mounts an overlay through {@link Linux#mountOverlay}. Stopgap: {@code Linux.mount} passes its
 * {@code data} argument to {@code invokeExact} as a conditional expression, whose static type in
 * a signature-polymorphic call is Object, so every call throws WrongMethodTypeException. Until
 * dev.kiln.linux is fixed (cast the conditional to MemorySegment), fall back to mount(8) with the
 * same option string. Delete the fallback with that fix.
 */
final class OverlayMount {
    private OverlayMount() {}

    static void mount(List<Path> lowers, Path upper, Path work, Path target) throws IOException {
        try {
            Linux.mountOverlay(lowers, upper, work, target);
        } catch (WrongMethodTypeException e) {
            mountWithTool(lowers, upper, work, target);
        }
    }

    private static void mountWithTool(List<Path> lowers, Path upper, Path work, Path target) throws IOException {
        StringBuilder opts = new StringBuilder("lowerdir=");
        for (int i = 0; i < lowers.size(); i++) opts.append(i > 0 ? ":" : "").append(lowers.get(i));
        opts.append(",upperdir=").append(upper).append(",workdir=").append(work);
        Process p = new ProcessBuilder("mount", "-t", "overlay", "overlay", "-o", opts.toString(), target.toString())
                .redirectErrorStream(true).start();
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
