package dev.lifeboat.plugin.networker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeboat.plugin.Refs;
import dev.lifeboat.plugin.Results;
import dev.lifeboat.plugin.TerminalError;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * NetWorker as its users set it up (api.md revision 2): a code names a protection group, a workflow, a protection
 * policy's name or its {@code comment}, in that order and ignoring case; a VM is its uuid, else its vCenter and moref,
 * else its name.
 */
class NetworkerMatchingTest {
    private SimFixture nw;

    @BeforeEach
    void start() throws IOException {
        nw = new SimFixture();
        // CloudStack's convention: the policy code in the protection policy's comment.
        nw.sim.addPolicy("Tenant Policies 2026", "Platinum");
        nw.sim.addWorkflow("Tenant Policies 2026", "nightly", "grp-platinum");
        nw.sim.addWorkflow("Tenant Policies 2026", "weekly-full", "grp-platinum");
        nw.sim.addPolicy("Bronze", "");
        nw.sim.addWorkflow("Bronze", "daily", "grp-bronze");
    }

    @AfterEach
    void stop() {
        nw.close();
    }

    private Results.JobStatus waitFor(Refs.Job job) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            Results.JobStatus s = nw.plugin.pollJob(nw.session(), job);
            if (s.state() != Results.JobStatus.State.RUNNING) {
                return s;
            }
            assertTrue(Instant.now().isBefore(deadline), "job did not end: " + job);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aCodeInAPolicysCommentPutsTheVmInItsGroupAndBacksItUp() {
        Refs.Policy platinum = new Refs.Policy("p1", "PLATINUM");
        assertTrue(nw.plugin.applySchedule(nw.session(), SimFixture.ref(nw.db), platinum).applied());
        assertEquals(List.of(nw.db.uuid()), nw.sim.workItems("grp-platinum"));
        assertEquals(Results.JobStatus.State.SUCCEEDED, waitFor(nw.plugin.startBackup(nw.session(), SimFixture.ref(nw.db), platinum)).state());
    }

    @Test
    void aCodeThatIsAPolicysNameMatchesIt() {
        assertTrue(nw.plugin.applySchedule(nw.session(), SimFixture.ref(nw.db), new Refs.Policy("p2", "bronze")).applied());
        assertEquals(List.of(nw.db.uuid()), nw.sim.workItems("grp-bronze"));
    }

    @Test
    void aGroupOrWorkflowNameComesBeforeAPolicyComment() {
        nw.sim.addPolicy("Other", "GOLD");
        nw.sim.addWorkflow("Other", "other-wf", "grp-other");
        nw.plugin.applySchedule(nw.session(), SimFixture.ref(nw.db), new Refs.Policy("p3", "gold"));
        assertTrue(nw.sim.workItems("GOLD").contains(nw.db.uuid()));
        assertTrue(nw.sim.workItems("grp-other").isEmpty());
    }

    @Test
    void aCommentOnSeveralPoliciesIsRefusedNamingThem() {
        nw.sim.addPolicy("Platinum Copy", "platinum");
        nw.sim.addWorkflow("Platinum Copy", "copy", "grp-copy");
        TerminalError e = assertThrows(TerminalError.class,
                () -> nw.plugin.applySchedule(nw.session(), SimFixture.ref(nw.db), new Refs.Policy("p1", "Platinum")));
        assertEquals(TerminalError.REFUSED, e.code());
        assertTrue(e.getMessage().contains("Tenant Policies 2026") && e.getMessage().contains("Platinum Copy"), e.getMessage());
    }

    @Test
    void anUnknownCodeSaysWhatWasLookedAt() {
        TerminalError e = assertThrows(TerminalError.class,
                () -> nw.plugin.applySchedule(nw.session(), SimFixture.ref(nw.db), new Refs.Policy("p9", "IRON")));
        assertEquals(TerminalError.UNKNOWN_POLICY, e.code());
        assertTrue(e.getMessage().contains("comment"), e.getMessage());
    }

    @Test
    void codesOfPoliciesAndCommentsAreListed() {
        List<String> codes = nw.plugin.listPolicies(nw.session()).stream().map(Results.ExternalPolicy::code).toList();
        assertTrue(codes.contains("Platinum") && codes.contains("Bronze") && codes.contains("GOLD"), codes.toString());
    }

    @Test
    void aVmWithoutUuidIsFoundByItsVcenterAndMoref() {
        // Registered in Lifeboat under another name, with its vCenter and moref only.
        Refs.Vm byMoref = new Refs.Vm("lb-web", "web-01 (renamed)", SimFixture.VC, nw.web.moref(), null, true);
        Refs.Job job = nw.plugin.startBackup(nw.session(), byMoref, new Refs.Policy("g", "GOLD"));
        assertEquals(Results.JobStatus.State.SUCCEEDED, waitFor(job).state());
        assertEquals(1, nw.sim.backups(nw.web.uuid()).size());
    }

    @Test
    void aVmWithNeitherUuidNorMorefIsFoundByName() {
        Refs.Vm byName = new Refs.Vm("lb-web", "web-01", null, null, null, true);
        assertEquals(Results.JobStatus.State.SUCCEEDED, waitFor(nw.plugin.startBackup(nw.session(), byName, new Refs.Policy("g", "GOLD"))).state());
    }

    @Test
    void aMorefThatNetWorkerDoesNotKnowIsAnUnknownVmEvenWhenTheNameExists() {
        Refs.Vm wrong = new Refs.Vm("lb-web", "web-01", SimFixture.VC, "vm-99999", null, true);
        TerminalError e = assertThrows(TerminalError.class, () -> nw.plugin.startBackup(nw.session(), wrong, new Refs.Policy("g", "GOLD")));
        assertEquals(TerminalError.UNKNOWN_VM, e.code());
        assertTrue(e.getMessage().contains("vm-99999"), e.getMessage());
    }
}
