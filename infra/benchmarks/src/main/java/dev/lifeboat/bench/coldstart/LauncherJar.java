package dev.lifeboat.bench.coldstart;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Writes the launcher's two classes into a jar of their own, so that the child JVM's class path holds the launcher
 * and the function's jar and nothing of the benchmark (whose class path has every module and the whole SDK). Built
 * from the class files of the running benchmark, so it works from target/classes, an installed jar, Maven's exec
 * or a test alike.
 */
public final class LauncherJar {
    static final List<Class<?>> CLASSES = List.of(LambdaLauncher.class, LauncherContext.class);

    private LauncherJar() {}

    /** Writes {@code dir/coldstart-launcher.jar} and returns it. */
    public static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path jar = dir.resolve("coldstart-launcher.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Class<?> type : CLASSES) {
                String name = type.getName().replace('.', '/') + ".class";
                try (InputStream in = type.getClassLoader().getResourceAsStream(name)) {
                    if (in == null) {
                        throw new IOException("class file " + name + " not found on the class path");
                    }
                    out.putNextEntry(new JarEntry(name));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return jar;
    }
}
