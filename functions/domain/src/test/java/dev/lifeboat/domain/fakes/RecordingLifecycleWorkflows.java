package dev.lifeboat.domain.fakes;

import dev.lifeboat.domain.backup.Backup;
import dev.lifeboat.domain.backup.LifecycleWorkflows;
import dev.lifeboat.domain.backup.RestoreRequest;
import java.util.ArrayList;
import java.util.List;

/** Records the backup and restore workflows a service starts; can play an unreachable workflow service. */
public final class RecordingLifecycleWorkflows implements LifecycleWorkflows {
    public final List<Backup> backups = new ArrayList<>();
    public final List<RestoreRequest> restores = new ArrayList<>();
    public boolean unavailable;

    @Override
    public synchronized void startBackup(Backup backup) {
        if (unavailable) throw new Unavailable("connection refused", null);
        backups.add(backup);
    }

    @Override
    public synchronized void startRestores(RestoreRequest request) {
        if (unavailable) throw new Unavailable("connection refused", null);
        restores.add(request);
    }
}
