package dev.lifeboat.domain.common;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * ULIDs: 48 bits of milliseconds and 80 random bits in Crockford base32, so ids sort by creation time and
 * DynamoDB returns a datacenter's policies oldest first without an index.
 */
public final class Ids implements Supplier<String> {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    public static final String PATTERN = "[0-9A-HJKMNP-TV-Z]{26}";

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public Ids(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String get() {
        long time = clock.millis();
        byte[] entropy = new byte[10];
        random.nextBytes(entropy);
        char[] out = new char[26];
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        // 80 random bits as 16 base32 characters, read five bits at a time.
        int bitIndex = 0;
        for (int i = 10; i < 26; i++) {
            int value = 0;
            for (int b = 0; b < 5; b++, bitIndex++) {
                int bit = (entropy[bitIndex / 8] >> (7 - bitIndex % 8)) & 1;
                value = (value << 1) | bit;
            }
            out[i] = ALPHABET[value];
        }
        return new String(out);
    }

    public static boolean looksLikeId(String s) {
        return s != null && s.matches(PATTERN);
    }
}
