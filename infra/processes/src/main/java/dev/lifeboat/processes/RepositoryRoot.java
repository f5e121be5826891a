package dev.lifeboat.processes;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root, so any module's tests reach infra/ (Maven passes it; IDEs may not). */
public final class RepositoryRoot {
    private RepositoryRoot() {}

    public static Path find() {
        String fromBuild = System.getProperty("lifeboat.root");
        if (fromBuild != null && isRoot(Path.of(fromBuild))) {
            return Path.of(fromBuild).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (isRoot(p)) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (a folder with infra/dynalite) above " + Path.of("").toAbsolutePath());
    }

    private static boolean isRoot(Path p) {
        return Files.exists(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("infra/dynalite"));
    }
}
