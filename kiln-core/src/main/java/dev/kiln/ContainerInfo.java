package dev.kiln;

/**
 * A working container as {@code kiln containers} lists it.
 *
 * @param imageId   the base image's id (config digest hex), empty for scratch
 * @param imageName the base image's name as given to {@code from}, "scratch" for scratch
 */
public record ContainerInfo(String id, String name, String imageId, String imageName, String created) {}
