package dev.lifeboat.sim.veeam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** A bare HTTP client for the tests: what a plugin would send, nothing more. */
final class Client {
    static final String NS = "http://www.veeam.com/ent/v1.0";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final URI base;

    Client(VeeamSimulator sim) {
        this.base = sim.baseUri();
    }

    record Resp(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        Element xml() {
            return Client.xml(body);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        String contentType() {
            return header("Content-Type");
        }
    }

    /** A request builder with the usual defaults: JSON, session header. */
    final class Req {
        private final String method;
        private final String path;
        private String token;
        private String cookie;
        private String accept = "application/json";
        private String contentType;
        private String body;
        private String authorization;

        Req(String method, String path) {
            this.method = method;
            this.path = path;
        }

        Req token(String t) {
            this.token = t;
            return this;
        }

        Req cookie(String t) {
            this.cookie = t;
            return this;
        }

        Req accept(String a) {
            this.accept = a;
            return this;
        }

        Req xml(String body) {
            this.contentType = "application/xml";
            this.body = body;
            return this;
        }

        Req json(String body) {
            this.contentType = "application/json";
            this.body = body;
            return this;
        }

        Req basic(String user, String password) {
            this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Resp send() {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
            if (token != null) {
                b.header("X-RestSvcSessionId", token);
            }
            if (cookie != null) {
                b.header("Cookie", "X-RestSvcSessionId=" + cookie);
            }
            if (accept != null) {
                b.header("Accept", accept);
            }
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            try {
                HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
                return new Resp(r.statusCode(), r.headers(), r.body());
            } catch (Exception e) {
                throw new AssertionError(method + " " + path + " failed", e);
            }
        }
    }

    Req get(String path) {
        return new Req("GET", path);
    }

    Req post(String path) {
        return new Req("POST", path);
    }

    Req delete(String path) {
        return new Req("DELETE", path);
    }

    /** Logs on as lifeboat/lifeboat and returns the token. */
    String logon() {
        return logon("lifeboat", "lifeboat");
    }

    String logon(String user, String password) {
        Resp r = post("sessionMngr/?v=latest").basic(user, password).send();
        assertEquals(201, r.status(), r.body());
        return r.header("X-RestSvcSessionId");
    }

    /** GET with the token, expecting 200, as JSON. */
    JsonNode getJson(String token, String path) {
        Resp r = get(path).token(token).send();
        assertEquals(200, r.status(), path + " -> " + r.body());
        return r.json();
    }

    static Element xml(String body) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            return f.newDocumentBuilder().parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        } catch (Exception e) {
            throw new AssertionError("not XML: " + body, e);
        }
    }

    /** Text of the first descendant element {@code name} in the Veeam namespace. */
    static String text(Element e, String name) {
        NodeList l = e.getElementsByTagNameNS(NS, name);
        return l.getLength() == 0 ? null : l.item(0).getTextContent();
    }

    /** The Href of the first link with this Rel (and Type, if given) in a JSON document. */
    static String link(JsonNode doc, String rel, String type) {
        for (JsonNode l : doc.path("Links")) {
            if (rel.equals(l.path("Rel").asText()) && (type == null || type.equals(l.path("Type").asText()))) {
                return l.path("Href").asText();
            }
        }
        return null;
    }

    /** Path relative to {@code /api/} of an absolute Href. */
    String rel(String href) {
        return href.substring(base.toString().length());
    }
}
