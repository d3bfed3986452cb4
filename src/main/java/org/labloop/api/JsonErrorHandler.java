package org.labloop.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors the HTTP server answers before a request reaches the API (a malformed path, a URL or headers too large): the
 * same JSON body as every other API error, instead of Jetty's HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final String JSON_UTF8 = "application/json;charset=utf-8";

    private final ObjectMapper json;

    JsonErrorHandler(ObjectMapper json) {
        this.json = json;
    }

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON_UTF8);
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    private byte[] body(int status, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code(status));
        body.put("message", message(status, reason));
        body.put("field", null);
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            return ("{\"code\":\"" + code(status) + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A word for the status, as the API's own errors have ({@code bad_request}, {@code uri_too_long}, ...). */
    static String code(int status) {
        String reason = HttpStatus.getMessage(status);
        return reason == null ? "error" : reason.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    }

    private static String message(int status, String reason) {
        String text = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
        return switch (status) {
            case 400 ->
                text + ": the server could not read the request line or its headers (a malformed or ambiguous URL,"
                        + " such as an encoded NUL or '/' in a path)";
            case 414 -> text + ": the URL is longer than the server takes (8 kB)";
            case 431 -> text + ": the request headers are larger than the server takes (8 kB)";
            default -> text;
        };
    }
}
