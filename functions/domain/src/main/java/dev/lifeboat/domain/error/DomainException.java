package dev.lifeboat.domain.error;

import java.util.List;

/**
 * A request that the rules refuse. The message is written for the person who sent the request and never
 * contains a secret: callers build it from names and values that are safe to echo.
 */
public final class DomainException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Problem problem;
    private final transient List<FieldError> errors;

    public DomainException(Problem problem, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.problem = problem;
        this.errors = List.copyOf(errors);
    }

    public DomainException(Problem problem, String detail) {
        this(problem, detail, List.of());
    }

    public Problem problem() {
        return problem;
    }

    public List<FieldError> errors() {
        return errors;
    }

    public static DomainException notFound(String detail) {
        return new DomainException(Problem.NOT_FOUND, detail);
    }

    public static DomainException forbidden(String detail) {
        return new DomainException(Problem.FORBIDDEN, detail);
    }

    public static DomainException conflict(String detail) {
        return new DomainException(Problem.CONFLICT, detail);
    }

    public static DomainException badRequest(String detail) {
        return new DomainException(Problem.BAD_REQUEST, detail);
    }

    public static DomainException badRequest(String field, String message) {
        return new DomainException(Problem.BAD_REQUEST, "The request is malformed.", List.of(new FieldError(field, message)));
    }

    public static DomainException invalid(String field, String message) {
        return new DomainException(Problem.VALIDATION_FAILED, "The request has invalid values.", List.of(new FieldError(field, message)));
    }

    public static DomainException stale(long current) {
        return new DomainException(Problem.PRECONDITION_FAILED,
                "The resource has changed since you read it: its version is now " + current + ". Read it again and retry.");
    }
}
