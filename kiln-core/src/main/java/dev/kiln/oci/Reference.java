package dev.kiln.oci;

import java.util.regex.Pattern;

/**
 * An image reference as Docker users write it: {@code [registry/]repository[:tag][@digest]},
 * validated by the grammar of distribution's {@code reference} package. {@code registry} is null
 * when none was written; {@link #withDefaults(String)} fills it in as Docker does.
 *
 * <p>Following Docker, the first path component names a registry only if it contains '.' or ':'
 * or is "localhost"; so {@code foo/bar} is repository {@code foo/bar}, {@code foo.io/bar} is
 * repository {@code bar} on registry {@code foo.io}.
 */
public record Reference(String registry, String repository, String tag, Digest digest) {
    public static final String DOCKER_HUB = "docker.io";
    public static final String DEFAULT_TAG = "latest";

    private static final String ALNUM = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final Pattern PATH_COMPONENT = Pattern.compile(ALNUM + "(?:" + SEPARATOR + ALNUM + ")*");
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern IMAGE_ID = Pattern.compile("[a-f0-9]{64}");
    private static final int NAME_MAX = 255;

    public Reference {
        if (registry != null && !DOMAIN.matcher(registry).matches()) {
            throw new InvalidInputException("invalid registry '" + registry + "' in image reference");
        }
        checkRepository(repository, registry);
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw new InvalidInputException("invalid tag '" + tag + "' in image reference (a tag is up to 128 letters, "
                    + "digits, '_', '.' and '-', not starting with '.' or '-')");
        }
    }

    private static void checkRepository(String repository, String registry) {
        if (repository == null || repository.isEmpty()) throw new InvalidInputException("image reference without a repository");
        for (String component : repository.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw new InvalidInputException("invalid repository name '" + repository + "': component '" + component
                        + "' must be lowercase letters and digits, separated by '.', '_', '__' or dashes");
            }
        }
        int length = repository.length() + (registry == null ? 0 : registry.length() + 1);
        if (length > NAME_MAX) {
            throw new InvalidInputException("repository name '" + repository + "' is longer than " + NAME_MAX + " characters");
        }
    }

    /**
     * Parses {@code busybox}, {@code library/busybox:1.36}, {@code registry:5000/ns/img:tag},
     * {@code img@sha256:...}, {@code img:tag@sha256:...}; throws {@link InvalidInputException}
     * naming the text otherwise.
     */
    public static Reference parse(String unsafeText) {
        if (unsafeText == null || unsafeText.isEmpty()) throw new InvalidInputException("empty image reference");
        try {
            return parseChecked(unsafeText);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("invalid image reference '" + unsafeText + "': " + e.getMessage(), e);
        }
    }

    private static Reference parseChecked(String text) {
        Digest digest = null;
        String rest = text;
        int at = text.indexOf('@');
        if (at >= 0) {
            digest = Digest.parse(text.substring(at + 1));
            rest = text.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String registry = null;
        int slash = rest.indexOf('/');
        if (slash > 0 && isRegistry(rest.substring(0, slash))) {
            registry = rest.substring(0, slash);
            rest = rest.substring(slash + 1);
        }
        if (registry == null && IMAGE_ID.matcher(rest).matches()) {
            throw new InvalidInputException("a 64-character hex string is an image id, not a repository name");
        }
        return new Reference(registry, rest, tag, digest);
    }

    /** Docker's rule (distribution reference/normalize.go, splitDockerDomain). */
    private static boolean isRegistry(String firstComponent) {
        return firstComponent.contains(".") || firstComponent.contains(":") || firstComponent.equals("localhost");
    }

    public boolean hasRegistry() {
        return registry != null;
    }

    /**
     * Fills what Docker fills: the registry (index.docker.io is spelled docker.io), "library/"
     * before a one-component Docker Hub repository, and tag "latest" when neither a tag nor a
     * digest was written.
     */
    public Reference withDefaults(String defaultRegistry) {
        String reg = registry != null ? registry : defaultRegistry;
        if ("index.docker.io".equals(reg)) reg = DOCKER_HUB;
        String repo = DOCKER_HUB.equals(reg) && !repository.contains("/") ? "library/" + repository : repository;
        String t = tag == null && digest == null ? DEFAULT_TAG : tag;
        return new Reference(reg, repo, t, digest);
    }

    public Reference withTag(String newTag) {
        return new Reference(registry, repository, newTag, digest);
    }

    public Reference withDigest(Digest newDigest) {
        return new Reference(registry, repository, tag, newDigest);
    }

    /** {@code registry/repository}, or the repository alone when no registry was written. */
    public String name() {
        return registry == null ? repository : registry + "/" + repository;
    }

    /** {@code registry/repository:tag@digest}, each part only when present. */
    @Override
    public String toString() {
        return name() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
