package dev.baton.grpc;

import dev.baton.core.BatonTracing;
import dev.baton.core.internal.ConfigReader;
import dev.baton.core.internal.Instruments;
import dev.baton.core.internal.Propagation;
import dev.baton.core.internal.RpcMetrics;
import dev.baton.core.internal.Spans;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.ServerInterceptor;
import io.grpc.ServerStreamTracer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Baton for gRPC: the entry point that makes the client and server interceptors which carry W3C
 * trace context across gRPC calls and record one CLIENT and one SERVER span per call.
 *
 * <pre>{@code
 * GrpcTracing grpcTracing = GrpcTracing.create(openTelemetry);
 *
 * ManagedChannel channel = ManagedChannelBuilder.forAddress("inventory", 50051)
 *     .intercept(grpcTracing.clientInterceptor())
 *     .build();
 *
 * Server server = ServerBuilder.forPort(50051)
 *     .addService(ServerInterceptors.intercept(new InventoryService(),
 *         grpcTracing.serverInterceptor()))
 *     .addStreamTracerFactory(grpcTracing.serverStreamTracerFactory()) // unknown methods
 *     .build();
 * }</pre>
 *
 * <p>Spans follow the OpenTelemetry RPC and gRPC semantic conventions v1.44.0:
 * {@code rpc.system.name}, {@code rpc.method}, {@code rpc.response.status_code} (the status code's
 * name), {@code server.address}/{@code server.port}, {@code error.type}.
 *
 * <p><b>Client.</b> A CLIENT span named by the full method ({@code package.Service/Method}),
 * a child of the context current when the call is created; started when the call starts, with
 * the context injected into the request metadata (replacing any trace fields already there);
 * ended when the call closes, with {@code rpc.response.status_code} and, for every code but
 * {@code OK}, {@code error.type} and status ERROR. Listener callbacks run in the caller's context.
 *
 * <p><b>Server.</b> A SERVER span from the request metadata under the inbound policy of the
 * {@link BatonTracing} settings, current around the handler's start and every listener callback;
 * ended on complete or cancel, with the status the client received (also when an inner
 * interceptor rejects the call by throwing a {@code StatusRuntimeException}). Only
 * {@code UNKNOWN}, {@code DEADLINE_EXCEEDED}, {@code UNIMPLEMENTED}, {@code INTERNAL},
 * {@code UNAVAILABLE} and {@code DATA_LOSS} mark it as an error, as the gRPC semantic conventions
 * say for servers. Calls to methods the server does not have never reach an interceptor; the
 * {@linkplain #serverStreamTracerFactory() stream tracer factory} records those.
 *
 * <p>Immutable and thread-safe. Build one per {@code OpenTelemetry} instance and share it; the
 * interceptors and the factory it returns are always the same objects.
 *
 * @since 0.1.0
 */
public final class GrpcTracing {

  /**
   * Whether {@code rpc.message} events are recorded on streaming calls; {@code true} or
   * {@code false}, default {@code false}.
   */
  public static final String MESSAGE_EVENTS = "baton.grpc.message.events";

  /**
   * Request metadata keys recorded as {@code rpc.request.metadata.<key>} attributes: a
   * comma-separated list of ASCII metadata keys, default none.
   */
  public static final String CAPTURE_METADATA = "baton.grpc.metadata.capture";

  static final String SCOPE = "dev.baton.grpc";

  private final BatonTracing baton;
  /** The tracer, propagation and metrics of {@code baton.resolved()}, made at the first call. */
  private final Instruments<Metadata, RpcMetrics> instruments;
  private final boolean messageEvents;
  private final MetadataCapture capture;
  private final TracingClientInterceptor clientInterceptor;
  private final TracingServerInterceptor serverInterceptor;
  private final TracingServerStreamTracerFactory serverStreamTracerFactory;

  private GrpcTracing(Builder b) {
    this.baton = b.baton;
    this.instruments = new Instruments<>(
        baton, SCOPE, r -> new MetadataCarrier(r.propagator().fields()), GrpcMetrics::create);
    this.messageEvents = b.messageEvents;
    this.capture = b.capture;
    this.clientInterceptor = new TracingClientInterceptor(this);
    this.serverInterceptor = new TracingServerInterceptor(this);
    this.serverStreamTracerFactory = new TracingServerStreamTracerFactory(this);
  }

  /**
   * Returns gRPC tracing with default settings on {@code openTelemetry}.
   *
   * @param openTelemetry the instance spans and propagators come from
   * @return the tracing object
   * @throws NullPointerException if {@code openTelemetry} is {@code null}
   */
  public static GrpcTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /**
   * Returns a builder on {@code openTelemetry}, with Baton's default core settings.
   *
   * @param openTelemetry the instance spans and propagators come from
   * @return a new builder
   * @throws NullPointerException if {@code openTelemetry} is {@code null}
   */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(BatonTracing.create(
        Objects.requireNonNull(openTelemetry, "openTelemetry == null")));
  }

  /**
   * Returns a builder on Baton's core settings (inbound policy, baggage allow-lists, header
   * size cap), for sharing one {@link BatonTracing} across transports.
   *
   * @param baton the core settings
   * @return a new builder
   * @throws NullPointerException if {@code baton} is {@code null}
   */
  public static Builder builder(BatonTracing baton) {
    return new Builder(Objects.requireNonNull(baton, "baton == null"));
  }

  /**
   * Builds gRPC tracing from {@code baton.*} settings: the core's (see
   * {@code docs/configuration.md}) plus {@value #MESSAGE_EVENTS} and {@value #CAPTURE_METADATA}.
   * Keys not starting with {@code baton.} are ignored. The {@code OpenTelemetry} instance is the
   * map's {@code baton.opentelemetry} entry, else the one registered with
   * {@code GlobalOpenTelemetry}, looked up at the first call, not here, and never locked (see
   * {@link BatonTracing#resolved()}).
   *
   * @param config the settings
   * @return the tracing object
   * @throws IllegalArgumentException on an unknown {@code baton.*} key or an invalid value
   * @throws NullPointerException if {@code config} is {@code null}
   */
  public static GrpcTracing fromConfig(Map<String, ?> config) {
    ConfigReader reader = ConfigReader.of(config, Set.of(MESSAGE_EVENTS, CAPTURE_METADATA));
    Builder b = new Builder(reader.batonTracing());
    b.messageEvents(reader.bool(MESSAGE_EVENTS, false));
    try {
      b.captureMetadata(reader.list(CAPTURE_METADATA, List.of()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Invalid value for Baton setting '" + CAPTURE_METADATA + "': " + e.getMessage(), e);
    }
    return b.build();
  }

  /**
   * Returns the interceptor that traces outgoing calls. Add it to a channel
   * ({@code ManagedChannelBuilder.intercept}, {@code ClientInterceptors.intercept}) or a stub
   * ({@code withInterceptors}). Added once per channel; with other interceptors, add it last
   * so that it runs first and their work happens inside the client span.
   *
   * @return the client interceptor, the same instance on every call
   */
  public ClientInterceptor clientInterceptor() {
    return clientInterceptor;
  }

  /**
   * Returns the interceptor that traces incoming calls. Add it to a service
   * ({@code ServerInterceptors.intercept}) or to the whole server
   * ({@code ServerBuilder.intercept}); with other interceptors, make it the outermost so they
   * run inside the server span.
   *
   * @return the server interceptor, the same instance on every call
   */
  public ServerInterceptor serverInterceptor() {
    return serverInterceptor;
  }

  /**
   * Returns the stream tracer factory that records a SERVER span for calls the server rejects
   * before any interceptor runs: a method it does not have ({@code UNIMPLEMENTED}). Without it,
   * such a call shows in the caller's trace as a CLIENT span with nothing behind it. Add it once
   * per server, beside the server interceptor:
   *
   * <pre>{@code
   * ServerBuilder.forPort(50051)
   *     .addService(ServerInterceptors.intercept(service, grpcTracing.serverInterceptor()))
   *     .addStreamTracerFactory(grpcTracing.serverStreamTracerFactory())
   * }</pre>
   *
   * <p>The span is a child of the request's trace context under the inbound policy, named
   * {@code grpc}, with {@code rpc.method} {@code _OTHER}, the requested method in
   * {@code rpc.method_original}, {@code rpc.response.status_code} {@code UNIMPLEMENTED} and
   * status ERROR. Calls that reach a handler are left to {@link #serverInterceptor()}, so a call
   * never gets two SERVER spans; the factory alone does not trace them.
   * {@link ServerStreamTracer} is an experimental grpc-java API.
   *
   * @return the factory, the same instance on every call
   * @since 0.1.0
   */
  public ServerStreamTracer.Factory serverStreamTracerFactory() {
    return serverStreamTracerFactory;
  }

  Tracer tracer() {
    return instruments.tracer();
  }

  Propagation<Metadata> propagation() {
    return instruments.propagation();
  }

  /** The call-duration histograms of the settings in effect, or {@code null}. */
  RpcMetrics metrics() {
    return instruments.metrics();
  }

  boolean messageEvents() {
    return messageEvents;
  }

  MetadataCapture capture() {
    return capture;
  }

  @Override
  public String toString() {
    return "GrpcTracing{messageEvents=" + messageEvents + ", captureMetadata=" + capture.names()
        + ", " + baton + "}";
  }

  /**
   * Builds {@link GrpcTracing}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final BatonTracing baton;
    private boolean messageEvents;
    private MetadataCapture capture = MetadataCapture.NONE;

    private Builder(BatonTracing baton) {
      this.baton = baton;
    }

    /**
     * Records an {@code rpc.message} event per message on streaming calls
     * ({@code rpc.message.type} {@code SENT} or {@code RECEIVED}, {@code rpc.message.id} counted
     * from 1 per direction). Unary calls never get them, as the conventions say. Default off:
     * a long stream would fill the span.
     *
     * @param enabled whether to record message events
     * @return this builder
     */
    public Builder messageEvents(boolean enabled) {
      this.messageEvents = enabled;
      return this;
    }

    /**
     * Sets the request metadata keys recorded on client and server spans as
     * {@code rpc.request.metadata.<key>} string-array attributes (every value of the key, in
     * order). Keys are matched in lower case, as gRPC normalizes them. Default none: metadata
     * often carries credentials, so nothing is recorded unless listed here.
     *
     * @param keys ASCII metadata keys; binary ({@code -bin}) keys are not allowed
     * @return this builder
     * @throws IllegalArgumentException on an empty, binary or illegal key
     * @throws NullPointerException if {@code keys} or one of them is {@code null}
     */
    public Builder captureMetadata(Collection<String> keys) {
      this.capture = MetadataCapture.of(Objects.requireNonNull(keys, "keys == null"));
      return this;
    }

    /**
     * Builds the tracing object.
     *
     * @return the tracing object
     */
    public GrpcTracing build() {
      return new GrpcTracing(this);
    }
  }
}
