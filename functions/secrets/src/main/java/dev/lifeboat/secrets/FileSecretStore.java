package dev.lifeboat.secrets;

import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.domain.secret.SecretStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The secret store for local runs: one folder per secret, one file per version, readable by the owner only.
 *
 * <p>A version appears whole or not at all (written to a temporary file, flushed, then renamed), so a crash never
 * leaves a half-written password under a version id that an item may already point at.
 */
public final class FileSecretStore implements SecretStore {
    private static final Pattern VERSION = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final String TEMP_PREFIX = ".tmp-";
    /** Longest folder name most file systems accept; longer ids fail clearly instead of deep in the OS. */
    private static final int MAX_NAME = 255;

    private final Path dir;
    private final boolean posix;

    public FileSecretStore(Path dir) {
        this.dir = Objects.requireNonNull(dir).toAbsolutePath().normalize();
        // Windows has no POSIX modes; there the user's profile ACLs are the only protection a local run gets.
        this.posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    public Path dir() {
        return dir;
    }

    @Override
    public SecretRef put(String secretId, Secret value) {
        Objects.requireNonNull(value);
        Path folder = folder(secretId);
        String versionId = UUID.randomUUID().toString();
        Path temp = null;
        try {
            Files.createDirectories(dir, privateFolder());
            Files.createDirectories(folder, privateFolder());
            // Created with 600 from the start: no moment exists when the file is readable by others.
            temp = Files.createTempFile(folder, TEMP_PREFIX, "", privateFile());
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(value.reveal().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            Files.move(temp, folder.resolve(versionId), StandardCopyOption.ATOMIC_MOVE);
            temp = null;
            syncFolder(folder);
            return new SecretRef(secretId, versionId);
        } catch (IOException e) {
            throw failure("put", secretId, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // The put already fails; a leftover temporary file is skipped by reads and removed by delete.
                }
            }
        }
    }

    @Override
    public Secret read(SecretRef ref) {
        String what = ref.secretId() + " at version " + ref.versionId();
        // Only ids this store made: anything else could name a temporary file or a path outside the folder.
        if (ref.versionId() == null || !VERSION.matcher(ref.versionId()).matches()) {
            throw new IllegalStateException("secret store: no secret " + what);
        }
        try {
            return new Secret(Files.readString(folder(ref.secretId()).resolve(ref.versionId()), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("secret store: no secret " + what);
        } catch (IOException e) {
            throw failure("read", what, e);
        }
    }

    @Override
    public void delete(String secretId) {
        Path folder = folder(secretId);
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // Deleted meanwhile by someone else: the outcome the caller wanted.
        } catch (IOException e) {
            throw failure("delete", secretId, e);
        }
    }

    /**
     * The folder of a secret. Ids contain slashes, so every character but letters, digits, '-' and '_' is
     * percent-encoded: the name is then one path segment that can never be "." or "..", so no id can reach outside
     * the store's folder or into another secret's.
     */
    Path folder(String secretId) {
        if (secretId == null || secretId.isEmpty()) {
            throw new IllegalArgumentException("secret store: a secret id must not be empty");
        }
        StringBuilder name = new StringBuilder();
        for (byte b : secretId.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                name.append((char) c);
            } else {
                name.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        if (name.length() > MAX_NAME) {
            throw new IllegalArgumentException("secret store: secret id too long for a file name: " + secretId);
        }
        return dir.resolve(name.toString());
    }

    private FileAttribute<?>[] privateFolder() {
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
    }

    private FileAttribute<?>[] privateFile() {
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    /** Makes the rename itself durable; a file system that cannot sync a folder still has the atomic rename. */
    private static void syncFolder(Path folder) {
        try (FileChannel f = FileChannel.open(folder, StandardOpenOption.READ)) {
            f.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Best effort by design, see above.
        }
    }

    private static IllegalStateException failure(String operation, String what, IOException e) {
        // File system messages name paths, which hold only encoded ids, never values; the cause is safe to keep.
        String reason = e instanceof AccessDeniedException ? "access denied" : e.getClass().getSimpleName();
        return new IllegalStateException("secret store: " + operation + " " + what + " failed: " + reason, e);
    }
}
