package dev.kiln.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Docker's HEALTHCHECK (Docker image spec v1.2, {@code Healthcheck}); OCI configs have no such
 * field. Durations are nanoseconds, as Docker writes them; 0 means "inherit the default".
 * {@code test} is {@code ["NONE"]} to disable a base image's check, {@code ["CMD", ...]} or
 * {@code ["CMD-SHELL", "..."]} otherwise.
 */
public record HealthCheck(List<String> test, long intervalNanos, long timeoutNanos, long startPeriodNanos,
        long startIntervalNanos, int retries) {
    public HealthCheck {
        test = Json.copy(test);
        if (intervalNanos < 0 || timeoutNanos < 0 || startPeriodNanos < 0 || startIntervalNanos < 0) {
            throw new InvalidInputException("health check durations must not be negative");
        }
        if (retries < 0) throw new InvalidInputException("health check retries must not be negative: " + retries);
    }

    public static HealthCheck parse(byte[] unsafeJson) {
        return fromJson(Json.readObject(unsafeJson, "health check"), "Healthcheck");
    }

    static HealthCheck fromJson(JsonNode node, String where) {
        ObjectNode o = Json.object(node, where);
        long retries = orZero(Json.optLong(o, "Retries", where));
        if (retries != (int) retries) throw Json.wrongType(where + ".Retries", "a 32-bit integer", o.get("Retries"));
        try {
            return new HealthCheck(Json.stringList(o, "Test", where), orZero(Json.optLong(o, "Interval", where)),
                    orZero(Json.optLong(o, "Timeout", where)), orZero(Json.optLong(o, "StartPeriod", where)),
                    orZero(Json.optLong(o, "StartInterval", where)), (int) retries);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("invalid " + where + ": " + e.getMessage(), e);
        }
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    ObjectNode toJsonNode() {
        ObjectNode o = Json.newObject();
        Json.putStrings(o, "Test", test);
        if (intervalNanos != 0) o.put("Interval", intervalNanos);
        if (timeoutNanos != 0) o.put("Timeout", timeoutNanos);
        if (startPeriodNanos != 0) o.put("StartPeriod", startPeriodNanos);
        if (startIntervalNanos != 0) o.put("StartInterval", startIntervalNanos);
        if (retries != 0) o.put("Retries", retries);
        return o;
    }

    public byte[] toJson() {
        return Json.bytes(toJsonNode());
    }
}
