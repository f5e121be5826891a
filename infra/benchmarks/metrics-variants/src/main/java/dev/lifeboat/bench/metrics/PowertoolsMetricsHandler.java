package dev.lifeboat.bench.metrics;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.lifeboat.bench.baseline.BaselineHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/** The baseline, then the same request metrics written by Powertools for AWS Lambda (Java) metrics, flushed by hand. */
public final class PowertoolsMetricsHandler implements RequestStreamHandler {
    private final BaselineHandler baseline = new BaselineHandler();
    private final Metrics metrics = MetricsFactory.getMetricsInstance();

    public PowertoolsMetricsHandler() {
        metrics.setNamespace("Lifeboat");
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        long started = System.nanoTime();
        baseline.handleRequest(input, output, context);
        metrics.addDimension(DimensionSet.of("Route", "GET_/coldstart", "StatusClass", "2xx"));
        metrics.addMetric("Requests", 1, MetricUnit.COUNT);
        metrics.addMetric("Latency", (System.nanoTime() - started) / 1_000_000, MetricUnit.MILLISECONDS);
        metrics.addMetadata("requestId", "coldstart");
        metrics.flush();
    }
}
