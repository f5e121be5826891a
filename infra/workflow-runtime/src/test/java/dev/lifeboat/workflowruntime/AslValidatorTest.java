package dev.lifeboat.workflowruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class AslValidatorTest {

    @Test
    void everyDefinitionOfTheRepositoryIsValid() throws IOException {
        List<Path> definitions = AslValidator.repositoryDefinitions();
        assumeFalse(definitions.isEmpty(), "statemachines/ has no *.asl.json yet");
        List<AslValidator.Result> results = AslValidator.fromRepository().validate(definitions);
        assertEquals(definitions.size(), results.size());
        assertTrue(results.stream().allMatch(AslValidator.Result::valid), AslValidator.describeInvalid(results));
    }

    @Test
    void theTestWorkflowsOfThisModuleAreValid() throws IOException {
        List<Path> definitions;
        try (Stream<Path> files = Files.list(StepFunctionsLocalTest.resource("workflows"))) {
            definitions = files.sorted().toList();
        }
        assertFalse(definitions.isEmpty());
        List<AslValidator.Result> results = AslValidator.fromRepository().validate(definitions);
        assertTrue(results.stream().allMatch(AslValidator.Result::valid), AslValidator.describeInvalid(results));
    }

    @Test
    void aBrokenDefinitionFailsWithEachProblem() throws IOException {
        AslValidator validator = AslValidator.fromRepository();
        AslValidator.Result broken = validator.validate(StepFunctionsLocalTest.resource("invalid/broken.asl.json"));
        assertFalse(broken.valid());
        assertTrue(broken.errors().contains("MISSING_TRANSITION_TARGET: Missing 'StartAt'|'Next'|'Default' target: NoSuchState"),
                broken.toString());
        assertTrue(broken.errors().contains("MISSING_TRANSITION_TARGET: State Orphan is not reachable"), broken.toString());

        AslValidator.Result schema = validator.validate(StepFunctionsLocalTest.resource("invalid/schema-error.asl.json"));
        assertEquals(List.of("SCHEMA_VALIDATION_FAILED: /States/Task/Retry/0/BackoffRate is invalid. must be number"),
                schema.errors());
    }

    @Test
    void filesThatAreNotDefinitionsAreInvalidToo(@TempDir Path folder) throws IOException {
        Path notJson = Files.writeString(folder.resolve("x.asl.json"), "{ \"StartAt\": ");
        List<AslValidator.Result> results = AslValidator.fromRepository()
                .validate(List.of(notJson, folder.resolve("missing.asl.json")));
        assertTrue(results.get(0).errors().get(0).startsWith("INVALID_JSON: "), results.get(0).toString());
        assertTrue(results.get(1).errors().get(0).startsWith("UNREADABLE: "), results.get(1).toString());
        assertEquals(List.of(), AslValidator.fromRepository().validate(List.of()));
    }

    @Test
    void missingPackagesSayWhatToRun(@TempDir Path folder) throws IOException {
        Files.writeString(folder.resolve("validate.mjs"), "");
        IOException e = assertThrows(IOException.class, () -> AslValidator.of(folder));
        assertTrue(e.getMessage().contains("run npm ci in infra/stepfunctions"), e.getMessage());
        IOException noScript = assertThrows(IOException.class, () -> AslValidator.of(folder.resolve("nowhere")));
        assertTrue(noScript.getMessage().contains("validate.mjs not found"), noScript.getMessage());
    }
}
