package dev.kiln.dockerfile;

/** A parser directive from the top of the file ({@code # escape=`}); name is lower case. */
public record Directive(String name, String value, int line) {
}
