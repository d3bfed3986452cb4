package org.labloop.store;

/**
 * The server of a PostgreSQL store could not be reached again after it ended a connection: nothing is wrong with the
 * store, and the same request succeeds once the server is back.
 */
public final class StoreUnavailableException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
