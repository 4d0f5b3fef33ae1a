package dev.kiln.runtime;

import java.util.List;

/**
 * What a run ended with: the command's exit code (127 when it was not found, 126 when it could
 * not be executed, 128+N when killed by signal N) and the container paths kiln created as mount
 * points and removed again because the command left them untouched.
 */
public record RunResult(int exitCode, List<String> createdPlaceholders) {
    public RunResult {
        createdPlaceholders = List.copyOf(createdPlaceholders);
    }
}
