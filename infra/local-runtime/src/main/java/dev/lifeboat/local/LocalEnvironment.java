package dev.lifeboat.local;

import dev.lifeboat.local.template.FunctionDef;
import dev.lifeboat.local.template.Intrinsics;
import dev.lifeboat.local.template.Resource;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.local.template.UnresolvableReferenceException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Local names of template resources and the environment each function gets.
 *
 * <p>Every resource gets a local name so that a function whose environment refers to something the local runtime
 * does not emulate (a state machine, a queue) still starts: locally, a resource's name is its logical id.
 */
public final class LocalEnvironment {

    public static final String REGION = Intrinsics.PSEUDO_PARAMETERS.get("AWS::Region");
    public static final String ACCOUNT = Intrinsics.PSEUDO_PARAMETERS.get("AWS::AccountId");

    private LocalEnvironment() {
    }

    public static String functionArn(String functionName) {
        return "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + functionName;
    }

    /**
     * {@link SamTemplate#defaultRefs()} plus {@code Ref} and the common {@code GetAtt}s of every resource, then
     * {@code overrides} (e.g. table logical id → local table name) on top.
     */
    public static Map<String, String> refs(SamTemplate template, Map<String, String> overrides) {
        Map<String, String> refs = new LinkedHashMap<>(template.defaultRefs());
        for (Resource resource : template.resources().values()) {
            String id = resource.logicalId();
            String name = overrides.getOrDefault(id, localName(template, resource));
            String arn;
            switch (resource.type()) {
                case SamTemplate.FUNCTION, "AWS::Lambda::Function" -> arn = functionArn(name);
                case SamTemplate.TABLE -> {
                    arn = "arn:aws:dynamodb:" + REGION + ":" + ACCOUNT + ":table/" + name;
                    refs.put(id + ".StreamArn", arn + "/stream/local");
                }
                case "AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine" -> {
                    arn = "arn:aws:states:" + REGION + ":" + ACCOUNT + ":stateMachine:" + name;
                    refs.put(id + ".Name", name);
                    // Ref of a state machine is its ARN.
                    name = arn;
                }
                case "AWS::SQS::Queue" -> {
                    arn = "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":" + name;
                    refs.put(id + ".QueueName", name);
                    refs.put(id + ".QueueUrl", "http://127.0.0.1/" + ACCOUNT + "/" + name);
                    name = "http://127.0.0.1/" + ACCOUNT + "/" + name;
                }
                default -> arn = "arn:aws:" + service(resource.type()) + ":" + REGION + ":" + ACCOUNT + ":"
                        + resource.type().substring(resource.type().lastIndexOf(':') + 1).toLowerCase(Locale.ROOT)
                        + "/" + name;
            }
            refs.putIfAbsent(id + ".Arn", arn);
            refs.put(id, name);
        }
        overrides.forEach(refs::put);
        return refs;
    }

    /**
     * A state machine's {@code Name} when it has one that resolves from parameters and pseudo parameters (e.g.
     * {@code !Sub '${AWS::StackName}-backup-lifecycle'}): the local Step Functions endpoint registers it under that
     * name, so its {@code Ref} must give the same ARN. Anything else: the logical id.
     */
    private static String localName(SamTemplate template, Resource resource) {
        boolean stateMachine = resource.type().equals("AWS::Serverless::StateMachine");
        Object name = resource.properties().get("Name");
        if (stateMachine && name != null) {
            try {
                return Intrinsics.resolve(name, template.defaultRefs());
            } catch (UnresolvableReferenceException e) {
                // Refers to another resource: keep the logical id; the endpoint reports the name it registers.
            }
        }
        return resource.logicalId();
    }

    /**
     * The function's {@code Environment.Variables}, resolved, with the Lambda runtime's own variables and then
     * {@code runtime} (e.g. {@code AWS_ENDPOINT_URL_DYNAMODB}) on top.
     *
     * @throws UnresolvableReferenceException naming the function, the variable and the reference
     */
    public static Map<String, String> forFunction(FunctionDef function, Map<String, String> refs,
            Map<String, String> runtime) {
        Map<String, String> environment = new LinkedHashMap<>();
        function.environment().forEach((name, value) -> {
            try {
                environment.put(name, Intrinsics.resolve(value, refs));
            } catch (UnresolvableReferenceException e) {
                throw new UnresolvableReferenceException(e.reference(), "Function " + function.logicalId()
                        + ", environment variable " + name + ": " + e.getMessage());
            }
        });
        environment.put("AWS_REGION", REGION);
        environment.put("AWS_DEFAULT_REGION", REGION);
        environment.put("AWS_LAMBDA_FUNCTION_NAME", function.logicalId());
        environment.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        environment.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(function.memorySize()));
        environment.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + function.logicalId());
        environment.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + (function.runtime() == null ? "java17"
                : function.runtime()));
        environment.put("_HANDLER", function.handler());
        environment.putAll(runtime);
        return Collections.unmodifiableMap(environment);
    }

    /** Every function's environment, by logical id. */
    public static Map<String, Map<String, String>> forFunctions(SamTemplate template, Map<String, String> refs,
            Map<String, String> runtime) {
        Map<String, Map<String, String>> environments = new LinkedHashMap<>();
        for (FunctionDef function : template.functions()) {
            environments.put(function.logicalId(), forFunction(function, refs, runtime));
        }
        return Collections.unmodifiableMap(environments);
    }

    /** The conventional variables that point the AWS SDK at a local DynamoDB with dummy credentials. */
    /** A loopback address where nothing listens. */
    public static final String NO_SERVICE = "http://127.0.0.1:1";

    public static Map<String, String> dynamoDbVariables(String endpoint) {
        Map<String, String> variables = new LinkedHashMap<>();
        // Every AWS service without a local stand-in points at a closed loopback port: a call fails at once instead
        // of leaving the machine for a real AWS endpoint with local credentials.
        variables.put("AWS_ENDPOINT_URL", NO_SERVICE);
        variables.put("AWS_ENDPOINT_URL_DYNAMODB", endpoint);
        variables.put("AWS_REGION", REGION);
        variables.put("AWS_ACCESS_KEY_ID", "local");
        variables.put("AWS_SECRET_ACCESS_KEY", "local");
        return variables;
    }

    private static String service(String type) {
        String[] parts = type.split("::");
        if (parts.length < 2) {
            return "unknown";
        }
        String service = parts[1].toLowerCase(Locale.ROOT);
        return service.equals("serverless") ? "unknown" : service;
    }
}
