package dev.lifeboat.local.template;

import java.util.Map;

/** An {@code AWS::DynamoDB::Table}: its logical id and its raw properties. */
public record TableDef(String logicalId, Map<String, Object> properties) {
}
