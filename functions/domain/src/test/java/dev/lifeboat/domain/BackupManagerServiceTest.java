package dev.lifeboat.domain;

import static dev.lifeboat.domain.fakes.Fixtures.ADMIN;
import static dev.lifeboat.domain.fakes.Fixtures.CLOCK;
import static dev.lifeboat.domain.fakes.Fixtures.READER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.FieldError;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.fakes.Fixtures;
import dev.lifeboat.domain.fakes.InMemoryConfigStore;
import dev.lifeboat.domain.fakes.InMemorySecretStore;
import dev.lifeboat.domain.manager.BackupManager;
import dev.lifeboat.domain.manager.BackupManagerService;
import dev.lifeboat.domain.manager.ConnectionCheck;
import dev.lifeboat.domain.manager.ManagerDraft;
import dev.lifeboat.domain.manager.ManagerType;
import dev.lifeboat.domain.policy.BackupPolicyService;
import dev.lifeboat.domain.secret.Secret;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class BackupManagerServiceTest {
    final InMemoryConfigStore store = new InMemoryConfigStore();
    final InMemorySecretStore secrets = new InMemorySecretStore();
    final BackupManagerService managers = new BackupManagerService(store, secrets,
            m -> new ConnectionCheck(true, true, 5L, "logged on to " + m.endpoint()), CLOCK, Fixtures.sequentialIds(), "#", "lifeboat/test");
    final BackupPolicyService policies = new BackupPolicyService(store, store, CLOCK, Fixtures.sequentialIds());

    static ManagerDraft draft(String type, String endpoint, String user, String password) {
        return new ManagerDraft("Main", type, endpoint, user, password == null ? null : new Secret(password));
    }

    BackupManager put(ManagerDraft draft) {
        return managers.put(ADMIN, "dc1", () -> draft, ExpectedVersion.ANY).value();
    }

    static DomainException refused(Problem problem, Executable action) {
        DomainException e = assertThrows(DomainException.class, action);
        assertEquals(problem, e.problem(), e.getMessage() + " " + e.errors());
        return e;
    }

    static List<String> fields(DomainException e) {
        return e.errors().stream().map(FieldError::field).toList();
    }

    @Test
    void createsThenReplacesAndKeepsThePasswordWhenOmitted() {
        var created = managers.put(ADMIN, "dc1", () -> draft("VMWARE_SNAPSHOT", "https://vc.example.com/sdk", "admin", "s3cret"), ExpectedVersion.ANY);
        assertTrue(created.created());
        assertEquals(1, created.value().version());
        var replaced = managers.put(ADMIN, "dc1", () -> draft("VMWARE_SNAPSHOT", "https://vc2.example.com/sdk", "admin2", null), ExpectedVersion.of(1));
        assertFalse(replaced.created());
        assertEquals(2, replaced.value().version());
        assertEquals("https://vc2.example.com/sdk", replaced.value().endpoint());
        assertEquals("s3cret", secrets.read(replaced.value().password()).reveal());
    }

    @Test
    void newPasswordIsANewSecretVersion() {
        BackupManager first = put(draft("VMWARE_SNAPSHOT", "https://vc/sdk", "admin", "one"));
        BackupManager second = put(draft("VMWARE_SNAPSHOT", "https://vc/sdk", "admin", "two"));
        assertEquals(first.password().secretId(), second.password().secretId());
        assertEquals("two", secrets.read(second.password()).reveal());
        assertEquals("one", secrets.read(first.password()).reveal());
    }

    @Test
    void veeamEndpointGetsATrailingSlash() {
        assertEquals("https://veeam.example.com:9398/api/", put(draft("VEEAM", "https://veeam.example.com:9398/api", "u", "p")).endpoint());
        assertEquals("https://veeam.example.com:9398/api/", managers.get(ADMIN, "dc1").endpoint());
        managers.delete(ADMIN, "dc1", ExpectedVersion.ANY);
        assertEquals("https://em/api/", put(draft("VEEAM_SNAPSHOT", "https://em/api/", "u#vc", "p#q")).endpoint());
        managers.delete(ADMIN, "dc1", ExpectedVersion.ANY);
        assertEquals("https://nw:9090/nwrestapi/v3/global", put(draft("NETWORKER", "https://nw:9090/nwrestapi/v3/global", "u#vc", "p#q")).endpoint());
    }

    @Test
    void splitCredentialsNeedTwoNonEmptyParts() {
        for (String user : List.of("admin", "#vc", "admin#", "#")) {
            var e = refused(Problem.VALIDATION_FAILED, () -> put(draft("NETWORKER", "https://nw/", user, "p#q")));
            assertEquals(List.of("user"), fields(e));
        }
        var e = refused(Problem.VALIDATION_FAILED, () -> put(draft("VEEAM_SNAPSHOT", "https://em/api/", "u#v", "onlyone")));
        assertEquals(List.of("password"), fields(e));
        assertFalse(e.getMessage().contains("onlyone") || e.errors().toString().contains("onlyone"), "the password is never echoed");
        // The vCenter part may itself contain the separator.
        assertEquals("u#v#w", put(draft("NETWORKER", "https://nw/", "u#v#w", "p#q#r")).user());
    }

    @Test
    void separatorIsConfigurable() {
        var piped = new BackupManagerService(store, secrets, m -> null, CLOCK, Fixtures.sequentialIds(), "|", "lifeboat/test");
        assertEquals("nw|vc", piped.put(ADMIN, "dc1", () -> draft("NETWORKER", "https://nw/", "nw|vc", "a|b"), ExpectedVersion.ANY).value().user());
        refused(Problem.VALIDATION_FAILED, () -> piped.put(ADMIN, "dc2", () -> draft("NETWORKER", "https://nw/", "nw#vc", "a#b"), ExpectedVersion.ANY));
    }

    @Test
    void everyFieldIsValidated() {
        var e = refused(Problem.VALIDATION_FAILED, () -> put(new ManagerDraft(null, null, null, null, null)));
        assertEquals(List.of("name", "type", "endpoint", "user", "password"), fields(e));
        e = refused(Problem.VALIDATION_FAILED, () -> put(new ManagerDraft(" ", "TAPE", "ftp://x/", "", new Secret(""))));
        assertEquals(List.of("name", "type", "endpoint", "user", "password"), fields(e));
        for (String endpoint : List.of("veeam.example.com/api", "https://user:pw@veeam/api/", "https://veeam/api?x=1", "https://veeam/api#top",
                "http:///path", "https://exa mple.com/", "https://x/" + "a".repeat(2048))) {
            assertEquals(List.of("endpoint"), fields(refused(Problem.VALIDATION_FAILED,
                    () -> put(draft("VMWARE_SNAPSHOT", endpoint, "u", "p")))), endpoint);
        }
        assertEquals(List.of("name"), fields(refused(Problem.VALIDATION_FAILED,
                () -> put(new ManagerDraft("n".repeat(129), "VEEAM", "https://v/api/", "u", new Secret("p"))))));
        assertEquals(List.of("password"), fields(refused(Problem.VALIDATION_FAILED,
                () -> put(draft("VEEAM", "https://v/api/", "u", "p".repeat(1025))))));
        assertEquals(0, store.writes);
        assertEquals(0, secrets.secretCount(), "a refused request writes no secret");
    }

    @Test
    void typeCannotChangeButAnyTypeAfterDelete() {
        put(draft("VEEAM", "https://v/api/", "u", "p"));
        refused(Problem.CONFLICT, () -> put(draft("NETWORKER", "https://nw/", "u#v", "p#q")));
        managers.delete(ADMIN, "dc1", ExpectedVersion.ANY);
        assertFalse(secrets.exists("lifeboat/test/manager/VEEAM/01J00000000000000000000001"), "the secret goes with the manager");
        assertEquals(ManagerType.NETWORKER, put(draft("NETWORKER", "https://nw/", "u#v", "p#q")).type());
    }

    @Test
    void veeamRefusedWhileADefinedHourPolicyExists() {
        policies.create(ADMIN, "dc1", () -> Fixtures.policy("ONCE", Fixtures.config("DEFINED_HOUR", Map.of("dateTime", "2027/12/24 22:30:00 +0100"))));
        refused(Problem.CONFLICT, () -> put(draft("VEEAM", "https://v/api/", "u", "p")));
        assertEquals(ManagerType.VEEAM_SNAPSHOT, put(draft("VEEAM_SNAPSHOT", "https://v/api/", "u#v", "p#q")).type());
    }

    @Test
    void staleIfMatchIs412ButTypeChangeComesFirst() {
        put(draft("VEEAM", "https://v/api/", "u", "p"));
        refused(Problem.PRECONDITION_FAILED, () -> managers.put(ADMIN, "dc1", () -> draft("VEEAM", "https://v/api/", "u", null), ExpectedVersion.of(7)));
        refused(Problem.CONFLICT, () -> managers.put(ADMIN, "dc1", () -> draft("NETWORKER", "https://v/", "u#v", null), ExpectedVersion.of(7)));
        refused(Problem.PRECONDITION_FAILED, () -> managers.put(ADMIN, "dc2", () -> draft("VEEAM", "https://v/api/", "u", "p"), ExpectedVersion.of(1)));
        refused(Problem.PRECONDITION_FAILED, () -> managers.delete(ADMIN, "dc1", ExpectedVersion.of(2)));
    }

    @Test
    void passwordRequiredOnCreateOnly() {
        var e = refused(Problem.VALIDATION_FAILED, () -> put(draft("VEEAM", "https://v/api/", "u", null)));
        assertEquals(List.of("password"), fields(e));
    }

    @Test
    void privilegesAndExistence() {
        refused(Problem.NOT_FOUND, () -> managers.get(READER, "dc1"));
        refused(Problem.NOT_FOUND, () -> managers.get(Fixtures.TENANT, "dc1"));
        refused(Problem.FORBIDDEN, () -> managers.put(READER, "dc1", () -> { throw new AssertionError("body read before privilege check"); }, ExpectedVersion.ANY));
        put(draft("VEEAM", "https://v/api/", "u", "p"));
        assertEquals("Main", managers.get(READER, "dc1").name());
        refused(Problem.FORBIDDEN, () -> managers.get(Fixtures.TENANT, "dc1"));
        refused(Problem.FORBIDDEN, () -> managers.delete(READER, "dc1", ExpectedVersion.ANY));
        refused(Problem.FORBIDDEN, () -> managers.check(READER, "dc1"));
        refused(Problem.NOT_FOUND, () -> managers.delete(ADMIN, "dc9", ExpectedVersion.ANY));
        refused(Problem.NOT_FOUND, () -> managers.check(ADMIN, "dc9"));
        assertEquals("logged on to https://v/api/", managers.check(ADMIN, "dc1").details());
    }

    @Test
    void deleteRefusedWhileVmsAreConfigured() {
        put(draft("VEEAM", "https://v/api/", "u", "p"));
        store.setVmsSelecting("dc1", "any", 2);
        refused(Problem.CONFLICT, () -> managers.delete(ADMIN, "dc1", ExpectedVersion.of(99)));
        store.setVmsSelecting("dc1", "any", 0);
        managers.delete(ADMIN, "dc1", ExpectedVersion.of(1));
        refused(Problem.NOT_FOUND, () -> managers.get(ADMIN, "dc1"));
    }

    @Test
    void secretNeverPrintsItself() {
        assertEquals("[redacted]", new Secret("hunter2").toString());
        assertFalse(draft("VEEAM", "https://v/", "u", "hunter2").toString().contains("hunter2"));
    }
}
