package dev.lifeboat.checks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.processes.RepositoryRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Prints the size of every function's deployment jar, and holds plugin jars to 8 MB: plugins are invoked by
 * workflows many times per backup, and a small jar keeps their cold starts short.
 */
class FunctionJarSizeTest {
    static final long PLUGIN_LIMIT = 8L * 1024 * 1024;

    @Test
    void pluginJarsStayUnderEightMegabytes() throws Exception {
        Path root = RepositoryRoot.find();
        SamTemplate template = SamTemplate.load(root.resolve("template.yaml"));
        TreeMap<String, Long> sizes = new TreeMap<>();
        for (var f : template.functions()) {
            Path jar = root.resolve(f.codeUri());
            if (Files.isRegularFile(jar)) {
                sizes.put(f.codeUri(), Files.size(jar));
            }
        }
        assertFalse(sizes.isEmpty(), "no function jar is built");
        List<String> tooBig = new ArrayList<>();
        System.out.println("Function jar sizes:");
        sizes.forEach((jar, size) -> {
            boolean plugin = jar.startsWith("functions/plugins/");
            System.out.printf("  %-60s %6.2f MB%s%n", jar, size / 1048576.0, plugin ? " (plugin, limit 8 MB)" : "");
            if (plugin && size > PLUGIN_LIMIT) tooBig.add(jar + " is " + size + " bytes");
        });
        assertTrue(tooBig.isEmpty(), String.join(", ", tooBig));
    }
}
