package dev.lifeboat.local.template;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A SAM / CloudFormation template read the way {@code sam local} reads it: short-form intrinsics in long form,
 * {@code Globals} merged into the resources, and typed views of what the local runtime needs.
 *
 * <p>Immutable once loaded; every tree it hands out is unmodifiable.
 */
public final class SamTemplate {

    /** The logical id SAM gives the HTTP API it creates for {@code HttpApi} events without {@code ApiId}. */
    public static final String IMPLICIT_HTTP_API = "ServerlessHttpApi";

    public static final String FUNCTION = "AWS::Serverless::Function";
    public static final String HTTP_API = "AWS::Serverless::HttpApi";
    public static final String TABLE = "AWS::DynamoDB::Table";

    private static final int DEFAULT_MEMORY_MB = 128;
    private static final int DEFAULT_TIMEOUT_SECONDS = 3;

    private final Path location;
    private final Map<String, Object> root;
    private final Map<String, String> parameters;
    private final Map<String, Resource> resources;
    private final Map<String, Object> globalHttpApi;

    private SamTemplate(Path location, Map<String, Object> root) {
        this.location = location;
        this.parameters = readParameters(root);
        Map<String, Object> globals = map(root.get("Globals"), "Globals");
        Map<String, Object> globalFunction = map(globals.get("Function"), "Globals.Function");
        this.globalHttpApi = map(globals.get("HttpApi"), "Globals.HttpApi");
        this.resources = readResources(root, globalFunction, globalHttpApi);
        this.root = freeze(root);
    }

    public static SamTemplate load(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(file.toAbsolutePath().normalize(), reader);
        }
    }

    public static SamTemplate parse(String yaml) {
        return read(null, new StringReader(yaml));
    }

    private static SamTemplate read(Path location, Reader reader) {
        Object document;
        try {
            document = CloudFormationYaml.load(reader);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Cannot read template" + (location == null ? "" : " " + location)
                    + ": " + e.getMessage(), e);
        }
        if (!(document instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("Template" + (location == null ? "" : " " + location)
                    + " is not a YAML mapping");
        }
        return new SamTemplate(location, copy(document));
    }

    /** The file it was loaded from, {@code null} when parsed from text. */
    public Path location() {
        return location;
    }

    /** The whole document, with Globals as written (not merged). */
    public Map<String, Object> root() {
        return root;
    }

    /** Parameter name → its {@code Default} as text ({@code null} when it has none), in template order. */
    public Map<String, String> parameters() {
        return parameters;
    }

    /** Logical id → resource, in template order, Globals merged into functions and HTTP APIs. */
    public Map<String, Resource> resources() {
        return resources;
    }

    public List<FunctionDef> functions() {
        List<FunctionDef> functions = new ArrayList<>();
        for (Resource resource : resources.values()) {
            if (FUNCTION.equals(resource.type())) {
                functions.add(function(resource));
            }
        }
        return Collections.unmodifiableList(functions);
    }

    public Optional<FunctionDef> function(String logicalId) {
        Resource resource = resources.get(logicalId);
        return resource != null && FUNCTION.equals(resource.type())
                ? Optional.of(function(resource)) : Optional.empty();
    }

    /** Every route of every HTTP API, in template order. */
    public List<HttpRoute> httpRoutes() {
        List<HttpRoute> routes = new ArrayList<>();
        for (FunctionDef function : functions()) {
            for (HttpApiEvent event : function.httpApiEvents()) {
                String method = event.method() == null ? null : event.method().toUpperCase(Locale.ROOT);
                routes.add(new HttpRoute(method, event.path(), function.logicalId(),
                        event.apiId() == null ? IMPLICIT_HTTP_API : event.apiId(), event.authorizer(), event.name()));
            }
        }
        return Collections.unmodifiableList(routes);
    }

    /** The declared HTTP APIs, plus SAM's implicit one when some event names no {@code ApiId}. */
    public List<HttpApiDef> httpApis() {
        List<HttpApiDef> apis = new ArrayList<>();
        for (Resource resource : resources.values()) {
            if (HTTP_API.equals(resource.type())) {
                apis.add(httpApi(resource.logicalId(), resource.properties(), false));
            }
        }
        boolean declared = apis.stream().anyMatch(api -> api.logicalId().equals(IMPLICIT_HTTP_API));
        boolean used = httpRoutes().stream().anyMatch(route -> route.apiId().equals(IMPLICIT_HTTP_API));
        if (used && !declared) {
            apis.add(httpApi(IMPLICIT_HTTP_API, globalHttpApi, true));
        }
        return Collections.unmodifiableList(apis);
    }

    public Optional<HttpApiDef> httpApi(String logicalId) {
        return httpApis().stream().filter(api -> api.logicalId().equals(logicalId)).findFirst();
    }

    public List<TableDef> tables() {
        List<TableDef> tables = new ArrayList<>();
        for (Resource resource : resources.values()) {
            if (TABLE.equals(resource.type())) {
                tables.add(new TableDef(resource.logicalId(), resource.properties()));
            }
        }
        return Collections.unmodifiableList(tables);
    }

    /** Parameters that have a default, plus the pseudo parameters: a starting point for {@link #resolve}. */
    public Map<String, String> defaultRefs() {
        Map<String, String> refs = new LinkedHashMap<>(Intrinsics.PSEUDO_PARAMETERS);
        parameters.forEach((name, value) -> {
            if (value != null) {
                refs.put(name, value);
            }
        });
        return refs;
    }

    /** See {@link Intrinsics#resolve(Object, Map)}. */
    public static String resolve(Object value, Map<String, String> refs) {
        return Intrinsics.resolve(value, refs);
    }

    // ---------------------------------------------------------------------------------------------------------

    private FunctionDef function(Resource resource) {
        Map<String, Object> properties = resource.properties();
        String id = resource.logicalId();
        Object handler = properties.get("Handler");
        if (!(handler instanceof String)) {
            throw new IllegalArgumentException("Function " + id + " has no Handler");
        }
        Object codeUri = properties.get("CodeUri");
        Object runtime = properties.get("Runtime");
        Map<String, Object> variables = map(map(properties.get("Environment"), id + ".Environment")
                .get("Variables"), id + ".Environment.Variables");
        List<HttpApiEvent> events = new ArrayList<>();
        map(properties.get("Events"), id + ".Events").forEach((name, value) -> {
            Map<String, Object> event = map(value, id + ".Events." + name);
            if ("HttpApi".equals(event.get("Type"))) {
                Map<String, Object> eventProperties = map(event.get("Properties"), id + ".Events." + name);
                Object path = eventProperties.get("Path");
                Object method = eventProperties.get("Method");
                if (path == null ^ method == null) {
                    throw new IllegalArgumentException("HttpApi event " + id + "." + name
                            + " needs both Path and Method (or neither, for the $default route)");
                }
                Object version = eventProperties.get("PayloadFormatVersion");
                events.add(new HttpApiEvent(name, text(path), text(method), refName(eventProperties.get("ApiId")),
                        text(map(eventProperties.get("Auth"), id + ".Events." + name + ".Auth").get("Authorizer")),
                        version == null ? "2.0" : String.valueOf(version)));
            }
        });
        return new FunctionDef(id, (String) handler, text(codeUri), text(runtime), variables,
                number(properties.get("MemorySize"), DEFAULT_MEMORY_MB),
                number(properties.get("Timeout"), DEFAULT_TIMEOUT_SECONDS),
                Collections.unmodifiableList(events), properties);
    }

    private int number(Object value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(Intrinsics.resolve(value, defaultRefs()).trim());
        } catch (RuntimeException e) {
            // A value from a parameter without default or a condition: the local run needs only a sensible number.
            return fallback;
        }
    }

    private static HttpApiDef httpApi(String logicalId, Map<String, Object> properties, boolean implicit) {
        Map<String, Object> auth = map(properties.get("Auth"), logicalId + ".Auth");
        Map<String, JwtAuthorizer> jwt = new LinkedHashMap<>();
        Set<String> others = new LinkedHashSet<>();
        map(auth.get("Authorizers"), logicalId + ".Auth.Authorizers").forEach((name, value) -> {
            Map<String, Object> authorizer = map(value, logicalId + ".Auth.Authorizers." + name);
            Object configuration = authorizer.get("JwtConfiguration");
            if (configuration != null) {
                Map<String, Object> jwtConfiguration = map(configuration, name + ".JwtConfiguration");
                Object audience = jwtConfiguration.get("audience");
                List<Object> audiences = audience instanceof List<?> list ? List.copyOf(list)
                        : audience == null ? List.of() : List.of(audience);
                Object source = authorizer.get("IdentitySource");
                jwt.put(name, new JwtAuthorizer(name,
                        source == null ? "$request.header.Authorization" : String.valueOf(source),
                        jwtConfiguration.get("issuer"), audiences));
            } else {
                others.add(name);
            }
        });
        return new HttpApiDef(logicalId, text(auth.get("DefaultAuthorizer")), Collections.unmodifiableMap(jwt),
                Collections.unmodifiableSet(others), implicit);
    }

    private static Map<String, String> readParameters(Map<String, Object> root) {
        Map<String, String> parameters = new LinkedHashMap<>();
        map(root.get("Parameters"), "Parameters").forEach((name, value) -> {
            Object fallback = map(value, "Parameters." + name).get("Default");
            parameters.put(name, fallback == null ? null : String.valueOf(fallback));
        });
        return Collections.unmodifiableMap(parameters);
    }

    private static Map<String, Resource> readResources(Map<String, Object> root, Map<String, Object> globalFunction,
            Map<String, Object> globalHttpApi) {
        Map<String, Resource> resources = new LinkedHashMap<>();
        map(root.get("Resources"), "Resources").forEach((id, value) -> {
            Map<String, Object> definition = new LinkedHashMap<>(map(value, "Resources." + id));
            Object type = definition.get("Type");
            if (!(type instanceof String)) {
                throw new IllegalArgumentException("Resource " + id + " has no Type");
            }
            Map<String, Object> properties = map(definition.get("Properties"), id + ".Properties");
            if (FUNCTION.equals(type)) {
                properties = mergeGlobals(globalFunction, properties);
            } else if (HTTP_API.equals(type)) {
                properties = mergeGlobals(globalHttpApi, properties);
            }
            Map<String, Object> frozenProperties = freeze(properties);
            definition.put("Properties", frozenProperties);
            resources.put(id, new Resource(id, (String) type, frozenProperties, freeze(definition)));
        });
        return Collections.unmodifiableMap(resources);
    }

    /**
     * The resource's own value wins; environment variables merge key by key, so a function adds to the global
     * ones and overrides only those it names.
     */
    private static Map<String, Object> mergeGlobals(Map<String, Object> globals, Map<String, Object> own) {
        Map<String, Object> merged = new LinkedHashMap<>();
        globals.forEach((key, value) -> merged.put(key, copy(value)));
        own.forEach((key, value) -> {
            if ("Environment".equals(key) && globals.get(key) instanceof Map<?, ?> globalEnvironment
                    && value instanceof Map<?, ?> ownEnvironment) {
                Map<String, Object> environment = new LinkedHashMap<>(copy(globalEnvironment));
                Map<String, Object> variables = new LinkedHashMap<>();
                if (globalEnvironment.get("Variables") instanceof Map<?, ?> globalVariables) {
                    variables.putAll(copy(globalVariables));
                }
                if (ownEnvironment.get("Variables") instanceof Map<?, ?> ownVariables) {
                    variables.putAll(copy(ownVariables));
                }
                environment.putAll(copy(ownEnvironment));
                environment.put("Variables", variables);
                merged.put(key, environment);
            } else {
                merged.put(key, copy(value));
            }
        });
        return merged;
    }

    private static String text(Object value) {
        return value instanceof String text ? text : null;
    }

    /** The logical id of {@code {"Ref": X}}, or a plain string as is. */
    private static String refName(Object value) {
        if (value instanceof Map<?, ?> map && map.size() == 1 && map.get("Ref") instanceof String ref) {
            return ref;
        }
        return text(value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String where) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(where + " must be a mapping, got: " + value);
        }
        return (Map<String, Object>) value;
    }

    /** A deep, mutable copy with String keys. */
    @SuppressWarnings("unchecked")
    private static <T> T copy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((key, item) -> out.put(String.valueOf(key), copy(item)));
            return (T) out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(item -> out.add(copy(item)));
            return (T) out;
        }
        return (T) value;
    }

    @SuppressWarnings("unchecked")
    private static <T> T freeze(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((key, item) -> out.put(String.valueOf(key), freeze(item)));
            return (T) Collections.unmodifiableMap(out);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(item -> out.add(freeze(item)));
            return (T) Collections.unmodifiableList(out);
        }
        return (T) value;
    }
}
