package dev.lifeboat.bench.coldstart;

import java.nio.file.Path;
import java.util.List;

/**
 * The JVM command line of the managed {@code java17} runtime, as far as public sources tell it. The function's own
 * {@code JAVA_TOOL_OPTIONS} (template.yaml's Globals) is not here: it travels in the environment, where the JVM reads it
 * itself, as in Lambda.
 *
 * <ul>
 *   <li>{@code -XX:+TieredCompilation -XX:TieredStopAtLevel=1}: "In the Java 17 runtime, the JVM flag for tiered
 *       compilation is set to stop at level 1 by default" (AWS Lambda Developer Guide, "Customize Java runtime startup
 *       behavior for Lambda functions", https://docs.aws.amazon.com/lambda/latest/dg/java-customization.html).</li>
 *   <li>{@code -XX:+UseSerialGC}: the same page: the Java 11 runtime uses the serial collector, and the Java 17 runtime
 *       does too by default (JAVA_TOOL_OPTIONS may pick another).</li>
 *   <li>{@code -XX:MaxHeapSize}, {@code -XX:MaxMetaspaceSize}, {@code -XX:ReservedCodeCacheSize} at 85 %, 10 % and 5 %
 *       of the function's memory, and {@code -Djava.net.preferIPv4Stack=true}: the managed runtime's command line as
 *       printed from a running function in DataDog/datadog-lambda-extension pull request 117 (2023, the java11 runtime,
 *       a 256 MB function: {@code -XX:MaxHeapSize=222823k -XX:MaxMetaspaceSize=26214k -XX:ReservedCodeCacheSize=13107k
 *       -XX:+UseSerialGC ... -Djava.net.preferIPv4Stack=true}, i.e. 85/10/5 % of 262,144 KiB). Assumption: java17 sizes
 *       them the same way; AWS documents no numbers for java17.</li>
 *   <li>{@code -Xshare:auto}: class data sharing from the JDK's default archive; the JDK's own default, spelled out
 *       because it is what keeps a plain JVM's start short.</li>
 *   <li>{@code -XX:MaxRAM}: not a runtime flag. A Lambda execution environment has the function's memory as its whole
 *       RAM, and the JVM's ergonomics size the initial heap from that (1/64); this makes the JVM size it for a machine
 *       of {@code MemorySize} instead of this one, so young collections during start-up happen as often as in
 *       Lambda.</li>
 * </ul>
 *
 * <p>Not reproduced: the runtime's own classes (the runtime interface client that fetches the event over HTTP and posts
 * the answer), Lambda's CPU share proportional to memory, and the Firecracker micro-VM. They cost every function and
 * the baseline alike, so ratios to the baseline overstate a function's share somewhat, never understate it.
 */
public final class LambdaJvm {
    private LambdaJvm() {}

    /** The options before {@code -cp}, for a function of {@code memoryMb} MB (rounded as in the printed command line). */
    public static List<String> options(int memoryMb) {
        long kib = memoryMb * 1024L;
        return List.of(
                "-XX:MaxHeapSize=" + (kib * 85 + 99) / 100 + "k",
                "-XX:MaxMetaspaceSize=" + kib * 10 / 100 + "k",
                "-XX:ReservedCodeCacheSize=" + kib * 5 / 100 + "k",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-XX:+TieredCompilation",
                "-XX:TieredStopAtLevel=1",
                "-Djava.net.preferIPv4Stack=true",
                "-XX:MaxRAM=" + memoryMb + "m");
    }

    /** The {@code java} of the JVM running the benchmark (the benchmark runs on Java 17, as the functions do). */
    public static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }
}
