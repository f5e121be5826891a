package dev.lifeboat.domain.common;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * ULIDs: 48 bits of milliseconds and 80 random bits in Crockford base32, so ids sort by creation time and
 * DynamoDB returns a datacenter's policies oldest first without an index. Within one millisecond (or if the clock
 * steps back) the random part is incremented, as the ULID spec's monotonic mode does, so order still holds.
 */
public final class Ids implements Supplier<String> {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    public static final String PATTERN = "[0-9A-HJKMNP-TV-Z]{26}";

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private long lastTime = -1;
    private long randomHigh; // 16 bits
    private long randomLow;  // 64 bits

    public Ids(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized String get() {
        long time = clock.millis();
        if (time <= lastTime) {
            time = lastTime;
            randomLow++;
            if (randomLow == 0) {
                randomHigh = (randomHigh + 1) & 0xFFFF;
            }
        } else {
            lastTime = time;
            randomHigh = random.nextInt(1 << 16);
            randomLow = random.nextLong();
        }
        char[] out = new char[26];
        long t = time;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (t & 31)];
            t >>>= 5;
        }
        // 80 bits = randomHigh (16) then randomLow (64), written 5 bits at a time from the least significant end.
        long low = randomLow;
        long high = randomHigh;
        for (int i = 25; i >= 10; i--) {
            out[i] = ALPHABET[(int) (low & 31)];
            low = (low >>> 5) | ((high & 31) << 59);
            high >>>= 5;
        }
        return new String(out);
    }

    /**
     * A ULID-shaped id that the same {@code time} and {@code seed} always give: a step that creates something and may
     * run again (a schedule delivered twice, a retried workflow step) finds the item it made instead of making another.
     */
    public static String derived(long timeMillis, String seed) {
        byte[] digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256").digest(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
        char[] out = new char[26];
        long t = timeMillis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (t & 31)];
            t >>>= 5;
        }
        for (int i = 10; i < 26; i++) {
            out[i] = ALPHABET[(digest[i] & 0xFF) & 31];
        }
        return new String(out);
    }

    public static boolean looksLikeId(String s) {
        return s != null && s.matches(PATTERN);
    }
}
