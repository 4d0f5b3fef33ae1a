package dev.kiln.runtime;

/** The network a container sees: the host's (the default, as Docker's RUN) or a new one with only lo. */
public enum Network {
    HOST,
    NONE
}
