package dev.lifeboat.sim.veeam;

/** An error answer: the HTTP status and the {@code Message} of Veeam's Error body [V, VD http_response_codes]. */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }
}
