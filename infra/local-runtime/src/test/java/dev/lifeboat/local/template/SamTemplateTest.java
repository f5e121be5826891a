package dev.lifeboat.local.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.local.TestFiles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SamTemplateTest {

    private static SamTemplate template;

    @BeforeAll
    static void load() throws Exception {
        template = SamTemplate.load(TestFiles.resource("test-template.yaml"));
    }

    @SuppressWarnings("unchecked")
    private static Object output(String name) {
        Map<String, Object> outputs = (Map<String, Object>) template.root().get("Outputs");
        return ((Map<String, Object>) outputs.get(name)).get("Value");
    }

    @SuppressWarnings("unchecked")
    private static Object condition(String name) {
        return ((Map<String, Object>) template.root().get("Conditions")).get(name);
    }

    @Test
    void parametersWithDefaults() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("Stage", "local");
        expected.put("AlarmEmail", null);
        assertEquals(expected, template.parameters());
    }

    @Test
    void resourcesWithTypes() {
        assertEquals(List.of("LifeboatApi", "EchoFunction", "CounterFunction", "LifeboatTable"),
                List.copyOf(template.resources().keySet()));
        assertEquals("AWS::DynamoDB::Table", template.resources().get("LifeboatTable").type());
        assertEquals("AWS::Serverless::HttpApi", template.resources().get("LifeboatApi").type());
    }

    @Test
    void refAndGetAttTagsInLongForm() {
        Map<String, Object> environment = template.function("EchoFunction").orElseThrow().environment();
        assertEquals(Map.of("Ref", "LifeboatTable"), environment.get("TABLE_NAME"));
        assertEquals(Map.of("Fn::GetAtt", List.of("LifeboatTable", "Arn")), environment.get("TABLE_ARN"));
        assertEquals(Map.of("Fn::GetAtt", List.of("EchoFunction", "Arn")), output("GetAttList"));
    }

    @Test
    void subJoinAndListTagsInLongForm() {
        assertEquals(Map.of("Fn::Sub", "https://${LifeboatApi}.execute-api.${AWS::Region}.amazonaws.com"),
                output("ApiUrl"));
        assertEquals(Map.of("Fn::Sub", List.of("${Name}-${AWS::Region}", Map.of("Name", Map.of("Ref", "Stage")))),
                output("SubList"));
        assertEquals(Map.of("Fn::Join", List.of("-", List.of(Map.of("Ref", "Stage"), "echo"))),
                template.function("EchoFunction").orElseThrow().environment().get("QUEUE"));
        assertEquals(Map.of("Fn::Select", List.of("0", Map.of("Fn::Split", List.of(",", "a,b")))),
                output("Selected"));
        assertEquals(Map.of("Fn::FindInMap", List.of("Sizes", "local", "Memory")), output("Mapped"));
        assertEquals(Map.of("Fn::ImportValue", "shared-vpc"), output("Imported"));
        assertEquals(Map.of("Fn::Base64", "hello"), output("Encoded"));
        assertEquals(Map.of("Fn::Select", List.of("0", Map.of("Fn::GetAZs", ""))), output("Zones"));
        assertEquals(Map.of("Fn::Select", List.of("0", Map.of("Fn::Cidr", List.of("10.0.0.0/16", "4", "8")))),
                output("Cidrs"));
        assertEquals(Map.of("Fn::If", List.of("IsProd", "big", "small")), output("Conditional"));
    }

    @Test
    void conditionTagsInLongForm() {
        assertEquals(Map.of("Fn::Equals", List.of(Map.of("Ref", "Stage"), "prod")), condition("IsProd"));
        assertEquals(Map.of("Fn::Not", List.of(Map.of("Condition", "IsProd"))), condition("NotProd"));
        assertEquals(Map.of("Fn::And", List.of(Map.of("Condition", "NotProd"), Map.of("Fn::Equals", List.of("a", "a")))),
                condition("Both"));
        assertEquals(Map.of("Fn::Or", List.of(Map.of("Condition", "IsProd"), Map.of("Condition", "NotProd"))),
                condition("Either"));
    }

    @Test
    void scalarsStayText() {
        assertEquals("2012-10-17", output("PolicyVersion"));
        assertEquals("yes", output("Flag"));
        assertEquals("1024", template.resources().get("EchoFunction").properties().get("MemorySize"));
        assertEquals("2010-09-09", template.root().get("AWSTemplateFormatVersion"));
    }

    @Test
    void globalsMergedIntoFunctions() {
        FunctionDef echo = template.function("EchoFunction").orElseThrow();
        assertEquals("DEBUG", echo.environment().get("LOG_LEVEL"), "the function's own variable wins");
        assertEquals(Map.of("Ref", "Stage"), echo.environment().get("STAGE"), "global variables are kept");
        assertEquals(1024, echo.memorySize(), "the function's own MemorySize wins");
        assertEquals(10, echo.timeout(), "global Timeout applies");
        assertEquals("java17", echo.runtime());

        FunctionDef counter = template.function("CounterFunction").orElseThrow();
        assertEquals(256, counter.memorySize());
        assertEquals("INFO", counter.environment().get("LOG_LEVEL"));
        assertEquals(List.of("TABLE_NAME", "STAGE", "LOG_LEVEL"), List.copyOf(counter.environment().keySet()));
    }

    @Test
    void functionView() {
        FunctionDef echo = template.function("EchoFunction").orElseThrow();
        assertEquals("dev.lifeboat.local.testing.EchoHandler::handleRequest", echo.handler());
        assertEquals("dev.lifeboat.local.testing.EchoHandler", echo.handlerClass());
        assertEquals("handleRequest", echo.handlerMethod());
        assertEquals("functions/api", echo.codeUri());
        HttpApiEvent put = echo.httpApiEvents().get(0);
        assertEquals(new HttpApiEvent("PutManager", "/datacenters/{dc}/backup-manager", "put", "LifeboatApi", null,
                "2.0"), put);
        assertEquals("NONE", echo.httpApiEvents().stream().filter(e -> e.name().equals("Health")).findFirst()
                .orElseThrow().authorizer());
        assertEquals(List.of("EchoFunction", "CounterFunction"),
                template.functions().stream().map(FunctionDef::logicalId).toList());
    }

    @Test
    void httpRoutesUpperCaseMethodsAndKeepAny() {
        List<String> keys = template.httpRoutes().stream()
                .map(route -> route.routeKey() + " " + route.functionLogicalId() + " " + route.apiId()).toList();
        assertEquals(List.of(
                "PUT /datacenters/{dc}/backup-manager EchoFunction LifeboatApi",
                "GET /datacenters/{dc}/backup-policies/{policyId} EchoFunction LifeboatApi",
                "GET /datacenters/{dc}/backup-policies/summary EchoFunction LifeboatApi",
                "ANY /files/{proxy+} EchoFunction LifeboatApi",
                "GET /health EchoFunction LifeboatApi",
                "POST /echo EchoFunction LifeboatApi",
                "ANY /counter CounterFunction ServerlessHttpApi",
                "GET /plain CounterFunction ServerlessHttpApi",
                "GET /boom CounterFunction ServerlessHttpApi",
                "GET /structured CounterFunction ServerlessHttpApi"), keys);
    }

    @Test
    void httpApisWithJwtAuthorizers() {
        HttpApiDef declared = template.httpApi("LifeboatApi").orElseThrow();
        assertEquals("LifeboatJwt", declared.defaultAuthorizer(), "the API's own Auth wins over Globals.HttpApi");
        assertEquals("$request.header.Authorization", declared.jwtAuthorizers().get("LifeboatJwt").identitySource());
        assertEquals(List.of("lifeboat"), declared.jwtAuthorizers().get("LifeboatJwt").audience());
        assertFalse(declared.implicit());

        HttpApiDef implicit = template.httpApi(SamTemplate.IMPLICIT_HTTP_API).orElseThrow();
        assertTrue(implicit.implicit());
        assertEquals("LocalJwt", implicit.defaultAuthorizer(), "the implicit API takes Globals.HttpApi");
    }

    @Test
    void tables() {
        assertEquals(List.of("LifeboatTable"), template.tables().stream().map(TableDef::logicalId).toList());
        assertEquals(Map.of("Fn::Sub", "${AWS::StackName}-table"),
                template.tables().get(0).properties().get("TableName"));
    }

    @Test
    void treesAreUnmodifiable() {
        Map<String, Object> properties = template.resources().get("EchoFunction").properties();
        assertThrows(UnsupportedOperationException.class, () -> properties.put("X", "y"));
    }

    @Test
    void resolvesRefSubGetAttAndJoin() {
        Map<String, String> refs = new LinkedHashMap<>(template.defaultRefs());
        refs.put("LifeboatTable", "lifeboat-local-table");
        refs.put("LifeboatTable.Arn", "arn:aws:dynamodb:us-east-1:000000000000:table/lifeboat-local-table");
        refs.put("LifeboatApi", "local");
        Map<String, Object> env = template.function("EchoFunction").orElseThrow().environment();

        assertEquals("lifeboat-local-table", SamTemplate.resolve(env.get("TABLE_NAME"), refs));
        assertEquals("local", SamTemplate.resolve(env.get("STAGE"), refs));
        assertEquals("arn:aws:dynamodb:us-east-1:000000000000:table/lifeboat-local-table",
                SamTemplate.resolve(env.get("TABLE_ARN"), refs));
        assertEquals("local-echo", SamTemplate.resolve(env.get("QUEUE"), refs));
        assertEquals("https://local.execute-api.us-east-1.amazonaws.com", SamTemplate.resolve(output("ApiUrl"), refs));
        assertEquals("local-us-east-1", SamTemplate.resolve(output("SubList"), refs));
        assertEquals("lifeboat-local-table",
                SamTemplate.resolve(template.tables().get(0).properties().get("TableName"), Map.of()));
        assertEquals("000000000000/${Literal}",
                SamTemplate.resolve(Map.of("Fn::Sub", "${AWS::AccountId}/${!Literal}"), Map.of()));
        assertEquals("plain", SamTemplate.resolve("plain", Map.of()));
    }

    @Test
    void unresolvableReferencesAreNamed() {
        UnresolvableReferenceException noDefault = assertThrows(UnresolvableReferenceException.class,
                () -> SamTemplate.resolve(Map.of("Ref", "AlarmEmail"), template.defaultRefs()));
        assertEquals("AlarmEmail", noDefault.reference());
        assertTrue(noDefault.getMessage().contains("!Ref AlarmEmail"), noDefault.getMessage());

        UnresolvableReferenceException getAtt = assertThrows(UnresolvableReferenceException.class,
                () -> SamTemplate.resolve(output("GetAttList"), Map.of()));
        assertTrue(getAtt.getMessage().contains("EchoFunction.Arn"), getAtt.getMessage());

        UnresolvableReferenceException inSub = assertThrows(UnresolvableReferenceException.class,
                () -> SamTemplate.resolve(output("ApiUrl"), Map.of()));
        assertTrue(inSub.getMessage().contains("${LifeboatApi}"), inSub.getMessage());

        UnresolvableReferenceException unsupported = assertThrows(UnresolvableReferenceException.class,
                () -> SamTemplate.resolve(output("Conditional"), Map.of()));
        assertTrue(unsupported.getMessage().contains("Fn::If"), unsupported.getMessage());
    }

    @Test
    void badTemplatesFailClearly() {
        IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class,
                () -> SamTemplate.parse("Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n"));
        assertTrue(duplicate.getMessage().contains("duplicate key"), duplicate.getMessage());
        IllegalArgumentException unknownTag = assertThrows(IllegalArgumentException.class,
                () -> SamTemplate.parse("Resources:\n  A:\n    Type: !Nope X\n"));
        assertTrue(unknownTag.getMessage().contains("!Nope"), unknownTag.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SamTemplate.parse("- a list\n"));
    }

    @Test
    void implicitDefaultRouteAndEmptyTemplate() {
        SamTemplate minimal = SamTemplate.parse("""
                Resources:
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.B::handleRequest
                      Events:
                        Everything:
                          Type: HttpApi
                """);
        HttpRoute route = minimal.httpRoutes().get(0);
        assertTrue(route.isDefault());
        assertEquals("$default", route.routeKey());
        assertNull(minimal.httpApi(SamTemplate.IMPLICIT_HTTP_API).orElseThrow().defaultAuthorizer());
        assertEquals(128, minimal.functions().get(0).memorySize());
        assertEquals(3, minimal.functions().get(0).timeout());
    }
}
