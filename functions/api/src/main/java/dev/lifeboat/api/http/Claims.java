package dev.lifeboat.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.identity.Privilege;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The caller from the JWT authorizer's claims. API Gateway gives every claim as a string and an array claim as a
 * bracketed, space-separated string ({@code "[A B]"}; seen on real API Gateway, e.g.
 * aws-solutions-library-samples/guidance-for-claude-code-with-amazon-bedrock issue 802); a JSON array, as a JSON
 * string or as a real array, is accepted too.
 */
public final class Claims {
    private Claims() {}

    public static Caller caller(JsonNode claims) {
        String subject = text(claims.get("sub"));
        if (subject == null || subject.isEmpty()) {
            throw new DomainException(Problem.UNAUTHORIZED, "The request carries no verified identity.");
        }
        EnumSet<Privilege> privileges = EnumSet.noneOf(Privilege.class);
        for (String tag : tags(claims.get("priv"))) {
            Privilege.fromTag(tag).ifPresent(privileges::add);
        }
        String enterprise = text(claims.get("ent"));
        return new Caller(subject, enterprise == null || enterprise.isEmpty() ? null : enterprise, privileges);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
    }

    static List<String> tags(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
            return out;
        }
        String s = node.asText().trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            String inner = s.substring(1, s.length() - 1).trim();
            if (inner.startsWith("\"")) {
                try {
                    Json.read(s).forEach(n -> out.add(n.asText()));
                    return out;
                } catch (Exception e) {
                    // not a JSON array after all: read it as the bracketed form
                }
            }
            s = inner;
        }
        for (String part : s.split("[\\s,]+")) {
            if (!part.isEmpty()) {
                out.add(part);
            }
        }
        return out;
    }
}
