package dev.lifeboat.domain.fakes;

import dev.lifeboat.domain.vm.ScheduleWorkflow;
import java.util.ArrayList;
import java.util.List;

/** Records the apply-schedule runs a service starts; can play a workflow service that cannot be reached. */
public final class RecordingWorkflow implements ScheduleWorkflow {
    public final List<ApplyRequest> started = new ArrayList<>();
    public boolean unavailable;

    @Override
    public synchronized void start(ApplyRequest request) {
        if (unavailable) {
            throw new Unavailable("connection refused", null);
        }
        started.add(request);
    }
}
