package dev.baton.core.internal;

import dev.baton.core.BatonTracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The RPC call-duration histograms of semantic conventions v1.44.0 ({@code rpc.client.call.duration},
 * {@code rpc.server.call.duration}, seconds), with {@code rpc.system.name}, {@code rpc.method},
 * {@code rpc.response.status_code} and, on failure, {@code error.type}. v1.44.0 defines no other
 * RPC metric (the per-call message counts and sizes were removed), so none is recorded.
 *
 * <p>Attribute sets are built once per method and status code; the callers pass only methods
 * the client or server knows (an unrecognised one arrives as {@code _OTHER}), and past
 * {@link AttributeCache#MAX} methods the rest share {@code _OTHER}, so the series stay bounded.
 *
 * <p>Made once per settings by {@link #create}, {@code null} when nothing would be recorded.
 * Part of Baton's internal machinery: no compatibility promise. Thread-safe.
 */
public final class RpcMetrics {

  private final DoubleHistogram client;
  private final DoubleHistogram server;
  private final String system;
  /**
   * Per side, per method, per status code: the set, with {@code error.type} when the code is an
   * error (which differs by side: a client counts every code but {@code OK}).
   */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Attributes>> clientSets =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Attributes>> serverSets =
      new ConcurrentHashMap<>();

  private RpcMetrics(Meter meter, String system) {
    this.system = system;
    this.client = Metrics.seconds(meter, "rpc.client.call.duration",
        "Measures the duration of an outgoing Remote Procedure Call (RPC).",
        Metrics.DURATION_BUCKETS);
    this.server = Metrics.seconds(meter, "rpc.server.call.duration",
        "Measures the duration of an incoming Remote Procedure Call (RPC).",
        Metrics.DURATION_BUCKETS);
  }

  /**
   * Returns the histograms for {@code baton} (the settings in effect), or {@code null} when
   * nothing would be recorded.
   *
   * @param baton the settings in effect
   * @param scope the instrumentation scope, such as {@code dev.baton.grpc}
   * @param system the {@code rpc.system.name} value
   * @return the histograms, or {@code null}
   */
  public static RpcMetrics create(BatonTracing baton, String scope, String system) {
    if (!Metrics.supported() || !baton.metricEnabled(BatonTracing.METRICS_RPC_ENABLED)) {
      return null;
    }
    try {
      Meter meter = Metrics.meter(baton, scope);
      return meter == null ? null : new RpcMetrics(meter, system);
    } catch (RuntimeException | LinkageError e) {
      Faults.report("metrics setup", e);
      return null;
    }
  }

  /**
   * Records a client call that started at {@code startNanos}.
   *
   * @param startNanos {@link System#nanoTime()} at the start
   * @param method the fully-qualified method
   * @param statusCode the status code's name, or {@code null} when the call failed before one
   * @param errorType {@code error.type}, or {@code null} when the call succeeded
   */
  public void client(long startNanos, String method, String statusCode, String errorType) {
    record(client, clientSets, startNanos, method, statusCode, errorType);
  }

  /**
   * Records a server call that started at {@code startNanos}.
   *
   * @param startNanos {@link System#nanoTime()} at the start
   * @param method the fully-qualified method, or {@code _OTHER}
   * @param statusCode the status code's name
   * @param errorType {@code error.type}, or {@code null} when the call succeeded
   */
  public void server(long startNanos, String method, String statusCode, String errorType) {
    record(server, serverSets, startNanos, method, statusCode, errorType);
  }

  private void record(
      DoubleHistogram h,
      ConcurrentHashMap<String, ConcurrentHashMap<String, Attributes>> sets,
      long startNanos,
      String method,
      String statusCode,
      String errorType) {
    try {
      h.record(Metrics.secondsSince(startNanos), attributes(sets, method, statusCode, errorType));
    } catch (RuntimeException e) {
      Faults.report("metrics rpc", e);
    }
  }

  private Attributes attributes(
      ConcurrentHashMap<String, ConcurrentHashMap<String, Attributes>> sets,
      String method,
      String statusCode,
      String errorType) {
    if (statusCode == null) {
      // Failed before any status (the call could not start): rare, not cached.
      return build(method, null, errorType);
    }
    ConcurrentHashMap<String, Attributes> byCode = sets.get(method);
    if (byCode == null) {
      if (sets.size() >= AttributeCache.MAX) {
        method = SemConv.RPC_METHOD_OTHER;
      }
      byCode = sets.computeIfAbsent(method, k -> new ConcurrentHashMap<>());
    }
    Attributes a = byCode.get(statusCode);
    if (a == null) {
      String m = method;
      a = byCode.computeIfAbsent(statusCode, k -> build(m, k, errorType));
    }
    return a;
  }

  private Attributes build(String method, String statusCode, String errorType) {
    AttributesBuilder b =
        Attributes.builder()
            .put(SemConv.RPC_SYSTEM_NAME, system)
            .put(SemConv.RPC_METHOD, method);
    if (statusCode != null) {
      b.put(SemConv.RPC_RESPONSE_STATUS_CODE, statusCode);
    }
    if (errorType != null) {
      b.put(SemConv.ERROR_TYPE, errorType);
    }
    return b.build();
  }
}
