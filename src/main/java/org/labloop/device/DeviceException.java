package org.labloop.device;

import org.labloop.core.LabLoopException;

/** A device or its driver failed, refused a request, or is misconfigured. The message names the device. */
public class DeviceException extends LabLoopException {
    private static final long serialVersionUID = 1L;

    public DeviceException(String message) {
        super(message);
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
