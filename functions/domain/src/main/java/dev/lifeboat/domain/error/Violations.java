package dev.lifeboat.domain.error;

import java.util.ArrayList;
import java.util.List;

/** Collects every field error of a request so that the caller learns all of them at once. */
public final class Violations {
    private final List<FieldError> errors = new ArrayList<>();

    public Violations add(String field, String message) {
        errors.add(new FieldError(field, message));
        return this;
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public boolean has(String field) {
        return errors.stream().anyMatch(e -> e.field().equals(field));
    }

    public void throwIfAny(Problem problem) {
        if (!errors.isEmpty()) {
            String detail = problem == Problem.BAD_REQUEST ? "The request is malformed." : "The request has invalid values.";
            throw new DomainException(problem, detail, errors);
        }
    }
}
