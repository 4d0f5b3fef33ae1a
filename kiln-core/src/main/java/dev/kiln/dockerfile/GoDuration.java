package dev.kiln.dockerfile;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go's time.ParseDuration ("30s", "1m30s", "1.5h", "500ms"), as Docker reads HEALTHCHECK times. */
public final class GoDuration {
    private static final Pattern GO_DURATION = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {}

    /** Go's time.ParseDuration for non-negative values; null if malformed. */
    public static Duration parse(String s) {
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty() || s.length() > 100) {
            return null;
        }
        Matcher m = GO_DURATION.matcher(s);
        int at = 0;
        java.math.BigDecimal nanos = java.math.BigDecimal.ZERO;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                return null;
            }
            String num = m.group(1);
            if (num.isEmpty() || num.equals(".")) {
                return null;
            }
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos = nanos.add(new java.math.BigDecimal(num).multiply(java.math.BigDecimal.valueOf(unit)));
            at = m.end();
        }
        if (nanos.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            return null;
        }
        return Duration.ofNanos(nanos.longValue());
    }
}
