package dev.lifeboat.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSecretStoreTest {
    static final String ID = "lifeboat/local/manager/01JABCDEF0123456789ABCDEFG";
    static final String PASSWORD = "pa55-\"quoted\"\\ünïcødé\n-" + "x".repeat(40);

    @TempDir
    Path tmp;
    Path dir;
    FileSecretStore store;

    @BeforeEach
    void create() {
        dir = tmp.resolve("secrets");
        store = new FileSecretStore(dir);
    }

    List<Path> everything() throws IOException {
        try (Stream<Path> all = Files.walk(tmp)) {
            return all.filter(p -> !p.equals(tmp)).sorted().toList();
        }
    }

    @Test
    void putCreatesTheSecretThenAddsVersionsInPrivateFiles() throws IOException {
        SecretRef first = store.put(ID, new Secret(PASSWORD));
        SecretRef second = store.put(ID, new Secret("second"));

        assertEquals(ID, first.secretId());
        assertNotEquals(first.versionId(), second.versionId());
        Path folder = dir.resolve("lifeboat%2Flocal%2Fmanager%2F01JABCDEF0123456789ABCDEFG");
        assertEquals(List.of(dir, folder, folder.resolve(first.versionId()), folder.resolve(second.versionId())).stream()
                .sorted().toList(), everything(), "two versions and no temporary file left");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve(first.versionId()))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve(second.versionId()))));
        assertEquals(PASSWORD, store.read(first).reveal());
        assertEquals("second", store.read(second).reveal());
    }

    @Test
    void readByThePinnedVersionGivesTheOldValueAfterANewerPut() {
        SecretRef pinned = store.put(ID, new Secret("old"));
        store.put(ID, new Secret("newer, from a request that failed later"));

        assertEquals("old", new FileSecretStore(dir).read(pinned).reveal());
    }

    @Test
    void deleteRemovesTheFolderThenReadFails() throws IOException {
        SecretRef ref = store.put(ID, new Secret(PASSWORD));
        store.put("lifeboat/local/manager/OTHER", new Secret("kept"));

        store.delete(ID);

        assertFalse(Files.exists(store.folder(ID)));
        assertTrue(Files.exists(store.folder("lifeboat/local/manager/OTHER")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.read(ref));
        assertEquals("secret store: no secret " + ID + " at version " + ref.versionId(), e.getMessage());
        assertEquals("again", store.read(store.put(ID, new Secret("again"))).reveal());
    }

    @Test
    void deleteOfAMissingSecretIsFine() {
        store.delete(ID);
        assertFalse(Files.exists(dir));
    }

    @Test
    void aFailedOperationsExceptionCarriesNoSecretValue() throws IOException {
        Files.createDirectories(dir);
        // A file where the secret's folder should be: the put cannot write its version.
        Files.writeString(store.folder(ID), "in the way");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.put(ID, new Secret(PASSWORD)));

        assertTrue(e.getMessage().startsWith("secret store: put " + ID + " failed: "), e.getMessage());
        assertFalse(e.getMessage().contains(PASSWORD));
        assertFalse(e.getMessage().contains("pa55"));
    }

    @Test
    void versionIdsThatThisStoreCannotHaveMadeAreNotFound() {
        store.put(ID, new Secret(PASSWORD));
        for (String bad : List.of("../../etc/passwd", ".tmp-1", "", "..", "v1")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.read(new SecretRef(ID, bad)));
            assertEquals("secret store: no secret " + ID + " at version " + bad, e.getMessage());
        }
    }

    @Test
    void everyIdStaysOneFolderInsideTheStore() {
        for (String id : List.of("..", ".", "../escape", "a/../../b", "/abs", "a%2Fb", "a/b", "ünï cødé\\x")) {
            Path folder = store.folder(id);
            assertEquals(dir, folder.getParent(), id);
            assertFalse(folder.getFileName().toString().startsWith("."), id);
            store.put(id, new Secret("value of " + id));
        }
        assertNotEquals(store.folder("a%2Fb"), store.folder("a/b"), "the encoding is one-to-one");
        assertEquals("value of a/b", store.read(store.put("a/b", new Secret("value of a/b"))).reveal());
        assertThrows(IllegalArgumentException.class, () -> store.folder(""));
        assertThrows(IllegalArgumentException.class, () -> store.folder("x".repeat(300)));
    }

    @Test
    void aStoreIsUsableFromManyThreads() throws Exception {
        List<Thread> threads = new java.util.ArrayList<>();
        List<SecretRef> refs = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        for (int i = 0; i < 8; i++) {
            int n = i;
            threads.add(new Thread(() -> refs.add(store.put(ID, new Secret("value " + n)))));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }

        assertEquals(8, refs.size());
        assertEquals(8, refs.stream().map(SecretRef::versionId).distinct().count());
        for (SecretRef ref : refs) {
            assertTrue(store.read(ref).reveal().startsWith("value "));
        }
        try (Stream<Path> files = Files.list(store.folder(ID))) {
            assertEquals(8, files.count(), "no temporary file left");
        }
    }
}
