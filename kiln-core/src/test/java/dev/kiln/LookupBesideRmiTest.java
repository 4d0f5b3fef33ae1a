package dev.kiln;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding an image by id reads every image index.json lists; one that another process removes
 * meanwhile (rmi, which also deletes its blobs) is no longer an image and must not make the
 * lookup fail. Found by ConcurrencyTest: 8 of 40 builds beside an rmi loop failed with "blob …
 * is not in store" when tagging their result or looking up a step's image.
 */
class LookupBesideRmiTest {
    @TempDir
    Path tmp;

    @Test
    void findingAnImageByIdSurvivesOtherImagesBeingRemoved() throws Exception {
        Path store = tmp.resolve("store");
        Path file = Files.writeString(tmp.resolve("f"), "keep\n");
        String keeperId;
        try (Kiln kiln = Kiln.open(new KilnOptions(store, "vfs"))) {
            WorkingContainer ctr = kiln.from("scratch", null);
            ctr.add(List.of(file.toString()), "/keep", CopyOptions.copy());
            keeperId = ctr.commit("keeper", new CommitOptions(false, "oci", 0L, null, true, null)).imageId();
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger removed = new AtomicInteger();
        // Another Kiln on the same store is another lease, as another process would be.
        Thread remover = Thread.ofPlatform().start(() -> {
            try (Kiln other = Kiln.open(new KilnOptions(store, "vfs"))) {
                for (int n = 0; !stop.get(); n++) {
                    Path f = Files.writeString(tmp.resolve("junk-" + n), "junk " + n + "\n");
                    WorkingContainer ctr = other.from("scratch", null);
                    ctr.add(List.of(f.toString()), "/junk", CopyOptions.copy());
                    ctr.commit("junk", new CommitOptions(false, "oci", null, null, true, null));
                    other.removeImage("junk", false);
                    removed.incrementAndGet();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        int lookups = 0;
        try (Kiln kiln = Kiln.open(new KilnOptions(store, "vfs"))) {
            long end = System.nanoTime() + 4_000_000_000L;
            while (System.nanoTime() < end || removed.get() < 20) {
                assertThat(kiln.image(keeperId.substring(0, 12)).id()).isEqualTo(keeperId);
                lookups++;
            }
        } finally {
            stop.set(true);
            remover.join();
        }
        assertThat(lookups).isGreaterThan(removed.get());
    }
}
