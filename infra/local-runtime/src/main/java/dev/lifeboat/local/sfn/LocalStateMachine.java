package dev.lifeboat.local.sfn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.local.LocalEnvironment;
import dev.lifeboat.local.template.Intrinsics;
import dev.lifeboat.local.template.Resource;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.local.template.UnresolvableReferenceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A state machine that {@link LocalStepFunctions} can run: its name, its local ARN and its definition, with the
 * {@code DefinitionSubstitutions} already filled in (as {@code DescribeStateMachine} shows it in AWS).
 *
 * @param name       the state machine's name; its ARN is {@code arn:aws:states:<region>:<account>:stateMachine:<name>}
 * @param definition the Amazon States Language definition as JSON text
 * @param type       {@code STANDARD} or {@code EXPRESS}; only reported, executions of both run the same way locally
 */
public record LocalStateMachine(String name, String definition, String type, Instant creationDate) {

    public static final String STANDARD = "STANDARD";
    public static final String SERVERLESS_STATE_MACHINE = "AWS::Serverless::StateMachine";

    private static final ObjectMapper JSON = new ObjectMapper();

    public LocalStateMachine {
        if (!Names.valid(name)) {
            throw new IllegalArgumentException("not a valid state machine name (1-80 characters, none of "
                    + "whitespace, brackets, wildcards, \"#%\\^|~`$&,;:/ or control characters): " + name);
        }
        try {
            if (!JSON.readTree(definition).path("States").isObject()) {
                throw new IllegalArgumentException("the definition of " + name + " has no States");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the definition of " + name + " is not JSON: " + e.getOriginalMessage(),
                    e);
        }
        type = type == null ? STANDARD : type;
    }

    /** A STANDARD state machine created now. */
    public LocalStateMachine(String name, String definition) {
        this(name, definition, STANDARD, Instant.now());
    }

    /** {@code arn:aws:states:<region>:<account>:stateMachine:<name>}, region and account those of the local runtime. */
    public String arn() {
        return arn(name);
    }

    public static String arn(String name) {
        return "arn:aws:states:" + LocalEnvironment.REGION + ":" + LocalEnvironment.ACCOUNT + ":stateMachine:" + name;
    }

    /** The ARN of one of this state machine's executions. */
    public String executionArn(String executionName) {
        return "arn:aws:states:" + LocalEnvironment.REGION + ":" + LocalEnvironment.ACCOUNT + ":execution:" + name + ":"
                + executionName;
    }

    /** What {@code DescribeStateMachine} reports as the role: SAM creates one per state machine; locally none exists. */
    public String roleArn() {
        return "arn:aws:iam::" + LocalEnvironment.ACCOUNT + ":role/" + name + "-local";
    }

    /**
     * Every {@code AWS::Serverless::StateMachine} of the template, read the way SAM deploys it:
     * <ul>
     *   <li>the name is {@code Name} resolved with {@link Intrinsics} (so {@code !Sub '${AWS::StackName}-x'} gives
     *       {@code lifeboat-local-x}, the same ARN the functions build from the same pseudo parameters); without
     *       {@code Name}, the logical id (CloudFormation would generate one; locally a resource's name is its logical
     *       id, as in {@link LocalEnvironment});</li>
     *   <li>the definition is the file {@code DefinitionUri} relative to the template's folder, or an inline
     *       {@code Definition} (without intrinsics inside);</li>
     *   <li>each {@code DefinitionSubstitutions} value is resolved with {@link Intrinsics} against {@code refs} and
     *       replaces {@code ${Key}} in the definition, JSON-escaped since it lands inside a JSON string.
     *       Placeholders without a substitution stay as they are, as SAM leaves them.</li>
     * </ul>
     *
     * @param refs names known to {@link Intrinsics}, normally {@link LocalEnvironment#refs}
     * @throws IllegalArgumentException       when a definition is missing, unreadable, an S3 location, or not JSON
     * @throws UnresolvableReferenceException when a name or substitution cannot be resolved, naming the state machine
     */
    public static List<LocalStateMachine> fromTemplate(SamTemplate template, Map<String, String> refs) {
        List<LocalStateMachine> machines = new ArrayList<>();
        for (Resource resource : template.resources().values()) {
            if (SERVERLESS_STATE_MACHINE.equals(resource.type())) {
                machines.add(fromResource(template, resource, refs));
            }
        }
        return List.copyOf(machines);
    }

    private static LocalStateMachine fromResource(SamTemplate template, Resource resource, Map<String, String> refs) {
        String id = resource.logicalId();
        Map<String, Object> properties = resource.properties();
        String name = properties.containsKey("Name") ? resolve(properties.get("Name"), refs, id, "Name") : id;
        String definition = definitionText(template, id, properties);
        Map<String, String> substitutions = new LinkedHashMap<>();
        if (properties.get("DefinitionSubstitutions") instanceof Map<?, ?> given) {
            given.forEach((key, value) -> substitutions.put(String.valueOf(key),
                    resolve(value, refs, id, "DefinitionSubstitutions." + key)));
        } else if (properties.get("DefinitionSubstitutions") != null) {
            throw new IllegalArgumentException(id + ".DefinitionSubstitutions must be a mapping");
        }
        String type = properties.get("Type") instanceof String text ? text : STANDARD;
        return new LocalStateMachine(name, substitute(definition, substitutions), type, Instant.now());
    }

    private static String definitionText(SamTemplate template, String id, Map<String, Object> properties) {
        Object uri = properties.get("DefinitionUri");
        Object inline = properties.get("Definition");
        if (uri instanceof String path) {
            Path base = template.location() == null ? Path.of("") : template.location().getParent();
            Path file = base.resolve(path);
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new IllegalArgumentException(id + ".DefinitionUri: cannot read " + file + ": " + e, e);
            }
        }
        if (uri != null) {
            throw new IllegalArgumentException(id + ".DefinitionUri is an S3 location; the local runtime reads "
                    + "only a path relative to the template: " + uri);
        }
        if (inline instanceof Map<?, ?>) {
            try {
                return JSON.writeValueAsString(inline);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalArgumentException(id + " has neither DefinitionUri (a path) nor Definition");
    }

    private static String resolve(Object value, Map<String, String> refs, String id, String property) {
        try {
            return Intrinsics.resolve(value, refs);
        } catch (UnresolvableReferenceException e) {
            throw new UnresolvableReferenceException(e.reference(),
                    "State machine " + id + ", " + property + ": " + e.getMessage());
        }
    }

    /** SAM-style {@code ${Key}} replacement; the value is JSON-escaped because it lands inside a JSON string. */
    static String substitute(String definition, Map<String, String> substitutions) {
        String result = definition;
        for (Map.Entry<String, String> substitution : substitutions.entrySet()) {
            String quoted;
            try {
                quoted = JSON.writeValueAsString(substitution.getValue());
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            result = result.replace("${" + substitution.getKey() + "}", quoted.substring(1, quoted.length() - 1));
        }
        return result;
    }
}
