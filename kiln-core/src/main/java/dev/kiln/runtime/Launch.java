package dev.kiln.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything resolved for one run, shared by both isolations.
 *
 * @param bundle   a fresh directory under the state directory, removed after the run
 * @param etcFiles container path (/etc/hosts, …) to the bundle file bind-mounted there
 */
record Launch(RunSpec spec, String id, String hostname, Users.User user, List<String> env, Path bundle,
        Map<String, Placeholders.BindSource> etcFiles) {}
