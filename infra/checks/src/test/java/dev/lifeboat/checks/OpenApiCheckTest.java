package dev.lifeboat.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.processes.RepositoryRoot;
import java.io.Reader;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The OpenAPI document describes exactly the routes that template.yaml wires. */
class OpenApiCheckTest {
    static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    @Test
    @SuppressWarnings("unchecked")
    void pathsAndMethodsEqualTheTemplateRoutes() throws Exception {
        Map<String, Object> doc;
        try (Reader r = Files.newBufferedReader(RepositoryRoot.find().resolve("infra/openapi/openapi.yaml"))) {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        }
        assertTrue(String.valueOf(doc.get("openapi")).startsWith("3.1"), "OpenAPI 3.1");
        Set<String> documented = new TreeSet<>();
        ((Map<String, Map<String, Object>>) doc.get("paths")).forEach((path, item) -> item.keySet().stream()
                .filter(METHODS::contains).forEach(m -> documented.add(m.toUpperCase() + " " + path)));
        TemplateCheckTest.load();
        assertEquals(TemplateCheckTest.templateRoutes(), documented);
    }
}
