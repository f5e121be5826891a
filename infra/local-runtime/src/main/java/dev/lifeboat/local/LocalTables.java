package dev.lifeboat.local;

import dev.lifeboat.local.template.Intrinsics;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.local.template.TableDef;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.CreateTableResponse;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Creates the template's DynamoDB tables in a local DynamoDB, on demand billing, keys and indexes as declared. A
 * table that exists already is left alone, so data kept on disk survives restarts.
 */
public final class LocalTables {

    /** Properties that change nothing a local test can observe; they are reported and skipped. */
    private static final List<String> IGNORED = List.of("TimeToLiveSpecification",
            "PointInTimeRecoverySpecification", "SSESpecification", "StreamSpecification", "Tags",
            "DeletionProtectionEnabled", "ContributorInsightsSpecification", "ProvisionedThroughput",
            "TableClass", "KinesisStreamSpecification", "ResourcePolicy", "WarmThroughput",
            "OnDemandThroughput", "ImportSourceSpecification");
    private static final Duration ACTIVE_TIMEOUT = Duration.ofSeconds(10);

    private final DynamoDbClient client;
    private final PrintStream log;

    public LocalTables(DynamoDbClient client, PrintStream log) {
        this.client = client;
        this.log = log;
    }

    /** A client for a local endpoint: region us-east-1, dummy credentials, the URL-connection HTTP client. */
    public static DynamoDbClient client(URI endpoint) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.of(LocalEnvironment.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** A table of the template and what happened to it. */
    public record Outcome(String logicalId, String tableName, boolean created) {
    }

    /**
     * Creates every {@code AWS::DynamoDB::Table} of the template that does not exist yet.
     *
     * @param refs used to resolve {@code TableName} and other intrinsic values, e.g. {@link SamTemplate#defaultRefs()}
     */
    public List<Outcome> createAll(SamTemplate template, Map<String, String> refs) {
        Set<String> existing = new HashSet<>();
        client.listTablesPaginator().tableNames().forEach(existing::add);
        List<Outcome> outcomes = new ArrayList<>();
        for (TableDef table : template.tables()) {
            CreateTableRequest request = createTableRequest(table, refs);
            String name = request.tableName();
            List<String> ignored = IGNORED.stream().filter(table.properties()::containsKey).toList();
            if (!ignored.isEmpty()) {
                log.println("[tables] " + table.logicalId() + ": " + String.join(", ", ignored)
                        + " ignored locally (no TTL expiry, backups, encryption or streams in the local DynamoDB)");
            }
            if (existing.contains(name)) {
                log.println("[tables] " + table.logicalId() + ": table " + name + " exists, data kept");
                outcomes.add(new Outcome(table.logicalId(), name, false));
                continue;
            }
            boolean created;
            try {
                CreateTableResponse response = client.createTable(request);
                waitUntilActive(name, response.tableDescription());
                created = true;
                log.println("[tables] " + table.logicalId() + ": created table " + name);
            } catch (ResourceInUseException e) {
                created = false;
                log.println("[tables] " + table.logicalId() + ": table " + name + " exists, data kept");
            }
            outcomes.add(new Outcome(table.logicalId(), name, created));
        }
        return outcomes;
    }

    /** Logical id → local table name, for {@link LocalEnvironment#refs}. */
    public static Map<String, String> names(List<Outcome> outcomes) {
        Map<String, String> names = new LinkedHashMap<>();
        outcomes.forEach(outcome -> names.put(outcome.logicalId(), outcome.tableName()));
        return names;
    }

    /** {@code TableName} resolved, or the logical id when the template leaves the name to CloudFormation. */
    public static String tableName(TableDef table, Map<String, String> refs) {
        Object name = table.properties().get("TableName");
        return name == null ? table.logicalId() : Intrinsics.resolve(name, refs);
    }

    /** The CreateTable request for a template table; package-visible for tests. */
    static CreateTableRequest createTableRequest(TableDef table, Map<String, String> refs) {
        Map<String, Object> properties = table.properties();
        String where = "Table " + table.logicalId();
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(tableName(table, refs))
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(keySchema(properties.get("KeySchema"), refs, where))
                .attributeDefinitions(list(properties.get("AttributeDefinitions"), where + " AttributeDefinitions")
                        .stream()
                        .map(item -> {
                            Map<String, Object> attribute = map(item, where + " AttributeDefinitions");
                            return AttributeDefinition.builder()
                                    .attributeName(text(attribute.get("AttributeName"), refs))
                                    .attributeType(text(attribute.get("AttributeType"), refs))
                                    .build();
                        }).toList());
        List<GlobalSecondaryIndex> global = new ArrayList<>();
        for (Object item : list(properties.get("GlobalSecondaryIndexes"), where + " GlobalSecondaryIndexes")) {
            Map<String, Object> index = map(item, where + " GlobalSecondaryIndexes");
            global.add(GlobalSecondaryIndex.builder()
                    .indexName(text(index.get("IndexName"), refs))
                    .keySchema(keySchema(index.get("KeySchema"), refs, where + " index " + index.get("IndexName")))
                    .projection(projection(index.get("Projection"), refs))
                    .build());
        }
        if (!global.isEmpty()) {
            request.globalSecondaryIndexes(global);
        }
        List<LocalSecondaryIndex> local = new ArrayList<>();
        for (Object item : list(properties.get("LocalSecondaryIndexes"), where + " LocalSecondaryIndexes")) {
            Map<String, Object> index = map(item, where + " LocalSecondaryIndexes");
            local.add(LocalSecondaryIndex.builder()
                    .indexName(text(index.get("IndexName"), refs))
                    .keySchema(keySchema(index.get("KeySchema"), refs, where + " index " + index.get("IndexName")))
                    .projection(projection(index.get("Projection"), refs))
                    .build());
        }
        if (!local.isEmpty()) {
            request.localSecondaryIndexes(local);
        }
        return request.build();
    }

    private void waitUntilActive(String name, TableDescription description) {
        if (description != null && description.tableStatus() == TableStatus.ACTIVE) {
            return;
        }
        long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            TableDescription current = client.describeTable(request -> request.tableName(name)).table();
            if (current != null && current.tableStatus() == TableStatus.ACTIVE) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for table " + name, e);
            }
        }
        throw new IllegalStateException("Table " + name + " did not become ACTIVE within "
                + ACTIVE_TIMEOUT.toSeconds() + " s");
    }

    private static List<KeySchemaElement> keySchema(Object value, Map<String, String> refs, String where) {
        List<KeySchemaElement> elements = new ArrayList<>();
        for (Object item : list(value, where + " KeySchema")) {
            Map<String, Object> element = map(item, where + " KeySchema");
            elements.add(KeySchemaElement.builder()
                    .attributeName(text(element.get("AttributeName"), refs))
                    .keyType(text(element.get("KeyType"), refs))
                    .build());
        }
        if (elements.isEmpty()) {
            throw new IllegalArgumentException(where + " has no KeySchema");
        }
        return elements;
    }

    private static Projection projection(Object value, Map<String, String> refs) {
        Map<String, Object> projection = map(value, "Projection");
        Projection.Builder builder = Projection.builder();
        Object type = projection.get("ProjectionType");
        builder.projectionType(type == null ? "ALL" : text(type, refs));
        List<Object> nonKey = list(projection.get("NonKeyAttributes"), "NonKeyAttributes");
        if (!nonKey.isEmpty()) {
            builder.nonKeyAttributes(nonKey.stream().map(item -> text(item, refs)).toList());
        }
        return builder.build();
    }

    private static String text(Object value, Map<String, String> refs) {
        return Intrinsics.resolve(value, refs);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value, String where) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?>)) {
            throw new IllegalArgumentException(where + " must be a list");
        }
        return (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String where) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(where + " must be a mapping");
        }
        return (Map<String, Object>) value;
    }
}
