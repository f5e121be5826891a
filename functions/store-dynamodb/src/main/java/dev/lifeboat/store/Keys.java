package dev.lifeboat.store;

import static dev.lifeboat.store.Attr.s;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The key of every item kind; store module README lists them with their access patterns. */
final class Keys {
    static final String POLICY_PREFIX = "POLICY#";

    private Keys() {}

    static String datacenter(String dc) {
        return "DC#" + dc;
    }

    static Map<String, AttributeValue> manager(String dc) {
        return key(datacenter(dc), "MANAGER");
    }

    static Map<String, AttributeValue> usage(String dc) {
        return key(datacenter(dc), "USAGE");
    }

    static Map<String, AttributeValue> properties(String dc) {
        return key(datacenter(dc), "PROPERTIES");
    }

    static Map<String, AttributeValue> policy(String dc, String policyId) {
        return key(datacenter(dc), POLICY_PREFIX + policyId);
    }

    static Map<String, AttributeValue> codeGuard(String dc, String codeKey) {
        return key(datacenter(dc), "POLICYCODE#" + codeKey);
    }

    static Map<String, AttributeValue> allowance(String enterprise, String dc) {
        return key("ENT#" + enterprise + "#DC#" + dc, "ALLOWANCE");
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(LifeboatTable.PK, s(pk), LifeboatTable.SK, s(sk));
    }
}
