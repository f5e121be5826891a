package dev.lifeboat.plugin.veeam;

import dev.lifeboat.domain.common.Text;
import java.util.Optional;

/**
 * The one rule that ties a Lifeboat policy code to a Veeam backup job: <b>the job's name is the code, or the code
 * followed by whitespace and anything</b> ({@code GOLD}, {@code GOLD - Gold policy}, {@code gold daily 22:00}),
 * compared ignoring case.
 *
 * <p>Why whitespace and not a dash: policy codes may themselves contain dashes ({@link Text#CODE}:
 * {@code A-Z a-z 0-9 . _ -}), so {@code ZONE1-GOLD} is a code of its own, as in the job name of backup-systems.md §1.3;
 * letting a dash end the code would make that job match policy {@code ZONE1} as well. A job whose name does not start
 * with something that can be a code (e.g. {@code #1 nightly}) matches no policy.
 */
public final class JobNames {
    private JobNames() {}

    /** The policy code a job name carries: its first whitespace-separated word, when that word is a valid code. */
    public static Optional<String> codeOf(String jobName) {
        if (jobName == null) return Optional.empty();
        String name = jobName.strip();
        int end = 0;
        while (end < name.length() && !Character.isWhitespace(name.charAt(end))) end++;
        String word = name.substring(0, end);
        return Text.CODE.matcher(word).matches() ? Optional.of(word) : Optional.empty();
    }

    /** Whether the job named {@code jobName} is the job of policy {@code code}. */
    public static boolean matches(String code, String jobName) {
        return code != null && codeOf(jobName).map(c -> c.equalsIgnoreCase(code.strip())).orElse(false);
    }
}
