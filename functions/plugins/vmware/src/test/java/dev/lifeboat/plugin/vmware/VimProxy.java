package dev.lifeboat.plugin.vmware;

import dev.lifeboat.sim.FaultProxy;
import dev.lifeboat.sim.Faults;
import dev.lifeboat.testing.VcsimServer;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * vim25 faults that vcsim cannot make, made by a {@link FaultProxy} in front of it: HTTP errors and delays come from
 * its {@link Faults} switch; an expiring session and a failing snapshot task come from the rules here, which answer
 * in vCenter's own envelopes (captured from vcsim, backup-systems.md §3.1–3.3).
 */
public final class VimProxy implements AutoCloseable {
    private static final Pattern TASK_OBJ = Pattern.compile("<obj type=\"Task\">([^<]+)</obj>");
    private static final String FAKE_TASK_PREFIX = "task-lifeboat-fault-";

    final FaultProxy proxy;
    public final Faults faults = new Faults();
    /** Logins vcsim accepted through the proxy. */
    final AtomicInteger logins = new AtomicInteger();
    /** NotAuthenticated faults the proxy answered. */
    final AtomicInteger notAuthenticated = new AtomicInteger();

    private final AtomicInteger expireSessions = new AtomicInteger();
    private volatile boolean armed;
    private volatile String failVm;
    private volatile String failMessage;
    private final AtomicInteger fakeTasks = new AtomicInteger();
    /** Fake task → [message, polls still answered "running"]. */
    private final Map<String, Object[]> failing = new ConcurrentHashMap<>();
    private final AtomicInteger runningPolls = new AtomicInteger();

    public VimProxy(VcsimServer vcsim, SSLContext serverTls) throws IOException {
        proxy = FaultProxy.start(vcsim.sdkUri(), faults, serverTls);
        proxy.addRule(this::expiringSessions).addRule(this::failingBackups).addRule(this::runningTasks).addRule(this::lostAnswers);
    }

    public URI sdk() {
        return proxy.baseUri().resolve("/sdk");
    }

    /** The next call that needs a session is refused (NotAuthenticated), as when vCenter dropped a kept session. */
    public void refuseNextCall() {
        armed = true;
    }

    /** The next {@code count} sessions vcsim hands out are refused (NotAuthenticated) at their first use. */
    public void expireNextSessions(int count) {
        expireSessions.set(count);
    }

    /**
     * The next CreateSnapshot_Task on {@code vmMoref} is accepted with a task that the proxy answers for: "running"
     * (40 %) at the first poll, then "error" with {@code message} as vCenter's localized message. Nothing reaches
     * vcsim, so no snapshot is left behind.
     */
    public void failNextBackup(String vmMoref, String message) {
        failMessage = message;
        failVm = vmMoref;
    }

    /** The next {@code count} calls of {@code method} (CreateSnapshot_Task, ...) reach vcsim, whose answer is then dropped. */
    void dropAnswerOfNext(String method, int count) {
        dropMethod = method;
        dropAnswers.set(count);
    }

    private volatile String dropMethod;
    private final AtomicInteger dropAnswers = new AtomicInteger();

    private FaultProxy.Answer lostAnswers(FaultProxy.Exchange request, FaultProxy.Upstream upstream) throws IOException, InterruptedException {
        String method = dropMethod;
        if (method != null && request.body().contains("<" + method + " ") && dropAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            upstream.forward(request);
            return FaultProxy.Answer.NONE;
        }
        return null;
    }

    /** The next {@code count} polls of a real task answer "running" (42 %) before the real state shows. */
    void runningPolls(int count) {
        runningPolls.set(count);
    }

    public void clear() {
        faults.clear();
        expireSessions.set(0);
        armed = false;
        failVm = null;
        failing.clear();
        runningPolls.set(0);
        dropAnswers.set(0);
    }

    @Override
    public void close() {
        proxy.close();
    }

    // ---- rules ------------------------------------------------------------------------------------------------------

    private FaultProxy.Answer expiringSessions(FaultProxy.Exchange request, FaultProxy.Upstream upstream)
            throws IOException, InterruptedException {
        String body = request.body();
        if (body.contains("<Login ")) {
            FaultProxy.Answer answer = upstream.forward(request);
            if (answer.status() == 200) {
                logins.incrementAndGet();
                armed = expireSessions.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            }
            return answer;
        }
        if (armed && !body.contains("<RetrieveServiceContent ") && !body.contains("<Logout ")) {
            armed = false;
            notAuthenticated.incrementAndGet();
            return soap(500, "<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring></faultstring><detail>"
                    + "<NotAuthenticatedFault xmlns=\"urn:vim25\" xsi:type=\"NotAuthenticated\"><object type=\"SessionManager\">"
                    + "SessionManager</object><privilegeId>System.View</privilegeId></NotAuthenticatedFault></detail></soapenv:Fault>");
        }
        return null;
    }

    private FaultProxy.Answer failingBackups(FaultProxy.Exchange request, FaultProxy.Upstream upstream) {
        String body = request.body();
        String vm = failVm;
        if (vm != null && body.contains("<CreateSnapshot_Task ") && body.contains(">" + vm + "</_this>")) {
            failVm = null;
            String task = FAKE_TASK_PREFIX + fakeTasks.incrementAndGet();
            failing.put(task, new Object[] {failMessage, new AtomicInteger(1)});
            return soap(200, "<CreateSnapshot_TaskResponse xmlns=\"urn:vim25\"><returnval type=\"Task\">" + task
                    + "</returnval></CreateSnapshot_TaskResponse>");
        }
        Matcher m = TASK_OBJ.matcher(body);
        if (body.contains("<RetrievePropertiesEx ") && m.find() && failing.containsKey(m.group(1))) {
            Object[] f = failing.get(m.group(1));
            if (((AtomicInteger) f[1]).getAndDecrement() > 0) {
                return soap(200, taskProperties(m.group(1), "running", 40, null));
            }
            return soap(200, taskProperties(m.group(1), "error", null, (String) f[0]));
        }
        return null;
    }

    private FaultProxy.Answer runningTasks(FaultProxy.Exchange request, FaultProxy.Upstream upstream) {
        Matcher m = TASK_OBJ.matcher(request.body());
        if (request.body().contains("<RetrievePropertiesEx ") && m.find()
                && runningPolls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return soap(200, taskProperties(m.group(1), "running", 42, null));
        }
        return null;
    }

    /** A RetrievePropertiesEx answer for a task, in vcsim's shape (its XMLSchema-instance prefix included). */
    static String taskProperties(String task, String state, Integer progress, String errorMessage) {
        String x = " xmlns:XMLSchema-instance=\"http://www.w3.org/2001/XMLSchema-instance\" XMLSchema-instance:type=";
        StringBuilder b = new StringBuilder("<RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval><objects><obj type=\"Task\">")
                .append(task).append("</obj><propSet><name>info.state</name><val").append(x).append("\"TaskInfoState\">")
                .append(state).append("</val></propSet>");
        if (progress != null) {
            b.append("<propSet><name>info.progress</name><val").append(x).append("\"xsd:int\">").append(progress).append("</val></propSet>");
        }
        if (errorMessage != null) {
            b.append("<propSet><name>info.error</name><val").append(x).append("\"LocalizedMethodFault\"><fault XMLSchema-instance:type=")
                    .append("\"InsufficientDisks\"></fault><localizedMessage>").append(Xml.escape(errorMessage))
                    .append("</localizedMessage></val></propSet>");
        }
        return b.append("</objects></returnval></RetrievePropertiesExResponse>").toString();
    }

    static FaultProxy.Answer soap(int status, String body) {
        return FaultProxy.Answer.of(status, "text/xml; charset=utf-8", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<soapenv:Envelope xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:soapenv="
                + "\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi="
                + "\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>" + body + "</soapenv:Body></soapenv:Envelope>");
    }
}
