package dev.kiln.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Sizes and ages as buildah prints them. */
final class Humanize {
    private static final String[] SIZE_UNITS = {"B", "KB", "MB", "GB", "TB"};

    private Humanize() {}

    /** Decimal units, three significant digits: "1.98 MB", as buildah's formattedSize ("%.3g %s"). */
    static String size(long bytes) {
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
            value /= 1000;
            unit++;
        }
        BigDecimal rounded = new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros();
        return rounded.toPlainString() + " " + SIZE_UNITS[unit];
    }

    /** "2 minutes ago" for an RFC 3339 time; the text as it is when it does not parse, "" when null. */
    static String ago(String rfc3339, Instant now) {
        if (rfc3339 == null || rfc3339.isBlank()) {
            return "";
        }
        try {
            Instant then = OffsetDateTime.parse(rfc3339).toInstant();
            return duration(Duration.between(then, now)) + " ago";
        } catch (DateTimeParseException e) {
            return rfc3339;
        }
    }

    /** go-units HumanDuration, which buildah and podman use for CREATED. */
    static String duration(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = d.toMinutes();
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = (long) (d.toMillis() / 3_600_000.0 + 0.5); // Go rounds hours here: int(d.Hours() + 0.5)
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return d.toHours() / 24 / 365 + " years";
    }
}
