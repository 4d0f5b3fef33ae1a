package dev.kiln.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Seeded random mutations of every valid parse case: the parser (and the expansion of what it
 * returns) either succeeds or throws {@link DockerfileException}, within a time bound.
 */
class DockerfileFuzzTest {
    private static final long SEED = 0x6b696c6eL; // "kiln"
    private static final int MUTATIONS = 5_000;
    private static final String[] INSERTS = {"\\", "`", "\"", "'", "${", "}", "$", "\n", "<<EOF", "<<-EOF\n", "\nEOF\n",
            "[", "]", "\",", "--", "--from=", "=", " ", "\t", "# escape=`\n", "\\\n", "ONBUILD ", ":-", ":?", "\r\n",
            "\uFEFF", "\u00e9", "FROM x\n"};

    @Test
    void mutationsOnlyEverThrowDockerfileException() throws Exception {
        List<String> seeds = new ArrayList<>();
        for (Path dir : DockerfileParserDataTest.cases()) {
            if (Files.exists(dir.resolve("expected.txt"))) {
                seeds.add(Files.readString(dir.resolve("Dockerfile")));
            }
        }
        assertThat(seeds).isNotEmpty();
        Random random = new Random(SEED);
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "fuzz", 512 * 1024);
            t.setDaemon(true);
            return t;
        });
        int parsed = 0;
        int rejected = 0;
        try {
            for (int i = 0; i < MUTATIONS; i++) {
                String input = mutate(seeds.get(i % seeds.size()), random);
                Future<Boolean> f = pool.submit(() -> parseAndExpand(input));
                try {
                    if (f.get(5, TimeUnit.SECONDS)) {
                        parsed++;
                    } else {
                        rejected++;
                    }
                } catch (TimeoutException e) {
                    f.cancel(true);
                    fail("parse took more than 5s for mutation " + i + ":\n" + input);
                } catch (ExecutionException e) {
                    throw new AssertionError("mutation " + i + " threw " + e.getCause() + " for:\n" + input, e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(parsed + rejected).isEqualTo(MUTATIONS);
        assertThat(parsed).as("some mutations still parse").isPositive();
        assertThat(rejected).as("some mutations are rejected").isPositive();
    }

    /** True if parsed, false if rejected with a DockerfileException; anything else propagates. */
    private static boolean parseAndExpand(String input) {
        try {
            Dockerfile d = DockerfileParser.parse(input, "Dockerfile");
            DockerfileDump.dump(d);
            Expander x = new Expander(Map.of("a", "1", "b", ""), d.escape());
            for (Stage s : d.stages()) {
                expand(x, s.from());
                for (Instruction i : s.instructions()) {
                    if (Expander.expands(i)) {
                        expand(x, i);
                    }
                }
            }
            return true;
        } catch (DockerfileException e) {
            assertThat(e.getMessage()).isNotBlank();
            return false;
        }
    }

    private static void expand(Expander x, Instruction i) {
        try {
            switch (i) {
                case Instruction.From f -> x.expandWord(f.image());
                case Instruction.Env e -> e.pairs().forEach(kv -> x.expandWord(kv.value()));
                case Instruction.Label l -> l.pairs().forEach(kv -> x.expandWord(kv.key() + "=" + kv.value()));
                case Instruction.Copy c -> x.expandWords(c.sources());
                case Instruction.Add a -> x.expandWords(a.sources());
                case Instruction.Workdir w -> x.splitWords(w.path());
                default -> {
                }
            }
        } catch (DockerfileException e) {
            // an expansion error is an acceptable outcome
        }
    }

    static String mutate(String s, Random r) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = b.isEmpty() ? 0 : r.nextInt(b.length() + 1);
            switch (r.nextInt(5)) {
                case 0 -> {
                    if (at < b.length()) {
                        b.deleteCharAt(at);
                    }
                }
                case 1 -> {
                    if (at < b.length()) {
                        int len = Math.min(1 + r.nextInt(8), b.length() - at);
                        b.insert(at, b.substring(at, at + len));
                    }
                }
                case 2 -> {
                    if (at + 1 < b.length()) {
                        char c = b.charAt(at);
                        b.setCharAt(at, b.charAt(at + 1));
                        b.setCharAt(at + 1, c);
                    }
                }
                default -> b.insert(at, INSERTS[r.nextInt(INSERTS.length)]);
            }
        }
        return b.toString();
    }
}
