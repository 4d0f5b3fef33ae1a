package dev.kiln.transport;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.Index;
import dev.kiln.oci.Platform;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/** A tar of an OCI image layout (what {@code skopeo copy ... oci-archive:FILE} writes). */
public final class OciArchive {
    private OciArchive() {}

    /** Writes {@code image} as a new archive at {@code file} holding just that image, named {@code tag}. */
    public static void write(ImageData image, Path file, String tag) {
        ArchiveFiles.writeAtomically(file, tar -> {
            ArchiveFiles.addBytes(tar, "oci-layout", OciLayout.LAYOUT_FILE);
            Index index = OciLayout.withEntry(Index.of(List.of()), image.manifestDescriptor(), tag);
            ArchiveFiles.addBytes(tar, "index.json", index.toJson());
            ArchiveFiles.addDir(tar, "blobs");
            ArchiveFiles.addDir(tar, "blobs/sha256");
            java.util.Set<String> written = new java.util.HashSet<>();
            for (Descriptor layer : image.manifest().layers()) {
                if (!written.add(layer.digest().hex())) continue;
                try (InputStream in = image.blobs().open(layer)) {
                    ArchiveFiles.addFile(tar, "blobs/sha256/" + layer.digest().hex(), layer.size(), in);
                }
            }
            if (written.add(image.manifest().config().digest().hex())) {
                ArchiveFiles.addBytes(tar, "blobs/sha256/" + image.manifest().config().digest().hex(), image.configBytes());
            }
            ArchiveFiles.addBytes(tar, "blobs/sha256/" + image.manifestDigest().hex(), image.manifestBytes());
        });
    }

    /** Unpacks the archive into {@code tmpParent} and reads the image named {@code tag} (or the only one). */
    public static Opened read(Path file, String tag, Platform platform, Path tmpParent) {
        ArchiveFiles.Unpacked unpacked = ArchiveFiles.unpack(file, tmpParent);
        try {
            return new Opened(OciLayout.read(unpacked.dir(), tag, platform), unpacked);
        } catch (RuntimeException e) {
            unpacked.close();
            throw ArchiveFiles.naming(e, unpacked.dir(), file);
        }
    }

    /** An image read from an unpacked archive; closing removes the unpacked files. */
    public record Opened(ImageData image, AutoCloseable cleanup) implements AutoCloseable {
        @Override
        public void close() {
            try {
                cleanup.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
