package org.labloop.api;

import java.util.List;
import java.util.Map;

/**
 * An API request failed in a way the client can act on. Rendered as JSON {@code {code, message, field}} with the HTTP
 * status; {@code field} names the request field (body field, query or path parameter) at fault, or is null.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String field;
    private final transient List<Map<String, Object>> problems;

    public ApiError(int status, String code, String message, String field) {
        this(status, code, message, field, List.of());
    }

    public ApiError(int status, String code, String message, String field, List<Map<String, Object>> problems) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
        this.problems = List.copyOf(problems);
    }

    public static ApiError badRequest(String field, String message) {
        return new ApiError(400, "bad_request", message, field);
    }

    public static ApiError notFound(String field, String message) {
        return new ApiError(404, "not_found", message, field);
    }

    public static ApiError conflict(String message) {
        return new ApiError(409, "conflict", message, null);
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, "unauthorized", message, null);
    }

    public static ApiError forbidden(String message) {
        return new ApiError(403, "forbidden", message, null);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }

    public List<Map<String, Object>> problems() {
        return problems;
    }
}
