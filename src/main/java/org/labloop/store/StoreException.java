package org.labloop.store;

import org.labloop.event.EventLogException;

/** The database behind the event log failed or is not a LabLoop store. */
public class StoreException extends EventLogException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
