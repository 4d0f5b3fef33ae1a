package dev.kiln.cli;

import dev.kiln.ImageInfo;
import dev.kiln.Kiln;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "images", mixinStandardHelpOptions = true,
        description = "Lists images in the store, one row per name.",
        footer = {"", "Example: kiln images --noheading"})
final class ImagesCommand extends VerbCommand {
    @Option(names = {"-a", "--all"},
            description = "Also list intermediate images: the unnamed images the build cache keeps.")
    boolean all;

    @Option(names = {"-q", "--quiet"}, description = "Print image ids only.")
    boolean quiet;

    @Option(names = {"-n", "--noheading"}, description = "Leave out the column headings.")
    boolean noHeading;

    @Option(names = "--no-trunc", description = "Print full image ids instead of the first 12 characters.")
    boolean noTrunc;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Override
    void run(Kiln kiln, PrintWriter out) {
        List<ImageInfo> images = kiln.images(all);
        if (json) {
            out.println(Json.pretty(images.stream().map(ImagesCommand::toJson).toList()));
        } else if (quiet) {
            Set<String> ids = new LinkedHashSet<>();
            images.forEach(image -> ids.add(id(image.id())));
            ids.forEach(out::println);
        } else {
            Table table = new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
            images.forEach(image -> addRows(table, image, Instant.now()));
            table.print(out, !noHeading);
        }
    }

    private void addRows(Table table, ImageInfo image, Instant now) {
        List<String[]> repoTags = new ArrayList<>();
        for (String name : image.names()) {
            repoTags.add(ImageNames.repositoryAndTag(name));
        }
        if (repoTags.isEmpty()) {
            repoTags.add(new String[] {"<none>", "<none>"});
        }
        for (String[] repoTag : repoTags) {
            table.row(repoTag[0], repoTag[1], id(image.id()), Humanize.ago(image.created(), now),
                    Humanize.size(image.size()));
        }
    }

    private String id(String id) {
        return noTrunc ? id : Ids.shorten(id);
    }

    private static Map<String, Object> toJson(ImageInfo image) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", image.id());
        m.put("names", image.names());
        m.put("digest", image.manifest() == null ? null : image.manifest().toString());
        m.put("mediatype", image.manifestMediaType());
        m.put("created", image.created());
        m.put("size", image.size());
        return m;
    }
}
