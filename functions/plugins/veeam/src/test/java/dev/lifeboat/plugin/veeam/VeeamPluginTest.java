package dev.lifeboat.plugin.veeam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.RetryableError;
import dev.lifeboat.plugin.Session;
import dev.lifeboat.plugin.TerminalError;
import dev.lifeboat.sim.veeam.VeeamSimulator;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What is particular to Veeam: sessions, tasks, names, restores in place, and how errors come out. */
class VeeamPluginTest {
    private SimFixture f;

    private SimFixture start(Consumer<VeeamSimulator.Builder> config) {
        f = SimFixture.start(config);
        return f;
    }

    private SimFixture start() {
        return start(b -> b.instant());
    }

    @AfterEach
    void stop() {
        if (f != null) f.close();
    }

    private Results.JobStatus waitFor(Refs.Job job) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            Results.JobStatus s = f.plugin.pollJob(f.session(), job);
            if (s.state() != Results.JobStatus.State.RUNNING) return s;
            assertTrue(Instant.now().isBefore(deadline), "job still running: " + s);
            f.sim.clock().advance(Duration.ofMillis(200));
        }
    }

    @Nested
    class Sessions {
        @Test
        void anExpiredSessionIsRenewedExactlyOnce() {
            start();
            f.http.expireNextSessions(1);
            assertFalse(f.plugin.listPolicies(f.session()).isEmpty());
            assertEquals(2, f.logons(), "one logon, then one more after the 401");
            assertEquals(1, f.sim.requests().stream().filter(r -> r.status() == 401).count());
        }

        @Test
        void aSessionThatExpiresAgainIsRetryableAfterOneRenewal() {
            start();
            f.http.expireNextSessions(100);
            RetryableError e = assertThrows(RetryableError.class, () -> f.plugin.listPolicies(f.session()));
            assertEquals(RetryableError.SESSION_EXPIRED, e.code());
            assertEquals(2, f.logons());
        }

        @Test
        void aPluginWithoutWarmSessionsLogsOffAfterEveryCommand() {
            f = SimFixture.start(b -> b.instant(), SimFixture.OPTIONS, false);
            Session s = f.session();
            List<Runnable> commands = List.of(
                    () -> f.plugin.checkConnection(s),
                    () -> f.plugin.listPolicies(s),
                    () -> f.plugin.applySchedule(s, SimFixture.app01(), SimFixture.gold()),
                    () -> f.plugin.removeSchedule(s, SimFixture.app01(), SimFixture.gold()),
                    () -> f.plugin.listResults(s, List.of(SimFixture.web01()), null),
                    () -> assertThrows(TerminalError.class, () -> f.plugin.applySchedule(s, SimFixture.web01(), new Refs.Policy("x", "NOPE"))));
            for (Runnable command : commands) {
                f.sim.clearRequests();
                command.run();
                // The simulator records a request after answering it, so the order of the log can differ from the
                // order of the calls; the sessions' own state is what tells that every one was closed.
                assertFalse(f.sim.logonSessions().isEmpty());
                assertTrue(f.sim.logonSessions().stream().allMatch(l -> l.state().equals("LoggedOff")), f.sim.logonSessions().toString());
            }
            Refs.Job job = f.plugin.startBackup(s, SimFixture.web01(), SimFixture.gold());
            waitFor(job);
            assertTrue(f.sim.logonSessions().stream().allMatch(l -> l.state().equals("LoggedOff")), f.sim.logonSessions().toString());
        }

        @Test
        void everyRequestSendsOneAcceptTypeAndTheSessionHeaderNotTheCookie() {
            start();
            Refs.Job job = f.plugin.startBackup(f.session(), SimFixture.web01(), SimFixture.gold());
            waitFor(job);
            for (VeeamSimulator.RecordedRequest r : f.sim.requests()) {
                assertEquals("application/json", r.header("Accept"), r.uri());
                assertNull(r.header("Cookie"), r.uri());
                boolean logon = r.path().toLowerCase().contains("sessionmngr");
                assertEquals(logon, r.header("X-RestSvcSessionId") == null, r.uri());
                assertEquals(logon, r.header("Authorization") != null, r.uri());
            }
        }

        @Test
        void theEndpointMayEndWithOrWithoutSlashOrApi() {
            start();
            String base = f.sim.baseUri().toString(); // http://127.0.0.1:PORT/api/
            String root = base.substring(0, base.length() - "api/".length());
            for (String endpoint : List.of(base, base.substring(0, base.length() - 1), root, root.substring(0, root.length() - 1))) {
                List<Results.ExternalPolicy> policies = f.plugin.listPolicies(f.session(endpoint, SimFixture.PASSWORD));
                assertTrue(policies.stream().anyMatch(p -> p.code().equals("GOLD")), endpoint + " → " + policies);
            }
        }
    }

    @Nested
    class Tasks {
        @Test
        void operationFinishedIsPolledThrough() {
            start(b -> b.taskDuration(Duration.ZERO).jobDuration(Duration.ZERO).operationFinishedPolls(2));
            Results.Schedule s = f.plugin.applySchedule(f.session(), SimFixture.app01(), SimFixture.gold());
            assertTrue(s.applied(), s.details());
            assertTrue(f.sim.includes("GOLD").stream().anyMatch(i -> i.displayName().equals("app-01")));
            assertTrue(f.requests("GET", "/api/tasks/").size() >= 3, "Running → OperationFinished ×2 → Finished");
        }

        @Test
        void aQuickBackupWhoseTaskOutlastsTheDeadlineIsFollowedThroughTheQueryService() {
            f = SimFixture.start(b -> b.taskDuration(Duration.ofSeconds(30)).jobDuration(Duration.ofSeconds(1)),
                    SimFixture.OPTIONS.withTaskDeadline(Duration.ofMillis(200)));
            Refs.Job job = f.plugin.startBackup(f.session(), SimFixture.web01(), SimFixture.gold());
            assertTrue(job.ref().startsWith(VeeamPlugin.PENDING), job.ref());
            assertTrue(f.requests("DELETE", "/api/logonSessions/").isEmpty(), "the task's session stays open, or the task would be cancelled");
            assertEquals(Results.JobStatus.State.RUNNING, f.plugin.pollJob(f.session(), job).state());
            f.sim.clock().advance(Duration.ofSeconds(31));
            Results.JobStatus done = waitFor(job);
            assertEquals(Results.JobStatus.State.SUCCEEDED, done.state(), String.valueOf(done.error()));
            assertFalse(done.job().ref().startsWith(VeeamPlugin.PENDING), "the status carries the session found: " + done.job());
            assertEquals(f.sim.restorePoints("web-01").get(0).id(), done.restorePoint().ref());
        }

        @Test
        void aTaskThatFailsIsRefusedWithVeeamsMessage() {
            start();
            TerminalError e = assertThrows(TerminalError.class, () -> f.plugin.startBackup(f.session(), SimFixture.app01(), null));
            assertEquals(TerminalError.REFUSED, e.code());
            assertTrue(e.getMessage().contains("not processed by any backup job"), e.getMessage());
        }
    }

    @Nested
    class Policies {
        @Test
        void jobNamesCarryTheCodeAsTheirFirstWord() {
            assertEquals("GOLD", JobNames.codeOf("GOLD").orElseThrow());
            assertEquals("GOLD", JobNames.codeOf("GOLD - Gold policy").orElseThrow());
            assertEquals("ZONE1-GOLD", JobNames.codeOf("ZONE1-GOLD").orElseThrow());
            assertTrue(JobNames.codeOf("#1 nightly").isEmpty());
            assertTrue(JobNames.codeOf("  ").isEmpty());
            assertTrue(JobNames.matches("gold", "GOLD - Gold policy"));
            assertTrue(JobNames.matches("GOLD", "gold\tdaily"));
            assertFalse(JobNames.matches("GOLD", "GOLDEN"));
            assertFalse(JobNames.matches("GOLD", "GOLD-2"), "a dash does not end a code: codes may contain dashes");
            assertFalse(JobNames.matches("ZONE1", "ZONE1-GOLD"));
        }

        @Test
        void policiesAreListedAndMatchedByTheRule() {
            start(b -> b.instant().seed(sim -> {
                sim.addJob("PLATINUM - Platinum tier");
                sim.addJob("ZONE1-GOLD");
                sim.addJob("#1 nightly");
            }));
            List<Results.ExternalPolicy> policies = f.plugin.listPolicies(f.session());
            assertEquals(List.of("GOLD", "SILVER", "PLATINUM", "ZONE1-GOLD"), policies.stream().map(Results.ExternalPolicy::code).toList());
            assertEquals("PLATINUM - Platinum tier", policies.get(2).name());
            assertTrue(f.plugin.applySchedule(f.session(), SimFixture.app01(), new Refs.Policy("p", "platinum")).applied());
            assertEquals(1, f.sim.includes("PLATINUM - Platinum tier").size());
        }

        @Test
        void twoJobsWithTheSameCodeAreRefused() {
            start(b -> b.instant().seed(sim -> sim.addJob("SILVER - second")));
            TerminalError e = assertThrows(TerminalError.class, () -> f.plugin.applySchedule(f.session(), SimFixture.app01(), SimFixture.silver()));
            assertEquals(TerminalError.REFUSED, e.code());
            assertTrue(e.getMessage().contains("SILVER - second"), e.getMessage());
        }

        @Test
        void removingAVmNotInTheJobIsApplied() {
            start();
            Results.Schedule s = f.plugin.removeSchedule(f.session(), SimFixture.app01(), SimFixture.gold());
            assertTrue(s.applied(), s.details());
        }

        @Test
        void removingAVmGoneFromVcenterStillFindsItsInclude() {
            start();
            Refs.Vm gone = new Refs.Vm("vm-id-x", "web-01-renamed", SimFixture.VCENTER, "vm-101", null, false);
            assertTrue(f.plugin.removeSchedule(f.session(), gone, SimFixture.gold()).applied());
            assertTrue(f.sim.includes("GOLD").stream().noneMatch(i -> i.hierarchyObjRef().endsWith(".vm-101")));
        }

        @Test
        void removingTheJobsOnlyVmIsRefusedWithVeeamsMessage() {
            start();
            TerminalError e = assertThrows(TerminalError.class, () -> f.plugin.removeSchedule(f.session(), SimFixture.db01(), SimFixture.silver()));
            assertEquals(TerminalError.REFUSED, e.code());
            assertTrue(e.getMessage().contains("only object"), e.getMessage());
            assertEquals(1, f.sim.includes("SILVER").size());
        }

        @Test
        void aVmUnknownToVeeamIsUnknownVm() {
            start();
            Refs.Vm other = new Refs.Vm("x", "web-01", "vc9.local", "vm-101", null, true);
            TerminalError e = assertThrows(TerminalError.class, () -> f.plugin.applySchedule(f.session(), other, SimFixture.gold()));
            assertEquals(TerminalError.UNKNOWN_VM, e.code());
            assertTrue(e.getMessage().contains("vc9.local"), e.getMessage());
        }
    }

    @Nested
    class Restores {
        @Test
        void newVmRestoreIsUnsupportedWithoutCallingVeeam() {
            start();
            Refs.RestorePoint point = new Refs.RestorePoint(f.sim.addRestorePoint("web-01", Instant.now().minusSeconds(60)), null, null);
            TerminalError e = assertThrows(TerminalError.class,
                    () -> f.plugin.startRestore(f.session(), SimFixture.web01(), point, Refs.RestoreMode.NEW_VM));
            assertEquals(TerminalError.UNSUPPORTED, e.code());
            Refs.Vm unallocated = new Refs.Vm("vm-id-web", "web-01", SimFixture.VCENTER, "vm-101", null, false);
            e = assertThrows(TerminalError.class, () -> f.plugin.startRestore(f.session(), unallocated, point, Refs.RestoreMode.IN_PLACE));
            assertEquals(TerminalError.UNSUPPORTED, e.code());
            assertTrue(f.sim.requests().isEmpty());
            assertFalse(f.plugin.capabilities().restoresUnallocatedVm());
        }

        @Test
        void aPointOfAnotherVmIsRefused() {
            start();
            Refs.RestorePoint dbPoint = new Refs.RestorePoint(f.sim.addRestorePoint("db-01", Instant.now().minusSeconds(60)), null, null);
            TerminalError e = assertThrows(TerminalError.class,
                    () -> f.plugin.startRestore(f.session(), SimFixture.web01(), dbPoint, Refs.RestoreMode.IN_PLACE));
            assertEquals(TerminalError.REFUSED, e.code());
            assertTrue(f.sim.restores().isEmpty());
        }

        @Test
        void anUnknownPointIsUnknownRestorePoint() {
            start();
            TerminalError e = assertThrows(TerminalError.class, () -> f.plugin.startRestore(f.session(), SimFixture.web01(),
                    new Refs.RestorePoint("urn:veeam:VmRestorePoint:00000000-0000-0000-0000-000000000000", null, null), Refs.RestoreMode.IN_PLACE));
            assertEquals(TerminalError.UNKNOWN_RESTORE_POINT, e.code());
        }

        @Test
        void aFailedRestoreEndsFailed() {
            start();
            String point = f.sim.addRestorePoint("web-01", Instant.now().minusSeconds(60));
            f.sim.failNextRestore("web-01", "Datastore unreachable");
            Refs.Job job = f.plugin.startRestore(f.session(), SimFixture.web01(), new Refs.RestorePoint(point, null, null), Refs.RestoreMode.IN_PLACE);
            Results.JobStatus s = waitFor(job);
            assertEquals(Results.JobStatus.State.FAILED, s.state());
            assertEquals(VeeamPlugin.RESTORE_FAILED, s.error().code());
            VeeamSimulator.RestoreInfo r = f.sim.restores().get(0);
            assertFalse(r.powerOnAfterRestore());
            assertFalse(r.quickRollback());
        }

        @Test
        void anUnknownSessionIsUnknownJob() {
            start();
            TerminalError e = assertThrows(TerminalError.class, () -> f.plugin.pollJob(f.session(),
                    new Refs.Job(Refs.Job.Kind.BACKUP, "0f0f0f0f-0000-0000-0000-000000000000", Instant.now())));
            assertEquals(TerminalError.UNKNOWN_JOB, e.code());
        }
    }

    @Nested
    class Results_ {
        @Test
        void anUnknownVmGoesToFailuresWhileTheOthersComeBack() {
            start();
            Instant since = Instant.parse("2025-01-01T00:00:00Z");
            f.sim.addRestorePoint("web-01", Instant.parse("2024-12-31T22:00:00Z"));
            String recent = f.sim.addRestorePoint("web-01", Instant.parse("2025-01-01T22:00:00Z"));
            f.sim.addRestorePoint("db-01", Instant.parse("2025-01-02T22:00:00Z"));
            Refs.Vm unknown = new Refs.Vm("vm-id-gone", "no-such-vm", SimFixture.VCENTER, "vm-999", null, true);
            Results.ResultList r = f.plugin.listResults(f.session(), List.of(SimFixture.web01(), unknown, SimFixture.db01()), since);
            assertEquals(2, r.results().size(), r.toString());
            Results.BackupResult web = r.results().get(0);
            assertEquals("vm-id-web", web.vmId());
            assertEquals(recent, web.ref());
            assertEquals(Instant.parse("2025-01-01T22:00:00Z"), web.startedAt());
            assertEquals(Results.BackupResult.Status.SUCCESS, web.status());
            assertEquals("vm-id-db", r.results().get(1).vmId());
            assertEquals(1, r.failures().size());
            assertEquals("vm-id-gone", r.failures().get(0).vmId());
            assertEquals(TerminalError.UNKNOWN_VM, r.failures().get(0).code());
        }

        @Test
        void aSuccessfulBackupNamesItsPointWithSize() {
            start();
            Results.JobStatus s = waitFor(f.plugin.startBackup(f.session(), SimFixture.web01(), SimFixture.gold()));
            assertEquals(Results.JobStatus.State.SUCCEEDED, s.state());
            assertEquals(100, s.progress());
            assertNotNull(s.restorePoint().createdAt());
            assertNotNull(s.restorePoint().sizeBytes());
        }
    }

    @Nested
    class Errors {
        @Test
        void aNonAdministratorIsForbidden() {
            start(b -> b.instant().admin(false));
            TerminalError e = assertThrows(TerminalError.class, () -> f.plugin.applySchedule(f.session(), SimFixture.app01(), SimFixture.gold()));
            assertEquals(TerminalError.FORBIDDEN, e.code());
        }

        @Test
        void serviceUnavailableUntilTheDeadlineIsRetryable() {
            start();
            f.sim.faults().failNext(1000, 503);
            RetryableError e = assertThrows(RetryableError.class, () -> f.plugin.listPolicies(f.session(Duration.ofSeconds(2))));
            assertEquals(RetryableError.SERVER_ERROR, e.code());
        }

        @Test
        void anotherClientErrorIsRefusedWithVeeamsMessageJsonOrXml() {
            start(b -> b.instant().faultBodyJson(false));
            f.sim.faults().failNext(1, 409);
            TerminalError e = assertThrows(TerminalError.class, () -> f.plugin.listPolicies(f.session()));
            assertEquals(TerminalError.REFUSED, e.code());
            assertTrue(e.getMessage().contains("Injected fault"), e.getMessage());
        }

        @Test
        void aConnectionDroppedUntilTheDeadlineIsUnreachable() {
            start();
            f.sim.faults().dropNext(1000);
            RetryableError e = assertThrows(RetryableError.class, () -> f.plugin.listPolicies(f.session(Duration.ofSeconds(2))));
            assertEquals(RetryableError.UNREACHABLE, e.code());
        }

        @Test
        void aClosedPortIsUnreachableAndTheCheckSaysSo() throws IOException {
            start();
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Session closed = f.session("http://127.0.0.1:" + port + "/api/", SimFixture.PASSWORD);
            RetryableError e = assertThrows(RetryableError.class, () -> f.plugin.listPolicies(closed));
            assertEquals(RetryableError.UNREACHABLE, e.code());
            Results.Connection c = f.plugin.checkConnection(closed);
            assertFalse(c.reachable());
            assertFalse(c.authenticated());
        }

        @Test
        void theCheckReportsLatencyAndJobs() {
            start();
            Results.Connection c = f.plugin.checkConnection(f.session());
            assertTrue(c.reachable() && c.authenticated());
            assertTrue(c.latencyMs() >= 0);
            assertTrue(c.details().contains("2 job(s)"), c.details());
        }

        @Test
        void aBadEndpointIsABadCommand() {
            start();
            TerminalError e = assertThrows(TerminalError.class, () -> f.plugin.listPolicies(f.session("ftp://em/api", "x")));
            assertEquals(TerminalError.BAD_COMMAND, e.code());
            assertFalse(f.plugin.checkConnection(f.session("not a url", "x")).reachable());
        }
    }

    @Test
    void idsComeOutOfUidsAndHrefs() {
        assertEquals("abc", VeeamJson.idOf("urn:veeam:BackupJobSession:abc"));
        assertEquals("abc", VeeamJson.idOf("https://em:9398/api/backupSessions/abc?format=Entity"));
        assertEquals("abc", VeeamJson.idOf("abc"));
        assertEquals("\"a \"\"b\"\"\"", VeeamPlugin.quote("a \"b\""));
        assertEquals("Node [root] does not exist.", VeeamClient.veeamMessage(
                "{\"FirstChanceExceptionMessage\":null,\"Message\":\"Node [root] does not exist.\",\"StackTrace\":null,\"Status\":null,\"StatusCode\":400}"));
        assertEquals("x", VeeamClient.veeamMessage("<Error xmlns=\"http://www.veeam.com/ent/v1.0\" Message=\"x\" StatusCode=\"409\"/>"));
    }
}
