package dev.lifeboat.workflowruntime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.processes.RepositoryRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * asl-validator 4.0.0 over definition files, through {@code infra/stepfunctions/validate.mjs}: schema, unreachable
 * states, missing {@code Next}/{@code Default} targets, and more. It stops at schema errors (fix and re-run to see the
 * rest), and accepts JSONata that the local runtime cannot run.
 */
public final class AslValidator {

    static final String SCRIPT = "validate.mjs";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NodePackage nodePackage;

    private AslValidator(NodePackage nodePackage) {
        this.nodePackage = nodePackage;
    }

    /** The verdict on one file; each error is {@code CODE: message}. */
    public record Result(Path file, List<String> errors) {
        public Result {
            errors = List.copyOf(errors);
        }

        public boolean valid() {
            return errors.isEmpty();
        }

        @Override
        public String toString() {
            return valid() ? file + " is valid" : file + " is invalid:\n  " + String.join("\n  ", errors);
        }
    }

    public static AslValidator fromRepository() throws IOException {
        return of(NodePackage.fromRepository().directory());
    }

    /** @throws IOException when Node 22 or asl-validator is missing, saying to run {@code npm ci} */
    public static AslValidator of(Path packageDirectory) throws IOException {
        NodePackage nodePackage = new NodePackage(packageDirectory);
        nodePackage.check(SCRIPT, "asl-validator");
        return new AslValidator(nodePackage);
    }

    /** The repository's workflow definitions: {@code statemachines/*.asl.json}, sorted; empty when there are none. */
    public static List<Path> repositoryDefinitions() throws IOException {
        Path folder = RepositoryRoot.find().resolve("statemachines");
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".asl.json")).sorted().toList();
        }
    }

    public Result validate(Path file) throws IOException {
        return validate(List.of(file)).get(0);
    }

    /** One result per file, in order. An unreadable or non-JSON file is an invalid one. */
    public List<Result> validate(List<Path> files) throws IOException {
        if (files.isEmpty()) {
            return List.of();
        }
        List<String> args = new ArrayList<>(List.of("--json"));
        files.forEach(f -> args.add(f.toAbsolutePath().toString()));
        NodePackage.Outcome outcome = nodePackage.run(SCRIPT, args, Map.of(), new byte[0], TIMEOUT);
        if (outcome.timedOut() || (outcome.exitCode() != 0 && outcome.exitCode() != 1) || outcome.lastLine() == null) {
            throw new IOException("validate.mjs failed (exit " + outcome.exitCode() + ")"
                    + (outcome.timedOut() ? " after " + TIMEOUT.toSeconds() + " s" : "")
                    + (outcome.stderr().isBlank() ? "" : ": " + outcome.stderr().strip()));
        }
        JsonNode report;
        try {
            report = JSON.readTree(outcome.lastLine());
        } catch (JsonProcessingException e) {
            throw new IOException("validate.mjs printed no JSON report: " + outcome.stdout(), e);
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            JsonNode entry = report.path(i);
            List<String> errors = new ArrayList<>();
            entry.path("errors").forEach(e -> errors.add(e.path("code").asText() + ": " + e.path("message").asText()));
            if (!entry.path("valid").asBoolean(false) && errors.isEmpty()) {
                errors.add("validate.mjs reported no verdict for this file");
            }
            results.add(new Result(files.get(i), errors));
        }
        return results;
    }

    /** The invalid results, one paragraph each: for assertion messages. */
    public static String describeInvalid(List<Result> results) {
        return results.stream().filter(r -> !r.valid()).map(Result::toString).collect(Collectors.joining("\n"));
    }
}
