package dev.kiln.arch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Fixtures;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Checks the package arrows of docs/ARCHITECTURE.md: each package may use only the packages
 * listed for it, and the facade's public signatures use only JDK, facade and dev.kiln.oci types.
 */
class PackageArrowsTest {
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("oci", Set.of()),
            Map.entry("linux", Set.of()),
            Map.entry("layer", Set.of("oci", "linux")),
            Map.entry("store", Set.of("oci", "linux", "layer")),
            Map.entry("registry", Set.of("oci")),
            Map.entry("transport", Set.of("oci", "linux", "layer", "store", "registry")),
            Map.entry("runtime", Set.of("oci", "linux", "layer")),
            Map.entry("dockerfile", Set.of("oci")),
            Map.entry("build", Set.of("oci", "linux", "layer", "store", "registry", "transport", "runtime", "dockerfile")),
            Map.entry("", Set.of("oci", "linux", "layer", "store", "registry", "transport", "runtime", "dockerfile", "build")),
            Map.entry("cli", Set.of("", "oci")));

    private static final Pattern REF = Pattern.compile("\\bdev\\.kiln((?:\\.[a-z]+)?)\\.([A-Z*])");

    @Test
    void everyPackageUsesOnlyWhatItsArrowsAllow() throws IOException {
        List<String> violations = new ArrayList<>();
        Path root = Fixtures.repoRoot();
        for (Path src : List.of(root.resolve("kiln-core/src/main/java"), root.resolve("kiln-cli/src/main/java"))) {
            if (!Files.isDirectory(src)) continue;
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String pkg = packageOf(src.relativize(f.getParent()));
                    Set<String> allowed = ALLOWED.get(pkg);
                    assertThat(allowed).as("package %s of %s is not on the map", pkg, f).isNotNull();
                    Matcher m = REF.matcher(Files.readString(f));
                    while (m.find()) {
                        String used = m.group(1).isEmpty() ? "" : m.group(1).substring(1);
                        if (!ALLOWED.containsKey(used)) used = ""; // dev.kiln.SomeClass
                        if (!used.equals(pkg) && !allowed.contains(used)) {
                            violations.add(src.relativize(f) + " uses dev.kiln." + (used.isEmpty() ? "(facade)" : used));
                        }
                    }
                }
            }
        }
        assertThat(violations).as("package arrows broken").isEmpty();
    }

    private static String packageOf(Path rel) {
        String p = rel.toString().replace('/', '.');
        if (p.equals("dev.kiln")) return "";
        return p.substring("dev.kiln.".length()).split("\\.")[0];
    }

    @Test
    void facadeSignaturesUseOnlyJdkFacadeAndOciTypes() throws Exception {
        Path classes = Fixtures.repoRoot().resolve("kiln-core/target/classes/dev/kiln");
        Set<String> bad = new TreeSet<>();
        try (Stream<Path> files = Files.list(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                Class<?> c = Class.forName("dev.kiln." + f.getFileName().toString().replace(".class", ""));
                if (!Modifier.isPublic(c.getModifiers())) continue;
                for (Method m : c.getMethods()) {
                    if (m.getDeclaringClass() == Object.class) continue;
                    check(m.getGenericReturnType(), c + "." + m.getName(), bad);
                    for (Parameter p : m.getParameters()) check(p.getParameterizedType(), c + "." + m.getName(), bad);
                }
                if (c.isRecord()) {
                    for (RecordComponent rc : c.getRecordComponents()) check(rc.getGenericType(), c + "." + rc.getName(), bad);
                }
            }
        }
        assertThat(bad).as("facade signatures must use only JDK, dev.kiln and dev.kiln.oci types").isEmpty();
    }

    private static void check(Type t, String where, Set<String> bad) {
        for (String name : typeNames(t)) {
            boolean ok = name.startsWith("java.") || name.startsWith("dev.kiln.oci.")
                    || (name.startsWith("dev.kiln.") && name.indexOf('.', "dev.kiln.".length()) < 0)
                    || !name.contains(".");
            if (!ok) bad.add(where + " uses " + name);
        }
    }

    private static List<String> typeNames(Type t) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("[A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)+").matcher(t.getTypeName());
        while (m.find()) names.add(m.group());
        return names;
    }
}
