package dev.kiln.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writeback hint against the real kernel: taken on a file, refused quietly where it cannot be. */
class WritebackTest {
    @TempDir
    Path tmp;

    @Test
    void aFileBeingWrittenTakesTheHintAndKeepsItsBytes() throws Exception {
        Path f = tmp.resolve("blob");
        byte[] chunk = new byte[1 << 20];
        Arrays.fill(chunk, (byte) 'k');
        try (OutputStream out = Files.newOutputStream(f); Linux.Writeback wb = new Linux.Writeback(f)) {
            assertThat(wb.active()).isFalse();
            for (int i = 0; i < 4; i++) {
                out.write(chunk);
                out.flush();
                wb.start((long) i << 20, 1 << 20);
                assertThat(wb.active()).as("sync_file_range on a regular file").isTrue();
            }
        }
        assertThat(Files.size(f)).isEqualTo(4L << 20);
        assertThat(Files.readAllBytes(f)).containsOnly((byte) 'k');
    }

    @Test
    void somethingThatCannotTakeItIsLeftAloneWithoutAnError() throws Exception {
        Linux.Writeback missing = new Linux.Writeback(tmp.resolve("not-there"));
        missing.start(0, 4096);
        assertThat(missing.active()).isFalse();
        missing.close();

        Path fifo = tmp.resolve("fifo");
        new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor();
        // Opening a FIFO read-only would block until a writer comes: hold one open meanwhile.
        Process writer = new ProcessBuilder("sh", "-c", "exec 3>" + fifo + "; sleep 5").start();
        try (Linux.Writeback wb = new Linux.Writeback(fifo)) {
            wb.start(0, 4096);
            assertThat(wb.active()).as("a FIFO refuses sync_file_range (ESPIPE)").isFalse();
            wb.start(0, 4096); // and is not asked again
            assertThat(wb.active()).isFalse();
        } finally {
            writer.destroy();
        }
    }
}
