package dev.baton.it.chain;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A minimal OTLP/HTTP trace receiver on 127.0.0.1: accepts {@code POST /v1/traces} with an
 * {@code application/x-protobuf} body, answers 200 with an empty response message, and decodes
 * just enough of each {@code ExportTraceServiceRequest} (field numbers of
 * opentelemetry-proto's {@code trace/v1/trace.proto}) to see which service sent which span of
 * which trace. No OTLP classes needed: protobuf's {@link UnknownFieldSet} reads the wire format.
 */
final class OtlpReceiver implements AutoCloseable {

  /** One received span: its resource's {@code service.name}, ids, name and status code. */
  record ReceivedSpan(String service, String traceId, String spanId, String name, int statusCode) {}

  private final HttpServer server;
  private final List<ReceivedSpan> spans = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();

  private OtlpReceiver(HttpServer server) {
    this.server = server;
  }

  static OtlpReceiver start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    OtlpReceiver receiver = new OtlpReceiver(server);
    server.createContext("/", receiver::handle);
    server.start();
    return receiver;
  }

  /** The value for {@code otel.exporter.otlp.endpoint}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  synchronized List<ReceivedSpan> spans() {
    return new ArrayList<>(spans);
  }

  /** Requests that were not a decodable OTLP trace export. */
  synchronized List<String> problems() {
    return new ArrayList<>(problems);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream body = exchange.getRequestBody()) {
      byte[] bytes = body.readAllBytes();
      String where = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
      if (!where.equals("POST /v1/traces")) {
        record(where + ": not a trace export");
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      try {
        List<ReceivedSpan> decoded = decode(bytes);
        synchronized (this) {
          spans.addAll(decoded);
        }
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        record(where + ": " + e);
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
    }
  }

  private synchronized void record(String problem) {
    problems.add(problem);
  }

  /**
   * ExportTraceServiceRequest: 1 = ResourceSpans. ResourceSpans: 1 = Resource, 2 = ScopeSpans.
   * Resource: 1 = KeyValue (1 = key, 2 = AnyValue: 1 = string_value). ScopeSpans: 2 = Span.
   * Span: 1 = trace_id, 2 = span_id, 5 = name, 15 = Status (3 = code).
   */
  static List<ReceivedSpan> decode(byte[] request) throws InvalidProtocolBufferException {
    List<ReceivedSpan> out = new ArrayList<>();
    for (ByteString resourceSpans : fields(UnknownFieldSet.parseFrom(request), 1)) {
      UnknownFieldSet rs = UnknownFieldSet.parseFrom(resourceSpans);
      String service = null;
      for (ByteString resource : fields(rs, 1)) {
        for (ByteString keyValue : fields(UnknownFieldSet.parseFrom(resource), 1)) {
          UnknownFieldSet kv = UnknownFieldSet.parseFrom(keyValue);
          if (string(kv, 1).equals("service.name")) {
            service = string(UnknownFieldSet.parseFrom(fields(kv, 2).get(0)), 1);
          }
        }
      }
      for (ByteString scopeSpans : fields(rs, 2)) {
        for (ByteString span : fields(UnknownFieldSet.parseFrom(scopeSpans), 2)) {
          UnknownFieldSet s = UnknownFieldSet.parseFrom(span);
          int statusCode = 0;
          for (ByteString status : fields(s, 15)) {
            UnknownFieldSet.Field code = UnknownFieldSet.parseFrom(status).getField(3);
            statusCode = code.getVarintList().isEmpty() ? 0 : code.getVarintList().get(0).intValue();
          }
          out.add(new ReceivedSpan(service, hex(fields(s, 1).get(0)), hex(fields(s, 2).get(0)),
              string(s, 5), statusCode));
        }
      }
    }
    return out;
  }

  private static List<ByteString> fields(UnknownFieldSet message, int number) {
    return message.hasField(number) ? message.getField(number).getLengthDelimitedList() : List.of();
  }

  private static String string(UnknownFieldSet message, int number) {
    List<ByteString> values = fields(message, number);
    return values.isEmpty() ? "" : values.get(0).toStringUtf8();
  }

  private static String hex(ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
