package dev.lifeboat.checks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.local.template.FunctionDef;
import dev.lifeboat.local.template.SamTemplate;
import dev.lifeboat.processes.RepositoryRoot;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each function's jar links on its own, so that splitting the API into jars by SDK (functions/api/README.md) never
 * ships a NoClassDefFoundError. TemplateCheckTest loads a handler from its jar with the build's classpath behind it;
 * here nothing stands behind the jar but the JDK.
 */
class FunctionJarLinkTest {
    /**
     * The only classes of ours that may name a class their jar lacks: they reach the adapters of the SDKs a jar may
     * leave out, and only when a function uses them (functions/api: WorkflowPorts, ManagerPorts).
     */
    static final Set<String> PORTS = Set.of("dev.lifeboat.api.WorkflowPorts", "dev.lifeboat.api.ManagerPorts");

    static Path root;
    static SamTemplate template;

    @BeforeAll
    static void load() throws Exception {
        root = RepositoryRoot.find();
        template = SamTemplate.load(root.resolve("template.yaml"));
    }

    /** Every jar of the template, with the functions that deploy it. */
    static Map<String, List<FunctionDef>> jars() {
        Map<String, List<FunctionDef>> jars = new TreeMap<>();
        for (FunctionDef f : template.functions()) {
            jars.computeIfAbsent(f.codeUri(), k -> new ArrayList<>()).add(f);
        }
        return jars;
    }

    /**
     * Every class our code names (its constant pool's class entries) is in the jar or the JDK. Not {@code jdeps
     * --missing-deps}: it takes a class of a package the jar holds for found, so it misses the very gap a split
     * makes (a handler or adapter of {@code dev.lifeboat.api} left out of one jar). Libraries' classes are not
     * checked: they name optional classes they look for at run time (the CRT, SLF4J bindings).
     */
    @Test
    void ourClassesNameOnlyClassesTheirJarHolds() throws Exception {
        List<String> broken = new ArrayList<>();
        int ports = 0;
        for (String codeUri : jars().keySet()) {
            Path jar = root.resolve(codeUri);
            assertTrue(Files.isRegularFile(jar), jar + " is not built (mvn package builds it)");
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                Set<String> held = new HashSet<>();
                zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class")).forEach(n -> held.add(n.substring(0, n.length() - 6)));
                for (ZipEntry entry : zip.stream().toList()) {
                    String name = entry.getName();
                    if (!name.startsWith("dev/lifeboat/") || !name.endsWith(".class") || name.startsWith("META-INF/")) {
                        continue;
                    }
                    String origin = name.substring(0, name.length() - 6);
                    try (InputStream in = zip.getInputStream(entry)) {
                        for (String target : ClassReferences.of(in)) {
                            if (held.contains(target) || inJdk(target)) {
                                continue;
                            }
                            int nested = origin.indexOf('$');
                            String outer = (nested < 0 ? origin : origin.substring(0, nested)).replace('/', '.');
                            // A port names adapter classes of ours, never an SDK itself: the adapter is what a jar leaves out.
                            if (PORTS.contains(outer) && target.startsWith("dev/lifeboat/")) {
                                ports++;
                            } else {
                                broken.add(codeUri + ": " + origin + " -> " + target);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(broken.isEmpty(), "classes missing from the jar that names them:\n" + String.join("\n", broken));
        assertTrue(ports > 0, "no jar leaves out an adapter: is the check reading the jars?");
    }

    private static boolean inJdk(String internalName) {
        try {
            Class.forName(internalName.replace('/', '.'), false, ClassLoader.getPlatformClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Each handler from its jar alone: loaded, constructed as the local runtime does, and, for the API functions,
     * primed as SnapStart primes them before the snapshot, which builds every SDK client the function may use (the
     * table's at a closed port: the request fails, as a request may; a missing class fails the test).
     */
    @Test
    void everyHandlerLoadsConstructsAndPrimesFromItsJarAlone() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TABLE_NAME", "link-check");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "link-check");
        env.put("AWS_SECRET_ACCESS_KEY", "link-check");
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:9"); // discard port: nothing listens there
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, List<FunctionDef>> jar : jars().entrySet()) {
            Path file = root.resolve(jar.getKey());
            for (FunctionDef f : jar.getValue()) {
                try (URLClassLoader loader = new URLClassLoader(new URL[] {file.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
                    Thread thread = Thread.currentThread();
                    ClassLoader previous = thread.getContextClassLoader();
                    thread.setContextClassLoader(loader);
                    try {
                        Class<?> type = Class.forName(f.handlerClass(), true, loader);
                        Constructor<?> withEnv;
                        try {
                            withEnv = type.getConstructor(Map.class);
                        } catch (NoSuchMethodException e) {
                            type.getConstructor();
                            checked.add(f.logicalId() + " (loaded)");
                            continue;
                        }
                        Map<String, String> own = new LinkedHashMap<>(env);
                        if (jar.getKey().startsWith("functions/plugins/")) {
                            // Plugins read their password through the secrets extension in Lambda; a file store here.
                            own.put("SECRET_STORE", "file:" + Files.createTempDirectory("link-check"));
                        }
                        Object handler = construct(withEnv, own, f);
                        if (jar.getKey().startsWith("functions/api/")) {
                            Class<?> context = Class.forName("org.crac.Context", false, loader);
                            try {
                                type.getMethod("beforeCheckpoint", context).invoke(handler, (Object) null);
                            } catch (InvocationTargetException e) {
                                rethrowLinkage(e.getCause(), f);
                                // Else the primed request failed at the closed port, which is all it can do here.
                            }
                        }
                        checked.add(f.logicalId());
                    } finally {
                        thread.setContextClassLoader(previous);
                    }
                }
            }
        }
        assertFalse(checked.isEmpty());
        System.out.println("Linked from their jars alone: " + checked);
    }

    private static Object construct(Constructor<?> constructor, Map<String, String> env, FunctionDef f) throws Exception {
        try {
            return constructor.newInstance(Map.copyOf(env));
        } catch (InvocationTargetException e) {
            rethrowLinkage(e.getCause(), f);
            throw new AssertionError(f.logicalId() + ": constructor failed: " + e.getCause(), e.getCause());
        }
    }

    private static void rethrowLinkage(Throwable failure, FunctionDef f) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LinkageError || t instanceof ClassNotFoundException) {
                throw new AssertionError(f.logicalId() + " (" + f.codeUri() + "): " + t, t);
            }
        }
    }
}
