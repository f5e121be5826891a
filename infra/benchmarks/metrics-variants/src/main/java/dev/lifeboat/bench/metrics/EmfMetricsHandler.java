package dev.lifeboat.bench.metrics;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.lifeboat.bench.baseline.BaselineHandler;
import dev.lifeboat.domain.metrics.MetricSet;
import dev.lifeboat.domain.metrics.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The baseline, then the API's request metrics written by Lifeboat's own EMF writer. */
public final class EmfMetricsHandler implements RequestStreamHandler {
    private final BaselineHandler baseline = new BaselineHandler();

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        long started = System.nanoTime();
        baseline.handleRequest(input, output, context);
        Metrics.of(MetricSet.API_REQUEST).dimension("Route", "GET_/coldstart").dimension("StatusClass", "2xx")
                .count("Requests", 1).millis("Latency", (System.nanoTime() - started) / 1_000_000)
                .property("requestId", "coldstart").emit();
    }
}
