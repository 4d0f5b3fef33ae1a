package dev.kiln;

import java.util.List;

/**
 * Edits to a working container's image config, as {@code kiln config} flags give them. Every
 * field is optional (null or empty = leave as is).
 *
 * @param env          "KEY=VALUE" adds or replaces; "KEY-" removes
 * @param cmd          JSON array (exec form) or words split as a shell would; "" clears
 * @param entrypoint   JSON array, or a string run as {@code /bin/sh -c STRING}; "" clears
 * @param labels       "KEY=VALUE" adds or replaces; "KEY-" removes
 * @param annotations  manifest annotations, "KEY=VALUE" or "KEY-"
 * @param ports        "80", "80/tcp", "53/udp"; "PORT-" removes
 * @param volumes      "/data"; "/data-" removes
 * @param healthcheck  a command ("CMD ..." / "CMD-SHELL ..." / "NONE" or plain words); Docker format only
 * @param healthcheckInterval etc. as Go durations ("30s"); null keeps
 * @param onbuild      triggers to append; Docker format only
 * @param shell        JSON array for SHELL; Docker format only
 */
public record ConfigChange(List<String> env, String cmd, String entrypoint, String workingDir, String user,
                           List<String> labels, List<String> annotations, List<String> ports, List<String> volumes,
                           String stopSignal, String author, String createdBy, String os, String arch,
                           String shell, String healthcheck, String healthcheckInterval, String healthcheckTimeout,
                           String healthcheckStartPeriod, Integer healthcheckRetries, List<String> onbuild) {
    public static ConfigChange none() {
        return new ConfigChange(List.of(), null, null, null, null, List.of(), List.of(), List.of(), List.of(),
                null, null, null, null, null, null, null, null, null, null, null, List.of());
    }
}
