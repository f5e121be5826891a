package dev.lifeboat.local;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and checks the HS256 tokens of the local runtime: issuer {@value #ISSUER}, audience {@value #AUDIENCE},
 * signed with the key in {@value #KEY_VARIABLE} (default {@value #DEFAULT_KEY}). The key is public knowledge, so
 * these tokens are only meant for a server bound to loopback.
 */
public final class LocalTokens {

    public static final String ISSUER = "lifeboat-local";
    public static final String AUDIENCE = "lifeboat";
    public static final String KEY_VARIABLE = "LIFEBOAT_LOCAL_JWT_KEY";
    public static final String DEFAULT_KEY = "lifeboat-local-dev-key";
    public static final Duration DEFAULT_TTL = Duration.ofHours(12);

    /** The privilege tags of the API contract (docs/api.md, "Identity and privileges"). */
    public static final List<String> ALL_PRIVILEGES = List.of(
            "PHYS_DC_RETRIEVE_DETAILS",
            "PHYS_DC_ALLOW_BACKUP_CONFIG",
            "ENTERPRISE_ADMINISTER_ALL",
            "VAPP_MANAGE_BACKUP",
            "VAPP_DEFINE_BACKUP_INFO",
            "VAPP_RESTORE_BACKUP");

    private static final ObjectMapper JSON = new ObjectMapper()
            // Claims are echoed back as decimal text; doubles would print 1.0E9 for an integral value.
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();
    private static final String HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

    private final byte[] key;
    private final Clock clock;

    public LocalTokens(String key) {
        this(key, Clock.systemUTC());
    }

    public LocalTokens(String key, Clock clock) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("The JWT key must not be empty");
        }
        this.key = key.getBytes(StandardCharsets.UTF_8);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Tokens signed with {@value #KEY_VARIABLE} from the environment, or the default key. */
    public static LocalTokens fromEnvironment() {
        return new LocalTokens(keyFromEnvironment());
    }

    public static String keyFromEnvironment() {
        String key = System.getenv(KEY_VARIABLE);
        return key == null || key.isEmpty() ? DEFAULT_KEY : key;
    }

    /** A token for one user, valid from now for {@code ttl}. */
    public String create(String sub, String ent, Collection<String> privileges, Duration ttl) {
        long now = clock.instant().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("aud", AUDIENCE);
        claims.put("sub", sub);
        claims.put("ent", ent);
        claims.put("priv", List.copyOf(privileges));
        claims.put("iat", now);
        claims.put("exp", now + ttl.toSeconds());
        return sign(claims);
    }

    /** Signs any claims as given, without adding or checking any: tests use it for tokens that must fail. */
    public String sign(Map<String, ?> claims) {
        try {
            String signingInput = encode(HEADER.getBytes(StandardCharsets.UTF_8)) + "." + encode(JSON.writeValueAsBytes(claims));
            return signingInput + "." + encode(hmac(signingInput));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("Claims are not serialisable as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Checks a token the way the HTTP API's JWT authorizer does: HS256 only, signature, {@code exp} in the future,
     * {@code nbf} and {@code iat} not in the future, issuer and audience.
     *
     * @return the claims, numbers as {@code BigInteger}/{@code BigDecimal}
     * @throws InvalidTokenException with the reason, for the log; clients only ever see "Unauthorized"
     */
    public Map<String, Object> verify(String token) throws InvalidTokenException {
        if (token == null || token.isEmpty()) {
            throw new InvalidTokenException("no token");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new InvalidTokenException("not a signed JWT (expected three dot-separated parts)");
        }
        Map<String, Object> header = json(parts[0], "header");
        // Only HS256: accepting the token's own "alg" would let "none" or a different MAC through.
        if (!"HS256".equals(header.get("alg"))) {
            throw new InvalidTokenException("algorithm " + header.get("alg") + " is not accepted, only HS256");
        }
        byte[] signature;
        try {
            signature = BASE64URL_DECODER.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("signature is not base64url");
        }
        // Constant-time comparison: a byte-by-byte early exit would leak how much of a forged MAC was right.
        if (!MessageDigest.isEqual(hmac(parts[0] + "." + parts[1]), signature)) {
            throw new InvalidTokenException("bad signature");
        }
        Map<String, Object> claims = json(parts[1], "payload");
        double now = clock.millis() / 1000.0;
        Number exp = number(claims, "exp");
        if (exp == null) {
            throw new InvalidTokenException("no exp claim");
        }
        if (exp.doubleValue() <= now) {
            throw new InvalidTokenException("expired at " + exp);
        }
        Number nbf = number(claims, "nbf");
        if (nbf != null && nbf.doubleValue() > now) {
            throw new InvalidTokenException("not valid before " + nbf);
        }
        Number iat = number(claims, "iat");
        if (iat != null && iat.doubleValue() > now + 1) {
            throw new InvalidTokenException("issued in the future at " + iat);
        }
        if (!ISSUER.equals(claims.get("iss"))) {
            throw new InvalidTokenException("issuer " + claims.get("iss") + " is not " + ISSUER);
        }
        Object aud = claims.get("aud");
        boolean audienceOk = aud instanceof List<?> list ? list.contains(AUDIENCE) : AUDIENCE.equals(aud);
        if (!audienceOk) {
            throw new InvalidTokenException("audience " + aud + " does not contain " + AUDIENCE);
        }
        return claims;
    }

    private static Number number(Map<String, Object> claims, String name) throws InvalidTokenException {
        Object value = claims.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number number)) {
            throw new InvalidTokenException(name + " is not a number");
        }
        return number;
    }

    private static Map<String, Object> json(String part, String what) throws InvalidTokenException {
        try {
            return JSON.readValue(BASE64URL_DECODER.decode(part), new TypeReference<LinkedHashMap<String, Object>>() {
            });
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new InvalidTokenException(what + " is not base64url-encoded JSON object");
        }
    }

    private byte[] hmac(String signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static String encode(byte[] bytes) {
        return BASE64URL.encodeToString(bytes);
    }

    /** A token that the JWT authorizer would refuse; the message says why. */
    public static final class InvalidTokenException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidTokenException(String reason) {
            super(reason);
        }
    }
}
