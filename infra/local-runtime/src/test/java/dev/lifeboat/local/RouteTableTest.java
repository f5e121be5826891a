package dev.lifeboat.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lifeboat.local.template.HttpRoute;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private static HttpRoute route(String method, String path) {
        return new HttpRoute(method, path, "Fn", "Api", null, "E");
    }

    private static final RouteTable TABLE = new RouteTable(List.of(
            route("GET", "/datacenters/{dc}/backup-policies/{policyId}"),
            route("GET", "/datacenters/{dc}/backup-policies/summary"),
            route("PUT", "/datacenters/{dc}/backup-manager"),
            route("ANY", "/datacenters/{dc}/backup-manager"),
            route("GET", "/files/{proxy+}"),
            route("GET", "/files/special/{name}"),
            route("GET", "/")));

    @Test
    void pathParameters() {
        RouteTable.Match match = TABLE.match("GET", "/datacenters/dc-1/backup-policies/p-7");
        assertEquals("GET /datacenters/{dc}/backup-policies/{policyId}", match.route().routeKey());
        assertEquals(Map.of("dc", "dc-1", "policyId", "p-7"), match.pathParameters());
    }

    @Test
    void literalBeatsParameter() {
        RouteTable.Match match = TABLE.match("GET", "/datacenters/dc-1/backup-policies/summary");
        assertEquals("GET /datacenters/{dc}/backup-policies/summary", match.route().routeKey());
        assertEquals(Map.of("dc", "dc-1"), match.pathParameters());
    }

    @Test
    void exactMethodBeatsAny() {
        assertEquals("PUT /datacenters/{dc}/backup-manager",
                TABLE.match("PUT", "/datacenters/a/backup-manager").route().routeKey());
        assertEquals("ANY /datacenters/{dc}/backup-manager",
                TABLE.match("DELETE", "/datacenters/a/backup-manager").route().routeKey());
    }

    @Test
    void greedyProxyTakesTheRestAndLosesToSpecificRoutes() {
        RouteTable.Match greedy = TABLE.match("GET", "/files/a/b/c.txt");
        assertEquals("GET /files/{proxy+}", greedy.route().routeKey());
        assertEquals(Map.of("proxy", "a/b/c.txt"), greedy.pathParameters());
        assertEquals("GET /files/special/{name}", TABLE.match("GET", "/files/special/x").route().routeKey());
        assertNull(TABLE.match("GET", "/files"), "a greedy variable needs at least one segment");
    }

    @Test
    void notFound() {
        assertNull(TABLE.match("GET", "/nothing/here"));
        assertNull(TABLE.match("GET", "/datacenters/dc-1/backup-policies"));
        assertNull(TABLE.match("GET", "/datacenters/dc-1/backup-policies/p/extra"));
        assertNull(TABLE.match("GET", "/datacenters//backup-policies/p"), "an empty segment is no parameter value");
    }

    @Test
    void methodMismatchIsNotFound() {
        assertNull(TABLE.match("POST", "/datacenters/dc-1/backup-policies/p-1"));
    }

    @Test
    void rootAndDecoding() {
        assertEquals("GET /", TABLE.match("GET", "/").route().routeKey());
        RouteTable.Match encoded = TABLE.match("GET", "/datacenters/dc%201/backup-policies/a%2Fb+c");
        assertEquals(Map.of("dc", "dc 1", "policyId", "a/b+c"), encoded.pathParameters());
    }

    @Test
    void defaultRouteCatchesTheRest() {
        RouteTable withDefault = new RouteTable(List.of(route("GET", "/a"),
                new HttpRoute(null, null, "Fallback", "Api", null, "Default")));
        assertEquals("GET /a", withDefault.match("GET", "/a").route().routeKey());
        assertEquals("$default", withDefault.match("POST", "/a").route().routeKey());
        assertEquals("$default", withDefault.match("GET", "/b/c").route().routeKey());
    }
}
