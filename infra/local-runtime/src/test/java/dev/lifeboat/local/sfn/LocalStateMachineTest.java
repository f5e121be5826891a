package dev.lifeboat.local.sfn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.local.LocalEnvironment;
import dev.lifeboat.local.TestFiles;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.local.template.UnresolvableReferenceException;
import dev.lifeboat.processes.RepositoryRoot;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalStateMachineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsNameDefinitionAndSubstitutionsFromTheTemplate() throws IOException {
        SamTemplate template = SamTemplate.load(TestFiles.resource("sfn/template.yaml"));
        List<LocalStateMachine> machines = LocalStateMachine.fromTemplate(template,
                LocalEnvironment.refs(template, Map.of()));
        assertEquals(List.of("lifeboat-local-count", "UnnamedStateMachine"),
                machines.stream().map(LocalStateMachine::name).toList());

        LocalStateMachine count = machines.get(0);
        assertEquals("arn:aws:states:us-east-1:000000000000:stateMachine:lifeboat-local-count", count.arn());
        assertEquals("arn:aws:states:us-east-1:000000000000:execution:lifeboat-local-count:run-1",
                count.executionArn("run-1"));
        assertEquals("STANDARD", count.type());
        JsonNode definition = JSON.readTree(count.definition());
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:CounterFunction:live",
                definition.path("States").path("Count").path("Resource").asText());
        // Values are JSON-escaped: a quote in a substitution keeps the definition JSON.
        assertTrue(definition.path("Comment").asText().endsWith("say \"hi\""), definition.path("Comment").asText());

        assertEquals("Succeed", JSON.readTree(machines.get(1).definition()).path("States").path("Done")
                .path("Type").asText(), "an inline Definition");
    }

    @Test
    void anUnresolvableSubstitutionNamesTheStateMachine() {
        SamTemplate template = SamTemplate.parse("""
                Resources:
                  Flow:
                    Type: AWS::Serverless::StateMachine
                    Properties:
                      Definition: {StartAt: A, States: {A: {Type: Succeed}}}
                      DefinitionSubstitutions:
                        Target: !GetAtt Missing.Arn
                """);
        UnresolvableReferenceException e = assertThrows(UnresolvableReferenceException.class,
                () -> LocalStateMachine.fromTemplate(template, LocalEnvironment.refs(template, Map.of())));
        assertTrue(e.getMessage().startsWith("State machine Flow, DefinitionSubstitutions.Target: "), e.getMessage());
    }

    @Test
    void refusesMissingDefinitionsAndBadNames() {
        SamTemplate s3 = SamTemplate.parse("""
                Resources:
                  Flow:
                    Type: AWS::Serverless::StateMachine
                    Properties:
                      DefinitionUri: {Bucket: b, Key: k}
                """);
        assertThrows(IllegalArgumentException.class, () -> LocalStateMachine.fromTemplate(s3, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new LocalStateMachine("a b", "{\"States\":{}}"));
        assertThrows(IllegalArgumentException.class, () -> new LocalStateMachine("ok", "not json"));
    }

    @Test
    void theRepositoryTemplatesStateMachinesResolveCompletely() throws IOException {
        SamTemplate template = SamTemplate.load(RepositoryRoot.find().resolve("template.yaml"));
        Map<String, String> refs = LocalEnvironment.refs(template, Map.of());
        List<LocalStateMachine> machines = LocalStateMachine.fromTemplate(template, refs);
        assertEquals(List.of("lifeboat-local-backup-lifecycle", "lifeboat-local-multi-restore",
                "lifeboat-local-apply-schedule", "lifeboat-local-results-sync"),
                machines.stream().map(LocalStateMachine::name).toList());
        for (LocalStateMachine machine : machines) {
            assertFalse(machine.definition().contains("${"), machine.name() + " has a placeholder left");
        }
        // The functions build the same ARN from the same pseudo parameters (APPLY_SCHEDULE_STATE_MACHINE_ARN).
        assertTrue(machines.stream().anyMatch(m -> m.arn().equals(
                "arn:aws:states:us-east-1:000000000000:stateMachine:lifeboat-local-apply-schedule")));
        // And !Ref of the resource gives it too (the template's Outputs).
        assertEquals(machines.get(0).arn(), refs.get("BackupLifecycleStateMachine"));
    }
}
