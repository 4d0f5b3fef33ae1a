package dev.kiln.dockerfile;

import java.util.List;

/**
 * A build stage: its FROM and the instructions after it up to the next FROM. {@code index} is
 * its 0-based position; {@code name} the lower-case AS name or null.
 */
public record Stage(int index, String name, Instruction.From from, List<Instruction> instructions) {
    public Stage {
        instructions = List.copyOf(instructions);
    }
}
