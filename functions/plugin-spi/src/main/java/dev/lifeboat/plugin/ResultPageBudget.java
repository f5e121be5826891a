package dev.lifeboat.plugin;

import java.util.List;

/**
 * The room one {@link BackupPlugin#listResultPage} answer has left, in UTF-8 bytes of its JSON, as Step Functions
 * counts a state's size (characters would let names in other scripts pass the budget two or three times over). A
 * plugin adds the restore points it found while they fit and ends the page early, with a cursor to the first one that
 * did not.
 */
public final class ResultPageBudget {
    private static final int EMPTY_PAGE_BYTES = CommandJson.resultPageBytes(new Results.ResultPage(List.of(), null));
    private int used;

    /** @param cursorBytes the room kept for the page's {@code nextCursor} */
    public ResultPageBudget(int cursorBytes) {
        used = EMPTY_PAGE_BYTES + cursorBytes;
    }

    /** True, taking {@code found}'s room, when it fits in the page; false, taking nothing, when it does not. */
    public boolean take(Results.FoundBackup found) {
        int size = CommandJson.resultBytes(found) + 1; // and the comma that separates it from the one before
        if (used + size > BackupPlugin.RESULT_PAGE_BYTES) return false;
        used += size;
        return true;
    }
}
