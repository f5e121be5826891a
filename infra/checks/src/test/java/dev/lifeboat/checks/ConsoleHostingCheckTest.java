package dev.lifeboat.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.processes.RepositoryRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web console's hosting in template.yaml: a bucket nobody but its CloudFront distribution reads, CORS for the
 * console's origin only with the contract's headers, and a config.json, answered at the edge, that the console's
 * sign-in code can use.
 */
class ConsoleHostingCheckTest {
    static SamTemplate template;

    @BeforeAll
    static void load() throws Exception {
        template = SamTemplate.load(RepositoryRoot.find().resolve("template.yaml"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            assertTrue(current instanceof Map<?, ?>, "no " + String.join(".", path) + " (stopped at " + key + ")");
            current = ((Map<String, Object>) current).get(key);
        }
        assertTrue(current instanceof Map<?, ?>, String.join(".", path) + " is not a mapping: " + current);
        return (Map<String, Object>) current;
    }

    static Map<String, Object> properties(String logicalId) {
        var resource = template.resources().get(logicalId);
        assertTrue(resource != null, logicalId + " is missing");
        return resource.properties();
    }

    static String sub(Object node) {
        return String.valueOf(((Map<?, ?>) node).get("Fn::Sub"));
    }

    @Test
    void theBucketIsPrivateEncryptedAndReadOnlyByItsDistribution() {
        Map<String, Object> bucket = properties("ConsoleBucket");
        assertEquals(Map.of("BlockPublicAcls", "true", "BlockPublicPolicy", "true", "IgnorePublicAcls", "true", "RestrictPublicBuckets", "true"),
                toText(map(bucket, "PublicAccessBlockConfiguration")));
        Object encryption = ((List<?>) map(bucket, "BucketEncryption").get("ServerSideEncryptionConfiguration")).get(0);
        assertEquals("AES256", map(encryption, "ServerSideEncryptionByDefault").get("SSEAlgorithm"));

        // Every Allow of the policy is CloudFront's service principal, limited to this stack's distribution, reading.
        Map<String, Object> policy = properties("ConsoleBucketPolicy");
        assertEquals(Map.of("Ref", "ConsoleBucket"), policy.get("Bucket"));
        List<String> problems = new ArrayList<>();
        int allows = 0;
        for (Object s : (List<?>) map(policy, "PolicyDocument").get("Statement")) {
            Map<?, ?> statement = (Map<?, ?>) s;
            if (!"Allow".equals(statement.get("Effect"))) continue;
            allows++;
            if (!Map.of("Service", "cloudfront.amazonaws.com").equals(statement.get("Principal"))) problems.add("principal " + statement.get("Principal"));
            if (!"s3:GetObject".equals(statement.get("Action"))) problems.add("action " + statement.get("Action"));
            Object source = map(statement, "Condition", "StringEquals").get("AWS:SourceArn");
            if (!sub(source).endsWith(":distribution/${ConsoleDistribution}")) problems.add("source " + source);
        }
        assertEquals(1, allows, "one Allow statement");
        assertEquals(List.of(), problems);

        Map<String, Object> distribution = map(properties("ConsoleDistribution"), "DistributionConfig");
        Map<?, ?> origin = (Map<?, ?>) ((List<?>) distribution.get("Origins")).get(0);
        assertEquals(Map.of("Fn::GetAtt", List.of("ConsoleOriginAccessControl", "Id")), origin.get("OriginAccessControlId"));
        assertEquals("", map(origin, "S3OriginConfig").get("OriginAccessIdentity"), "origin access control, not the legacy identity");
        assertEquals("always", map(properties("ConsoleOriginAccessControl"), "OriginAccessControlConfig").get("SigningBehavior"));
        List<Object> behaviours = new ArrayList<>((List<?>) distribution.get("CacheBehaviors"));
        behaviours.add(distribution.get("DefaultCacheBehavior"));
        for (Object b : behaviours) {
            assertEquals("redirect-to-https", ((Map<?, ?>) b).get("ViewerProtocolPolicy"), "tokens never travel over http");
        }
    }

    @Test
    void corsAllowsTheConsoleOriginOnlyWithTheContractsHeaders() {
        List<?> choice = (List<?>) map(properties("HttpApi"), "CorsConfiguration").get("Fn::If");
        assertEquals("HasConsoleOrigin", choice.get(0));
        assertEquals(Map.of("Ref", "AWS::NoValue"), choice.get(2), "without a console origin, no cross-origin calls at all");
        Map<?, ?> cors = (Map<?, ?>) choice.get(1);
        assertEquals(List.of(Map.of("Ref", "ConsoleOrigin")), cors.get("AllowOrigins"));
        // api.md, "Web console and CORS": exactly these request headers, and the two answer headers the console reads.
        assertEquals(List.of("Authorization", "Content-Type", "If-Match", "Idempotency-Key"), cors.get("AllowHeaders"));
        assertEquals(List.of("ETag", "Location"), cors.get("ExposeHeaders"));
        assertTrue(!cors.containsKey("AllowCredentials"), "bearer tokens, never cookies");
        Map<?, ?> origin = template.parameters().containsKey("ConsoleOrigin") ? map(template.root(), "Parameters", "ConsoleOrigin") : Map.of();
        String pattern = String.valueOf(origin.get("AllowedPattern"));
        assertTrue("https://d111111abcdef8.cloudfront.net".matches(pattern) && "".matches(pattern), pattern);
        assertTrue(!"*".matches(pattern) && !"https://d111111abcdef8.cloudfront.net/".matches(pattern) && !"http://console.example.com".matches(pattern),
                "an origin is https, without a path; never a wildcard: " + pattern);
    }

    @Test
    void theApiAcceptsTheConsolesTokens() {
        Map<String, Object> jwt = map(properties("HttpApi"), "Auth", "Authorizers", "LifeboatJwt", "JwtConfiguration");
        assertTrue(((List<?>) jwt.get("audience")).contains(Map.of("Ref", "ConsoleClientId")), "audience: " + jwt.get("audience"));
    }

    /** The CloudFront Function's code, with the stack's values put in, run by Node as CloudFront would run it. */
    @Test
    void configJsonIsAnsweredAtTheEdgeWithWhatTheConsoleSignsInWith() throws Exception {
        Map<String, Object> function = properties("ConsoleConfigFunction");
        assertEquals("cloudfront-js-2.0", map(function, "FunctionConfig").get("Runtime"));
        assertEquals("true", String.valueOf(function.get("AutoPublish")), "a distribution can only use a published function");
        Map<String, Object> distribution = map(properties("ConsoleDistribution"), "DistributionConfig");
        Map<?, ?> config = ((List<?>) distribution.get("CacheBehaviors")).stream().map(b -> (Map<?, ?>) b)
                .filter(b -> "/config.json".equals(b.get("PathPattern"))).findFirst().orElseThrow();
        Map<?, ?> association = (Map<?, ?>) ((List<?>) config.get("FunctionAssociations")).get(0);
        assertEquals("viewer-request", association.get("EventType"));
        assertEquals(Map.of("Fn::GetAtt", List.of("ConsoleConfigFunction", "FunctionMetadata.FunctionARN")), association.get("FunctionARN"));

        String code = sub(function.get("FunctionCode"))
                .replace("${HttpApi}", "abcdef1234").replace("${AWS::Region}", "eu-west-1").replace("${AWS::URLSuffix}", "amazonaws.com")
                .replace("${JwtIssuer}", "https://idp.example.com/").replace("${ConsoleClientId}", "console-client");
        assertTrue(!code.contains("${"), "every substitution is a stack value: " + code);
        Path script = Files.createTempFile("console-config-", ".js");
        try {
            Files.writeString(script, code + "\nprocess.stdout.write(JSON.stringify(handler({ request: { method: 'GET', uri: '/config.json', headers: {} } })));\n");
            Process node = new ProcessBuilder("node", script.toString()).redirectErrorStream(true).start();
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(node.waitFor(30, TimeUnit.SECONDS) && node.exitValue() == 0, out);
            JsonNode response = new ObjectMapper().readTree(out);
            assertEquals(200, response.get("statusCode").asInt());
            assertEquals("application/json", response.at("/headers/content-type/value").asText());
            assertEquals("text", response.at("/body/encoding").asText());
            // The fields infra/console/src/auth.js and main.jsx read.
            JsonNode body = new ObjectMapper().readTree(response.at("/body/data").asText());
            assertEquals("oidc", body.get("auth").asText());
            assertEquals("https://abcdef1234.execute-api.eu-west-1.amazonaws.com", body.get("apiUrl").asText());
            assertEquals("https://idp.example.com/", body.get("issuer").asText());
            assertEquals("console-client", body.get("clientId").asText());
        } finally {
            Files.deleteIfExists(script);
        }
        assertEquals("https://abcdef1234.execute-api.eu-west-1.amazonaws.com",
                sub(map(template.root(), "Outputs", "ApiUrl").get("Value")).replace("${HttpApi}", "abcdef1234")
                        .replace("${AWS::Region}", "eu-west-1").replace("${AWS::URLSuffix}", "amazonaws.com"),
                "config.json names the API the ApiUrl output names");
        for (String output : List.of("ConsoleUrl", "ConsoleBucket", "ConsoleDistributionId")) {
            assertTrue(map(template.root(), "Outputs").containsKey(output), output);
        }
    }

    private static Map<String, String> toText(Map<String, Object> m) {
        Map<String, String> out = new java.util.TreeMap<>();
        m.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }
}
