package dev.lifeboat.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenCommandTest {

    private static final LocalTokens TOKENS = new LocalTokens(LocalTokens.DEFAULT_KEY);

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TokenCommand.run(args, TOKENS, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void printsATokenThatValidates() throws Exception {
        String token = run("--sub", "alice", "--ent", "ent-9", "--priv",
                "PHYS_DC_RETRIEVE_DETAILS,PHYS_DC_ALLOW_BACKUP_CONFIG", "--ttl", "3600");
        Map<String, Object> claims = TOKENS.verify(token);
        assertEquals("alice", claims.get("sub"));
        assertEquals("ent-9", claims.get("ent"));
        assertEquals(List.of("PHYS_DC_RETRIEVE_DETAILS", "PHYS_DC_ALLOW_BACKUP_CONFIG"), claims.get("priv"));
        assertEquals("lifeboat-local", claims.get("iss"));
        assertEquals("lifeboat", claims.get("aud"));
        assertEquals(BigInteger.valueOf(3600),
                ((BigInteger) claims.get("exp")).subtract((BigInteger) claims.get("iat")));
    }

    @Test
    void defaultsAreLocalUserWithEveryPrivilegeFor12Hours() throws Exception {
        Map<String, Object> claims = TOKENS.verify(run());
        assertEquals("local-user", claims.get("sub"));
        assertEquals("ent-1", claims.get("ent"));
        assertEquals(LocalTokens.ALL_PRIVILEGES, claims.get("priv"));
        assertEquals(6, LocalTokens.ALL_PRIVILEGES.size());
        assertEquals(BigInteger.valueOf(12 * 3600),
                ((BigInteger) claims.get("exp")).subtract((BigInteger) claims.get("iat")));
    }

    @Test
    void badArgumentsExitWithUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, TokenCommand.run(new String[] {"--ttl", "soon"}, TOKENS, System.out, errStream));
        assertEquals(2, TokenCommand.run(new String[] {"--what", "x"}, TOKENS, System.out, errStream));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: TokenCommand"));
    }

    @Test
    void verifyRejectsWithReasons() {
        Clock later = Clock.fixed(Instant.now().plus(Duration.ofHours(2)), ZoneOffset.UTC);
        String token = TOKENS.create("a", "e", List.of(), Duration.ofHours(1));
        LocalTokens.InvalidTokenException expired = assertThrows(LocalTokens.InvalidTokenException.class,
                () -> new LocalTokens(LocalTokens.DEFAULT_KEY, later).verify(token));
        assertTrue(expired.getMessage().startsWith("expired"), expired.getMessage());
        LocalTokens.InvalidTokenException signature = assertThrows(LocalTokens.InvalidTokenException.class,
                () -> new LocalTokens("other").verify(token));
        assertEquals("bad signature", signature.getMessage());
    }
}
