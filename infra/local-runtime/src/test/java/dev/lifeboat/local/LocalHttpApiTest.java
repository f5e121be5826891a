package dev.lifeboat.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.local.template.SamTemplate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LocalHttpApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final LocalTokens TOKENS = new LocalTokens(LocalTokens.DEFAULT_KEY);
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    private static SamTemplate template;
    private static LocalHttpApi api;
    private static String validToken;

    @BeforeAll
    static void start() throws Exception {
        template = SamTemplate.load(TestFiles.resource("test-template.yaml"));
        Map<String, String> overrides = Map.of("LifeboatTable", "lifeboat-local-table");
        Map<String, Map<String, String>> environments = LocalEnvironment.forFunctions(template,
                LocalEnvironment.refs(template, overrides),
                LocalEnvironment.dynamoDbVariables("http://127.0.0.1:9"));
        PrintStream log = new PrintStream(new TeeStream(LOG, System.err), true, StandardCharsets.UTF_8);
        api = new LocalHttpApi(template, environments, "127.0.0.1", 0)
                .withJwtKey(LocalTokens.DEFAULT_KEY).withLog(log).start();
        validToken = TOKENS.create("alice", "ent-1", List.of("VAPP_MANAGE_BACKUP", "VAPP_RESTORE_BACKUP"),
                Duration.ofMinutes(5));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(api.baseUri() + pathAndQuery)).timeout(Duration.ofSeconds(30));
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder builder = request(path).GET();
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return send(builder.build());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static void assertUnauthorized(HttpResponse<String> response) {
        assertEquals(401, response.statusCode());
        assertEquals("{\"message\":\"Unauthorized\"}", response.body());
        assertEquals("Bearer", response.headers().firstValue("www-authenticate").orElse(null));
        assertTrue(response.headers().firstValue("apigw-requestid").isPresent());
    }

    private static Map<String, Object> claims(long expiresInSeconds) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", LocalTokens.ISSUER);
        claims.put("aud", LocalTokens.AUDIENCE);
        claims.put("sub", "bob");
        claims.put("iat", now);
        claims.put("exp", now + expiresInSeconds);
        return claims;
    }

    // ---------------------------------------------------------------------------------------------- the event

    @Test
    void eventHasTheFormat20Shape() throws Exception {
        HttpResponse<String> response = send(request("/datacenters/dc-1/backup-manager?b=2&a=1&a=3&flag")
                .header("Authorization", "Bearer " + validToken)
                .header("Content-Type", "application/json")
                .header("X-Custom", "one")
                .header("X-Custom", "two")
                .header("Cookie", "c1=v1; c2=v2")
                .header("User-Agent", "lifeboat-test")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"veeam\"}"))
                .build());
        assertEquals(200, response.statusCode(), response.body());
        JsonNode event = json(response);

        assertEquals("2.0", event.get("version").asText());
        assertEquals("PUT /datacenters/{dc}/backup-manager", event.get("routeKey").asText());
        assertEquals("/datacenters/dc-1/backup-manager", event.get("rawPath").asText());
        assertEquals("b=2&a=1&a=3&flag", event.get("rawQueryString").asText());
        assertEquals(JSON.readTree("[\"c1=v1\",\"c2=v2\"]"), event.get("cookies"));
        assertEquals(JSON.readTree("{\"b\":\"2\",\"a\":\"1,3\",\"flag\":\"\"}"), event.get("queryStringParameters"));
        assertEquals(JSON.readTree("{\"dc\":\"dc-1\"}"), event.get("pathParameters"));
        assertEquals("{\"name\":\"veeam\"}", event.get("body").asText());
        assertFalse(event.get("isBase64Encoded").asBoolean());

        JsonNode headers = event.get("headers");
        headers.fieldNames().forEachRemaining(name -> assertEquals(name.toLowerCase(), name, "lower-case names"));
        assertEquals("one,two", headers.get("x-custom").asText());
        assertEquals("application/json", headers.get("content-type").asText());
        assertEquals("Bearer " + validToken, headers.get("authorization").asText());
        assertFalse(headers.has("cookie"), "cookies move to their own field");
        assertEquals("127.0.0.1", headers.get("x-forwarded-for").asText());
        assertEquals("http", headers.get("x-forwarded-proto").asText());

        JsonNode context = event.get("requestContext");
        assertEquals("000000000000", context.get("accountId").asText());
        assertTrue(context.hasNonNull("apiId"));
        assertEquals("127.0.0.1", context.get("domainName").asText());
        assertTrue(context.hasNonNull("domainPrefix"));
        assertEquals("PUT", context.at("/http/method").asText());
        assertEquals("/datacenters/dc-1/backup-manager", context.at("/http/path").asText());
        assertEquals("HTTP/1.1", context.at("/http/protocol").asText());
        assertEquals("127.0.0.1", context.at("/http/sourceIp").asText());
        assertEquals("lifeboat-test", context.at("/http/userAgent").asText());
        assertEquals(response.headers().firstValue("apigw-requestid").orElseThrow(), context.get("requestId").asText());
        assertEquals("PUT /datacenters/{dc}/backup-manager", context.get("routeKey").asText());
        assertEquals("$default", context.get("stage").asText());
        assertTrue(context.get("time").asText().matches("\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000"),
                context.get("time").asText());
        assertTrue(Math.abs(context.get("timeEpoch").asLong() - System.currentTimeMillis()) < 60_000);
        assertTrue(context.at("/authorizer/jwt/scopes").isNull());
        assertEquals("alice", context.at("/authorizer/jwt/claims/sub").asText());
    }

    @Test
    void claimsAreStringsWithArraysInBracketForm() throws Exception {
        Map<String, Object> claims = claims(300);
        claims.put("ent", "ent-1");
        claims.put("priv", List.of("VAPP_MANAGE_BACKUP", "VAPP_RESTORE_BACKUP"));
        claims.put("admin", true);
        claims.put("score", 1.5);
        claims.put("aud", List.of("other", "lifeboat"));
        HttpResponse<String> response = get("/datacenters/dc-1/backup-policies/p-1", TOKENS.sign(claims));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode sent = json(response).at("/requestContext/authorizer/jwt/claims");
        sent.properties().forEach(field -> assertTrue(field.getValue().isTextual(), field.getKey()));
        assertEquals("[VAPP_MANAGE_BACKUP VAPP_RESTORE_BACKUP]", sent.get("priv").asText());
        assertEquals("[other lifeboat]", sent.get("aud").asText());
        assertEquals(claims.get("exp").toString(), sent.get("exp").asText());
        assertEquals("true", sent.get("admin").asText());
        assertEquals("1.5", sent.get("score").asText());
        assertEquals("ent-1", sent.get("ent").asText());
    }

    @Test
    void binaryBodiesAreBase64() throws Exception {
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        HttpResponse<String> response = send(request("/echo")
                .header("Authorization", "Bearer " + validToken)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
        JsonNode event = json(response);
        assertTrue(event.get("isBase64Encoded").asBoolean());
        assertEquals(Base64.getEncoder().encodeToString(bytes), event.get("body").asText());
    }

    @Test
    void routesWithParametersLiteralsAndGreedyProxy() throws Exception {
        JsonNode byParameter = json(get("/datacenters/dc-1/backup-policies/p-1", validToken));
        assertEquals("GET /datacenters/{dc}/backup-policies/{policyId}", byParameter.get("routeKey").asText());
        assertEquals("p-1", byParameter.at("/pathParameters/policyId").asText());

        JsonNode literal = json(get("/datacenters/dc-1/backup-policies/summary", validToken));
        assertEquals("GET /datacenters/{dc}/backup-policies/summary", literal.get("routeKey").asText());
        assertFalse(literal.get("pathParameters").has("policyId"));

        JsonNode greedy = json(get("/files/a/b/c.txt", validToken));
        assertEquals("ANY /files/{proxy+}", greedy.get("routeKey").asText());
        assertEquals("a/b/c.txt", greedy.at("/pathParameters/proxy").asText());
        assertFalse(greedy.has("body"), "no body, no body field");
        assertFalse(greedy.has("queryStringParameters"));
    }

    @Test
    void unknownRouteAndWrongMethodAreNotFound() throws Exception {
        for (HttpResponse<String> response : List.of(get("/no/such/route", validToken),
                send(request("/datacenters/dc-1/backup-manager").header("Authorization", "Bearer " + validToken)
                        .DELETE().build()))) {
            assertEquals(404, response.statusCode());
            assertEquals("{\"message\":\"Not Found\"}", response.body());
            assertTrue(response.headers().firstValue("apigw-requestid").isPresent());
        }
    }

    // ----------------------------------------------------------------------------------------------- the JWT

    @Test
    void validTokenPasses() throws Exception {
        assertEquals(200, get("/datacenters/dc-1/backup-policies/p-1", validToken).statusCode());
        assertEquals(200, get("/counter", validToken).statusCode(), "the implicit API uses Globals.HttpApi auth");
    }

    @Test
    void missingTokenIsUnauthorized() throws Exception {
        assertUnauthorized(get("/datacenters/dc-1/backup-policies/p-1", null));
        assertUnauthorized(get("/counter", null));
    }

    @Test
    void badSignatureIsUnauthorized() throws Exception {
        String forged = new LocalTokens("another-key").create("alice", "ent-1", List.of(), Duration.ofMinutes(5));
        assertUnauthorized(get("/datacenters/dc-1/backup-policies/p-1", forged));
        String[] parts = validToken.split("\\.");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"iss\":\"lifeboat-local\",\"aud\":\"lifeboat\",\"sub\":\"root\",\"exp\":9999999999}"
                        .getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertUnauthorized(get("/datacenters/dc-1/backup-policies/p-1", tampered));
    }

    @Test
    void expiredTokenIsUnauthorized() throws Exception {
        assertUnauthorized(get("/datacenters/dc-1/backup-policies/p-1", TOKENS.sign(claims(-10))));
    }

    @Test
    void futureNotBeforeIsUnauthorized() throws Exception {
        Map<String, Object> claims = claims(300);
        claims.put("nbf", Instant.now().getEpochSecond() + 120);
        assertUnauthorized(get("/datacenters/dc-1/backup-policies/p-1", TOKENS.sign(claims)));
    }

    @Test
    void wrongIssuerIsUnauthorized() throws Exception {
        Map<String, Object> claims = claims(300);
        claims.put("iss", "https://somewhere-else");
        assertUnauthorized(get("/datacenters/dc-1/backup-policies/p-1", TOKENS.sign(claims)));
    }

    @Test
    void wrongAudienceIsUnauthorized() throws Exception {
        Map<String, Object> claims = claims(300);
        claims.put("aud", List.of("other"));
        assertUnauthorized(get("/datacenters/dc-1/backup-policies/p-1", TOKENS.sign(claims)));
        claims.put("aud", "other");
        assertUnauthorized(get("/datacenters/dc-1/backup-policies/p-1", TOKENS.sign(claims)));
    }

    @Test
    void algNoneIsRefused() throws Exception {
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        String header = encoder.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = encoder.encodeToString(JSON.writeValueAsBytes(claims(300)));
        assertUnauthorized(get("/datacenters/dc-1/backup-policies/p-1", header + "." + payload + "."));
        assertUnauthorized(get("/datacenters/dc-1/backup-policies/p-1", "not-a-jwt"));
    }

    @Test
    void routeWithAuthorizerNoneNeedsNoToken() throws Exception {
        HttpResponse<String> response = get("/health", null);
        assertEquals(200, response.statusCode());
        assertFalse(json(response).get("requestContext").has("authorizer"));
    }

    // ------------------------------------------------------------------------------------------- the handlers

    @Test
    void handlerIsConstructedOnceAndGetsItsEnvironment() throws Exception {
        List<JsonNode> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(json(get("/counter", validToken)));
        }
        int instance = answers.get(0).get("instance").asInt();
        int constructed = answers.get(0).get("constructed").asInt();
        for (int i = 0; i < 3; i++) {
            assertEquals(instance, answers.get(i).get("instance").asInt(), "the same warm instance");
            assertEquals(constructed, answers.get(i).get("constructed").asInt(), "no new instance");
        }
        assertEquals(answers.get(0).get("calls").asInt() + 2, answers.get(2).get("calls").asInt());

        HttpResponse<String> echo = get("/health", null);
        assertEquals("DEBUG", echo.headers().firstValue("x-log-level").orElseThrow());
        assertEquals("local", echo.headers().firstValue("x-stage").orElseThrow());
        assertEquals("lifeboat-local-table", echo.headers().firstValue("x-table-name").orElseThrow());
        assertEquals("http://127.0.0.1:9", echo.headers().firstValue("x-dynamodb-endpoint").orElseThrow());
        assertEquals("EchoFunction", echo.headers().firstValue("x-function-name").orElseThrow());
        int remaining = Integer.parseInt(echo.headers().firstValue("x-remaining-ms").orElseThrow());
        assertTrue(remaining > 9_000 && remaining <= 10_000, "Timeout 10 s from Globals: " + remaining);
    }

    @Test
    void handlerExceptionIsInternalServerError() throws Exception {
        HttpResponse<String> response = get("/boom", validToken);
        assertEquals(500, response.statusCode());
        assertEquals("{\"message\":\"Internal Server Error\"}", response.body());
        assertTrue(LOG.toString(StandardCharsets.UTF_8).contains("java.lang.IllegalStateException: boom"),
                "stack trace on the runtime's stderr");
    }

    @Test
    void plainValueBecomesJsonBody() throws Exception {
        HttpResponse<String> response = get("/plain", validToken);
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
        assertEquals(JSON.readTree("{\"hello\":\"world\"}"), json(response));
    }

    @Test
    void structuredResponseWithCookiesAndBase64Body() throws Exception {
        HttpResponse<byte[]> response = CLIENT.send(request("/structured")
                .header("Authorization", "Bearer " + validToken).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(201, response.statusCode());
        assertEquals("1", response.headers().firstValue("x-a").orElseThrow());
        assertEquals(List.of("a=1; Path=/", "b=2"), response.headers().allValues("set-cookie"));
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, response.body());
    }

    @Test
    void bodiesUpToTenMebibytesPassAndLargerOnesAreRefused() throws Exception {
        HttpResponse<String> atLimit = send(request("/counter").header("Authorization", "Bearer " + validToken)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[LocalHttpApi.MAX_BODY_BYTES])).build());
        assertEquals(200, atLimit.statusCode());
        assertEquals(LocalHttpApi.MAX_BODY_BYTES, json(atLimit).get("bodyBytes").asInt());

        HttpResponse<String> tooLarge = send(request("/counter").header("Authorization", "Bearer " + validToken)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[LocalHttpApi.MAX_BODY_BYTES + 1])).build());
        assertEquals(413, tooLarge.statusCode());
        assertEquals("{\"message\":\"Request Entity Too Large\"}", tooLarge.body());
    }

    @Test
    void portTakenGivesAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            LocalHttpApi second = new LocalHttpApi(template, Map.of(), "127.0.0.1", taken.getLocalPort());
            LocalHttpApi.PortInUseException e = assertThrows(LocalHttpApi.PortInUseException.class, second::start);
            assertTrue(e.getMessage().startsWith("Port " + taken.getLocalPort() + " on 127.0.0.1 is already in use"),
                    e.getMessage());
        }
    }

    /** Keeps the log for assertions and still shows it in the build output. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }
}
