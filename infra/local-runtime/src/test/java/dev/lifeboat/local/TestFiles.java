package dev.lifeboat.local;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Test resources as files. */
public final class TestFiles {
    private TestFiles() {
    }

    public static Path resource(String name) {
        try {
            return Path.of(TestFiles.class.getResource("/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }
}
