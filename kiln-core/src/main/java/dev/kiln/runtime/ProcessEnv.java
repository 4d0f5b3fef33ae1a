package dev.kiln.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The environment of the container's process, with Docker's defaults. */
final class ProcessEnv {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ProcessEnv() {}

    /** {@code env} entries (later ones win), then PATH, HOSTNAME and HOME when not set. */
    static List<String> build(List<String> env, String hostname, Users.User user) {
        Map<String, String> vars = new LinkedHashMap<>();
        for (String e : env) {
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new dev.kiln.oci.InvalidInputException("environment entry '" + e + "' is not KEY=VALUE");
            }
            vars.remove(e.substring(0, eq));
            vars.put(e.substring(0, eq), e.substring(eq + 1));
        }
        vars.putIfAbsent("PATH", DEFAULT_PATH);
        vars.putIfAbsent("HOSTNAME", hostname);
        vars.putIfAbsent("HOME", user.home() == null || user.home().isEmpty() ? "/" : user.home());
        List<String> out = new ArrayList<>();
        vars.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }
}
