package dev.kiln.layer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** GNU tar's verbose listing ({@code tar --numeric-owner -tvf}) without the date and time columns. */
final class TarListing {
    private TarListing() {}

    static List<String> of(Path archive) throws IOException, InterruptedException {
        String out = Cmd.run(archive.getParent(), "tar", "--numeric-owner", "-tvf", archive.toString());
        List<String> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) continue;
            // -rw-r--r-- 0/0   5 2023-11-14 22:13 name   ->   "-rw-r--r-- 0/0 5 name"
            String[] f = line.split(" +", 6);
            lines.add(f[0] + " " + f[1] + " " + f[2] + " " + f[5]);
        }
        return lines;
    }
}
