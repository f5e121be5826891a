package dev.lifeboat.events;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** Short descriptions of SDK failures for exception messages: the service's error code, never its message. */
final class AwsErrors {
    private AwsErrors() {}

    /** The service's error code and HTTP status, or for a failure before any answer the exception types. */
    static String describe(SdkException e) {
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null
                && service.awsErrorDetails().errorCode() != null) {
            return service.awsErrorDetails().errorCode() + " (HTTP " + service.statusCode() + ")";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + " caused by " + root.getClass().getSimpleName();
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
